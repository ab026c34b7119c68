import { checkColumn, checkFinite, checkPeriod, outColumn } from './validate.ts';
import { WindowMoments } from './rolling-std.ts';

export interface BollingerColumns {
  readonly middle: Float64Array;
  readonly upper: Float64Array;
  readonly lower: Float64Array;
}

/** One bar of Bollinger bands (the incremental form reuses this object: copy the fields to keep them). */
export interface BollingerPoint {
  readonly middle: number;
  readonly upper: number;
  readonly lower: number;
}

/**
 * Bollinger bands (Bollinger; TA-Lib BBANDS with SMA and equal up/down multipliers):
 * `middle = sma(src, period)`, `upper = middle + mult * std`, `lower = middle - mult * std`, where `std` is the
 * POPULATION standard deviation of the same window (as Bollinger, TA-Lib and TradingView use).
 * `middle` is bit-identical to `sma(src, period)` and `std` to `rollingStd(src, period)` (same kernel).
 * Warm-up: indices `0 .. period-2` are NaN; the first value is at index `period-1`.
 */
export function bollinger(src: Float64Array, period = 20, mult = 2, out?: Partial<BollingerColumns>): BollingerColumns {
  checkColumn('bollinger', 'src', src);
  checkPeriod('bollinger', 'period', period);
  checkFinite('bollinger', 'mult', mult);
  const n = src.length;
  const middle = outColumn('bollinger', 'middle', n, out?.middle);
  const upper = outColumn('bollinger', 'upper', n, out?.upper);
  const lower = outColumn('bollinger', 'lower', n, out?.lower);
  const warm = Math.min(period - 1, n);
  for (let i = 0; i < warm; i++) { middle[i] = NaN; upper[i] = NaN; lower[i] = NaN; }
  if (n < period) return { middle, upper, lower };
  let s = 0;
  for (let k = 0; k < period; k++) s += src[k];
  let mean = s / period;
  let m2 = 0;
  for (let k = 0; k < period; k++) { const d = src[k] - mean; m2 += d * d; }
  let sd = Math.sqrt(m2 > 0 ? m2 / period : 0);
  middle[period - 1] = mean; upper[period - 1] = mean + mult * sd; lower[period - 1] = mean - mult * sd;
  let untilResync = period;
  for (let i = period; i < n; i++) {
    if (--untilResync === 0) {
      untilResync = period;
      const j0 = i - period + 1;
      s = 0;
      for (let k = j0; k <= i; k++) s += src[k];
      mean = s / period;
      m2 = 0;
      for (let k = j0; k <= i; k++) { const d = src[k] - mean; m2 += d * d; }
    } else {
      const x = src[i], old = src[i - period];
      s += x - old;
      const m = s / period;
      m2 += (x - old) * (x - m + old - mean);
      mean = m;
    }
    sd = Math.sqrt(m2 > 0 ? m2 / period : 0);
    middle[i] = mean; upper[i] = mean + mult * sd; lower[i] = mean - mult * sd;
  }
  return { middle, upper, lower };
}

/** Incremental Bollinger bands, bit-identical to `bollinger()`. */
export function createBollinger(period = 20, mult = 2): { update(x: number): BollingerPoint } {
  checkPeriod('createBollinger', 'period', period);
  checkFinite('createBollinger', 'mult', mult);
  const w = new WindowMoments(period);
  const p = { middle: NaN, upper: NaN, lower: NaN };
  return {
    update(x: number): BollingerPoint {
      if (!w.push(x)) return p;
      const m2 = w.m2;
      const sd = Math.sqrt(m2 > 0 ? m2 / period : 0);
      p.middle = w.mean; p.upper = w.mean + mult * sd; p.lower = w.mean - mult * sd;
      return p;
    },
  };
}
