// JSON for results: non-finite numbers (a profit factor with no losing trade is Infinity, a Sharpe of a flat
// curve is NaN) become null, as JSON has no such values; docs/metrics.md says which fields can be null and why.
export function toJson(value: unknown, space = 2): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), space);
}
