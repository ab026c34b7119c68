/**
 * What an order-level strategy (`kind: 'orders'`) sees of the simulated (or live) venue: its fills, its open
 * orders and the shared account. Declared here, with no imports, so that engine/strategy.ts can reference them
 * additively without an import cycle. The same views are what the live runner will provide later.
 *
 * Conventions: amounts in base units, prices and money in quote units, fees are always charged in quote.
 */

export type OrderSide = 'buy' | 'sell';

/** How an order left the book or how a fill happened. `arrival`: a limit that crossed when it arrived (taker). */
export type FillLiquidity = 'maker' | 'taker';

/** One fill (a whole or partial execution of an order). Reported in the order it happened along the bar path. */
export interface FillView {
  /** Sequence number of the fill in the run (0, 1, 2, ...). */
  readonly seq: number;
  /** Index of the market in the run's market list. */
  readonly market: number;
  readonly symbol: string;
  /** Row of the market's frame during which the fill happened. */
  readonly bar: number;
  /** Timestamp of that row (bar open time, epoch ms). */
  readonly ts: number;
  /** Client tag of the order. */
  readonly tag: string;
  /** Simulator id of the order. */
  readonly orderId: number;
  readonly side: OrderSide;
  readonly type: 'limit' | 'market';
  readonly price: number;
  readonly amount: number;
  /** Fee in quote currency. */
  readonly fee: number;
  readonly liquidity: FillLiquidity;
  /** Amount of the order still open after this fill (0 when the order is complete). */
  readonly remaining: number;
  /** Buy: the lot this fill opened. Sell: the first lot it closed (-1 if none). */
  readonly lotId: number;
  /** Where on the intrabar path it happened: 0 = at the open, 1..3 = segment of the path. */
  readonly pathLeg: number;
}

/** An order resting on the book. */
export interface OpenOrderView {
  readonly id: number;
  readonly market: number;
  readonly tag: string;
  readonly side: OrderSide;
  readonly price: number;
  /** Original amount (after rounding). */
  readonly amount: number;
  /** Amount not yet filled. */
  readonly remaining: number;
  /** Row (of the market's frame) at which it was placed. */
  readonly placedBar: number;
  /** Lot this sell closes (-1: FIFO). */
  readonly lot: number;
}

/** The open-order book across every market of the run. */
export interface OrdersView {
  /** Open orders in every market. */
  readonly total: number;
  /** Intents rejected so far in the run (all markets): a change tells a strategy to re-check its orders with `has`. */
  readonly rejected: number;
  /** Open orders in one market (optionally one side). */
  count(market: number, side?: OrderSide): number;
  /** True while an order with this tag is open in the market. */
  has(market: number, tag: string): boolean;
  /** The open order with this tag, or undefined. */
  get(market: number, tag: string): OpenOrderView | undefined;
  /** Every open order of a market (buys best-first, then sells best-first). Allocates: call when needed, not every bar. */
  list(market: number): OpenOrderView[];
}

/** Indexes into `AccountView.numbers`. */
export const ACCOUNT_CASH = 0, ACCOUNT_FREE_CASH = 1, ACCOUNT_EQUITY = 2, ACCOUNT_IN_USE = 3, ACCOUNT_OPEN_BUYS = 4;

/** The shared account (one budget for every market of the run). */
export interface AccountView {
  /** Initial cash plus the value of any initial inventory at its first open. */
  readonly initialCapital: number;
  /** Quote balance, including cash reserved by open buy orders. */
  readonly cash: number;
  /** Cash not reserved by open buy orders. */
  readonly freeCash: number;
  /** Cash plus every market's inventory at its latest mark (last close seen). */
  readonly equity: number;
  /** Cost (price x size, fees excluded) of every open lot, all markets: the capital in use. */
  readonly capitalInUse: number;
  /** Sum of price x remaining of every open buy order, all markets: capital committed to the book. */
  readonly openBuyNotional: number;
  /** Number of markets in the run. */
  readonly markets: number;
  /**
   * Optional: cash, free cash, equity, capital in use and open buy notional in one array (indexes ACCOUNT_CASH ..
   * ACCOUNT_OPEN_BUYS), for a strategy that reads several of them on a hot path: V8 hands over the double a getter
   * returns as a heap number when it does not inline the call, an array it does not. Read afresh, it is current; do not
   * keep or change it. The order simulator provides it; other runners may not (use the getters then).
   */
  readonly numbers?: Float64Array;
  /** Base inventory of a market. */
  base(market: number): number;
  /** Base inventory of a market not reserved by open sell orders. */
  freeBase(market: number): number;
  /** Cost basis (price x size, fees excluded) of a market's open lots. */
  openCost(market: number): number;
}
