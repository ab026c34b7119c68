// Runs logic: search, sort (and aria-sort), statistic formatting, the sweep heatmap, walk-forward folds, the manifest.
import { describe, expect, it } from 'vitest';
import { ariaSort, filterRuns, fmtStat, foldMetrics, foldPairs, gapsOf, heatColor, heatmapOf, manifestRows, nextSort, sortRuns, statClass, statKeys, sweepCellJobArgs, zRange, type RunSummary, type SweepRow } from './runs.ts';

const run = (id: string, strategy: string, symbol: string, stats: Record<string, number>, kind = 'backtest', createdAt = '2026-01-01T00:00:00Z'): RunSummary =>
  ({ id, kind, createdAt, strategy, exchange: 'binance', symbols: [symbol], timeframe: '1h', stats });
const RUNS = [
  run('r1-sma', 'sma-cross@1.0.0', 'BTC/USDT', { sharpe: 1.2, returnPct: 10, trades: 40 }),
  run('r2-ema', 'ema-cross@1.1.0', 'ETH/USDT', { sharpe: -0.3, returnPct: -4, trades: 12 }, 'backtest', '2026-02-01T00:00:00Z'),
  run('r3-sweep', 'sma-cross@1.0.0', 'ETH/USDT', {}, 'sweep', '2026-03-01T00:00:00Z'),
  run('r4-grid', 'grid@1.0.0', 'BTC/USDT', { sharpe: 2.5, returnPct: 3, trades: 400, feesPaid: 12 }),
];

describe('runs table logic', () => {
  it('searches strategy, symbol (with or without the slash) and id; every word must match; filters by kind', () => {
    expect(filterRuns(RUNS, 'sma').map((r) => r.id)).toEqual(['r1-sma', 'r3-sweep']);
    expect(filterRuns(RUNS, 'ethusdt').map((r) => r.id)).toEqual(['r2-ema', 'r3-sweep']);
    expect(filterRuns(RUNS, 'SMA eth/usdt').map((r) => r.id)).toEqual(['r3-sweep']);
    expect(filterRuns(RUNS, 'r4').map((r) => r.id)).toEqual(['r4-grid']);
    expect(filterRuns(RUNS, '', 'sweep').map((r) => r.id)).toEqual(['r3-sweep']);
    expect(filterRuns(RUNS, 'nothing-like-this')).toEqual([]);
  });

  it('sorts by a statistic either way with missing values last, and by text columns', () => {
    expect(sortRuns(RUNS, 'stat:sharpe', 'desc').map((r) => r.id)).toEqual(['r4-grid', 'r1-sma', 'r2-ema', 'r3-sweep']);
    expect(sortRuns(RUNS, 'stat:sharpe', 'asc').map((r) => r.id)).toEqual(['r2-ema', 'r1-sma', 'r4-grid', 'r3-sweep']);
    expect(sortRuns(RUNS, 'strategy', 'asc').map((r) => r.strategy)).toEqual(['ema-cross@1.1.0', 'grid@1.0.0', 'sma-cross@1.0.0', 'sma-cross@1.0.0']);
    expect(sortRuns(RUNS, 'createdAt', 'desc')[0].id).toBe('r3-sweep');
    expect(RUNS.map((r) => r.id)).toEqual(['r1-sma', 'r2-ema', 'r3-sweep', 'r4-grid']); // a copy, not in place
  });

  it('header clicks: a new statistic starts descending, the same column flips; aria-sort follows', () => {
    let s = nextSort('stat:returnPct', 'createdAt', 'desc');
    expect(s).toEqual({ key: 'stat:returnPct', dir: 'desc' });
    s = nextSort('stat:returnPct', s.key, s.dir);
    expect(s).toEqual({ key: 'stat:returnPct', dir: 'asc' });
    expect(nextSort('strategy', s.key, s.dir)).toEqual({ key: 'strategy', dir: 'asc' });
    expect([ariaSort('stat:returnPct', s.key, s.dir), ariaSort('strategy', s.key, s.dir)]).toEqual(['ascending', 'none']);
  });

  it('formats statistics as the CLI does and colours only signed ones', () => {
    expect([fmtStat('sharpe', 1.23456), fmtStat('returnPct', -4), fmtStat('trades', 40), fmtStat('equityFinal', 12345.678), fmtStat('sharpe', null)]).toEqual(['1.235', '-4.00', '40', '12,345.68', 'n/a']);
    expect([statClass('returnPct', 3), statClass('returnPct', -1), statClass('trades', 5)]).toEqual(['profit', 'loss', '']);
    expect(statKeys(RUNS)).toEqual(['returnPct', 'sharpe', 'trades', 'feesPaid']);
  });
});

describe('sweep heatmap shaping', () => {
  const rows: SweepRow[] = [];
  for (const fast of [5, 10, 15]) for (const slow of [30, 40]) for (const stop of [1, 2]) {
    if (fast === 15 && slow === 30) continue; // a combination the constraints skipped
    rows.push({ params: { fast, slow, stop }, stats: { sharpe: fast / 10 + slow / 100 + stop, trades: fast } });
  }

  it('puts the metric on x/y cells sorted by value, pins other parameters, leaves skipped cells empty', () => {
    const h = heatmapOf(rows, 'fast', 'slow', 'sharpe', { fixed: { stop: 1 } });
    expect(h.x).toEqual([5, 10, 15]);
    expect(h.y).toEqual([30, 40]);
    expect(h.z[0]).toEqual([0.5 + 0.3 + 1, 1 + 0.3 + 1, null]);
    expect(h.z[1][2]).toBeCloseTo(1.5 + 0.4 + 1, 12);
    expect(h.cells[1][0]).toEqual({ fast: 5, slow: 40, stop: 1 });
    expect(h.cells[0][2]).toBeNull();
    expect(h.aggregated).toBe(false);
  });

  it('without a pin each cell shows its best combination (lowest when lower is better)', () => {
    const best = heatmapOf(rows, 'fast', 'slow', 'sharpe');
    expect(best.aggregated).toBe(true);
    expect(best.cells[0][0]).toEqual({ fast: 5, slow: 30, stop: 2 });
    const low = heatmapOf(rows, 'fast', 'slow', 'sharpe', { lowerIsBetter: true });
    expect(low.cells[0][0]).toEqual({ fast: 5, slow: 30, stop: 1 });
    expect(zRange(low.z)).toEqual({ min: 1.8, max: expect.closeTo(2.9, 12) });
  });

  it('colours from red through grey to green, flipped when lower is better', () => {
    expect(heatColor(0, 0, 10)).toBe('rgb(161, 38, 43)');
    expect(heatColor(5, 0, 10)).toBe('rgb(58, 63, 71)');
    expect(heatColor(10, 0, 10)).toBe('rgb(35, 134, 54)');
    expect(heatColor(10, 0, 10, true)).toBe('rgb(161, 38, 43)');
    expect(heatColor(null, 0, 10)).toBe('transparent');
  });

  it('reruns a cell with the sweep\'s candles, range, fill model and fixed parameters', () => {
    const manifest = {
      strategy: { ref: 'sma-cross@1.0.0' }, fixedParams: { stop: 2 }, initialCash: 5000,
      data: { source: { kind: 'file', path: '/data/BTC_USDT-1h.json' }, from: '2022-01-01T00:00:00.000Z', to: '2022-06-30T00:00:00.000Z', gapPolicy: 'report' },
      fillModel: { name: 'next-open', slippageBps: 5, fraction: 0.5, lotSize: 0, minNotional: 0, allowShort: false, closeAtEnd: true }, fees: { feeRate: 0.002 },
    };
    expect(sweepCellJobArgs(manifest, { fast: 10, slow: 40 })).toEqual({
      strategy: 'sma-cross@1.0.0', params: { stop: 2, fast: 10, slow: 40 }, data: { file: '/data/BTC_USDT-1h.json' },
      from: '2022-01-01T00:00:00.000Z', to: '2022-06-30T00:00:00.000Z', gaps: 'report',
      fill: { cash: 5000, feeRate: 0.002, slippageBps: 5, fraction: 0.5, lotSize: 0, minNotional: 0, allowShort: false, closeAtEnd: true },
    });
    const cached = sweepCellJobArgs({ ...manifest, data: { ...manifest.data, source: { kind: 'cache', path: '/c' }, exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' } }, {});
    expect(cached.data).toEqual({ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' });
  });
});

describe('walk-forward folds and the manifest', () => {
  it('pairs in- and out-of-sample per fold from folds.csv', () => {
    const table = { columns: ['fold', 'test_from', 'test_to', 'fast', 'is_sharpe', 'oos_sharpe', 'is_trades', 'oos_trades', 'is_only'], rows: [[0, '2022-04-01T00:00:00.000Z', '2022-04-30T23:00:00.000Z', 20, 0.98, -9.1, 38, 14, 1], [1, '2022-05-01', '2022-05-30', 10, 0.57, 0.55, 42, 13, 1]] };
    expect(foldMetrics(table.columns)).toEqual(['sharpe', 'trades']);
    expect(foldPairs(table, 'sharpe', ['fast'])).toEqual([
      { fold: 0, testFrom: '2022-04-01T00:00:00.000Z', testTo: '2022-04-30T23:00:00.000Z', params: { fast: 20 }, inSample: 0.98, outOfSample: -9.1 },
      { fold: 1, testFrom: '2022-05-01', testTo: '2022-05-30', params: { fast: 10 }, inSample: 0.57, outOfSample: 0.55 },
    ]);
  });

  it('lists what was run with the gap count, for signal and order backtests', () => {
    const m = {
      kind: 'backtest', createdAt: '2026-11-21T08:19:53.688Z', strategy: { ref: 'sma-cross@1.0.0', source: { kind: 'builtin' } }, params: { fast: 10, slow: 30 },
      data: { source: { kind: 'file', path: '/d/BTC.json', format: 'ohlcv-json' }, exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h', from: 'a', to: 'b', bars: 4321, warmupBars: 30, contentHash: 'cab44', gapPolicy: 'report', gaps: { count: 2, missingBars: 5, gaps: [{ from: '2022-02-01T00:00:00.000Z', fromTs: 1, missing: 3 }, { from: '2022-03-01T00:00:00.000Z', fromTs: 2, missing: 2 }] } },
      fillModel: { name: 'next-open', slippageBps: 0, fraction: 1, lotSize: 0, minNotional: 0 }, fees: { feeRate: 0.001, feesPaid: 12.5 }, initialCash: 10000,
      code: { package: '0.1.0', commit: '63e0c735d0a44a9fd95335c04445c30479a4f1ef', dirty: true },
    };
    const rows = Object.fromEntries(manifestRows(m).map((r) => [r.label, r.value]));
    expect(rows.Strategy).toBe('sma-cross@1.0.0 (builtin)');
    expect(rows.Parameters).toBe('fast=10 slow=30');
    expect(rows['Data source']).toBe('file /d/BTC.json (ohlcv-json)');
    expect(rows.Gaps).toBe('2 gaps, 5 missing bars (policy report)');
    expect(rows['Content hash']).toBe('cab44');
    expect(rows['Code version']).toBe('tradelab 0.1.0 63e0c735d0a4 (uncommitted changes)');
    expect(rows.Fees).toBe('fee rate 0.001; paid 12.50');
    expect(gapsOf(m).list).toEqual([{ from: '2022-02-01T00:00:00.000Z', missing: 3 }, { from: '2022-03-01T00:00:00.000Z', missing: 2 }]);
    const order = { ...m, fillModel: { name: 'order-path', intrabarPath: 'nearest-extreme-first', fillOn: 'through', slippageBps: 0 }, fees: { maker: { 'BTC/USDT': 0.001 }, taker: { 'BTC/USDT': 0.001 } },
      data: { ...m.data, source: undefined, gaps: { count: 1, missingBars: 1 }, markets: [{ source: { kind: 'file', path: '/d/BTC.json' }, gaps: { gaps: [{ from: 'x', missing: 1 }] } }] } };
    const o = Object.fromEntries(manifestRows(order).map((r) => [r.label, r.value]));
    expect(o['Fill model']).toBe('order-path, path nearest-extreme-first, fills through, slippage 0 bps');
    expect(o['Data source']).toBe('file /d/BTC.json');
    expect(gapsOf(order)).toMatchObject({ count: 1, list: [{ from: 'x', missing: 1 }] });
  });
});
