import { describe, expect, it } from 'vitest';
import { importCandles } from '../../data/index.ts';
import { BTC_1H, sharedFile } from '../../test-support/shared-data.ts';
import {
  computeStats, defineStrategy, sliceFrame, DEFAULT_FILL_CONFIG, memoColumn, runSignalBacktest, sma, smaCross, statsInputFromSim,
  type ParamValues,
} from '../../engine/index.ts';
import { crossTargets } from '../../engine/strategies/ma-cross.ts';
import { STAT_KEYS } from '../../engine/sweep/index.ts';
import { Type } from '@sinclair/typebox';
import { sweepStats } from './sweep-stats.ts';
import { SweepPool } from './pool.ts';

const frame = (await importCandles(sharedFile(BTC_1H), {})).frame;
const start = 200, end = 6000;
const params: ParamValues[] = [];
for (const fast of [5, 10, 20]) for (const slow of [30, 50, 100, 200]) params.push(smaCross.resolveParams({ fast, slow }));
const fill = { ...DEFAULT_FILL_CONFIG, allowShort: true };
const base = { strategy: smaCross, strategyRef: 'sma-cross', cwd: process.cwd(), frame, start, end, params, fill };

describe('sweepStats', () => {
  it('gives identical rows with 1 and 2 workers, and equal to individual runSignalBacktest + computeStats runs', async () => {
    const one = await sweepStats({ ...base, workers: 1 });
    const two = await sweepStats({ ...base, workers: 2 });
    expect(two.workers).toBe(2);
    expect(Buffer.from(two.values.buffer).equals(Buffer.from(one.values.buffer))).toBe(true);
    for (let r = 0; r < params.length; r++) {
      const s = computeStats(statsInputFromSim(runSignalBacktest(smaCross, frame, params[r], fill, { startIndex: start, endIndex: end }), frame, fill)) as unknown as Record<string, number>;
      STAT_KEYS.forEach((k, j) => expect(Object.is(one.values[r * one.stride + j], s[k]) || (Number.isNaN(s[k]) && Number.isNaN(one.values[r * one.stride + j]))).toBe(true));
    }
  });

  it('computes each shared indicator column once (3 fast + 4 slow periods for 12 combinations)', async () => {
    let computations = 0;
    const counting = defineStrategy({
      ...smaCross, id: 'counting-cross',
      params: Type.Object({ fast: Type.Integer({ default: 10, minimum: 1 }), slow: Type.Integer({ default: 30, minimum: 2 }) }),
      indicators: (f, p, memo) => ({
        fast: memoColumn(memo, `sma(close,${p.fast})`, () => { computations++; return sma(f.close, p.fast); }),
        slow: memoColumn(memo, `sma(close,${p.slow})`, () => { computations++; return sma(f.close, p.slow); }),
      }),
      decide: smaCross.decide as never,
      signals: (_f, ind, _p, out) => crossTargets(ind.fast, ind.slow, out),
    });
    const r = await sweepStats({ ...base, strategy: counting, workers: 1 });
    expect(computations).toBe(7); // distinct periods 5,10,20,30,50,100,200
    expect(r.columns).toEqual({ requests: 24, shared: 7, computedInWorkers: 0 });
    // workers: the built-in's 7 columns are shared (each computed once, by one of the workers); none is computed privately
    const w = await sweepStats({ ...base, workers: 2 });
    expect(w.columns).toEqual({ requests: 24, shared: 7, computedInWorkers: 0 });
  });

  it('keeps a pool warm across sweeps and reports worker errors as errors', async () => {
    const pool = await SweepPool.create(2);
    try {
      const a = await sweepStats({ ...base, workers: 2, pool });
      const b = await sweepStats({ ...base, params: params.slice(0, 3), workers: 2, pool });
      expect(Array.from(b.values)).toEqual(Array.from(a.values.subarray(0, 3 * a.stride)));
      await expect(sweepStats({ ...base, strategyRef: 'no-such-strategy', workers: 2, pool })).rejects.toThrow(/unknown strategy/);
      // a shorter frame after a longer one reuses the longer sweep's shared column buffers: same numbers as in-process
      const short = sliceFrame(frame, 0, 4000);
      const c = await sweepStats({ ...base, frame: short, end: 4000, workers: 2, pool });
      const d = await sweepStats({ ...base, frame: short, end: 4000, workers: 1 });
      expect(Array.from(c.values)).toEqual(Array.from(d.values));
    } finally {
      await pool.close();
    }
  });
});
