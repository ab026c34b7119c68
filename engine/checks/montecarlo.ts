/**
 * Monte Carlo over a run's closed trades (definitions in docs/metrics.md, "Monte Carlo").
 *
 * Each trade k becomes a return on the equity it was taken with: `r_k = pnl_k / E_(k-1)`, where
 * `E_(-1) = initialCash` and `E_k = E_(k-1) + pnl_k` (closed-trade equity; a signal run holds one position at a
 * time, so the equity at a trade's entry is the previous closed-trade equity). Compounding the returns in their
 * original order from 1 gives back `E_k / initialCash` exactly (up to rounding).
 *
 * A sample is a sequence of m = trades returns:
 *   - 'reshuffle': the same m returns in a random order (Fisher-Yates). The product of (1 + r) does not depend on
 *     the order, so the FINAL RETURN IS THE SAME IN EVERY SAMPLE; only path-dependent quantities (drawdown) vary.
 *   - 'bootstrap': m returns drawn with replacement, so the final return varies too.
 * For each sample: the final return `(prod (1 + r) - 1) * 100` and the max drawdown over the marks
 * 1, M_0, ..., M_(m-1) (M_k the compounded multiple after trade k): `min_k (M_k / peak_k - 1) * 100`, <= 0.
 * A multiple that reaches 0 or below is ruin: it stays 0 (final -100 %, drawdown -100 %).
 * Pure: the random source is a seeded PRNG; the loop reuses one scratch buffer.
 */
import { usageError } from '../errors.ts';
import { seeded } from '../strategies/lookahead.ts';

export type MonteCarloMode = 'reshuffle' | 'bootstrap';
export const MONTE_CARLO_MODES: readonly MonteCarloMode[] = ['reshuffle', 'bootstrap'];
export const MONTE_CARLO_PERCENTILES = [5, 25, 50, 75, 95] as const;
export const MAX_MONTE_CARLO_SAMPLES = 1_000_000;

export interface MonteCarloOptions {
  /** Number of samples, 1..1e6. */
  readonly n: number;
  readonly mode: MonteCarloMode;
  /** Seed of the PRNG (an integer). */
  readonly seed: number;
}

export interface MonteCarloSamples {
  /** One value per sample, in sample order. */
  readonly finalReturnPct: Float64Array;
  readonly maxDrawdownPct: Float64Array;
}

export interface PathStats {
  readonly finalReturnPct: number;
  readonly maxDrawdownPct: number;
}

export interface Distribution {
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  /** Keyed p5, p25, p50, p75, p95 (linear interpolation between order statistics). */
  readonly percentiles: Readonly<Record<string, number>>;
}

/** Per-trade returns on the closed-trade equity at entry (see the module comment). */
export function tradeReturnsFromPnl(pnl: ArrayLike<number>, initialCash: number): Float64Array {
  if (!(initialCash > 0) || !Number.isFinite(initialCash)) throw usageError('BAD_INITIAL_CASH', `initial cash ${initialCash} must be a finite number > 0`);
  const out = new Float64Array(pnl.length);
  let equity = initialCash;
  for (let k = 0; k < pnl.length; k++) {
    const p = pnl[k];
    if (!Number.isFinite(p)) throw usageError('BAD_TRADE_PNL', `trade ${k + 1} has a pnl of ${p}; every closed trade needs a finite pnl`);
    out[k] = equity > 0 ? p / equity : 0;
    equity += p;
  }
  return out;
}

/** Final return and max drawdown of compounding `r[order[k]]` (or `r` in order) for k = 0..m-1, from 1. */
export function compoundPath(r: Float64Array, order?: Int32Array): PathStats {
  let m = 1, peak = 1, dd = 0;
  const len = order ? order.length : r.length;
  for (let k = 0; k < len; k++) {
    m = m > 0 ? m * (1 + r[order ? order[k] : k]) : 0;
    if (m < 0) m = 0;
    if (m > peak) peak = m;
    const d = m / peak - 1;
    if (d < dd) dd = d;
  }
  return { finalReturnPct: (m - 1) * 100, maxDrawdownPct: dd * 100 };
}

export function validateMonteCarlo(opts: MonteCarloOptions): void {
  const problems: string[] = [];
  if (!Number.isInteger(opts.n) || opts.n < 1 || opts.n > MAX_MONTE_CARLO_SAMPLES) problems.push(`--n ${opts.n} must be a whole number in 1..${MAX_MONTE_CARLO_SAMPLES}`);
  if (!MONTE_CARLO_MODES.includes(opts.mode)) problems.push(`--mode ${String(opts.mode)} is not allowed; allowed: ${MONTE_CARLO_MODES.join(', ')}`);
  if (!Number.isInteger(opts.seed)) problems.push(`--seed ${opts.seed} must be a whole number`);
  if (problems.length) throw usageError('BAD_MONTE_CARLO', problems.join('\n'), { problems });
}

/** N seeded samples of the trade sequence `r` (see the module comment). */
export function monteCarloTrades(r: Float64Array, opts: MonteCarloOptions): MonteCarloSamples {
  validateMonteCarlo(opts);
  const m = r.length;
  if (m === 0) throw usageError('NO_TRADES', 'Monte Carlo needs at least one closed trade');
  const rnd = seeded(opts.seed);
  const finalReturnPct = new Float64Array(opts.n), maxDrawdownPct = new Float64Array(opts.n);
  const order = new Int32Array(m);
  for (let k = 0; k < m; k++) order[k] = k;
  const bootstrap = opts.mode === 'bootstrap';
  for (let s = 0; s < opts.n; s++) {
    if (bootstrap) {
      for (let k = 0; k < m; k++) order[k] = Math.floor(rnd() * m);
    } else {
      // Fisher-Yates on the previous permutation: still a uniform permutation.
      for (let k = m - 1; k > 0; k--) {
        const j = Math.floor(rnd() * (k + 1));
        const t = order[k]; order[k] = order[j]; order[j] = t;
      }
    }
    let mult = 1, peak = 1, dd = 0;
    for (let k = 0; k < m; k++) {
      mult = mult > 0 ? mult * (1 + r[order[k]]) : 0;
      if (mult < 0) mult = 0;
      if (mult > peak) peak = mult;
      const d = mult / peak - 1;
      if (d < dd) dd = d;
    }
    finalReturnPct[s] = (mult - 1) * 100;
    maxDrawdownPct[s] = dd * 100;
  }
  return { finalReturnPct, maxDrawdownPct };
}

/** The p-th percentile (0..100) of ascending `sorted`: linear interpolation at rank p/100 * (len - 1) (numpy's default). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const len = sorted.length;
  if (len === 0) return NaN;
  const h = (p / 100) * (len - 1);
  const lo = Math.floor(h), hi = Math.min(lo + 1, len - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Mean, min, max and the percentiles 5, 25, 50, 75, 95 of `samples` (not modified). */
export function distribution(samples: Float64Array, ps: readonly number[] = MONTE_CARLO_PERCENTILES): Distribution {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) sum += sorted[i];
  const percentiles: Record<string, number> = {};
  for (const p of ps) percentiles[`p${p}`] = percentile(sorted, p);
  return { mean: sum / sorted.length, min: sorted[0], max: sorted[sorted.length - 1], percentiles };
}

/** Share (0..100) of samples at or below `x`. */
export function percentileRank(samples: Float64Array, x: number): number {
  let c = 0;
  for (let i = 0; i < samples.length; i++) if (samples[i] <= x) c++;
  return (c / samples.length) * 100;
}
