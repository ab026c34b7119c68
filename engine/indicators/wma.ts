import { checkColumn, checkPeriod, outColumn } from './validate.ts';
import { resyncEvery } from './resync.ts';
import type { ScalarStream } from './sma.ts';

/**
 * Linearly weighted moving average (TA-Lib WMA): the newest value has weight `period`, the oldest weight 1:
 * `wma[i] = (1*src[i-period+1] + 2*src[i-period+2] + ... + period*src[i]) / (period*(period+1)/2)`.
 * Warm-up: indices `0 .. period-2` are NaN; the first value is at index `period-1`.
 *
 * Running kernel without drift: the weighted sum is updated as `num += period*src[i] - sum(previous window)` and
 * the plain sum as `sum += src[i] - src[i-period]`; both are recomputed exactly at index `period-1` and every
 * `resyncEvery(period)` bars after it. The result is `num * (1 / (period*(period+1)/2))`. `createWma` performs the same operations in the same order (bit-identical).
 */
export function wma(src: Float64Array, period: number, out?: Float64Array): Float64Array {
  checkColumn('wma', 'src', src);
  checkPeriod('wma', 'period', period);
  const n = src.length;
  const o = outColumn('wma', 'out', n, out);
  const warm = Math.min(period - 1, n);
  for (let i = 0; i < warm; i++) o[i] = NaN;
  if (n < period) return o;
  const invDenom = 1 / ((period * (period + 1)) / 2);
  const every = resyncEvery(period);
  let s = 0;
  let num = 0;
  for (let k = 0; k < period; k++) { s += src[k]; num += (k + 1) * src[k]; }
  o[period - 1] = num * invDenom;
  for (let start = period; start < n; start += every) {
    const end = Math.min(start + every - 1, n);
    for (let i = start; i < end; i++) {
      const x = src[i];
      num += period * x - s;
      s += x - src[i - period];
      o[i] = num * invDenom;
    }
    if (end < n) {
      s = 0; num = 0;
      for (let k = 0, j = end - period + 1; k < period; k++, j++) { s += src[j]; num += (k + 1) * src[j]; }
      o[end] = num * invDenom;
    }
  }
  return o;
}

/** Incremental WMA, bit-identical to `wma()` over the same series. */
export function createWma(period: number): ScalarStream {
  checkPeriod('createWma', 'period', period);
  const invDenom = 1 / ((period * (period + 1)) / 2);
  const every = resyncEvery(period);
  const buf = new Float64Array(period);
  let count = 0;
  let pos = 0;
  let s = 0;
  let num = 0;
  let untilResync = every;
  const recompute = () => {
    s = 0; num = 0;
    for (let k = 0, j = pos; k < period; k++) { s += buf[j]; num += (k + 1) * buf[j]; if (++j === period) j = 0; }
  };
  return {
    update(x: number): number {
      if (count < period) {
        buf[count++] = x;
        if (count < period) return NaN;
        recompute();
        return num * invDenom;
      }
      const old = buf[pos];
      buf[pos] = x;
      if (++pos === period) pos = 0;
      count++;
      if (--untilResync === 0) {
        untilResync = every;
        recompute();
      } else {
        num += period * x - s;
        s += x - old;
      }
      return num * invDenom;
    },
  };
}
