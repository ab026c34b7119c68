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
  out.fill(NaN);
  if (n === 0) return out;
  // The side of fast against slow at the previous bar: -1 below, 1 above, 0 neither (equal, or a NaN in warm-up).
  // A cross is a change from -1 to 1 or from 1 to -1; each bar is compared once, and sides rarely change.
  let prev = fast[0] < slow[0] ? -1 : fast[0] > slow[0] ? 1 : 0;
  for (let i = 1; i < n; i++) {
    const f = fast[i], s = slow[i];
    const side = f < s ? -1 : f > s ? 1 : 0;
    if (side !== prev) {
      if (side !== 0 && prev !== 0) out[i] = side > 0 ? TARGET_LONG : TARGET_SHORT;
      prev = side;
    }
  }
  return out;
}
