import { checkColumn, checkFinite, checkPeriod, outColumn } from './validate.ts';
import { MOMENTS_BOLLINGER, WindowMoments, momentsKernel } from './rolling-std.ts';

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
 * `middle` is bit-identical to `sma(src, period)` and `std` to `rollingStd(src, period)` (same kernel, `momentsKernel`).
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
  momentsKernel(src, period, period, MOMENTS_BOLLINGER, mult, middle, upper, lower);
  return { middle, upper, lower };
}

/** Incremental Bollinger bands, bit-identical to `bollinger()`. */
export function createBollinger(period = 20, mult = 2): { update(x: number): BollingerPoint } {
  checkPeriod('createBollinger', 'period', period);
  checkFinite('createBollinger', 'mult', mult);
  const w = new WindowMoments(period, period);
  const p = { middle: NaN, upper: NaN, lower: NaN };
  return {
    update(x: number): BollingerPoint {
      if (!w.push(x)) return p;
      const sd = w.std();
      p.middle = w.mean; p.upper = w.mean + mult * sd; p.lower = w.mean - mult * sd;
      return p;
    },
  };
}
