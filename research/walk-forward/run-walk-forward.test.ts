import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FILL_CONFIG, smaCross } from '../../engine/index.ts';
import { importCandles } from '../../data/index.ts';
import { runCli, tempDir } from '../../test-support/cli.ts';
import { BTC_1H, sharedFile } from '../../test-support/shared-data.ts';
import { expectRelClose } from '../../test-support/approx.ts';
import { runWalkForward, type WalkForwardSpec } from './run-walk-forward.ts';

const code = { package: 'test', commit: null, dirty: null };
const spec = (file: string): WalkForwardSpec => ({
  strategy: 'sma-cross', grids: ['fast=5,10', 'slow=30,60'], mode: 'product', metric: 'sharpe', workers: 1,
  data: { file, exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' }, from: '2020-01-01', to: '2020-09-01',
  fill: { ...DEFAULT_FILL_CONFIG }, gaps: 'report', train: '60d', test: '30d', anchored: false,
});
const deps = (dir: string) => ({ cwd: process.cwd(), cacheDir: join(dir, 'cache'), resultsDir: join(dir, 'results'), now: () => Date.UTC(2026, 0, 1), code });

describe('runWalkForward on real BTC 1h', () => {
  it('warms up before each test window, stitches the equity continuously, and its stitched stats cover every fold', async () => {
    const dir = tempDir();
    const run = await runWalkForward(spec(sharedFile(BTC_1H)), deps(dir));
    const folds = run.folds;
    expect(folds.length).toBe(6);
    let bars = 0, trades = 0;
    for (let k = 0; k < folds.length; k++) {
      const f = folds[k];
      // measured from the test window's first bar: the indicators warmed up on the bars before it
      expect(f.outOfSample.start).toBe(Date.parse(f.testFrom));
      expect(f.outOfSample.bars).toBe(f.fold.testEnd - f.fold.testStart);
      expect(f.fold.testStart).toBeGreaterThanOrEqual(smaCross.warmup(f.params as never));
      expect(f.inSample.end).toBeLessThan(Date.parse(f.testFrom)); // in-sample stats end before the test window
      if (k > 0) {
        expect(f.fold.testStart).toBe(folds[k - 1].fold.testEnd);
        expect(f.startEquity).toBe(folds[k - 1].endEquity); // each fold starts from the previous fold's final equity
        expect(run.stitched.equity[bars]).toBe(run.stitched.equity[bars - 1]); // flat start: no jump at the boundary
      }
      expect(f.outOfSample.openTrades).toBe(0);
      bars += f.outOfSample.bars;
      trades += f.outOfSample.trades;
    }
    expect(run.stitched.equity.length).toBe(bars);
    expect(run.stats.trades).toBe(trades);
    expect(run.stats.equityFinal).toBe(folds[folds.length - 1].endEquity);
    expectRelClose(run.stats.returnPct, (folds[folds.length - 1].endEquity / 10_000 - 1) * 100);
    expect(run.manifest.stability.map((s) => s.name)).toEqual(['fast', 'slow']);
    expect(run.manifest.stability[0].values).toEqual(folds.map((f) => f.params.fast));
  });

  it('no look-ahead: changing the candles after a fold\'s training window changes nothing about its winner', async () => {
    const dir = tempDir();
    const f = (await importCandles(sharedFile(BTC_1H), {})).frame;
    const base = await runWalkForward(spec(sharedFile(BTC_1H)), { ...deps(dir), write: false });
    const cut = Date.parse(base.folds[2].testFrom); // = the end of fold 2's training window
    const rows: number[][] = [];
    for (let i = 0; i < f.length; i++) {
      const m = f.ts[i] >= cut ? 1 + 0.3 * Math.sin(i / 7) : 1; // a different future, still valid candles
      rows.push([f.ts[i], f.open[i] * m, f.high[i] * m, f.low[i] * m, f.close[i] * m, f.volume[i]]);
    }
    const file = join(dir, 'BTC_USDT-1h.json');
    writeFileSync(file, JSON.stringify(rows));
    const other = await runWalkForward(spec(file), { ...deps(dir), write: false });
    for (let k = 0; k <= 2; k++) {
      expect(other.folds[k].params).toEqual(base.folds[k].params);
      expect(other.folds[k].inSample).toEqual(base.folds[k].inSample);
    }
    expect(other.folds[1].outOfSample).toEqual(base.folds[1].outOfSample);
    expect(other.folds[2].outOfSample.returnPct).not.toBe(base.folds[2].outOfSample.returnPct);
  });
});

describe('tradelab walk-forward (CLI)', () => {
  it('runs with 2 workers, prints folds, stability and stitched stats; --json; bad windows exit 2', async () => {
    const dir = tempDir();
    const args = ['walk-forward', '--strategy', 'sma-cross', '--data', sharedFile(BTC_1H), '--from', '2020-01-01', '--to', '2020-06-01',
      '--grid', 'fast=5,10', '--grid', 'slow=30,60', '--test', '4w', '--metric', 'sharpe'];
    const r = await runCli([...args, '--train', '60d', '--workers', '2', '--anchored'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/anchored, \d+ folds × 4 combinations/);
    expect(r.stdout).toMatch(/Parameter stability/);
    expect(r.stdout).toMatch(/Stitched out-of-sample/);
    expect(r.stdout).toMatch(/Report: .*report\.html/);
    const j = await runCli([...args, '--train', '60d', '--json', '--workers', '1'], dir);
    expect(j.code, j.stderr).toBe(0);
    const out = JSON.parse(j.stdout) as { manifest: { windows: { folds: number } }; stats: { bars: number } };
    expect(out.manifest.windows.folds).toBeGreaterThan(2);
    const bad = await runCli([...args, '--train', '60days'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--train '60days' is not a duration/);
  });
});
