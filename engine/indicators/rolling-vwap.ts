import { checkPeriod, checkSameLength, outColumn } from './validate.ts';
import { resyncEvery } from './resync.ts';

/**
 * Rolling volume-weighted average price over the last `period` bars (TA-Lib-style "VWAP over n", as in
 * Tulip Indicators' vwap): typical price `tp = (high + low + close) / 3`,
 * `vwap[i] = sum(tp[k] * volume[k]) / sum(volume[k])` for k in `i-period+1 .. i`.
 * A window whose volume is all zero gives NaN (0/0).
 * Warm-up: indices `0 .. period-2` are NaN; the first value is at index `period-1`.
 *
 * Running sums without drift: both sums slide (`+ new - old`) and are recomputed exactly at index `period-1`
 * and every `resyncEvery(period)` bars after it. Evaluated as `sum((h+l+c)*v) / (3*sum(v))` (the same quantity,
 * one division per bar). `createRollingVwap` performs the same operations (bit-identical).
 */
export function rollingVwap(high: Float64Array, low: Float64Array, close: Float64Array, volume: Float64Array, period: number, out?: Float64Array): Float64Array {
  const n = checkSameLength('rollingVwap', { high, low, close, volume });
  checkPeriod('rollingVwap', 'period', period);
  const o = outColumn('rollingVwap', 'out', n, out);
  const warm = Math.min(period - 1, n);
  for (let i = 0; i < warm; i++) o[i] = NaN;
  if (n < period) return o;
  const every = resyncEvery(period);
  // Sums of (high + low + close) * volume and of volume; vwap = num / (3 * den), the /3 of the typical price
  // taken once per bar instead of once per term. The window's (h+l+c)*v terms sit in a ring of `period` values
  // (allocated once, before the loop): reading them back is much faster than recomputing them from four columns.
  const ring = new Float64Array(period);
  let num = 0, den = 0;
  for (let k = 0; k < period; k++) { const pv = (high[k] + low[k] + close[k]) * volume[k]; ring[k] = pv; num += pv; den += volume[k]; }
  o[period - 1] = num / (3 * den);
  let slot = 0; // ring slot of the bar leaving the window (i - period)
  // Blocks of `every - 1` slid bars, then one bar whose sums are recomputed exactly.
  for (let start = period; start < n; start += every) {
    const end = Math.min(start + every - 1, n);
    for (let i = start; i < end; i++) {
      const pv = (high[i] + low[i] + close[i]) * volume[i];
      num += pv - ring[slot];
      ring[slot] = pv;
      if (++slot === period) slot = 0;
      den += volume[i] - volume[i - period];
      o[i] = num / (3 * den);
    }
    if (end < n) {
      ring[slot] = (high[end] + low[end] + close[end]) * volume[end];
      if (++slot === period) slot = 0;
      num = 0; den = 0;
      for (let k = 0, j = slot; k < period; k++) { num += ring[j]; if (++j === period) j = 0; }
      for (let k = end - period + 1; k <= end; k++) den += volume[k];
      o[end] = num / (3 * den);
    }
  }
  return o;
}

/** An incremental indicator over full candles. */
export interface HlcvStream {
  update(high: number, low: number, close: number, volume: number): number;
}

/** Incremental rolling VWAP, bit-identical to `rollingVwap()`. */
export function createRollingVwap(period: number): HlcvStream {
  checkPeriod('createRollingVwap', 'period', period);
  const pv = new Float64Array(period), vol = new Float64Array(period);
  let count = 0, pos = 0, num = 0, den = 0;
  const every = resyncEvery(period);
  let untilResync = every;
  const recompute = () => {
    num = 0; den = 0;
    for (let k = 0, j = pos; k < period; k++) { num += pv[j]; den += vol[j]; if (++j === period) j = 0; }
  };
  return {
    update(h: number, l: number, c: number, v: number): number {
      const x = (h + l + c) * v;
      if (count < period) {
        pv[count] = x; vol[count] = v; count++;
        if (count < period) return NaN;
        recompute();
        return num / (3 * den);
      }
      const oldX = pv[pos], oldV = vol[pos];
      pv[pos] = x; vol[pos] = v;
      if (++pos === period) pos = 0;
      count++;
      if (--untilResync === 0) {
        untilResync = every;
        recompute();
      } else {
        num += x - oldX;
        den += v - oldV;
      }
      return num / (3 * den);
    },
  };
}
