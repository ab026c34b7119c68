/**
 * Pure risk rules (issue 5): `(intent, state) → allow | deny`, run before any adapter call, in the backtest and
 * live alike. The caller builds a `RiskState` snapshot (the clock `now` is passed in, never read) and records
 * every denial. Spot, long-only vocabulary: a buy opens or adds to a position (an *entry*), a sell reduces it.
 */

/** A new order the runner is about to send. Cancels are never risk-checked (they only reduce exposure). */
export interface RiskIntent {
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly type: 'limit' | 'market';
  /** Limit price, or the reference price (last / ask) of a market order. Quote per base. */
  readonly price: number;
  /** Base amount. */
  readonly amount: number;
  /** Fee rate charged on the notional (0.001 = 0.1 %): maker for resting limits, taker otherwise. Default 0. */
  readonly feeRate?: number;
  /** Client tag of the order (kept in denial records). */
  readonly tag?: string;
}

/** The bot's virtual wallet: a budget separate from the exchange balance. */
export interface WalletState {
  /** Budget the bot was given (quote). */
  readonly budget: number;
  /** Cumulative realised P&L net of fees since the bot started (quote; negative = losses). */
  readonly realisedNet: number;
  /** Quote already committed: cost + buy fees of open lots plus notional + fees of resting buy orders. */
  readonly committed: number;
}

/** One point of the bot's equity curve. */
export interface EquityPoint {
  readonly ts: number;
  readonly equity: number;
}

/** An open lot, as the stop-loss rules see it. */
export interface RiskLot {
  readonly id: number | string;
  readonly symbol: string;
  readonly entryPrice: number;
  /** Base still open. */
  readonly remaining: number;
}

/** A snapshot of everything the rules read. Built by the caller before each check; never mutated by a rule. */
export interface RiskState {
  /** Current time, epoch ms (passed in by the runner or the backtest clock). */
  readonly now: number;
  readonly wallet: WalletState;
  /** Equity curve, oldest first (the last point is the current equity). */
  readonly equityHistory: readonly EquityPoint[];
  /** Realised net P&L keyed by UTC day ('YYYY-MM-DD', see `utcDayKey`). */
  readonly realisedByDay: Readonly<Record<string, number>>;
  /** Realised net P&L keyed by ISO week ('YYYY-Www', weeks start Monday 00:00 UTC, see `isoWeekKey`). */
  readonly realisedByWeek: Readonly<Record<string, number>>;
  /** Net P&L of recently closed trades, oldest first (Kelly sizing). */
  readonly recentTradePnl: readonly number[];
  /** Losing trades in a row, up to now. */
  readonly consecutiveLosses: number;
  /** Open (resting) orders: across every bot of the process, and per symbol. */
  readonly openOrders: { readonly total: number; readonly bySymbol: Readonly<Record<string, number>> };
  /** Recent prices per symbol, oldest first; the last one is the current price. */
  readonly recentPrices: Readonly<Record<string, readonly number[]>>;
  /** Timestamps (epoch ms, ascending) of recent exchange API errors. */
  readonly apiErrorTs: readonly number[];
  /** Open lots (stop-loss entry check). */
  readonly openLots: readonly RiskLot[];
}

/** What a denial asks the runner to do besides refusing the order. */
export type RiskEffect =
  /** Refuse this order only. */
  | 'deny'
  /** No new entries until the condition clears (exits still allowed). */
  | 'pause-entries'
  /** No new orders of any side until the cool-down ends. */
  | 'pause-orders'
  /** Stop the bot: cancel resting orders; manual resume only. */
  | 'emergency-stop';

export type RiskRuleName =
  | 'wallet'
  | 'stop-loss'
  | 'drawdown'
  | 'daily-loss'
  | 'weekly-loss'
  | 'kelly'
  | 'volatility'
  | 'api-errors'
  | 'open-orders-global'
  | 'open-orders-market';

export interface RiskAllow {
  readonly allow: true;
}

export interface RiskDenial {
  readonly allow: false;
  readonly rule: RiskRuleName;
  /** Human-readable: what limit was hit, with the numbers. */
  readonly reason: string;
  readonly effect: RiskEffect;
  /**
   * When the effect ends by itself (epoch ms), for limits tied to a known time: the next UTC day (daily loss), the
   * next ISO week (weekly loss), the end of the cool-down (API errors). Absent: the effect lasts as long as the
   * condition (volatility) or until a manual resume (emergency stop).
   */
  readonly until?: number;
}

export type RiskDecision = RiskAllow | RiskDenial;

/** A pure rule. */
export type RiskRule = (intent: RiskIntent, state: RiskState) => RiskDecision;

export const RISK_ALLOW: RiskAllow = Object.freeze({ allow: true });

export function riskDeny(rule: RiskRuleName, reason: string, effect: RiskEffect = 'deny', until?: number): RiskDenial {
  return until === undefined ? { allow: false, rule, reason, effect } : { allow: false, rule, reason, effect, until };
}

/** A limit given either as a percentage or as an absolute quote amount (exactly one). */
export interface PctOrAbs {
  /** Percent (5 = 5 %). */
  readonly pct?: number;
  /** Absolute, in quote currency (stop loss: quote per base below the entry price). */
  readonly abs?: number;
}
