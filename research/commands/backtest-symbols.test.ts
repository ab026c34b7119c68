// `tradelab backtest --symbols … | --data a,b`: one run folder per market, a summary folder, the average of each
// statistic; on real BTC/USDT and ETH/USDT 1h, from files and from the cache.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Stats } from '../../engine/index.ts';
import { expectRelClose } from '../../test-support/approx.ts';
import { runCli, tempDir } from '../../test-support/cli.ts';
import { BTC_1H, ETH_1H, sharedFile } from '../../test-support/shared-data.ts';
import { averageStats } from '../multi/index.ts';
import { dataSpecFrom } from './backtest.ts';
import { marketSpecsFrom } from '../multi/index.ts';

const btc = () => sharedFile(BTC_1H);
const eth = () => sharedFile(ETH_1H);
const range = ['--from', '2021-01-01', '--to', '2021-12-31'];

interface MultiOut { runs: { manifest: { runId: string; data: { symbol: string; exchange: string; source: { kind: string } } }; stats: Stats }[]; average: Record<string, number | null> }

describe('backtest over several data files', () => {
  it('--data a,b --json prints { runs, average }; each market has its run folder; a summary folder lists them and the mean', async () => {
    const dir = tempDir();
    const r = await runCli(['backtest', '--strategy', 'sma-cross', '--data', `${btc()},${eth()}`, ...range, '--json'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as MultiOut;
    expect(Object.keys(out)).toEqual(['runs', 'average']);
    expect(out.runs.map((x) => x.manifest.data.symbol)).toEqual(['BTC/USDT', 'ETH/USDT']);
    for (const run of out.runs) {
      expect(readdirSync(join(dir, 'results', run.manifest.runId))).toContain('stats.json');
      expect(JSON.parse(readFileSync(join(dir, 'results', run.manifest.runId, 'stats.json'), 'utf8'))).toEqual(run.stats);
    }
    for (const k of ['returnPct', 'sharpe', 'maxDrawdownPct', 'trades', 'winRatePct'] as const) {
      expectRelClose(out.average[k]!, (out.runs[0].stats[k] + out.runs[1].stats[k]) / 2);
    }
    // the same markets run alone give the same statistics
    const alone = JSON.parse((await runCli(['backtest', '--strategy', 'sma-cross', '--data', eth(), ...range, '--json'], dir)).stdout);
    expect(alone.stats).toEqual(out.runs[1].stats);
    const summaries = readdirSync(join(dir, 'results')).filter((d) => d.includes('-multi-sma-cross-'));
    expect(summaries.length).toBe(1);
    const summary = JSON.parse(readFileSync(join(dir, 'results', summaries[0], 'summary.json'), 'utf8'));
    expect(summary.markets.map((m: { runId: string }) => m.runId)).toEqual(out.runs.map((x) => x.manifest.runId));
    expect(summary.average).toEqual(out.average);
    expect(summary.averageNote).toContain('mean');
    const csv = readFileSync(join(dir, 'results', summaries[0], 'summary.csv'), 'utf8').trim().split('\n');
    expect(csv.length).toBe(4);
    expect(csv[3].startsWith('average,')).toBe(true);
  });

  it('repeated --data is the same as a comma list; the table has a row per market and the average', async () => {
    const dir = tempDir();
    const r = await runCli(['backtest', '--strategy', 'ema-cross', '--data', btc(), '--data', eth(), ...range], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/BTC\/USDT 1h/);
    expect(r.stdout).toMatch(/ETH\/USDT 1h/);
    expect(r.stdout).toMatch(/^average\s/m);
    expect(r.stdout).toContain('arithmetic mean');
    expect(r.stdout).toMatch(/Summary: \S+summary\.json/);
  });

  it('--symbols labels the files in order', async () => {
    const r = await runCli(['backtest', '--strategy', 'sma-cross', '--data', `${btc()},${eth()}`, '--symbols', 'XBT/USD,ETH/USD', '--exchange', 'kraken', ...range, '--json'], tempDir());
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as MultiOut;
    expect(out.runs.map((x) => `${x.manifest.data.exchange} ${x.manifest.data.symbol}`)).toEqual(['kraken XBT/USD', 'kraken ETH/USD']);
  });
});

describe('backtest --symbols over cached candles', () => {
  it('imports BTC and ETH 1h into the cache, then runs both by symbol', async () => {
    const dir = tempDir();
    for (const f of [btc(), eth()]) expect((await runCli(['data', 'import', f, '--exchange', 'binance'], dir)).code).toBe(0);
    const r = await runCli(['backtest', '--strategy', 'sma-cross', '--symbols', 'BTC/USDT,ETH/USDT', '--exchange', 'binance', '--timeframe', '1h', ...range, '--json'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as MultiOut;
    expect(out.runs.map((x) => [x.manifest.data.symbol, x.manifest.data.source.kind])).toEqual([['BTC/USDT', 'cache'], ['ETH/USDT', 'cache']]);
    // the same candles from the file give the same result
    const fromFile = JSON.parse((await runCli(['backtest', '--strategy', 'sma-cross', '--data', btc(), ...range, '--json'], dir)).stdout);
    expect(out.runs[0].stats).toEqual(fromFile.stats);
  });
});

describe('backtest several markets: bad usage exits 2 before anything is written', () => {
  it('each mistake names what is allowed', async () => {
    const dir = tempDir();
    const both = await runCli(['backtest', '--strategy', 'sma-cross', '--symbol', 'BTC/USDT', '--symbols', 'BTC/USDT,ETH/USDT', '--exchange', 'binance', '--timeframe', '1h'], dir);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--symbols');
    const count = await runCli(['backtest', '--strategy', 'sma-cross', '--data', `${btc()},${eth()}`, '--symbols', 'BTC/USDT'], dir);
    expect(count.code).toBe(2);
    expect(count.stderr).toContain('one symbol per file');
    const noTf = await runCli(['backtest', '--strategy', 'sma-cross', '--symbols', 'BTC/USDT,ETH/USDT', '--exchange', 'binance'], dir);
    expect(noTf.code).toBe(2);
    expect(noTf.stderr).toContain('--timeframe');
    const missing = await runCli(['backtest', '--strategy', 'sma-cross', '--data', `${btc()},/nonexistent/eth.json`], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('/nonexistent/eth.json');
    const param = await runCli(['backtest', '--strategy', 'sma-cross', '--data', `${btc()},${eth()}`, '--param', 'fsat=2'], dir);
    expect(param.code).toBe(2);
    const dup = await runCli(['backtest', '--strategy', 'sma-cross', '--data', `${btc()},${btc()}`], dir);
    expect(dup.code).toBe(2);
    expect(dup.stderr).toContain('twice');
    expect(existsSync(join(dir, 'results'))).toBe(false);
  });
});

describe('marketSpecsFrom and averageStats', () => {
  it('one spec for one market, several for --symbols or several files', () => {
    expect(marketSpecsFrom({ data: btc() }, dataSpecFrom)).toEqual([{ file: btc() }]);
    expect(marketSpecsFrom({ symbols: ' BTC/USDT , ETH/USDT ', exchange: 'binance', timeframe: '4h' }, dataSpecFrom)).toEqual([
      { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '4h' }, { exchange: 'binance', symbol: 'ETH/USDT', timeframe: '4h' }]);
    expect(marketSpecsFrom({ data: [btc(), eth()] }, dataSpecFrom)).toEqual([{ file: btc() }, { file: eth() }]);
    expect(() => marketSpecsFrom({ symbols: ',', exchange: 'binance', timeframe: '1h' }, dataSpecFrom)).toThrow(/at least one symbol/);
  });
  it('the mean of each statistic over the markets where it is finite', () => {
    const a = { returnPct: 10, profitFactor: Infinity, sharpe: NaN } as unknown as Stats;
    const b = { returnPct: 30, profitFactor: 2, sharpe: NaN } as unknown as Stats;
    const { average, averageOver } = averageStats([a, b]);
    expect(average.returnPct).toBe(20);
    expect(average.profitFactor).toBe(2);
    expect(average.sharpe).toBeNaN();
    expect(averageOver).toEqual({ profitFactor: 1, sharpe: 0 });
  });
});
