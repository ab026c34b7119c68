// `tradelab montecarlo` on a real backtest run (sma-cross, BTC/USDT 1h): reshuffle keeps the final return (which
// equals the run's return when it ends flat), bootstrap spreads it, files land in the run folder, bad usage exits 2.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectRelClose } from '../../test-support/approx.ts';
import { runCli, tempDir } from '../../test-support/cli.ts';
import { BTC_1H, sharedFile } from '../../test-support/shared-data.ts';
import { readTradePnl } from '../montecarlo/index.ts';

let dir = '';
let runId = '';
let stats: Record<string, number> = {};

beforeAll(async () => {
  dir = tempDir();
  const r = await runCli(['backtest', '--strategy', 'sma-cross', '--data', sharedFile(BTC_1H), '--from', '2020-01-01', '--to', '2021-12-31',
    '--close-at-end', '--json'], dir);
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout);
  runId = out.manifest.runId;
  stats = out.stats;
});

describe('tradelab montecarlo', () => {
  it('reshuffle (default): every percentile of the final return is the run\'s own return; drawdowns spread', async () => {
    const r = await runCli(['montecarlo', runId, '--json'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ schema: 'tradelab.montecarlo/1', runId, mode: 'reshuffle', n: 1000, seed: 1, trades: stats.trades, initialCash: 10000 });
    expect(stats.trades).toBeGreaterThan(50);
    // the run ends flat (--close-at-end): compounding the trade returns in order gives the run's return
    expectRelClose(out.observed.finalReturnPct, stats.returnPct, 1e-9);
    for (const k of ['p5', 'p25', 'p50', 'p75', 'p95']) expectRelClose(out.finalReturnPct.percentiles[k], stats.returnPct, 1e-9);
    const dd = out.maxDrawdownPct.percentiles;
    expect(dd.p5).toBeLessThan(dd.p95);
    expect(dd.p5).toBeLessThanOrEqual(dd.p25);
    expect(dd.p25).toBeLessThanOrEqual(dd.p50);
    expect(dd.p95).toBeLessThanOrEqual(0);
    // closed-trade drawdown of the observed order is no deeper than the bar-by-bar one
    expect(out.observed.maxDrawdownPct).toBeGreaterThanOrEqual(stats.maxDrawdownPct);
    expect(out.note).toContain('cannot change');
    const saved = JSON.parse(readFileSync(join(dir, 'results', runId, 'montecarlo.json'), 'utf8'));
    expect(saved).toEqual(out);
    const html = readFileSync(join(dir, 'results', runId, 'montecarlo.html'), 'utf8');
    expect(html).toContain('Plotly.newPlot');
    expect(html).toContain('p95');
  });

  it('bootstrap by run folder path: the final return spreads around the observed one; the table is printed', async () => {
    const r = await runCli(['montecarlo', join(dir, 'results', runId), '--mode', 'bootstrap', '--n', '2000', '--seed', '7'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Final return \[%\]/);
    expect(r.stdout).toMatch(/Max drawdown \[%\]/);
    expect(r.stdout).toContain('montecarlo.html');
    const out = JSON.parse(readFileSync(join(dir, 'results', runId, 'montecarlo.json'), 'utf8'));
    expect(out.mode).toBe('bootstrap');
    expect(out.finalReturnPct.percentiles.p5).toBeLessThan(out.observed.finalReturnPct);
    expect(out.finalReturnPct.percentiles.p95).toBeGreaterThan(out.observed.finalReturnPct);
    // seeded: the same command gives the same distribution
    const again = await runCli(['montecarlo', runId, '--mode', 'bootstrap', '--n', '2000', '--seed', '7', '--json'], dir);
    const b = JSON.parse(again.stdout);
    expect(b.finalReturnPct).toEqual(out.finalReturnPct);
    expect(b.maxDrawdownPct).toEqual(out.maxDrawdownPct);
  });

  it('a unique prefix of a run id is enough', async () => {
    const r = await runCli(['montecarlo', runId.slice(0, 20), '--n', '10', '--json'], dir);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).runId).toBe(runId);
  });

  it('reads the pnl column of trades.csv with quoted reasons', () => {
    const p = join(tempDir(), 'trades.csv');
    writeFileSync(p, 'n,side,pnl,entry_reason\n1,long,12.5,"a, b"\n2,long,-3,"say ""x"""\n');
    expect(Array.from(readTradePnl(p))).toEqual([12.5, -3]);
  });

  it('bad usage exits 2: unknown run (with a suggestion), bad --n, bad --mode, a run without trades', async () => {
    const unknown = await runCli(['montecarlo', runId.slice(0, -1) + 'x'], dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Did you mean');
    const n = await runCli(['montecarlo', runId, '--n', '0'], dir);
    expect(n.code).toBe(2);
    expect(n.stderr).toContain('--n');
    const mode = await runCli(['montecarlo', runId, '--mode', 'shuffle'], dir);
    expect(mode.code).toBe(2);
    expect(mode.stderr).toContain('reshuffle');
    const empty = tempDir();
    const bt = await runCli(['backtest', '--strategy', 'sma-cross', '--data', sharedFile(BTC_1H), '--from', '2021-01-01', '--to', '2021-01-02', '--json'], empty);
    const id = JSON.parse(bt.stdout).manifest.runId;
    expect(existsSync(join(empty, 'results', id, 'trades.csv'))).toBe(true);
    const none = await runCli(['montecarlo', id], empty);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no closed trades');
  });
});
