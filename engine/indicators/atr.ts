import { checkPeriod, checkSameLength, outColumn } from './validate.ts';

/**
 * True range (Wilder): `tr[i] = max(high[i] - low[i], |high[i] - close[i-1]|, |low[i] - close[i-1]|)` for i >= 1;
 * `tr[0]` is NaN (there is no previous close).
 */
export function trueRange(high: Float64Array, low: Float64Array, close: Float64Array, out?: Float64Array): Float64Array {
  const n = checkSameLength('trueRange', { high, low, close });
  const o = outColumn('trueRange', 'out', n, out);
  if (n > 0) o[0] = NaN;
  for (let i = 1; i < n; i++) {
    const h = high[i], l = low[i], c = close[i - 1];
    o[i] = Math.max(h - l, Math.abs(h - c), Math.abs(l - c));
  }
  return o;
}

/**
 * Average True Range with Wilder smoothing (Wilder 1978; TA-Lib ATR): true range as in `trueRange()` from bar 1,
 * seeded with the simple mean of the first `period` true ranges (`atr[period] = (tr[1] + ... + tr[period]) / period`),
 * then `atr[i] = (atr[i-1] * (period - 1) + tr[i]) / period`, evaluated as `atr * ((period-1)/period) + tr * (1/period)`.
 * Warm-up: indices `0 .. period-1` are NaN; the first value is at index `period`.
 * `createAtr` performs the same operations (bit-identical).
 */
export function atr(high: Float64Array, low: Float64Array, close: Float64Array, period = 14, out?: Float64Array): Float64Array {
  const n = checkSameLength('atr', { high, low, close });
  checkPeriod('atr', 'period', period);
  const o = outColumn('atr', 'out', n, out);
  const warm = Math.min(period, n);
  for (let i = 0; i < warm; i++) o[i] = NaN;
  if (n <= period) return o;
  const k1 = (period - 1) / period, k2 = 1 / period;
  let s = 0;
  for (let i = 1; i <= period; i++) {
    const h = high[i], l = low[i], c = close[i - 1];
    s += Math.max(h - l, Math.abs(h - c), Math.abs(l - c));
  }
  let v = s / period;
  o[period] = v;
  for (let i = period + 1; i < n; i++) {
    const h = high[i], l = low[i], c = close[i - 1];
    v = v * k1 + Math.max(h - l, Math.abs(h - c), Math.abs(l - c)) * k2;
    o[i] = v;
  }
  return o;
}

/** An incremental indicator over candles: `update` returns the value at the bar just fed (NaN during warm-up). */
export interface HlcStream {
  update(high: number, low: number, close: number): number;
}

/** Incremental ATR, bit-identical to `atr()`. */
export function createAtr(period = 14): HlcStream {
  checkPeriod('createAtr', 'period', period);
  const k1 = (period - 1) / period, k2 = 1 / period;
  let count = 0;
  let prevClose = NaN;
  let s = 0;
  let v = NaN;
  return {
    update(h: number, l: number, close: number): number {
      const c = prevClose;
      prevClose = close;
      const i = count++;
      if (i === 0) return NaN;
      const tr = Math.max(h - l, Math.abs(h - c), Math.abs(l - c));
      if (i < period) { s += tr; return NaN; }
      if (i === period) { s += tr; v = s / period; } else v = v * k1 + tr * k2;
      return v;
    },
  };
}
