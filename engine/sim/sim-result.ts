/** What the signal simulator returns: fills, round-trip trades, the open position and the measured curves. */

/** One execution. `bar`/`ts` name the bar it happened in (ts = that bar's OPEN time); `price` includes slippage. */
export interface Fill {
  bar: number;
  ts: number;
  side: 'buy' | 'sell';
  price: number;
  /** Base units, > 0. */
  size: number;
  /** Quote currency: feeRate × price × size. */
  fee: number;
  reason: string;
}

/** A closed round trip. Prices include slippage. */
export interface Trade {
  side: 'long' | 'short';
  entryBar: number;
  exitBar: number;
  entryTs: number;
  exitTs: number;
  entryPrice: number;
  exitPrice: number;
  /** Base units, > 0. */
  size: number;
  entryFee: number;
  exitFee: number;
  /** Quote currency, net of both fees: long (exit − entry) × size − fees, short (entry − exit) × size − fees. */
  pnl: number;
  /** pnl / (entryPrice × size + entryFee) × 100. */
  returnPct: number;
  /** exitBar − entryBar. */
  barsHeld: number;
  entryReason: string;
  exitReason: string;
}

/** A position still open after the last measured bar, marked at that bar's close. */
export interface OpenPosition {
  side: 'long' | 'short';
  entryBar: number;
  entryTs: number;
  entryPrice: number;
  size: number;
  entryFee: number;
  /** Close of the last measured bar. */
  markPrice: number;
  /** Quote currency, net of the entry fee (no exit fee or slippage is assumed): long (mark − entry) × size − entryFee. */
  unrealizedPnl: number;
}

export interface SkippedOrder {
  bar: number;
  ts: number;
  reason: string;
}

/** The closed trades' pnl and returnPct as columns, in the order of `SimResult.trades` (views on the simulator's own: read, do not write). */
export interface TradeColumns {
  pnl: Float64Array;
  returnPct: Float64Array;
}

/**
 * `fills` and `trades` are built from the simulator's columns the first time they are read (then kept):
 * a run whose caller only computes statistics never allocates them.
 */
export interface SimResult {
  /** Measured bars are [startIndex, endIndex) of the frame. */
  startIndex: number;
  endIndex: number;
  /** Open times of the measured bars (a view on the frame's ts column, not a copy). */
  ts: Float64Array;
  /** Equity (cash + signed size × close) at each measured bar's close, after everything that happened in that bar. */
  equity: Float64Array;
  /**
   * Signed position size (base units) at each measured bar's close. Built from the fills the first time it is read
   * (then kept): the position changes only at fills, and a caller that only computes statistics never needs it.
   */
  position: Float64Array;
  /** The number of measured bars with a non-zero position (what `position` holds; counted from the fills). */
  exposureBars: number;
  trades: Trade[];
  fills: Fill[];
  /** The same trades' pnl and returnPct as columns (views; what computeStats needs, without building objects). */
  tradeColumns: TradeColumns;
  openPosition: OpenPosition | null;
  /** Cash at the end (quote currency). */
  cash: number;
  feesPaid: number;
  skippedOrders: number;
  skipped: SkippedOrder[];
  /** Which decision path ran: the strategy's vectorised `signals` or its per-bar `decide`. */
  path: 'fast' | 'per-bar';
}
