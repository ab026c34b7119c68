/**
 * The exchange port: what a bot runner, the reconciler and the paper/replay adapters see of an exchange, in
 * ccxt's vocabulary (CONVENTIONS §8). Adapters: `ccxt` (ccxt-adapter.ts, real venues), `paper` and `replay`
 * (simulated fills, built on engine/orders). Every value here is normalised: numbers are numbers (NaN when the
 * venue did not say), statuses are one of five words, timestamps are epoch ms UTC.
 *
 * Errors: every method throws TradelabError only (families venue-rejected / venue-unavailable / venue-unknown,
 * config for LIVE_TRADING_ENABLED and missing credentials, usage for unknown symbols).
 */
import type { MarketSpec } from '../../engine/orders/market-spec.ts';

export type OrderSide = 'buy' | 'sell';
export type OrderType = 'limit' | 'market';
/** ccxt's unified order statuses. A venue that acknowledges an order without a status gives 'open'. */
export type OrderStatus = 'open' | 'closed' | 'canceled' | 'rejected' | 'expired';

export interface Fee {
  /** In `currency`; 0 when the venue says 0. */
  readonly cost: number;
  readonly currency: string | undefined;
  readonly rate?: number;
}

export interface Order {
  /** The venue's order id. */
  readonly id: string;
  readonly clientOrderId: string | undefined;
  readonly symbol: string;
  readonly side: OrderSide;
  /** 'limit' or 'market' (other venue types are passed through as given). */
  readonly type: OrderType | string;
  /** Limit price; for a market order the venue's reported price, or NaN. */
  readonly price: number;
  /** Volume-weighted fill price, NaN when nothing filled or not reported. */
  readonly average: number;
  /** Ordered amount in base. */
  readonly amount: number;
  /** Filled amount in base (0 when not reported). */
  readonly filled: number;
  /** amount - filled unless the venue says otherwise. */
  readonly remaining: number;
  /** Filled cost in quote (NaN when not reported). */
  readonly cost: number;
  readonly status: OrderStatus;
  readonly fee: Fee | undefined;
  readonly timeInForce: string | undefined;
  readonly postOnly: boolean;
  /** Creation time (epoch ms), NaN when not reported. */
  readonly timestamp: number;
  /** Last update or last trade time (epoch ms), NaN when not reported. */
  readonly lastUpdateTimestamp: number;
}

/** One of my trades (a fill of one of my orders). */
export interface Fill {
  readonly id: string;
  readonly orderId: string | undefined;
  readonly clientOrderId: string | undefined;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly price: number;
  readonly amount: number;
  /** price x amount in quote (as the venue reports, else computed). */
  readonly cost: number;
  readonly fee: Fee | undefined;
  readonly takerOrMaker: 'taker' | 'maker' | undefined;
  readonly timestamp: number;
}

export interface BalanceEntry {
  readonly free: number;
  readonly used: number;
  readonly total: number;
}

/** Balances by currency code (only currencies the venue reported). */
export interface Balances {
  readonly byCurrency: Readonly<Record<string, BalanceEntry>>;
  /** Epoch ms, NaN when not reported. */
  readonly timestamp: number;
}

export interface Ticker {
  readonly symbol: string;
  readonly timestamp: number;
  readonly bid: number;
  readonly ask: number;
  readonly last: number;
  readonly high: number;
  readonly low: number;
  readonly baseVolume: number;
  readonly quoteVolume: number;
}

/** ccxt's OHLCV row: [open time ms, open, high, low, close, volume]. */
export type Candle = readonly [number, number, number, number, number, number];

/** A candle from a stream; `closed` once its period has ended (ts + timeframe <= now). */
export interface CandleUpdate {
  readonly symbol: string;
  readonly timeframe: string;
  readonly candle: Candle;
  readonly closed: boolean;
}

/** ccxt's precision modes, as numbers (ccxt.DECIMAL_PLACES = 2, SIGNIFICANT_DIGITS = 3, TICK_SIZE = 4). */
export type PrecisionMode = 2 | 3 | 4;

export interface Market {
  readonly symbol: string;
  /** The venue's own id, e.g. BTCUSDT or BTC-USD. */
  readonly id: string;
  readonly base: string;
  readonly quote: string;
  readonly type: string;
  readonly active: boolean;
  /** The engine's rules for this market: tick, step, minimums, maker/taker fees. */
  readonly spec: MarketSpec;
  /** The raw precision as the venue states it, and ccxt's mode for reading it. */
  readonly precision: { readonly price: number | undefined; readonly amount: number | undefined; readonly mode: PrecisionMode };
  readonly limits: {
    readonly amountMin: number | undefined;
    readonly amountMax: number | undefined;
    readonly priceMin: number | undefined;
    readonly priceMax: number | undefined;
    readonly costMin: number | undefined;
  };
}

export interface OrderRequest {
  readonly symbol: string;
  readonly type: OrderType;
  readonly side: OrderSide;
  /** Base amount (the adapter rounds it to the venue's precision, as ccxt does). */
  readonly amount: number;
  /** Required for limit orders. */
  readonly price?: number;
  /** Required: see client-order-id.ts. */
  readonly clientOrderId: string;
  readonly postOnly?: boolean;
  readonly timeInForce?: 'GTC' | 'IOC' | 'FOK';
}

export interface OrderRef {
  readonly symbol: string;
  /** The venue's id, or */
  readonly id?: string;
  /** the client order id (one of the two is required). */
  readonly clientOrderId?: string;
}

export interface CancelResult {
  /**
   * 'canceled': this call cancelled it; 'already-closed': it was filled, cancelled or expired before;
   * 'not-found': the venue does not know it (never placed, or too old to be listed).
   */
  readonly outcome: 'canceled' | 'already-closed' | 'not-found';
  /** The order's latest known state, when the venue returned or we could fetch it. */
  readonly order: Order | undefined;
}

export interface StreamOptions {
  /** Ends the stream (the iterator returns) when aborted. */
  readonly signal?: AbortSignal;
  /** Polling interval when the venue has no websocket method (default: the adapter's). */
  readonly pollIntervalMs?: number;
  /** watchMyTrades: report fills from this time (epoch ms); default the stream's start. */
  readonly since?: number;
}

export interface ExchangePort {
  /** ccxt exchange id, or 'paper:<id>' / 'replay'. */
  readonly id: string;
  readonly kind: 'ccxt' | 'paper' | 'replay';
  /** Markets by symbol (loaded once, `reload` to refresh). */
  loadMarkets(reload?: boolean): Promise<ReadonlyMap<string, Market>>;
  /** A loaded market; a usage error with a did-you-mean for an unknown symbol. */
  market(symbol: string): Market;
  fetchBalance(): Promise<Balances>;
  fetchTicker(symbol: string): Promise<Ticker>;
  fetchOHLCV(symbol: string, timeframe: string, since?: number, limit?: number): Promise<Candle[]>;
  /** Place an order under its client order id. Never retried blindly: an unknown outcome is resolved by lookup. */
  createOrder(req: OrderRequest): Promise<Order>;
  /** Cancel by id or client id. An order already gone counts as success ('already-closed'). */
  cancelOrder(ref: OrderRef): Promise<CancelResult>;
  fetchOpenOrders(symbol?: string): Promise<Order[]>;
  fetchOrder(id: string, symbol: string): Promise<Order>;
  /** The order with this client id, or undefined when the venue has none (looked at open and recent orders). */
  fetchOrderByClientId(clientOrderId: string, symbol: string, since?: number): Promise<Order | undefined>;
  /** My fills since `since` (epoch ms, inclusive), oldest first. */
  fetchMyTrades(symbol: string, since?: number, limit?: number): Promise<Fill[]>;
  watchTicker(symbol: string, opts?: StreamOptions): AsyncIterable<Ticker>;
  watchCandles(symbol: string, timeframe: string, opts?: StreamOptions): AsyncIterable<CandleUpdate>;
  /** Changes of my orders (new, partly filled, closed, canceled). */
  watchOrders(symbol: string, opts?: StreamOptions): AsyncIterable<Order>;
  /** My new fills. */
  watchMyTrades(symbol: string, opts?: StreamOptions): AsyncIterable<Fill>;
  close(): Promise<void>;
}
