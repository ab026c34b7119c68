/**
 * The cash-and-position book of the signal simulator: executes a move to a target side at a given price and
 * records fills, round-trip trades and skipped orders. It is called only when the target differs from the
 * current side, never per bar.
 *
 * Fills and trades are recorded as rows of growable Float64Arrays (no object per fill; a fill's reason is a code into
 * a small table of distinct reasons), and turned into `Fill` / `Trade` objects only when a caller reads them
 * (`fillObjects`, `tradeObjects`): a sweep that keeps only statistics never pays for 10,000s of small objects and
 * their garbage collection. The stores start at the size the previous book ended with (a repeated backtest does
 * not regrow them, copying megabytes, run after run).
 *
 * With `record: false` (the sweep kernels, engine/sweep) the book keeps only what statistics need — cash, position,
 * fees, skipped entries counted, each closed trade's pnl and returnPct — with the same arithmetic: no fill or trade
 * rows, no reasons, no skipped-order objects, and the trade columns can be lent (`trades`) and taken back
 * (`tradeStore`) so that thousands of runs reuse them.
 */
import { invariantError } from '../errors.ts';
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

// Row layouts of the fill and trade stores. A fill's direction is the sign of F_SIZE (+ buy, − sell).
const F_BAR = 0, F_PRICE = 1, F_SIZE = 2, F_FEE = 3, F_REASON = 4, F_STRIDE = 5;
const T_ENTRY = 0, T_EXIT = 1, T_STRIDE = 2;

/** Initial row capacities: the largest counts the last few books reached, within [MIN_ROWS, MAX_HINT_ROWS]. */
const MIN_ROWS = 1024;
const MAX_HINT_ROWS = 1 << 20;
let fillRowsHint = MIN_ROWS;
let tradeRowsHint = MIN_ROWS;
const rowsFor = (count: number) => Math.min(MAX_HINT_ROWS, Math.max(MIN_ROWS, count + (count >> 3)));

/** Columns for closed trades' pnl and returnPct (equal lengths), reusable from one book to the next. */
export interface TradeStore {
  pnl: Float64Array;
  ret: Float64Array;
}

export interface BookOptions {
  /** false: keep no fill or trade rows, reasons or skipped-order objects (see the header); default true. */
  readonly record?: boolean;
  /** Trade columns to write into (grown, i.e. replaced, when full); default new ones. */
  readonly trades?: TradeStore;
}

const NO_ROWS = new Float64Array(0);

export class Book {
  // Every double field has an initializer: a field first defined as undefined (a bare `x: number;` under ES2022
  // class fields) stays tagged, and each double stored into it allocates a heap number.
  cash = 0;
  /** Signed size: > 0 long, < 0 short. */
  pos = 0;
  /** SIDE_LONG, SIDE_FLAT or SIDE_SHORT. */
  side = SIDE_FLAT;
  feesPaid = 0;
  skippedOrders = 0;
  readonly skipped: SkippedOrder[] = [];
  private viewCache: PositionView = FLAT_POSITION;

  // Fills, one row each: bar, price (slippage included), signed size (+ buy, − sell), fee, reason code.
  nFills = 0;
  private fRows: Float64Array;
  /** Distinct reasons, indexed by the fills' reason codes (the last one looked up is cached: reasons repeat). */
  private readonly reasons: string[] = [];
  private readonly reasonCodes = new Map<string, number>();
  private lastReason = '';
  private lastCode = -1;
  // Trades, one row each: the entry and exit fill rows; their pnl and returnPct (computed once, at the close) as
  // columns, which `tradeColumns` returns as views.
  nTrades = 0;
  private tRows: Float64Array;
  private tPnl: Float64Array;
  private tRet: Float64Array;
  /** Whether fills, trades' rows, reasons and skipped orders are recorded (BookOptions.record). */
  readonly record: boolean;
  /** The raw price (before slippage) of the fill being made: a field, so that no double is passed to close/open. */
  private raw = 0.5;

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

  constructor(private readonly frame: CandleFrame, cfg: Readonly<FillConfig>, opts: BookOptions = {}) {
    this.record = opts.record ?? true;
    this.fRows = this.record ? new Float64Array(fillRowsHint * F_STRIDE) : NO_ROWS;
    this.tRows = this.record ? new Float64Array(tradeRowsHint * T_STRIDE) : NO_ROWS;
    const t = opts.trades;
    const lent = t !== undefined && t.pnl.length > 0 && t.ret.length === t.pnl.length;
    this.tPnl = lent ? t.pnl : new Float64Array(tradeRowsHint);
    this.tRet = lent ? t.ret : new Float64Array(tradeRowsHint);
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
    this.moveAt(bar, target, this.frame.open[bar], reason);
  }

  /** `moveTo` with bar `bar`'s open already loaded by the caller (`raw` must be frame.open[bar]). */
  moveAt(bar: number, target: number, raw: number, reason: string): void {
    this.raw = raw;
    if (this.side !== SIDE_FLAT) this.closeRaw(bar, reason);
    if (target !== SIDE_FLAT) this.openRaw(bar, target, reason);
  }

  private reasonCode(reason: string): number {
    if (reason === this.lastReason && this.lastCode >= 0) return this.lastCode;
    // Few distinct reasons (a strategy's constants) are found by identity faster than by hashing.
    const rs = this.reasons;
    let code = -1;
    if (rs.length <= 8) for (let c = 0; c < rs.length; c++) if (rs[c] === reason) { code = c; break; }
    if (code < 0) {
      const known = this.reasonCodes.get(reason);
      if (known !== undefined) code = known;
      else { code = rs.length; rs.push(reason); this.reasonCodes.set(reason, code); }
    }
    this.lastReason = reason;
    this.lastCode = code;
    return code;
  }

  /** Record a fill of `signedSize` (+ buy, − sell) base units; returns its row (-1 when the book records none). */
  private addFill(bar: number, price: number, signedSize: number, fee: number, reason: string): number {
    if (!this.record) return -1;
    const k = this.nFills++;
    const o = k * F_STRIDE;
    if (o + F_STRIDE > this.fRows.length) this.fRows = grow(this.fRows);
    const r = this.fRows;
    r[o + F_BAR] = bar; r[o + F_PRICE] = price; r[o + F_SIZE] = signedSize; r[o + F_FEE] = fee;
    r[o + F_REASON] = this.reasonCode(reason);
    return k;
  }

  /** Close the open position at `raw` (before slippage) in bar `bar`. */
  close(bar: number, raw: number, reason: string): void {
    this.raw = raw;
    this.closeRaw(bar, reason);
  }

  private closeRaw(bar: number, reason: string): void {
    const raw = this.raw;
    const long = this.side === SIDE_LONG;
    const price = long ? raw * this.sellMul : raw * this.buyMul;
    const size = this.entrySize;
    const notional = price * size;
    const fee = this.feeRate * notional;
    this.cash += long ? notional - fee : -notional - fee;
    this.feesPaid += fee;
    const exitRow = this.addFill(bar, price, long ? -size : size, fee, reason);
    const gross = long ? (price - this.entryPrice) * size : (this.entryPrice - price) * size;
    const pnl = gross - this.entryFee - fee;
    const k = this.nTrades++;
    if (k === this.tPnl.length) { this.tPnl = grow(this.tPnl); this.tRet = grow(this.tRet); }
    if (this.record) {
      const o = k * T_STRIDE;
      if (o + T_STRIDE > this.tRows.length) this.tRows = grow(this.tRows);
      this.tRows[o + T_ENTRY] = this.entryRow; this.tRows[o + T_EXIT] = exitRow;
    }
    this.tPnl[k] = pnl;
    this.tRet[k] = (pnl / (this.entryPrice * size + this.entryFee)) * 100;
    this.pos = 0;
    this.side = SIDE_FLAT;
    this.entryRow = -1;
    this.viewCache = FLAT_POSITION;
  }

  /** Open `side` at `raw` (before slippage) in bar `bar`, sized fraction × cash / (price × (1 + feeRate)), rounded down to the lot. */
  private openRaw(bar: number, side: number, reason: string): void {
    const raw = this.raw;
    const feeRate = this.feeRate, lotSize = this.lotSize, minNotional = this.minNotional;
    const long = side === SIDE_LONG;
    const price = long ? raw * this.buyMul : raw * this.sellMul;
    const wanted = (this.fraction * this.cash) / (price * (1 + feeRate));
    const size = lotSize === 0 ? wanted : roundDownToLot(wanted, lotSize);
    const notional = price * size;
    if (!(size > 0) || notional < minNotional) {
      this.skippedOrders++;
      if (!this.record) return;
      const why = !(size > 0)
        ? `size ${wanted > 0 ? wanted : 0} rounds down to 0 (lot ${lotSize})`
        : `notional ${notional} is below minNotional ${minNotional}`;
      this.skipped.push({ bar, ts: this.frame.ts[bar], reason: `${sideName(side)} entry skipped: ${why}` });
      return;
    }
    const fee = feeRate * notional;
    this.cash += long ? -notional - fee : notional - fee;
    this.feesPaid += fee;
    this.entryRow = this.addFill(bar, price, long ? size : -size, fee, reason);
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
      this.needRows('view');
      this.viewCache = { size: this.pos, entryPrice: this.entryPrice, entryBar: this.fRows[this.entryRow * F_STRIDE + F_BAR] };
    }
    return this.viewCache;
  }

  /** The position still open, marked at `markPrice`; null when flat. */
  openPosition(markPrice: number): OpenPosition | null {
    if (this.side === SIDE_FLAT) return null;
    this.needRows('openPosition');
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
    this.needRows('positionCurve');
    const f = this.fRows, n = into.length;
    let pos = 0, k = 0;
    for (let r = 0; r < this.nFills; r++) {
      const o = r * F_STRIDE;
      const kb = f[o + F_BAR] - start; // the fill's bar: the new position holds from its close on
      if (kb > k) { into.fill(pos, k, kb); k = kb; }
      pos = pos === 0 ? f[o + F_SIZE] : 0;
    }
    if (k < n) into.fill(pos, k, n);
    return into;
  }

  /** The number of measured bars [start, end) with a non-zero position: the count of the curve `positionCurve` writes, from the fills alone. */
  exposureBars(start: number, end: number): number {
    this.needRows('exposureBars');
    const f = this.fRows, n = end - start;
    let pos = 0, k = 0, bars = 0;
    for (let r = 0; r < this.nFills; r++) {
      const o = r * F_STRIDE;
      const kb = f[o + F_BAR] - start;
      if (kb > k) { if (pos !== 0) bars += kb - k; k = kb; }
      pos = pos === 0 ? f[o + F_SIZE] : 0;
    }
    if (k < n && pos !== 0) bars += n - k;
    return bars;
  }

  /**
   * The trades' pnl and returnPct as columns: views on the book's own, called once the run is over (later trades
   * would not show in them). Also sizes the next book's stores to this one's counts.
   */
  tradeColumns(): { pnl: Float64Array; returnPct: Float64Array } {
    fillRowsHint = rowsFor(this.nFills);
    tradeRowsHint = rowsFor(this.nTrades);
    return { pnl: this.tPnl.subarray(0, this.nTrades), returnPct: this.tRet.subarray(0, this.nTrades) };
  }

  /** The trade columns written into (possibly grown): lend them to the next book once this one is done with. */
  tradeStore(): TradeStore {
    return { pnl: this.tPnl, ret: this.tRet };
  }

  /** Closed trades' pnl and returnPct so far (views). */
  trades(): { pnl: Float64Array; returnPct: Float64Array } {
    return { pnl: this.tPnl.subarray(0, this.nTrades), returnPct: this.tRet.subarray(0, this.nTrades) };
  }

  private needRows(what: string): void {
    if (!this.record) throw invariantError('BOOK_NOT_RECORDING', `Book.${what} needs the fill rows, which a book made with record: false does not keep`);
  }

  fillObjects(): Fill[] {
    this.needRows('fillObjects');
    const ts = this.frame.ts, f = this.fRows;
    const out = new Array<Fill>(this.nFills);
    for (let k = 0; k < this.nFills; k++) {
      const o = k * F_STRIDE, bar = f[o + F_BAR];
      const size = f[o + F_SIZE];
      out[k] = { bar, ts: ts[bar], side: size > 0 ? 'buy' : 'sell', price: f[o + F_PRICE], size: Math.abs(size), fee: f[o + F_FEE], reason: this.reasons[f[o + F_REASON]] };
    }
    return out;
  }

  tradeObjects(): Trade[] {
    this.needRows('tradeObjects');
    const ts = this.frame.ts, f = this.fRows, t = this.tRows, reasons = this.reasons;
    const out = new Array<Trade>(this.nTrades);
    for (let k = 0; k < this.nTrades; k++) {
      const a = t[k * T_STRIDE + T_ENTRY] * F_STRIDE, b = t[k * T_STRIDE + T_EXIT] * F_STRIDE;
      const entryBar = f[a + F_BAR], exitBar = f[b + F_BAR], size = f[a + F_SIZE];
      out[k] = {
        side: size > 0 ? 'long' : 'short',
        entryBar, exitBar, entryTs: ts[entryBar], exitTs: ts[exitBar],
        entryPrice: f[a + F_PRICE], exitPrice: f[b + F_PRICE], size: Math.abs(size), entryFee: f[a + F_FEE], exitFee: f[b + F_FEE],
        pnl: this.tPnl[k], returnPct: this.tRet[k], barsHeld: exitBar - entryBar,
        entryReason: reasons[f[a + F_REASON]], exitReason: reasons[f[b + F_REASON]],
      };
    }
    return out;
  }
}
