import { usageError } from '../errors.ts';
import { checkColumn, checkPeriod, outColumn } from './validate.ts';
import type { ScalarStream } from './sma.ts';

/** Degrees of freedom subtracted from the window length: 0 = population (default), 1 = sample. */
export type Ddof = 0 | 1;

export function checkDdof(fn: string, period: number, ddof: number): void {
  if (ddof !== 0 && ddof !== 1) throw usageError('BAD_INDICATOR_ARG', `${fn}: ddof must be 0 (population) or 1 (sample), got ${String(ddof)}`, { indicator: fn });
  if (ddof === 1 && period < 2) throw usageError('BAD_INDICATOR_ARG', `${fn}: the sample standard deviation (ddof 1) needs period >= 2, got ${period}`, { indicator: fn });
}

/**
 * Rolling standard deviation over the last `period` values:
 * `std[i] = sqrt( sum_k (src[k] - mean)^2 / (period - ddof) )` for k in `i-period+1 .. i`, where
 * `mean = sma(src, period)[i]`. `ddof` 0 (default) is the population deviation (TA-Lib STDDEV with nbdev 1,
 * pandas `rolling(n).std(ddof=0)`); `ddof` 1 is the sample deviation (pandas' default).
 * Warm-up: indices `0 .. period-2` are NaN; the first value is at index `period-1`.
 *
 * Numerics: no `sum(x^2) - sum(x)^2/n` (it cancels catastrophically at BTC prices). The window sum is kept as
 * in `sma()` and the sum of squared deviations M2 is slid with the exact window update
 * `M2 += (x_new - x_old) * (x_new - mean_new + x_old - mean_old)`; both are recomputed exactly (two-pass) at
 * index `period-1` and every `period` bars after it, so error never accumulates beyond one window.
 * `createRollingStd` performs the same operations (bit-identical).
 */
export function rollingStd(src: Float64Array, period: number, ddof: Ddof = 0, out?: Float64Array): Float64Array {
  checkColumn('rollingStd', 'src', src);
  checkPeriod('rollingStd', 'period', period);
  checkDdof('rollingStd', period, ddof);
  const n = src.length;
  const o = outColumn('rollingStd', 'out', n, out);
  const warm = Math.min(period - 1, n);
  for (let i = 0; i < warm; i++) o[i] = NaN;
  if (n < period) return o;
  const div = period - ddof;
  let s = 0;
  for (let k = 0; k < period; k++) s += src[k];
  let mean = s / period;
  let m2 = 0;
  for (let k = 0; k < period; k++) { const d = src[k] - mean; m2 += d * d; }
  o[period - 1] = Math.sqrt(m2 > 0 ? m2 / div : 0);
  let untilResync = period;
  for (let i = period; i < n; i++) {
    if (--untilResync === 0) {
      untilResync = period;
      const j0 = i - period + 1;
      s = 0;
      for (let k = j0; k <= i; k++) s += src[k];
      mean = s / period;
      m2 = 0;
      for (let k = j0; k <= i; k++) { const d = src[k] - mean; m2 += d * d; }
    } else {
      const x = src[i], old = src[i - period];
      s += x - old;
      const m = s / period;
      m2 += (x - old) * (x - m + old - mean);
      mean = m;
    }
    o[i] = Math.sqrt(m2 > 0 ? m2 / div : 0);
  }
  return o;
}

/**
 * The shared incremental window behind createRollingStd, createBollinger and createZScore: after `push(x)`,
 * `mean` and `m2` describe the last `period` values exactly as the batch kernels compute them.
 * Returns false during warm-up.
 */
export class WindowMoments {
  mean = NaN;
  m2 = NaN;
  private readonly buf: Float64Array;
  private count = 0;
  private pos = 0;
  private s = 0;
  private untilResync: number;
  private readonly period: number;

  constructor(period: number) {
    this.period = period;
    this.buf = new Float64Array(period);
    this.untilResync = period;
  }

  private recompute(): void {
    const { buf, period } = this;
    let s = 0;
    for (let k = 0, j = this.pos; k < period; k++) { s += buf[j]; if (++j === period) j = 0; }
    const mean = s / period;
    let m2 = 0;
    for (let k = 0, j = this.pos; k < period; k++) { const d = buf[j] - mean; m2 += d * d; if (++j === period) j = 0; }
    this.s = s; this.mean = mean; this.m2 = m2;
  }

  push(x: number): boolean {
    const { buf, period } = this;
    if (this.count < period) {
      buf[this.count++] = x;
      if (this.count < period) return false;
      this.recompute();
      return true;
    }
    const old = buf[this.pos];
    buf[this.pos] = x;
    if (++this.pos === period) this.pos = 0;
    this.count++;
    if (--this.untilResync === 0) {
      this.untilResync = period;
      this.recompute();
    } else {
      this.s += x - old;
      const m = this.s / period;
      this.m2 += (x - old) * (x - m + old - this.mean);
      this.mean = m;
    }
    return true;
  }
}

/** Incremental rolling standard deviation, bit-identical to `rollingStd()` with the same `ddof`. */
export function createRollingStd(period: number, ddof: Ddof = 0): ScalarStream {
  checkPeriod('createRollingStd', 'period', period);
  checkDdof('createRollingStd', period, ddof);
  const w = new WindowMoments(period);
  const div = period - ddof;
  return {
    update(x: number): number {
      if (!w.push(x)) return NaN;
      const m2 = w.m2;
      return Math.sqrt(m2 > 0 ? m2 / div : 0);
    },
  };
}
