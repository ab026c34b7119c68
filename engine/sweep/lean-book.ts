/**
 * The sweep kernel's book: the signal simulator's Book (engine/sim/book.ts) reduced to what statistics need —
 * cash, position, fees, skipped entries, and each closed trade's pnl and returnPct — with the same arithmetic in
 * the same order, so every number is bit-identical (engine/sweep tests compare against runSignalBacktest). It
 * records no fill rows, reasons or skipped-order objects: a sweep of fast strategies closes tens of thousands of
 * trades per combination, and those allocations (and their garbage collection) would cost more than the trades.
 */
import type { CandleFrame } from '../frame.ts';
import { roundDownToLot, type FillConfig } from '../sim/fill-config.ts';

export const LEAN_FLAT = 0;
export const LEAN_LONG = 1;
export const LEAN_SHORT = -1;

/** Columns for closed trades' pnl and returnPct (equal lengths), reusable from one book to the next. */
export interface TradeStore {
  pnl: Float64Array;
  ret: Float64Array;
}

export class LeanBook {
  cash = 0; // initialized: see Marks (signal-stats.ts) on double fields
  pos = 0;
  side = LEAN_FLAT;
  feesPaid = 0;
  skippedOrders = 0;
  nTrades = 0;
  /** Closed trades' pnl and returnPct, in order (first nTrades values); grown (replaced) when full. */
  pnl: Float64Array;
  ret: Float64Array;
  private entryPrice = NaN;
  private entrySize = 0;
  private entryFee = 0;
  private readonly buyMul: number;
  private readonly sellMul: number;
  private readonly feeRate: number;
  private readonly fraction: number;
  private readonly lotSize: number;
  private readonly minNotional: number;
  private readonly open: Float64Array;

  /** `store`: columns to write the closed trades into (a sweep lends the same ones to run after run); else new ones. */
  constructor(frame: CandleFrame, cfg: Readonly<FillConfig>, store?: TradeStore) {
    this.pnl = store && store.pnl.length > 0 && store.ret.length === store.pnl.length ? store.pnl : new Float64Array(256);
    this.ret = this.pnl === store?.pnl ? store.ret : new Float64Array(256);
    this.open = frame.open;
    this.cash = cfg.initialCash;
    this.buyMul = 1 + cfg.slippageBps / 1e4;
    this.sellMul = 1 - cfg.slippageBps / 1e4;
    this.feeRate = cfg.feeRate;
    this.fraction = cfg.fraction;
    this.lotSize = cfg.lotSize;
    this.minNotional = cfg.minNotional;
  }

  /**
   * The raw price (before slippage) of the fill being made. A field, not an argument: a double passed to a method
   * that is not inlined is boxed, once per fill, tens of thousands of times per sweep.
   */
  private raw = 0.5;

  /** Move to `target` at bar `bar`'s open: close first, then open sized from the cash after closing (Book.moveTo). */
  moveTo(bar: number, target: number): void {
    this.raw = this.open[bar];
    if (this.side !== LEAN_FLAT) this.closeRaw();
    if (target !== LEAN_FLAT) this.openRaw(target);
  }

  /** Close the open position at `raw` before slippage (Book.close). */
  close(raw: number): void {
    this.raw = raw;
    this.closeRaw();
  }

  private closeRaw(): void {
    const raw = this.raw;
    const long = this.side === LEAN_LONG;
    const price = long ? raw * this.sellMul : raw * this.buyMul;
    const size = this.entrySize;
    const notional = price * size;
    const fee = this.feeRate * notional;
    this.cash += long ? notional - fee : -notional - fee;
    this.feesPaid += fee;
    const gross = long ? (price - this.entryPrice) * size : (this.entryPrice - price) * size;
    const pnl = gross - this.entryFee - fee;
    const k = this.nTrades++;
    if (k === this.pnl.length) {
      const p = new Float64Array(2 * k), r = new Float64Array(2 * k);
      p.set(this.pnl); r.set(this.ret);
      this.pnl = p; this.ret = r;
    }
    this.pnl[k] = pnl;
    this.ret[k] = (pnl / (this.entryPrice * size + this.entryFee)) * 100;
    this.pos = 0;
    this.side = LEAN_FLAT;
  }

  /** Open `side` at `raw` before slippage, sized fraction × cash / (price × (1 + feeRate)) rounded down to the lot (Book.open). */
  private openRaw(side: number): void {
    const raw = this.raw;
    const feeRate = this.feeRate, lotSize = this.lotSize;
    const long = side === LEAN_LONG;
    const price = long ? raw * this.buyMul : raw * this.sellMul;
    const wanted = (this.fraction * this.cash) / (price * (1 + feeRate));
    const size = lotSize === 0 ? wanted : roundDownToLot(wanted, lotSize);
    const notional = price * size;
    if (!(size > 0) || notional < this.minNotional) {
      this.skippedOrders++;
      return;
    }
    const fee = feeRate * notional;
    this.cash += long ? -notional - fee : notional - fee;
    this.feesPaid += fee;
    this.pos = long ? size : -size;
    this.side = side;
    this.entryPrice = price;
    this.entrySize = size;
    this.entryFee = fee;
  }
}
