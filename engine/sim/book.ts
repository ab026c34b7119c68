/**
 * The cash-and-position book of the signal simulator: executes a move to a target side at a given price and
 * records fills, round-trip trades and skipped orders. It is called only when the target differs from the
 * current side, never per bar.
 *
 * Fills and trades are recorded as rows of growable Float64Arrays (no object per fill),
 * and turned into `Fill` / `Trade` objects only when a caller reads them (`fillObjects`, `tradeObjects`): a
 * sweep that keeps only statistics never pays for 10,000s of small objects and their garbage collection.
 */
import type { CandleFrame } from '../frame.ts';
import { FLAT_POSITION, type PositionView } from '../strategy.ts';
import { roundDownToLot, type FillConfig } from './fill-config.ts';
import type { Fill, OpenPosition, SkippedOrder, Trade } from './sim-result.ts';

export const SIDE_LONG = 1;
export const SIDE_FLAT = 0;
export const SIDE_SHORT = -1;

const sideName = (s: number): 'long' | 'short' => (s > 0 ? 'long' : 'short');

/** Doubles a row store's capacity (rows of `stride` numbers), keeping its contents. */
function grow(a: Float64Array): Float64Array {
  const next = new Float64Array(a.length * 2);
  next.set(a);
  return next;
}

// Row layouts of the fill and trade stores.
const F_BAR = 0, F_DIR = 1, F_PRICE = 2, F_SIZE = 3, F_FEE = 4, F_STRIDE = 5;
const T_ENTRY = 0, T_EXIT = 1, T_PNL = 2, T_RET = 3, T_STRIDE = 4;

export class Book {
  cash: number;
  /** Signed size: > 0 long, < 0 short. */
  pos = 0;
  /** SIDE_LONG, SIDE_FLAT or SIDE_SHORT. */
  side = SIDE_FLAT;
  feesPaid = 0;
  skippedOrders = 0;
  readonly skipped: SkippedOrder[] = [];
  private viewCache: PositionView = FLAT_POSITION;

  // Fills, one row each: bar, +1 buy / -1 sell, price (slippage included), size, fee; reasons beside them.
  nFills = 0;
  private fRows: Float64Array = new Float64Array(1024 * F_STRIDE);
  private readonly fReason: string[] = [];
  // Trades, one row each: the entry and exit fill rows, pnl and returnPct (computed once, at the close).
  nTrades = 0;
  private tRows: Float64Array = new Float64Array(512 * T_STRIDE);

  /** Fill row of the open position's entry; -1 when flat. */
  private entryRow = -1;
  private entryPrice = NaN;
  private entrySize = 0;
  private entryFee = 0;
  private readonly buyMul: number;
  private readonly sellMul: number;
  private readonly feeRate: number;
  private readonly fraction: number;
  private readonly lotSize: number;
  private readonly minNotional: number;

  constructor(private readonly frame: CandleFrame, cfg: Readonly<FillConfig>) {
    this.cash = cfg.initialCash;
    this.buyMul = 1 + cfg.slippageBps / 1e4;
    this.sellMul = 1 - cfg.slippageBps / 1e4;
    this.feeRate = cfg.feeRate;
    this.fraction = cfg.fraction;
    this.lotSize = cfg.lotSize;
    this.minNotional = cfg.minNotional;
  }

  /** Move from the current side to `target` at bar `bar`'s open: close first, then open sized from the cash after closing. */
  moveTo(bar: number, target: number, reason: string): void {
    const raw = this.frame.open[bar];
    if (this.side !== SIDE_FLAT) this.close(bar, raw, reason);
    if (target !== SIDE_FLAT) this.open(bar, target, raw, reason);
  }

  private addFill(bar: number, dir: number, price: number, size: number, fee: number, reason: string): number {
    const k = this.nFills++;
    const o = k * F_STRIDE;
    if (o + F_STRIDE > this.fRows.length) this.fRows = grow(this.fRows);
    const r = this.fRows;
    r[o + F_BAR] = bar; r[o + F_DIR] = dir; r[o + F_PRICE] = price; r[o + F_SIZE] = size; r[o + F_FEE] = fee;
    this.fReason.push(reason);
    return k;
  }

  /** Close the open position at `raw` (before slippage) in bar `bar`. */
  close(bar: number, raw: number, reason: string): void {
    const long = this.side === SIDE_LONG;
    const price = long ? raw * this.sellMul : raw * this.buyMul;
    const size = this.entrySize;
    const notional = price * size;
    const fee = this.feeRate * notional;
    this.cash += long ? notional - fee : -notional - fee;
    this.feesPaid += fee;
    const exitRow = this.addFill(bar, long ? -1 : 1, price, size, fee, reason);
    const gross = long ? (price - this.entryPrice) * size : (this.entryPrice - price) * size;
    const pnl = gross - this.entryFee - fee;
    const o = this.nTrades++ * T_STRIDE;
    if (o + T_STRIDE > this.tRows.length) this.tRows = grow(this.tRows);
    const t = this.tRows;
    t[o + T_ENTRY] = this.entryRow; t[o + T_EXIT] = exitRow; t[o + T_PNL] = pnl;
    t[o + T_RET] = (pnl / (this.entryPrice * size + this.entryFee)) * 100;
    this.pos = 0;
    this.side = SIDE_FLAT;
    this.entryRow = -1;
    this.viewCache = FLAT_POSITION;
  }

  /** Open `side` at `raw` (before slippage) in bar `bar`, sized fraction × cash / (price × (1 + feeRate)), rounded down to the lot. */
  private open(bar: number, side: number, raw: number, reason: string): void {
    const feeRate = this.feeRate, lotSize = this.lotSize, minNotional = this.minNotional;
    const long = side === SIDE_LONG;
    const price = long ? raw * this.buyMul : raw * this.sellMul;
    const wanted = (this.fraction * this.cash) / (price * (1 + feeRate));
    const size = lotSize === 0 ? wanted : roundDownToLot(wanted, lotSize);
    const notional = price * size;
    if (!(size > 0) || notional < minNotional) {
      this.skippedOrders++;
      const why = !(size > 0)
        ? `size ${wanted > 0 ? wanted : 0} rounds down to 0 (lot ${lotSize})`
        : `notional ${notional} is below minNotional ${minNotional}`;
      this.skipped.push({ bar, ts: this.frame.ts[bar], reason: `${sideName(side)} entry skipped: ${why}` });
      return;
    }
    const fee = feeRate * notional;
    this.cash += long ? -notional - fee : notional - fee;
    this.feesPaid += fee;
    this.entryRow = this.addFill(bar, long ? 1 : -1, price, size, fee, reason);
    this.pos = long ? size : -size;
    this.side = side;
    this.entryPrice = price;
    this.entrySize = size;
    this.entryFee = fee;
    this.viewCache = FLAT_POSITION; // rebuilt on demand by view()
  }

  /** What the strategy sees of its position (readonly by type); one object per position, built on demand. */
  view(): PositionView {
    if (this.side !== SIDE_FLAT && this.viewCache === FLAT_POSITION) {
      this.viewCache = { size: this.pos, entryPrice: this.entryPrice, entryBar: this.fRows[this.entryRow * F_STRIDE + F_BAR] };
    }
    return this.viewCache;
  }

  /** The position still open, marked at `markPrice`; null when flat. */
  openPosition(markPrice: number): OpenPosition | null {
    if (this.side === SIDE_FLAT) return null;
    const long = this.side === SIDE_LONG;
    const size = this.entrySize;
    const bar = this.fRows[this.entryRow * F_STRIDE + F_BAR];
    const gross = long ? (markPrice - this.entryPrice) * size : (this.entryPrice - markPrice) * size;
    return {
      side: long ? 'long' : 'short', entryBar: bar, entryTs: this.frame.ts[bar], entryPrice: this.entryPrice,
      size, entryFee: this.entryFee, markPrice, unrealizedPnl: gross - this.entryFee,
    };
  }

  /**
   * The position curve of the measured bars [start, start + into.length), written into `into`: the signed position
   * after each bar's fills. The position changes only at fills, so it is replayed from them (a fill while flat opens
   * ±size, any other fill closes to 0), the same values the book held at each bar's close. The simulator keeps no
   * per-bar position column: a caller that never reads the curve never pays for 4 MB of it.
   */
  positionCurve(start: number, into: Float64Array): Float64Array {
    const f = this.fRows, n = into.length;
    let pos = 0, k = 0;
    for (let r = 0; r < this.nFills; r++) {
      const o = r * F_STRIDE;
      const kb = f[o + F_BAR] - start; // the fill's bar: the new position holds from its close on
      if (kb > k) { into.fill(pos, k, kb); k = kb; }
      pos = pos === 0 ? (f[o + F_DIR] > 0 ? f[o + F_SIZE] : -f[o + F_SIZE]) : 0;
    }
    if (k < n) into.fill(pos, k, n);
    return into;
  }

  /** The number of measured bars [start, end) with a non-zero position: the count of the curve `positionCurve` writes, from the fills alone. */
  exposureBars(start: number, end: number): number {
    const f = this.fRows, n = end - start;
    let pos = 0, k = 0, bars = 0;
    for (let r = 0; r < this.nFills; r++) {
      const o = r * F_STRIDE;
      const kb = f[o + F_BAR] - start;
      if (kb > k) { if (pos !== 0) bars += kb - k; k = kb; }
      pos = pos === 0 ? (f[o + F_DIR] > 0 ? f[o + F_SIZE] : -f[o + F_SIZE]) : 0;
    }
    if (k < n && pos !== 0) bars += n - k;
    return bars;
  }

  /** The trades' pnl and returnPct as columns (copied out of the row store: two small arrays per run). */
  tradeColumns(): { pnl: Float64Array; returnPct: Float64Array } {
    const n = this.nTrades, t = this.tRows;
    const pnl = new Float64Array(n), returnPct = new Float64Array(n);
    for (let k = 0; k < n; k++) { pnl[k] = t[k * T_STRIDE + T_PNL]; returnPct[k] = t[k * T_STRIDE + T_RET]; }
    return { pnl, returnPct };
  }

  fillObjects(): Fill[] {
    const ts = this.frame.ts, f = this.fRows;
    const out = new Array<Fill>(this.nFills);
    for (let k = 0; k < this.nFills; k++) {
      const o = k * F_STRIDE, bar = f[o + F_BAR];
      out[k] = { bar, ts: ts[bar], side: f[o + F_DIR] > 0 ? 'buy' : 'sell', price: f[o + F_PRICE], size: f[o + F_SIZE], fee: f[o + F_FEE], reason: this.fReason[k] };
    }
    return out;
  }

  tradeObjects(): Trade[] {
    const ts = this.frame.ts, f = this.fRows, t = this.tRows;
    const out = new Array<Trade>(this.nTrades);
    for (let k = 0; k < this.nTrades; k++) {
      const a = t[k * T_STRIDE + T_ENTRY] * F_STRIDE, b = t[k * T_STRIDE + T_EXIT] * F_STRIDE;
      const entryBar = f[a + F_BAR], exitBar = f[b + F_BAR];
      out[k] = {
        side: f[a + F_DIR] > 0 ? 'long' : 'short',
        entryBar, exitBar, entryTs: ts[entryBar], exitTs: ts[exitBar],
        entryPrice: f[a + F_PRICE], exitPrice: f[b + F_PRICE], size: f[a + F_SIZE], entryFee: f[a + F_FEE], exitFee: f[b + F_FEE],
        pnl: t[k * T_STRIDE + T_PNL], returnPct: t[k * T_STRIDE + T_RET], barsHeld: exitBar - entryBar,
        entryReason: this.fReason[a / F_STRIDE], exitReason: this.fReason[b / F_STRIDE],
      };
    }
    return out;
  }
}
