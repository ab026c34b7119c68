/**
 * What the bot runner needs from an order path: the execution core's order manager (exec-path.ts) over the replay,
 * paper or ccxt adapter of live/exchange. The runner speaks in PlaceRequests; the path does risk checks, the store's
 * write protocol (docs/state.md), fill sync, reconciliation by client id and the kill switch.
 */
import type { TradelabError } from '../../engine/errors.ts';
import type { RiskDenial } from '../../engine/risk/types.ts';
import type { Fill } from '../exchange/port.ts';
import type { StoredOrder } from '../state/types.ts';
import { NEVER_REACHED_VENUE } from '../execution/reconcile.ts';

/** One order the runner wants placed (amount in base, already sized). */
export interface PlaceRequest {
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly type: 'market' | 'limit';
  /** Base amount; a market buy on a path with `buyByCost` gives `cost` instead. */
  readonly amount?: number;
  /** Market buys on a `buyByCost` path: quote to spend (fees on top); the venue sizes it at the fill price. */
  readonly cost?: number;
  readonly price?: number;
  readonly tag: string;
  readonly lot?: number | null;
}

/** A fill newly applied to the store. */
export interface NewFill {
  readonly order: StoredOrder;
  readonly fill: Fill;
  readonly openedLot: number | null;
}

export interface PlaceOutcome {
  /** denied: a risk rule refused it; invalid: the intent itself was (both before any adapter call). */
  readonly kind: 'placed' | 'rejected' | 'unknown' | 'denied' | 'invalid';
  readonly order?: StoredOrder;
  readonly reason?: string;
  readonly fills: readonly NewFill[];
  readonly error?: TradelabError;
  /** kind 'denied': the rule's denial, whose `effect` the runner carries out (risk-supervisor.ts). */
  readonly denial?: RiskDenial;
}

export interface ReconcileSummary {
  readonly resolved: number;
  readonly cancelled: number;
  readonly fillsApplied: readonly NewFill[];
  readonly violations: readonly string[];
}

/**
 * In-bar capability of a path over a simulated venue (paper, replay): the venue applies each fill to the store the
 * moment it happens and calls the handler; the handler may place and cancel orders synchronously, and they act
 * from that point of the bar's path on (the order simulator's onFill semantics).
 */
export interface InBarPath {
  /**
   * Who receives the fills: with `symbol`, the fills of that market (a bot of several symbols: one runner each);
   * without, every fill the market's own handler does not take.
   */
  setHandler(handler: ((f: NewFill) => void) | undefined, symbol?: string): void;
  /** Places at once, mid-bar; `refPrice`: the price of the moment (the fill's). */
  placeNow(req: PlaceRequest, refPrice: number): PlaceOutcome;
  cancelNow(symbol: string, tag: string): void;
}

/** What the bot runner needs from an order path (the execution core's order manager: ExecOrderPath). */
export interface OrderPath {
  /** True when market buys are sized by quote cost at the fill price (the runner then gives `cost`). */
  readonly buyByCost: boolean;
  /** Present on simulated venues: fills reach the runner inside the bar. */
  readonly inBar?: InBarPath;
  place(req: PlaceRequest): Promise<PlaceOutcome>;
  syncFills(symbols: readonly string[]): Promise<NewFill[]>;
  /** Cancel the bot's unsettled order with this tag in this market (nothing when there is none). */
  cancel(symbol: string, tag: string): Promise<void>;
  reconcile(symbols: readonly string[]): Promise<ReconcileSummary>;
  cancelAll(): Promise<{ cancelled: string[]; failed: { clientId: string; error: string }[] }>;
}

/** Reason stored on an order reconciliation found was never received by the venue. */
export const NOT_ON_VENUE = NEVER_REACHED_VENUE;
