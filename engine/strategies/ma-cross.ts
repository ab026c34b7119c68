/** The shared rule of the moving-average cross strategies (sma-cross, ema-cross), as a column kernel. */
import { TARGET_LONG, TARGET_SHORT } from '../strategy.ts';

/**
 * Targets from the strict crosses of `fast` over `slow` (see `crossedAbove`): 1 where fast crosses above slow,
 * -1 where it crosses below, NaN elsewhere (no decision: the position is kept). Writes into `into` when given
 * (at least as long as `fast`; a sweep reuses one buffer) and returns the written column.
 */
export function crossTargets(fast: Float64Array, slow: Float64Array, into?: Float64Array): Float64Array {
  const n = fast.length;
  const out = into && into.length >= n ? into.subarray(0, n) : new Float64Array(n);
  if (n > 0) out[0] = NaN;
  for (let i = 1; i < n; i++) {
    const f0 = fast[i - 1], s0 = slow[i - 1], f1 = fast[i], s1 = slow[i];
    out[i] = f0 < s0 && f1 > s1 ? TARGET_LONG : f0 > s0 && f1 < s1 ? TARGET_SHORT : NaN;
  }
  return out;
}
