import { checkColumn, checkPeriod, outColumn } from './validate.ts';
import type { ScalarStream } from './sma.ts';

/**
 * Rate of change in percent (TA-Lib ROC): `roc[i] = 100 * (src[i] - src[i-period]) / src[i-period]`
 * (written as a difference, which is exact where TA-Lib's `(src[i]/src[i-period] - 1) * 100` rounds).
 * Warm-up: indices `0 .. period-1` are NaN; the first value is at index `period`.
 */
export function roc(src: Float64Array, period = 10, out?: Float64Array): Float64Array {
  checkColumn('roc', 'src', src);
  checkPeriod('roc', 'period', period);
  const n = src.length;
  const o = outColumn('roc', 'out', n, out);
  const warm = Math.min(period, n);
  for (let i = 0; i < warm; i++) o[i] = NaN;
  for (let i = period; i < n; i++) {
    const p = src[i - period];
    o[i] = (100 * (src[i] - p)) / p;
  }
  return o;
}

/** Incremental ROC, bit-identical to `roc()`. */
export function createRoc(period = 10): ScalarStream {
  checkPeriod('createRoc', 'period', period);
  const buf = new Float64Array(period);
  let count = 0, pos = 0;
  return {
    update(x: number): number {
      if (count < period) { buf[count++] = x; return NaN; }
      const p = buf[pos];
      buf[pos] = x;
      if (++pos === period) pos = 0;
      return (100 * (x - p)) / p;
    },
  };
}
