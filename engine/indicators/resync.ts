/**
 * How often the running-sum kernels (sma, wma, rollingStd, bollinger, zScore, rollingVwap) recompute their
 * window sums exactly: at the first full window (index `period-1`) and then every `resyncEvery(period)` bars.
 * Between resyncs a sum is slid (`+ new - old`), so rounding error accumulates over at most this many steps
 * (a few ulps of the window sum; this also bounds the error of `x - mean` in z-scores of short windows), while the
 * extra work stays at or below half a pass (about a third for period 20).
 * Batch and incremental forms use the same schedule, which keeps them bit-identical.
 */
export function resyncEvery(period: number): number {
  return Math.max(64, 2 * period);
}
