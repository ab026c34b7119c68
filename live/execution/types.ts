/**
 * The execution core's public types (issue 5): what the bot runtime hands the order manager and gets back.
 * Amounts in base, prices and money in quote, times in epoch ms UTC.
 */
import type { TradelabError } from '../../engine/errors.ts';
import type { RiskConfig, RiskDenial, RiskRule } from '../../engine/risk/index.ts';
import type { Balances, CancelResult, ExchangePort, Fill, Order } from '../exchange/port.ts';
import type { ApplyFillResult, StoredOrder } from '../state/types.ts';
import type { StateStore } from '../state/store.ts';

/** A limit order intent (engine LimitIntent + the market it is for). `lot`: the stored lot id a sell closes. */
export interface ExecLimitIntent {
  readonly type: 'limit';
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly price: number;
  readonly amount: number;
  readonly tag: string;
  readonly lot?: number | null;
}

/**
 * A market order intent. Exactly one of `amount` (base) or `cost` (quote, buys only): a buy by cost is sized by the
 * venue at the fill price, `size = roundDown(cost / fillPrice)` to the amount step; the signal runtime passes
 * `cost = fraction × cash / (1 + feeRate)` to reproduce the backtest's fee-inclusive sizing.
 */
export interface ExecMarketIntent {
  readonly type: 'market';
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly amount?: number;
  readonly cost?: number;
  readonly tag: string;
  readonly lot?: number | null;
}

/** Cancel the bot's unsettled order with this tag in this market. */
export interface ExecCancelIntent {
  readonly type: 'cancel';
  readonly symbol: string;
  readonly tag: string;
}

export type ExecIntent = ExecLimitIntent | ExecMarketIntent | ExecCancelIntent;

/** What became of one intent. */
export type SubmitOutcome =
  /** The venue accepted it (status 'open' in the store; it may already be filled on the venue: run syncFills). */
  | { readonly kind: 'placed'; readonly order: StoredOrder; readonly venueOrder: Order }
  /** A risk rule refused it before any adapter call (recorded in risk_denials). */
  | { readonly kind: 'denied'; readonly denial: RiskDenial }
  /** The intent itself is invalid for this bot (duplicate tag, unknown tag to cancel, bad amount); nothing recorded. */
  | { readonly kind: 'invalid'; readonly code: string; readonly reason: string }
  /** The venue refused the order (status 'rejected'; never retried). */
  | { readonly kind: 'rejected'; readonly order: StoredOrder; readonly error: TradelabError }
  /** The write's outcome is still unknown after lookups (status 'unknown'): the manager asks for reconciliation. */
  | { readonly kind: 'unknown'; readonly order: StoredOrder; readonly error: TradelabError }
  /** A cancel went through (or the order was already closed / not found; the store follows). */
  | { readonly kind: 'cancelled'; readonly order: StoredOrder; readonly result: CancelResult }
  /** A cancel failed (the order stays as it was in the store). */
  | { readonly kind: 'cancel-failed'; readonly order: StoredOrder; readonly error: TradelabError };

/** One newly applied fill (applyFill returned applied: true), for the runtime's onFill. */
export interface AppliedFill {
  readonly venueFill: Fill;
  readonly order: StoredOrder;
  readonly result: ApplyFillResult;
  /** Fee converted to quote (what was stored). */
  readonly feeQuote: number;
}

/** Retry policy of the order manager's calls (reads and lookups), with exponential backoff and jitter. */
export interface ExecRetryPolicy {
  /** Attempts per call, the first included (default 6). */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export interface ExecDeps {
  /** The runtime's clock (replay: the replay clock). */
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Uniform [0, 1) for backoff jitter. */
  readonly random: () => number;
}

/**
 * What to do after an order write whose outcome was unknown and that a lookup by client id did not find:
 * 'same-client-id' sends it again under the SAME client id (the venue refuses a duplicate id, so it can never exist
 * twice; the default for paper and replay, whose venues keep every id), 'never' leaves it 'unknown' for
 * reconciliation (the default for ccxt venues, some of which only refuse duplicates among open orders).
 */
export type ResendPolicy = 'same-client-id' | 'never';

/** Orders the exchange has under the bot's client-id prefix but the store does not know. */
export type ForeignOrderPolicy = 'cancel' | 'import';

export interface OrderManagerConfig {
  readonly store: StateStore;
  readonly port: ExchangePort;
  readonly botId: string;
  /** Strategy id used in client order ids (default: the bot's strategy, `id@version`). */
  readonly strategyId?: string;
  /** Risk settings (default: the bot's stored risk config) or prebuilt rules. */
  readonly risk?: RiskConfig | readonly RiskRule[];
  /** Extra inputs of the risk state only the runtime knows (recent prices per symbol). */
  readonly riskInputs?: () => { readonly recentPrices?: Readonly<Record<string, readonly number[]>> };
  readonly retry?: Partial<ExecRetryPolicy>;
  readonly resend?: ResendPolicy;
  /** Reconciliation policy for foreign orders (default 'cancel'). */
  readonly foreignOrders?: ForeignOrderPolicy;
  /** Fill sync re-reads this much before the latest trade seen (default 60 000 ms). */
  readonly fillOverlapMs?: number;
  readonly deps?: Partial<ExecDeps>;
}

export interface SubmitContext {
  /** Reference price of a market order for the risk check and the stored estimate (default: the ticker's last). */
  readonly refPrice?: number;
}

export interface CancelAllOptions {
  /** Rounds over the still-open orders (default 5). */
  readonly rounds?: number;
  /** Only these markets (default: every market of the bot). */
  readonly symbols?: readonly string[];
}

export interface CancelAllReport {
  readonly botId: string;
  /** Client ids cancelled (or found already closed / not on the venue). */
  readonly cancelled: readonly string[];
  /** Client ids still open after every round, with the last error. */
  readonly stillOpen: readonly { readonly clientId: string; readonly error: string }[];
  /** Failed cancel attempts (each is recorded in the journal as an alert). */
  readonly failures: number;
  readonly rounds: number;
}

export type ReconcileAction =
  | 'foreign-cancelled' | 'foreign-imported' | 'foreign-cancel-failed'
  | 'resolved-open' | 'resolved-filled' | 'resolved-partial-cancelled' | 'resolved-cancelled' | 'resolved-rejected'
  | 'still-unknown' | 'fill-applied';

export interface ReconcileDetail {
  readonly action: ReconcileAction;
  readonly clientId: string;
  readonly symbol: string;
  readonly note: string;
}

export interface ReconcileReport {
  readonly botId: string;
  readonly startedAt: number;
  readonly finishedAt: number;
  /** True when nothing is left unknown and every invariant holds. */
  readonly ok: boolean;
  readonly counts: Readonly<Record<ReconcileAction, number>>;
  readonly details: readonly ReconcileDetail[];
  /** Fills applied during reconciliation (feed them to onFill like syncFills' result). */
  readonly fills: readonly AppliedFill[];
  /** Balances as the venue reported them (undefined when the fetch failed). */
  readonly balances: Balances | undefined;
  readonly invariantViolations: readonly string[];
  /** Errors met (reads that failed after retries); reconciliation then reports ok: false. */
  readonly errors: readonly string[];
}

export interface ReconcileConfig {
  readonly store: StateStore;
  readonly port: ExchangePort;
  readonly botId: string;
  readonly policy?: ForeignOrderPolicy;
  readonly retry?: Partial<ExecRetryPolicy>;
  readonly deps?: Partial<ExecDeps>;
}
