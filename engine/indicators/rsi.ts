import { checkColumn, checkPeriod, outColumn } from './validate.ts';
import type { ScalarStream } from './sma.ts';

/**
 * Relative Strength Index with Wilder smoothing (Wilder 1978; TA-Lib RSI):
 * changes `d[k] = src[k] - src[k-1]`, gains `max(d, 0)`, losses `max(-d, 0)`;
 * seeded with the simple mean of the first `period` changes (`avgGain = (gain[1] + ... + gain[period]) / period`),
 * then `avg = (avg * (period - 1) + value) / period`, evaluated as `avg * ((period-1)/period) + value * (1/period)`
 * (the same recurrence; it keeps the division off the loop-carried chain); `rsi = 100 * avgGain / (avgGain + avgLoss)`.
 * A window with no movement at all (avgGain + avgLoss = 0) gives 50 (neutral; TA-Lib gives 0 there).
 * Warm-up: indices `0 .. period-1` are NaN; the first value is at index `period`.
 * `createRsi` performs the same operations (bit-identical).
 */
export function rsi(src: Float64Array, period = 14, out?: Float64Array): Float64Array {
  checkColumn('rsi', 'src', src);
  checkPeriod('rsi', 'period', period);
  const n = src.length;
  const o = outColumn('rsi', 'out', n, out);
  const warm = Math.min(period, n);
  for (let i = 0; i < warm; i++) o[i] = NaN;
  if (n <= period) return o;
  const k1 = (period - 1) / period, k2 = 1 / period;
  let g = 0, l = 0;
  for (let k = 1; k <= period; k++) {
    const d = src[k] - src[k - 1];
    if (d > 0) g += d; else if (d < 0) l -= d;
  }
  g /= period; l /= period;
  let t = g + l;
  o[period] = t > 0 ? 100 * (g / t) : 50;
  for (let i = period + 1; i < n; i++) {
    const d = src[i] - src[i - 1];
    const up = (d + Math.abs(d)) * 0.5; // max(d, 0), exactly, without a branch
    g = g * k1 + up * k2;
    l = l * k1 + (up - d) * k2; // max(-d, 0)
    t = g + l;
    o[i] = t > 0 ? 100 * (g / t) : 50;
  }
  return o;
}

/** Incremental RSI, bit-identical to `rsi()`. */
export function createRsi(period = 14): ScalarStream {
  checkPeriod('createRsi', 'period', period);
  const k1 = (period - 1) / period, k2 = 1 / period;
  let count = 0;
  let prev = NaN;
  let g = 0, l = 0;
  return {
    update(x: number): number {
      const d = x - prev;
      prev = x;
      count++;
      if (count === 1) return NaN;
      if (count <= period + 1) {
        if (d > 0) g += d; else if (d < 0) l -= d;
        if (count <= period) return NaN;
        g /= period; l /= period;
      } else {
        const up = (d + Math.abs(d)) * 0.5;
        g = g * k1 + up * k2;
        l = l * k1 + (up - d) * k2;
      }
      const t = g + l;
      return t > 0 ? 100 * (g / t) : 50;
    },
  };
}
