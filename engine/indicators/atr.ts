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
    let v = h - l;
    const a = h > c ? h - c : c - h;
    const b = l > c ? l - c : c - l;
    if (a > v) v = a;
    if (b > v) v = b;
    o[i] = v;
  }
  return o;
}

/**
 * Average True Range with Wilder smoothing (Wilder 1978; TA-Lib ATR): true range as in `trueRange()` from bar 1,
 * seeded with the simple mean of the first `period` true ranges (`atr[period] = (tr[1] + ... + tr[period]) / period`),
 * then `atr[i] = (atr[i-1] * (period - 1) + tr[i]) / period`.
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
  const pm1 = period - 1;
  let s = 0;
  let v = 0;
  for (let i = 1; i < n; i++) {
    const h = high[i], l = low[i], c = close[i - 1];
    let tr = h - l;
    const a = h > c ? h - c : c - h;
    const b = l > c ? l - c : c - l;
    if (a > tr) tr = a;
    if (b > tr) tr = b;
    if (i < period) { s += tr; continue; }
    if (i === period) { s += tr; v = s / period; } else v = (v * pm1 + tr) / period;
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
  const pm1 = period - 1;
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
      let tr = h - l;
      const a = h > c ? h - c : c - h;
      const b = l > c ? l - c : c - l;
      if (a > tr) tr = a;
      if (b > tr) tr = b;
      if (i < period) { s += tr; return NaN; }
      if (i === period) { s += tr; v = s / period; } else v = (v * pm1 + tr) / period;
      return v;
    },
  };
}
