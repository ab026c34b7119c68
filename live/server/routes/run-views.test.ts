// Chart series and sweep rows of real runs (the tradelab CLI on ../shared/data into the server's results folder).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { runCli, tempDir } from '../../../test-support/cli.ts';
import { BTC_1H, sharedFile } from '../../../test-support/shared-data.ts';
import { makeHarness, type Harness } from '../server-harness.test-util.ts';
import { minMaxIndices } from '../../../engine/downsample.ts';
import { parseCsv } from './run-views.ts';

const dir = tempDir('tl-run-views-');
async function cli(argv: string[]): Promise<Record<string, unknown>> {
  const r = await runCli([...argv, '--json'], dir);
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}
const DATA = ['--data', sharedFile(BTC_1H), '--from', '2022-01-01', '--to', '2022-06-30'];

describe('run views', () => {
  let h: Harness;
  let bt: string, sweep: string, wf: string, grid: string;
  beforeAll(async () => {
    h = await makeHarness({ env: { TRADELAB_RESULTS: join(dir, 'results') } });
    bt = ((await cli(['backtest', '--strategy', 'sma-cross', ...DATA])).manifest as { runId: string }).runId;
    sweep = ((await cli(['sweep', '--strategy', 'sma-cross', ...DATA, '--grid', 'fast=5:20:5', '--grid', 'slow=30:60:10', '--workers', '1'])).manifest as { sweepId: string }).sweepId;
    wf = ((await cli(['walk-forward', '--strategy', 'sma-cross', ...DATA, '--grid', 'fast=5:15:5', '--grid', 'slow=30:40:10', '--train', '60d', '--test', '30d', '--workers', '1'])).manifest as { runId: string }).runId;
    grid = ((await cli(['backtest', '--strategy', 'grid', '--data', sharedFile(BTC_1H), '--from', '2022-01-01', '--to', '2022-02-28'])).manifest as { runId: string }).runId;
  }, 120_000);
  afterAll(async () => { await h.close(); });
  const get = (url: string) => h.app.inject({ method: 'GET', url, headers: h.auth('viewer') });

  it('backtest: equity, drawdown, close, fills as markers, the SMA overlays on the price, the trades', async () => {
    const r = await get(`/api/results/${bt}/chart?points=400`);
    expect(r.statusCode, r.body).toBe(200);
    const c = r.json();
    expect(c.kind).toBe('backtest');
    expect(c.equity.ts.length).toBeLessThanOrEqual(401);
    expect(c.equity.ts.length).toBeGreaterThan(100);
    expect(c.equity.y[0]).toBeGreaterThan(9000);
    expect(Math.min(...c.drawdownPct.y)).toBeLessThan(0);
    expect(c.overlays.map((o: { name: string }) => o.name).sort()).toEqual(['fast', 'slow']);
    expect(c.overlays.every((o: { onPrice: boolean }) => o.onPrice)).toBe(true);
    expect(c.overlayNote).toBeNull();
    expect(c.trades.columns.slice(0, 4)).toEqual(['n', 'side', 'entry_time', 'exit_time']);
    expect(c.fills.ts.length).toBe(c.trades.total * 2 + (c.fills.ts.length % 2));
    expect(new Set(c.fills.side)).toEqual(new Set(['buy', 'sell']));
    expect(c.folds).toBeNull();
    const stats = (await get(`/api/results/${bt}`)).json().stats;
    expect(c.trades.total).toBe(stats.trades);
  });

  it('order strategy: fills with tags, levels from series.arrow', async () => {
    const c = (await get(`/api/results/${grid}/chart`)).json();
    expect(c.fills.ts.length).toBeGreaterThan(0);
    expect(c.fills.text[0]).toMatch(/amount/);
    expect(c.overlays.map((o: { name: string }) => o.name)).toEqual(expect.arrayContaining(['anchorHigh', 'gridTop']));
  });

  it('walk-forward: stitched equity and the folds table', async () => {
    const c = (await get(`/api/results/${wf}/chart`)).json();
    expect(c.kind).toBe('walk-forward');
    expect(c.folds.columns).toEqual(expect.arrayContaining(['fold', 'is_sharpe', 'oos_sharpe', 'fast', 'slow']));
    expect(c.folds.total).toBeGreaterThan(1);
  });

  it('sweep: one row per combination with its params and statistics', async () => {
    const r = await get(`/api/results/${sweep}/sweep`);
    expect(r.statusCode, r.body).toBe(200);
    const s = r.json();
    expect(s.axes).toEqual([{ name: 'fast', values: [5, 10, 15, 20] }, { name: 'slow', values: [30, 40, 50, 60] }]);
    expect(s.rows).toHaveLength(16);
    expect(s.paramColumns).toEqual(['fast', 'slow']);
    expect(s.statColumns).toEqual(expect.arrayContaining(['sharpe', 'returnPct', 'trades']));
    const best = s.manifest.best as { params: Record<string, number>; value: number };
    const row = s.rows.find((x: { params: Record<string, number> }) => x.params.fast === best.params.fast && x.params.slow === best.params.slow);
    expect(row.stats.sharpe).toBe(best.value);
    expect((await get(`/api/results/${bt}/sweep`)).statusCode).toBe(404);
    expect((await get('/api/results/nope/chart')).statusCode).toBe(404);
    expect((await get(`/api/results/${sweep}/chart`)).json().error.code).toBe('CHART_NOT_FOUND');
  });

  it('helpers: CSV with quotes, min/max buckets keep extremes', () => {
    expect(parseCsv('a,b\n"x, y","say ""hi"""\n1,2\n')).toEqual([['a', 'b'], ['x, y', 'say "hi"'], ['1', '2']]);
    const y = Float64Array.from({ length: 10_000 }, (_, i) => Math.sin(i / 50) + (i === 7777 ? 10 : 0));
    const idx = minMaxIndices(y, 100);
    expect(idx.length).toBeLessThanOrEqual(201);
    expect([...idx]).toContain(7777);
    expect(idx[idx.length - 1]).toBe(9999);
  });
});
