import { checkPeriod, checkSameLength, outColumn } from './validate.ts';

export interface DonchianColumns {
  readonly upper: Float64Array;
  readonly lower: Float64Array;
  readonly middle: Float64Array;
}

/** One bar of a Donchian channel (the incremental form reuses this object: copy the fields to keep them). */
export interface DonchianPoint {
  readonly upper: number;
  readonly lower: number;
  readonly middle: number;
}

/**
 * Donchian channel over the last `period` bars INCLUDING bar i:
 * `upper[i] = max(high[i-period+1 .. i])`, `lower[i] = min(low[i-period+1 .. i])`, `middle = (upper + lower) / 2`.
 * A breakout rule must compare bar i with the PREVIOUS bar's channel (`upper[i-1]`), which covers bars
 * `i-period .. i-1`. Exact (no arithmetic besides the middle); O(n) with monotonic deques.
 * Warm-up: indices `0 .. period-2` are NaN; the first value is at index `period-1`.
 */
export function donchian(high: Float64Array, low: Float64Array, period = 20, out?: Partial<DonchianColumns>): DonchianColumns {
  const n = checkSameLength('donchian', { high, low });
  checkPeriod('donchian', 'period', period);
  const upper = outColumn('donchian', 'upper', n, out?.upper);
  const lower = outColumn('donchian', 'lower', n, out?.lower);
  const middle = outColumn('donchian', 'middle', n, out?.middle);
  // Ring deques of indices: values strictly decreasing (max) / increasing (min) from head to tail.
  const qmax = new Int32Array(period), qmin = new Int32Array(period);
  let hmax = 0, lmax = 0, hmin = 0, lmin = 0;
  for (let i = 0; i < n; i++) {
    const expired = i - period;
    if (lmax > 0 && qmax[hmax] === expired) { if (++hmax === period) hmax = 0; lmax--; }
    if (lmin > 0 && qmin[hmin] === expired) { if (++hmin === period) hmin = 0; lmin--; }
    const x = high[i], y = low[i];
    while (lmax > 0) {
      let t = hmax + lmax - 1; if (t >= period) t -= period;
      if (high[qmax[t]] <= x) lmax--; else break;
    }
    let t = hmax + lmax; if (t >= period) t -= period;
    qmax[t] = i; lmax++;
    while (lmin > 0) {
      let u = hmin + lmin - 1; if (u >= period) u -= period;
      if (low[qmin[u]] >= y) lmin--; else break;
    }
    let u = hmin + lmin; if (u >= period) u -= period;
    qmin[u] = i; lmin++;
    if (i < period - 1) { upper[i] = NaN; lower[i] = NaN; middle[i] = NaN; continue; }
    const hi = high[qmax[hmax]], lo = low[qmin[hmin]];
    upper[i] = hi; lower[i] = lo; middle[i] = (hi + lo) / 2;
  }
  return { upper, lower, middle };
}

/** Incremental Donchian channel, bit-identical to `donchian()`. */
export function createDonchian(period = 20): { update(high: number, low: number): DonchianPoint } {
  checkPeriod('createDonchian', 'period', period);
  const vmax = new Float64Array(period), smax = new Float64Array(period);
  const vmin = new Float64Array(period), smin = new Float64Array(period);
  let hmax = 0, lmax = 0, hmin = 0, lmin = 0;
  let i = 0;
  const p = { upper: NaN, lower: NaN, middle: NaN };
  return {
    update(x: number, y: number): DonchianPoint {
      const expired = i - period;
      if (lmax > 0 && smax[hmax] === expired) { if (++hmax === period) hmax = 0; lmax--; }
      if (lmin > 0 && smin[hmin] === expired) { if (++hmin === period) hmin = 0; lmin--; }
      while (lmax > 0) {
        let t = hmax + lmax - 1; if (t >= period) t -= period;
        if (vmax[t] <= x) lmax--; else break;
      }
      let t = hmax + lmax; if (t >= period) t -= period;
      vmax[t] = x; smax[t] = i; lmax++;
      while (lmin > 0) {
        let u = hmin + lmin - 1; if (u >= period) u -= period;
        if (vmin[u] >= y) lmin--; else break;
      }
      let u = hmin + lmin; if (u >= period) u -= period;
      vmin[u] = y; smin[u] = i; lmin++;
      i++;
      if (i < period) return p;
      const hi = vmax[hmax], lo = vmin[hmin];
      p.upper = hi; p.lower = lo; p.middle = (hi + lo) / 2;
      return p;
    },
  };
}
