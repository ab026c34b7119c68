import { checkColumn, checkPeriod, outColumn } from './validate.ts';
import type { ScalarStream } from './sma.ts';

/**
 * Exponential moving average as TA-Lib computes it: `alpha = 2 / (period + 1)`, seeded with the simple mean of
 * the first `period` values (`ema[period-1] = (src[0] + ... + src[period-1]) / period`, summed in order), then
 * `ema[i] = (src[i] - ema[i-1]) * alpha + ema[i-1]`.
 * Warm-up: indices `0 .. period-2` are NaN; the first value is at index `period-1`.
 * `createEma` performs the same operations, so batch and incremental agree bit for bit.
 */
export function ema(src: Float64Array, period: number, out?: Float64Array): Float64Array {
  checkColumn('ema', 'src', src);
  checkPeriod('ema', 'period', period);
  const n = src.length;
  const o = outColumn('ema', 'out', n, out);
  const warm = Math.min(period - 1, n);
  for (let i = 0; i < warm; i++) o[i] = NaN;
  if (n < period) return o;
  const alpha = 2 / (period + 1);
  let s = 0;
  for (let k = 0; k < period; k++) s += src[k];
  let e = s / period;
  o[period - 1] = e;
  for (let i = period; i < n; i++) {
    e = (src[i] - e) * alpha + e;
    o[i] = e;
  }
  return o;
}

/** Incremental EMA, bit-identical to `ema()` over the same series. */
export function createEma(period: number): ScalarStream {
  checkPeriod('createEma', 'period', period);
  const alpha = 2 / (period + 1);
  let count = 0;
  let s = 0;
  let e = NaN;
  return {
    update(x: number): number {
      if (count >= period) {
        e = (x - e) * alpha + e;
        return e;
      }
      s += x;
      if (++count < period) return NaN;
      e = s / period;
      return e;
    },
  };
}
