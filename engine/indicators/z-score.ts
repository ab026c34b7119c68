import { checkColumn, checkPeriod, outColumn } from './validate.ts';
import { MOMENTS_ZSCORE, WindowMoments, momentsKernel } from './rolling-std.ts';
import type { ScalarStream } from './sma.ts';

/**
 * Rolling z-score: `z[i] = (src[i] - sma(src, period)[i]) / rollingStd(src, period)[i]` with the POPULATION
 * standard deviation of the same window (the window includes `src[i]`). When the window is constant
 * (std = 0, see `rollingStd` for the rounding floor) the z-score is 0. Mean and std come from the same kernel as `sma()` / `rollingStd()`.
 * Warm-up: indices `0 .. period-2` are NaN; the first value is at index `period-1`.
 */
export function zScore(src: Float64Array, period: number, out?: Float64Array): Float64Array {
  checkColumn('zScore', 'src', src);
  checkPeriod('zScore', 'period', period);
  const o = outColumn('zScore', 'out', src.length, out);
  momentsKernel(src, period, period, MOMENTS_ZSCORE, 0, o, null, null);
  return o;
}

/** Incremental z-score, bit-identical to `zScore()`. */
export function createZScore(period: number): ScalarStream {
  checkPeriod('createZScore', 'period', period);
  const w = new WindowMoments(period, period);
  return {
    update(x: number): number {
      if (!w.push(x)) return NaN;
      const sd = w.std();
      return sd > 0 ? (x - w.mean) / sd : 0;
    },
  };
}
