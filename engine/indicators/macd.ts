import { usageError } from '../errors.ts';
import { checkColumn, checkPeriod, outColumn } from './validate.ts';
import { createEma } from './ema.ts';

export interface MacdColumns {
  readonly macd: Float64Array;
  readonly signal: Float64Array;
  readonly hist: Float64Array;
}

/** One bar of MACD (the incremental form reuses this object: copy the fields to keep them). */
export interface MacdPoint {
  readonly macd: number;
  readonly signal: number;
  readonly hist: number;
}

function checkMacd(fn: string, fast: number, slow: number, signal: number): void {
  checkPeriod(fn, 'fast', fast);
  checkPeriod(fn, 'slow', slow);
  checkPeriod(fn, 'signal', signal);
  if (fast >= slow) throw usageError('BAD_INDICATOR_ARG', `${fn}: fast (${fast}) must be < slow (${slow})`, { indicator: fn });
}

/**
 * MACD (Appel): `macd = ema(src, fast) - ema(src, slow)`, `signal = ema(macd, signal)`, `hist = macd - signal`,
 * every EMA exactly as `ema()` computes it (alpha `2/(p+1)`, seeded with the simple mean of its first `p` inputs);
 * the signal EMA runs over the macd values from their first defined index.
 * Warm-up: `macd` first defined at index `slow-1`; `signal` and `hist` at index `slow+signal-2`.
 * (TA-Lib reports all three from `slow+signal-2` and seeds its fast EMA later, so its first values differ
 * slightly; the seeding difference decays geometrically.) `createMacd` is bit-identical.
 */
export function macd(src: Float64Array, fast = 12, slow = 26, signal = 9, out?: Partial<MacdColumns>): MacdColumns {
  checkColumn('macd', 'src', src);
  checkMacd('macd', fast, slow, signal);
  const n = src.length;
  const m = outColumn('macd', 'macd', n, out?.macd);
  const sg = outColumn('macd', 'signal', n, out?.signal);
  const h = outColumn('macd', 'hist', n, out?.hist);
  const af = 2 / (fast + 1), as = 2 / (slow + 1), ag = 2 / (signal + 1);
  const firstM = slow - 1, firstS = slow + signal - 2;
  let sf = 0, ss = 0, sgs = 0;
  let ef = NaN, es = NaN, eg = NaN;
  const head = Math.min(firstM, n);
  for (let i = 0; i < head; i++) {
    const x = src[i];
    if (i < fast - 1) sf += x;
    else if (i === fast - 1) { sf += x; ef = sf / fast; }
    else ef = (x - ef) * af + ef;
    ss += x;
    m[i] = NaN; sg[i] = NaN; h[i] = NaN;
  }
  for (let i = firstM; i < n; i++) {
    const x = src[i];
    ef = (x - ef) * af + ef; // fast < slow, so the fast EMA is already seeded here
    if (i === firstM) { ss += x; es = ss / slow; } else es = (x - es) * as + es;
    const v = ef - es;
    m[i] = v;
    if (i < firstS) {
      sgs += v; sg[i] = NaN; h[i] = NaN;
      continue;
    }
    if (i === firstS) { sgs += v; eg = sgs / signal; } else eg = (v - eg) * ag + eg;
    sg[i] = eg;
    h[i] = v - eg;
  }
  return { macd: m, signal: sg, hist: h };
}

/** Incremental MACD, bit-identical to `macd()`. */
export function createMacd(fast = 12, slow = 26, signal = 9): { update(x: number): MacdPoint } {
  checkMacd('createMacd', fast, slow, signal);
  const f = createEma(fast), s = createEma(slow), g = createEma(signal);
  const p = { macd: NaN, signal: NaN, hist: NaN };
  return {
    update(x: number): MacdPoint {
      const ef = f.update(x), es = s.update(x);
      if (Number.isNaN(es)) return p;
      const v = ef - es;
      const eg = g.update(v);
      p.macd = v; p.signal = eg; p.hist = v - eg;
      return p;
    },
  };
}
