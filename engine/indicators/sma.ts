import { checkColumn, checkPeriod, outColumn } from './validate.ts';

/**
 * Simple moving average: `sma[i] = (src[i-period+1] + ... + src[i]) / period`.
 * Warm-up: indices `0 .. period-2` are NaN; the first value is at index `period-1`.
 *
 * Running-sum kernel without drift: the window sum is updated as `s += src[i] - src[i-period]` and recomputed
 * exactly (summed oldest to newest) at index `period-1` and every `period` bars after it, so rounding error
 * never accumulates over more than one window. The incremental form (`createSma`) performs the same
 * operations in the same order, so the two agree bit for bit.
 */
export function sma(src: Float64Array, period: number, out?: Float64Array): Float64Array {
  checkColumn('sma', 'src', src);
  checkPeriod('sma', 'period', period);
  const n = src.length;
  const o = outColumn('sma', 'out', n, out);
  const warm = Math.min(period - 1, n);
  for (let i = 0; i < warm; i++) o[i] = NaN;
  if (n < period) return o;
  let s = 0;
  for (let k = 0; k < period; k++) s += src[k];
  o[period - 1] = s / period;
  let untilResync = period;
  for (let i = period; i < n; i++) {
    if (--untilResync === 0) {
      untilResync = period;
      s = 0;
      for (let k = i - period + 1; k <= i; k++) s += src[k];
    } else {
      s += src[i] - src[i - period];
    }
    o[i] = s / period;
  }
  return o;
}

/** An incremental indicator over one input series: `update` returns the value at the bar just fed (NaN during warm-up). */
export interface ScalarStream {
  update(x: number): number;
}

/** Incremental SMA, bit-identical to `sma()` over the same series. */
export function createSma(period: number): ScalarStream {
  checkPeriod('createSma', 'period', period);
  const buf = new Float64Array(period);
  let count = 0;
  let pos = 0; // ring slot of the oldest value once full
  let s = 0;
  let untilResync = period;
  return {
    update(x: number): number {
      if (count < period) {
        buf[count++] = x;
        if (count < period) return NaN;
        s = 0;
        for (let k = 0; k < period; k++) s += buf[k];
        return s / period;
      }
      const old = buf[pos];
      buf[pos] = x;
      if (++pos === period) pos = 0;
      count++;
      if (--untilResync === 0) {
        untilResync = period;
        s = 0;
        for (let k = 0, j = pos; k < period; k++) { s += buf[j]; if (++j === period) j = 0; }
      } else {
        s += x - old;
      }
      return s / period;
    },
  };
}
