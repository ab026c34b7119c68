/**
 * Fractional Kelly sizing from recent trades. With win rate W and payoff ratio R = mean win / mean loss,
 * the Kelly fraction is f* = W − (1 − W) / R; tradelab uses `fraction` × f*, clamped to [0, cap].
 * A trade with P&L 0 counts as a trade but neither as a win nor a loss.
 */
export interface KellyConfig {
  /** Share of the full Kelly fraction to use, in (0, 1] (0.5 = half Kelly). */
  readonly fraction: number;
  /** Largest share of equity one entry may use, in (0, 1]. */
  readonly cap: number;
  /** Number of most recent closed trades considered. */
  readonly lookback: number;
  /** Below this many trades there is no estimate (sizing returns null, the rule allows). */
  readonly minTrades: number;
}

/** Win rate, payoff ratio and the full Kelly fraction f* of the last `lookback` trades. */
export function kellyStats(pnl: readonly number[], lookback: number): { trades: number; winRate: number; payoff: number; full: number } {
  const from = Math.max(0, pnl.length - lookback);
  let wins = 0, losses = 0, winSum = 0, lossSum = 0;
  for (let k = from; k < pnl.length; k++) {
    const p = pnl[k];
    if (p > 0) { wins++; winSum += p; } else if (p < 0) { losses++; lossSum -= p; }
  }
  const trades = pnl.length - from;
  const winRate = trades > 0 ? wins / trades : 0;
  if (wins === 0) return { trades, winRate, payoff: 0, full: 0 };
  if (losses === 0) return { trades, winRate, payoff: Infinity, full: winRate };
  const payoff = winSum / wins / (lossSum / losses);
  return { trades, winRate, payoff, full: winRate - (1 - winRate) / payoff };
}

/** The capped fractional Kelly share of equity for the next entry, or null before `minTrades` trades. */
export function kellyFraction(pnl: readonly number[], cfg: KellyConfig): number | null {
  const s = kellyStats(pnl, cfg.lookback);
  if (s.trades < cfg.minTrades) return null;
  const f = s.full * cfg.fraction;
  return f <= 0 ? 0 : f > cfg.cap ? cfg.cap : f;
}

/** Base amount to buy at `price` with `equity`: the Kelly share of equity / price (null before `minTrades`). */
export function kellySize(pnl: readonly number[], equity: number, price: number, cfg: KellyConfig): number | null {
  const f = kellyFraction(pnl, cfg);
  return f === null ? null : (f * equity) / price;
}
