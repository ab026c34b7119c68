import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../../test-support/cli.ts';
import { BTC_1H, sharedFile } from '../../test-support/shared-data.ts';

const data = () => sharedFile(BTC_1H);
const base = () => ['backtest', '--strategy', 'sma-cross', '--data', data(), '--from', '2021-01-01', '--to', '2021-06-30'];

describe('tradelab backtest: bad usage exits 2 and says what is allowed', () => {
  it('unknown strategy, with a suggestion and the list', async () => {
    const r = await runCli(['backtest', '--strategy', 'sma-crss', '--data', data()], tempDir());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown strategy 'sma-crss'");
    expect(r.stderr).toContain("Did you mean 'sma-cross'");
    expect(r.stderr).toContain('ema-cross');
  });
  it('unknown parameter, with a suggestion', async () => {
    const r = await runCli([...base(), '--param', 'fsat=5'], tempDir());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown parameter 'fsat'");
    expect(r.stderr).toContain("'fast'");
  });
  it('a parameter out of bounds or breaking a constraint', async () => {
    const r = await runCli([...base(), '--param', 'fast=50', '--param', 'slow=20'], tempDir());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('fast < slow');
  });
  it('unknown timeframe', async () => {
    const r = await runCli(['backtest', '--strategy', 'sma-cross', '--exchange', 'binance', '--symbol', 'BTC/USDT', '--timeframe', '7m'], tempDir());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown timeframe '7m'");
    expect(r.stderr).toContain('1h');
  });
  it('missing data file', async () => {
    const r = await runCli(['backtest', '--strategy', 'sma-cross', '--data', '/nonexistent/candles.json'], tempDir());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('/nonexistent/candles.json');
  });
  it('no data named at all', async () => {
    const r = await runCli(['backtest', '--strategy', 'sma-cross'], tempDir());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--data');
  });
  it('a bad date and an unknown option', async () => {
    const bad = await runCli([...base().slice(0, 5), '--from', 'yesterday'], tempDir());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--from');
    const unk = await runCli([...base(), '--feerate', '0.1'], tempDir());
    expect(unk.code).toBe(2);
    expect(unk.stderr.toLowerCase()).toContain('feerate');
  });
  it('an unknown command', async () => {
    const r = await runCli(['backtset'], tempDir());
    expect(r.code).toBe(2);
  });
  it('a data file whose candles are unusable under --gaps error', async () => {
    const r = await runCli(['backtest', '--strategy', 'sma-cross', '--data', data(), '--gaps', 'error'], tempDir());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('gap');
  });
});

describe('tradelab backtest: a run', () => {
  it('--json prints { manifest, stats } and nothing else, and writes the run folder', async () => {
    const dir = tempDir();
    const r = await runCli([...base(), '--json', '--fee-rate', '0.001', '--slippage-bps', '2', '--lot-size', '0.00001'], dir);
    expect(r.code).toBe(0);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const out = JSON.parse(r.stdout) as { manifest: Record<string, any>; stats: Record<string, number> };
    expect(Object.keys(out).sort()).toEqual(['manifest', 'stats']);
    for (const k of ['equityFinal', 'returnPct', 'trades', 'winRatePct', 'maxDrawdownPct', 'sharpe', 'sortino', 'cagrPct', 'exposurePct', 'profitFactor', 'feesPaid']) {
      expect(out.stats, k).toHaveProperty(k);
    }
    const m = out.manifest;
    expect(m.strategy.ref).toBe('sma-cross@1.0.0');
    expect(m.params).toMatchObject({ fast: expect.any(Number), slow: expect.any(Number) });
    expect(m.data.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(m.data.from).toBe('2021-01-01T00:00:00.000Z');
    expect(m.data.to).toBe('2021-06-30T00:00:00.000Z');
    expect(m.data.warmupBars).toBeGreaterThan(0);
    expect(m.data.gapPolicy).toBe('report');
    expect(m.fillModel).toMatchObject({ name: 'next-open', slippageBps: 2, lotSize: 0.00001 });
    expect(m.fees.feeRate).toBe(0.001);
    expect(m.code.package).toBe('0.1.0');
    const runDir = join(dir, 'results', m.runId);
    expect(readdirSync(runDir).sort()).toEqual(['equity.arrow', 'fills.csv', 'manifest.json', 'report.html', 'stats.json', 'trades.csv']);
    expect(JSON.parse(readFileSync(join(runDir, 'manifest.json'), 'utf8'))).toEqual(m);
    const stats = JSON.parse(readFileSync(join(runDir, 'stats.json'), 'utf8'));
    expect(stats).toEqual(out.stats);
    const trades = readFileSync(join(runDir, 'trades.csv'), 'utf8').trim().split('\n');
    expect(trades.length - 1).toBe(out.stats.trades);
    const eq = tableFromIPC(readFileSync(join(runDir, 'equity.arrow')));
    expect(eq.numRows).toBe(m.data.bars);
    expect(eq.getChild('equity')!.get(eq.numRows - 1)).toBeCloseTo(out.stats.equityFinal, 6);
    const html = readFileSync(join(runDir, 'report.html'), 'utf8');
    expect(html).toContain('Plotly.newPlot');
    expect(html).toContain('sma-cross@1.0.0');
  });

  it('prints the configuration beside the result and the report path', async () => {
    const dir = tempDir();
    const r = await runCli(base(), dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Configuration');
    expect(r.stdout).toContain('sma-cross@1.0.0');
    expect(r.stdout).toContain('Sharpe ratio');
    const m = /Report:\s+(\S+report\.html)/.exec(r.stdout);
    expect(m).not.toBeNull();
    expect(existsSync(m![1])).toBe(true);
  });

  it('runs a user strategy file given as a path', async () => {
    const dir = tempDir();
    const r = await runCli(['backtest', '--strategy', './research/examples/rsi-trend.ts', '--data', data(), '--from', '2021-01-01', '--to', '2021-12-31', '--param', 'level=60', '--json'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.manifest.strategy.ref).toBe('rsi-trend@1.0.0');
    expect(out.manifest.strategy.source.kind).toBe('file');
    expect(out.manifest.strategy.source.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(out.manifest.params.level).toBe(60);
    expect(out.stats.trades).toBeGreaterThan(0);
  });

  it('backtests cached candles after an import, and the same run twice gives the same numbers', async () => {
    const dir = tempDir();
    const imp = await runCli(['data', 'import', data(), '--exchange', 'binance', '--symbol', 'BTC/USDT', '--timeframe', '1h'], dir);
    expect(imp.code).toBe(0);
    const args = ['backtest', '--strategy', 'ema-cross', '--exchange', 'binance', '--symbol', 'BTC/USDT', '--timeframe', '1h', '--from', '2020-01-01', '--to', '2020-12-31', '--json'];
    const a = JSON.parse((await runCli(args, dir)).stdout);
    const b = JSON.parse((await runCli(args, dir)).stdout);
    expect(a.manifest.data.source.kind).toBe('cache');
    expect(a.stats).toEqual(b.stats);
    expect(a.manifest.data.contentHash).toBe(b.manifest.data.contentHash);
    expect(a.manifest.runId).not.toBe(b.manifest.runId);
    // the same candles from the file give the same result
    const c = JSON.parse((await runCli(['backtest', '--strategy', 'ema-cross', '--data', data(), '--from', '2020-01-01', '--to', '2020-12-31', '--json'], dir)).stdout);
    expect(c.stats).toEqual(a.stats);
    expect(c.manifest.data.contentHash).toBe(a.manifest.data.contentHash);
  });
});

describe('tradelab strategies and demo', () => {
  it('lists every built-in with its parameters', async () => {
    const r = await runCli(['strategies'], tempDir());
    expect(r.code).toBe(0);
    for (const id of ['sma-cross', 'ema-cross', 'bollinger-reversion', 'breakout', 'rsi-reversion']) expect(r.stdout).toContain(id);
    const j = JSON.parse((await runCli(['strategies', '--json'], tempDir())).stdout);
    expect(j.find((s: { id: string }) => s.id === 'sma-cross').params.properties.fast.default).toBeTypeOf('number');
  });
  it('demo --offline backtests the last year of the sample BTC/USDT 1h file', async () => {
    const dir = tempDir();
    const r = await runCli(['demo', '--offline'], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('offline, using the sample file');
    expect(r.stdout).toContain('Sharpe ratio');
    expect(r.stdout).toMatch(/Report:\s+\S+report\.html/);
    expect(r.stdout).toContain('2021-10-11');
  });
});
