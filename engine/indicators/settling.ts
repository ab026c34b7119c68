/**
 * How long an exponential smoother takes to forget its seed. EMA (α = 2 / (period + 1)) and Wilder's smoothing
 * (α = 1 / period, used by RSI and ATR) carry the seed's weight (1 − α)^k after k more bars, so their values
 * depend on where the data starts until that weight is negligible. A strategy built on them declares a warm-up
 * long enough for the weight to fall below `tol` (1e-6 by default), so that a backtest starting anywhere in the
 * data trades on the same indicator values (`tradelab check warmup` measures this on real data).
 */
export function settlingBars(alpha: number, tol = 1e-6): number {
  if (!(alpha > 0 && alpha <= 1) || !(tol > 0 && tol < 1)) throw new RangeError(`settlingBars: alpha in (0, 1] and tol in (0, 1) required, got ${alpha}, ${tol}`);
  if (alpha === 1) return 0;
  return Math.max(0, Math.ceil(Math.log(tol) / Math.log(1 - alpha)));
}

/** Bars after an EMA's first value until its SMA seed weighs less than `tol`. */
export const emaSettlingBars = (period: number, tol = 1e-6): number => settlingBars(2 / (period + 1), tol);

/** Bars after a Wilder-smoothed value's first value (RSI, ATR) until its seed weighs less than `tol`. */
export const wilderSettlingBars = (period: number, tol = 1e-6): number => settlingBars(1 / period, tol);
