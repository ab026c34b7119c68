import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FILL_CONFIG } from '../../engine/index.ts';
import { STAT_KEYS } from '../../engine/sweep/index.ts';
import { runCli, tempDir } from '../../test-support/cli.ts';
import { BTC_1H, sharedFile } from '../../test-support/shared-data.ts';
import { expectRelClose } from '../../test-support/approx.ts';
import { runBacktest } from '../backtest.ts';
import { readParquet } from './parquet.ts';
import { runSweep } from './run-sweep.ts';

const code = { package: 'test', commit: null, dirty: null };
const data = { file: sharedFile(BTC_1H) };
const range = { from: '2021-01-01', to: '2021-04-01' };

describe('runSweep', () => {
  it('writes results.parquet (params then every Stats field), the manifest and the report; counts skipped combinations', async () => {
    const dir = tempDir();
    const run = await runSweep({
      strategy: 'sma-cross', grids: ['fast=5,10,20', 'slow=10:40:10'], constraints: ['fast * 2 <= slow'], mode: 'product', metric: 'sharpe',
      workers: 1, data, ...range, fill: { ...DEFAULT_FILL_CONFIG }, gaps: 'report', saveTop: 1,
    }, { cwd: process.cwd(), cacheDir: join(dir, 'cache'), resultsDir: join(dir, 'results'), now: () => Date.UTC(2026, 0, 1), code });
    // 3 × 4 = 12 generated; fast < slow drops (10,10), (20,10), (20,20); fast*2 <= slow then drops (10,10)… already gone, (20,30)
    const m = run.manifest;
    expect(m.combos).toMatchObject({ generated: 12, gridSize: 12, skippedByStrategyConstraints: 3, skippedByUserConstraints: 1, tried: 8, skipped: 4 });
    const pq = await readParquet(join(run.dir!, 'results.parquet'));
    expect(pq.rows).toHaveLength(8);
    expect(pq.columns).toEqual(['fast', 'slow', ...STAT_KEYS]);
    const best = pq.rows[m.best.row];
    expectRelClose(Number(best.sharpe), m.best.value);
    expect(Math.max(...pq.rows.map((r) => Number(r.sharpe)).filter(Number.isFinite))).toBe(m.best.value);
    expect(m.strategy.ref).toBe('sma-cross@1.0.0');
    expect(m.data.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(m.deflatedSharpe!.trials).toBe(8);
    expect(m.deflatedSharpe!.dsr).toBeGreaterThanOrEqual(0);
    expect(m.plateau.neighbours).toBeGreaterThan(0);
    const html = readFileSync(join(run.dir!, 'report.html'), 'utf8');
    expect(html).toContain('heatmap');
    expect(html).toContain('Deflated Sharpe');
    // --save-top: a full run folder whose statistics equal the sweep's row
    const top = readdirSync(join(run.dir!, 'top'));
    expect(top).toHaveLength(1);
    const stats = JSON.parse(readFileSync(join(run.dir!, 'top', top[0], 'stats.json'), 'utf8')) as Record<string, number>;
    expectRelClose(stats.sharpe, m.best.value, 1e-9);
    expect(stats.trades).toBe(Number(best.trades));
    // and a plain backtest of the best parameters over the same range agrees
    const bt = await runBacktest({ strategy: 'sma-cross', params: m.best.params, data, from: m.data.fromTs, to: m.data.toTs, fill: { ...DEFAULT_FILL_CONFIG }, gaps: 'report' },
      { cwd: process.cwd(), cacheDir: join(dir, 'cache'), resultsDir: join(dir, 'r2'), now: () => 0, code, write: false });
    expectRelClose(bt.stats.equityFinal, run.statsOf(m.best.row).equityFinal, 1e-9);
  });
});

describe('tradelab sweep (CLI on real BTC 1h)', () => {
  it('prints the top table, writes the folder, and --json prints { manifest, top }', async () => {
    const dir = tempDir();
    const args = ['sweep', '--strategy', 'sma-cross', '--data', sharedFile(BTC_1H), '--from', '2021-01-01', '--to', '2021-03-01',
      '--grid', 'fast=5:15:5', '--grid', 'slow=30,60', '--metric', 'returnPct'];
    const r = await runCli([...args, '--workers', '2'], dir);
    expect(r.stderr).toMatch(/sweep: 6\/6 combos \(100%\)/);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Top 6 by returnPct \(higher is better\)/);
    expect(r.stdout).toMatch(/Combinations: 6 tried, 0 skipped/);
    const folder = /Results: (.*)/.exec(r.stdout)![1];
    expect(existsSync(join(folder, 'results.parquet'))).toBe(true);
    const j = await runCli([...args, '--json', '--mode', 'random', '--samples', '3', '--seed', '5', '--workers', '1'], dir);
    expect(j.code, j.stderr).toBe(0);
    const out = JSON.parse(j.stdout) as { manifest: { combos: { tried: number }; seed: number; mode: string }; top: { rank: number; params: Record<string, number> }[] };
    expect(out.manifest.combos.tried).toBe(3);
    expect(out.manifest).toMatchObject({ mode: 'random', seed: 5 });
    expect(out.top[0].rank).toBe(1);
  });
  it('bad input exits 2 with a message saying what is allowed', async () => {
    const dir = tempDir();
    const base = ['sweep', '--strategy', 'sma-cross', '--data', sharedFile(BTC_1H), '--from', '2021-01-01', '--to', '2021-02-01'];
    const cases: [string[], RegExp][] = [
      [['--grid', 'fsat=5:10:5'], /unknown parameter 'fsat'.*Did you mean 'fast'/],
      [['--grid', 'fast=5:10'], /start:stop:step/],
      [['--grid', 'fast=5,10', '--metric', 'sharp'], /unknown metric 'sharp'.*Did you mean 'sharpe'/],
      [['--grid', 'fast=5,10', '--constraint', 'fast <'], /--constraint 'fast <'/],
      [['--grid', 'fast=50,60', '--param', 'slow=20'], /every one of the 2 combinations breaks a constraint/],
      [['--grid', 'fast=5,10', '--workers', 'many'], /--workers 'many' must be 'auto' or a whole number/],
      [['--grid', 'fast=5,10', '--mode', 'random'], /--samples N/],
    ];
    for (const [extra, re] of cases) {
      const r = await runCli([...base, ...extra], dir);
      expect(r.code, extra.join(' ')).toBe(2);
      expect(r.stderr).toMatch(re);
    }
  });
});
