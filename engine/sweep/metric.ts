/**
 * The metrics a sweep ranks by: every field of Stats, in one fixed column order (results tables keep it).
 * Direction rule: higher is better, except for the fields in LOWER_IS_BETTER (durations of drawdowns, volatility,
 * fees, skipped orders). Drawdown depths (`maxDrawdownPct`, `avgDrawdownPct`) are <= 0, so higher (shallower) is
 * better for them too.
 */
import { didYouMean, usageError } from '../errors.ts';
import type { Stats } from '../metrics/stats.ts';

const KEYS = {
  start: true, end: true, durationDays: true, bars: true, equityStart: true, equityFinal: true, equityPeak: true,
  returnPct: true, buyHoldReturnPct: true, cagrPct: true, annualReturnPct: true, annualVolatilityPct: true,
  sharpe: true, sortino: true, calmar: true, maxDrawdownPct: true, maxDrawdownDurationBars: true,
  maxDrawdownDurationDays: true, avgDrawdownPct: true, exposurePct: true, trades: true, winRatePct: true,
  bestTradePct: true, worstTradePct: true, avgTradePct: true, profitFactor: true, expectancy: true, sqn: true,
  kelly: true, feesPaid: true, openTrades: true, skippedOrders: true,
} as const satisfies Record<keyof Stats, true>;

/** Every Stats field, in column order. (The `satisfies` above fails to compile when Stats gains or loses a field.) */
export const STAT_KEYS = Object.keys(KEYS) as (keyof Stats)[];

export const LOWER_IS_BETTER: ReadonlySet<keyof Stats> = new Set<keyof Stats>([
  'annualVolatilityPct', 'maxDrawdownDurationBars', 'maxDrawdownDurationDays', 'feesPaid', 'skippedOrders',
]);

/** +1 when higher is better, -1 when lower is better. */
export function metricDirection(metric: keyof Stats): 1 | -1 {
  return LOWER_IS_BETTER.has(metric) ? -1 : 1;
}

/** Validate a `--metric` name (with a "did you mean"). */
export function parseMetric(name: string): keyof Stats {
  if ((STAT_KEYS as string[]).includes(name)) return name as keyof Stats;
  throw usageError('UNKNOWN_METRIC', `unknown metric '${name}'.${didYouMean(name, STAT_KEYS)} Metrics: ${STAT_KEYS.join(', ')}`);
}

/**
 * Row indices ordered best first by `values[row]` (ties: lower row first, so the order is deterministic).
 * NaN rows come last.
 */
export function rankRows(values: ArrayLike<number>, dir: 1 | -1): number[] {
  const idx = Array.from({ length: values.length }, (_, k) => k);
  return idx.sort((a, b) => {
    const va = values[a], vb = values[b];
    const na = va !== va, nb = vb !== vb;
    if (na || nb) return na === nb ? a - b : na ? 1 : -1;
    const d = dir * (vb - va);
    return d > 0 ? 1 : d < 0 ? -1 : a - b;
  });
}
