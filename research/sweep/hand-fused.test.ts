import { describe, it } from 'vitest';
import { syntheticFrame } from '../../bench/synthetic.ts';
import { DEFAULT_FILL_CONFIG, makeFrame, periodsPerYear, smaCross, timeframeMs, validateFillConfig, type CandleFrame } from '../../engine/index.ts';
import { createMemo, createScratch, runCombosStats } from '../../engine/sweep/index.ts';
import { expectRelClose } from '../../test-support/approx.ts';
import { handFusedStats, smaColumns } from './hand-fused.ts';

/** Prices on a coarse tick, so that the SMAs are often equal (crosses through equality are no crosses). */
function tickFrame(f: CandleFrame, tick: number): CandleFrame {
  const r = (a: Float64Array) => a.map((x) => Math.round(x / tick) * tick);
  const open = r(f.open), close = r(f.close);
  return makeFrame({ exchange: 'test', symbol: 'BTC/USDT', timeframe: f.timeframe }, {
    ts: f.ts, open, close, volume: f.volume,
    high: r(f.high).map((x, i) => Math.max(x, open[i], close[i])), low: r(f.low).map((x, i) => Math.min(x, open[i], close[i])),
  });
}

describe('the hand-fused benchmark baseline does the sweep\'s work', () => {
  it('gives the sweep\'s fills and statistics for every combination (sqn: one-pass variance, 1e-9)', () => {
    const smooth = syntheticFrame(30_000, 21, '1m', 60_000);
    for (const frame of [smooth, tickFrame(smooth, 40)]) {
      const fill = validateFillConfig({ ...DEFAULT_FILL_CONFIG });
      const params = [[1, 2], [2, 5], [5, 20], [10, 60], [30, 120]].map(([fast, slow]) => smaCross.resolveParams({ fast, slow }));
      const start = 120;
      const product = runCombosStats(smaCross, frame, params, fill, start, frame.length, createMemo(), createScratch(frame.length)) as unknown as Record<string, number>[];
      const cols = smaColumns(frame, [1, 2, 5, 10, 20, 30, 60, 120], new Map());
      const spec = { frame, start, initialCash: fill.initialCash, feeRate: fill.feeRate, periodsPerYear: periodsPerYear('1m'), timeframeMs: timeframeMs('1m') };
      params.forEach((p, c) => {
        const h = handFusedStats(spec, cols.get(p.fast as number)!, cols.get(p.slow as number)!) as unknown as Record<string, number>;
        for (const k of Object.keys(h)) expectRelClose(h[k], product[c][k], k === 'sqn' ? 1e-9 : 1e-12);
      });
    }
  });
});
