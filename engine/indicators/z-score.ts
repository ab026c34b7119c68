import { checkColumn, checkPeriod, outColumn } from './validate.ts';
import { WindowMoments } from './rolling-std.ts';
import type { ScalarStream } from './sma.ts';

/**
 * Rolling z-score: `z[i] = (src[i] - sma(src, period)[i]) / rollingStd(src, period)[i]` with the POPULATION
 * standard deviation of the same window (the window includes `src[i]`). When the window is constant
 * (std = 0) the z-score is 0. Mean and std come from the same kernel as `sma()` / `rollingStd()`.
 * Warm-up: indices `0 .. period-2` are NaN; the first value is at index `period-1`.
 */
export function zScore(src: Float64Array, period: number, out?: Float64Array): Float64Array {
  checkColumn('zScore', 'src', src);
  checkPeriod('zScore', 'period', period);
  const n = src.length;
  const o = outColumn('zScore', 'out', n, out);
  const warm = Math.min(period - 1, n);
  for (let i = 0; i < warm; i++) o[i] = NaN;
  if (n < period) return o;
  let s = 0;
  for (let k = 0; k < period; k++) s += src[k];
  let mean = s / period;
  let m2 = 0;
  for (let k = 0; k < period; k++) { const d = src[k] - mean; m2 += d * d; }
  let sd = Math.sqrt(m2 > 0 ? m2 / period : 0);
  o[period - 1] = sd > 0 ? (src[period - 1] - mean) / sd : 0;
  let untilResync = period;
  for (let i = period; i < n; i++) {
    const x = src[i];
    if (--untilResync === 0) {
      untilResync = period;
      const j0 = i - period + 1;
      s = 0;
      for (let k = j0; k <= i; k++) s += src[k];
      mean = s / period;
      m2 = 0;
      for (let k = j0; k <= i; k++) { const d = src[k] - mean; m2 += d * d; }
    } else {
      const old = src[i - period];
      s += x - old;
      const m = s / period;
      m2 += (x - old) * (x - m + old - mean);
      mean = m;
    }
    sd = Math.sqrt(m2 > 0 ? m2 / period : 0);
    o[i] = sd > 0 ? (x - mean) / sd : 0;
  }
  return o;
}

/** Incremental z-score, bit-identical to `zScore()`. */
export function createZScore(period: number): ScalarStream {
  checkPeriod('createZScore', 'period', period);
  const w = new WindowMoments(period);
  return {
    update(x: number): number {
      if (!w.push(x)) return NaN;
      const m2 = w.m2;
      const sd = Math.sqrt(m2 > 0 ? m2 / period : 0);
      return sd > 0 ? (x - w.mean) / sd : 0;
    },
  };
}
