/**
 * The cash-and-position book of the signal simulator: executes a move to a target side at a given price and
 * records fills, round-trip trades and skipped orders. It is called only when the target differs from the
 * current side, never per bar.
 *
 * Fills and trades are recorded in growable Float64Array columns (one write per field, no object per fill),
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

/** A Float64Array column that doubles its capacity when full. */
class Column {
  data: Float64Array;
  constructor(capacity: number) {
    this.data = new Float64Array(capacity);
  }
  set(k: number, v: number): void {
    if (k >= this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[k] = v;
  }
  /** The first `n` values (a view). */
  view(n: number): Float64Array {
    return this.data.subarray(0, n);
  }
}

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
  private readonly fBar = new Column(64);
  private readonly fDir = new Column(64);
  private readonly fPrice = new Column(64);
  private readonly fSize = new Column(64);
  private readonly fFee = new Column(64);
  private readonly fReason: string[] = [];
  // Trades, one row each: the entry and exit fill rows, pnl and returnPct (computed once, at the close).
  nTrades = 0;
  private readonly tEntry = new Column(32);
  private readonly tExit = new Column(32);
  private readonly tPnl = new Column(32);
  private readonly tRet = new Column(32);

  /** Fill row of the open position's entry; -1 when flat. */
  private entryRow = -1;
  private entryPrice = NaN;
  private entrySize = 0;
  private entryFee = 0;
  private readonly buyMul: number;
  private readonly sellMul: number;

  constructor(private readonly frame: CandleFrame, private readonly cfg: Readonly<FillConfig>) {
    this.cash = cfg.initialCash;
    this.buyMul = 1 + cfg.slippageBps / 1e4;
    this.sellMul = 1 - cfg.slippageBps / 1e4;
  }

  /** Move from the current side to `target` at bar `bar`'s open: close first, then open sized from the cash after closing. */
  moveTo(bar: number, target: number, reason: string): void {
    const raw = this.frame.open[bar];
    if (this.side !== SIDE_FLAT) this.close(bar, raw, reason);
    if (target !== SIDE_FLAT) this.open(bar, target, raw, reason);
  }

  private addFill(bar: number, dir: number, price: number, size: number, fee: number, reason: string): number {
    const k = this.nFills++;
    this.fBar.set(k, bar);
    this.fDir.set(k, dir);
    this.fPrice.set(k, price);
    this.fSize.set(k, size);
    this.fFee.set(k, fee);
    this.fReason[k] = reason;
    return k;
  }

  /** Close the open position at `raw` (before slippage) in bar `bar`. */
  close(bar: number, raw: number, reason: string): void {
    const long = this.side === SIDE_LONG;
    const price = long ? raw * this.sellMul : raw * this.buyMul;
    const size = this.entrySize;
    const notional = price * size;
    const fee = this.cfg.feeRate * notional;
    this.cash += long ? notional - fee : -notional - fee;
    this.feesPaid += fee;
    const exitRow = this.addFill(bar, long ? -1 : 1, price, size, fee, reason);
    const gross = long ? (price - this.entryPrice) * size : (this.entryPrice - price) * size;
    const pnl = gross - this.entryFee - fee;
    const k = this.nTrades++;
    this.tEntry.set(k, this.entryRow);
    this.tExit.set(k, exitRow);
    this.tPnl.set(k, pnl);
    this.tRet.set(k, (pnl / (this.entryPrice * size + this.entryFee)) * 100);
    this.pos = 0;
    this.side = SIDE_FLAT;
    this.entryRow = -1;
    this.viewCache = FLAT_POSITION;
  }

  /** Open `side` at `raw` (before slippage) in bar `bar`, sized fraction × cash / (price × (1 + feeRate)), rounded down to the lot. */
  private open(bar: number, side: number, raw: number, reason: string): void {
    const { feeRate, fraction, lotSize, minNotional } = this.cfg;
    const long = side === SIDE_LONG;
    const price = long ? raw * this.buyMul : raw * this.sellMul;
    const wanted = (fraction * this.cash) / (price * (1 + feeRate));
    const size = roundDownToLot(wanted, lotSize);
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
      this.viewCache = { size: this.pos, entryPrice: this.entryPrice, entryBar: this.fBar.data[this.entryRow] };
    }
    return this.viewCache;
  }

  /** The position still open, marked at `markPrice`; null when flat. */
  openPosition(markPrice: number): OpenPosition | null {
    if (this.side === SIDE_FLAT) return null;
    const long = this.side === SIDE_LONG;
    const size = this.entrySize;
    const bar = this.fBar.data[this.entryRow];
    const gross = long ? (markPrice - this.entryPrice) * size : (this.entryPrice - markPrice) * size;
    return {
      side: long ? 'long' : 'short', entryBar: bar, entryTs: this.frame.ts[bar], entryPrice: this.entryPrice,
      size, entryFee: this.entryFee, markPrice, unrealizedPnl: gross - this.entryFee,
    };
  }

  /** The trades' pnl and returnPct as columns (views, length nTrades). */
  tradeColumns(): { pnl: Float64Array; returnPct: Float64Array } {
    return { pnl: this.tPnl.view(this.nTrades), returnPct: this.tRet.view(this.nTrades) };
  }

  fillObjects(): Fill[] {
    const ts = this.frame.ts;
    const bar = this.fBar.data, dir = this.fDir.data, price = this.fPrice.data, size = this.fSize.data, fee = this.fFee.data;
    const out = new Array<Fill>(this.nFills);
    for (let k = 0; k < this.nFills; k++) {
      out[k] = { bar: bar[k], ts: ts[bar[k]], side: dir[k] > 0 ? 'buy' : 'sell', price: price[k], size: size[k], fee: fee[k], reason: this.fReason[k] };
    }
    return out;
  }

  tradeObjects(): Trade[] {
    const ts = this.frame.ts;
    const bar = this.fBar.data, dir = this.fDir.data, price = this.fPrice.data, size = this.fSize.data, fee = this.fFee.data;
    const entry = this.tEntry.data, exit = this.tExit.data, pnl = this.tPnl.data, ret = this.tRet.data;
    const out = new Array<Trade>(this.nTrades);
    for (let k = 0; k < this.nTrades; k++) {
      const a = entry[k], b = exit[k];
      out[k] = {
        side: dir[a] > 0 ? 'long' : 'short',
        entryBar: bar[a], exitBar: bar[b], entryTs: ts[bar[a]], exitTs: ts[bar[b]],
        entryPrice: price[a], exitPrice: price[b], size: size[a], entryFee: fee[a], exitFee: fee[b],
        pnl: pnl[k], returnPct: ret[k], barsHeld: bar[b] - bar[a],
        entryReason: this.fReason[a], exitReason: this.fReason[b],
      };
    }
    return out;
  }
}
