/**
 * Every order of a run in typed-array columns indexed by order id (no per-order boxed numbers: the grid
 * places ~100k orders a year on 1m bars). `OrderHandle` is the object view handed out in results and to
 * strategies (`orders.get`, `orders.list`); it reads the columns, so it always shows the order's current state.
 */
import type { OrderRecord, OrderStatus } from './types.ts';
import type { OpenOrderView, OrderSide } from './views.ts';
import { spellTag, TagPrefixes } from './tag-code.ts';
import { barTime, grownCapacity, grownColumn } from '../columns.ts';

export const ST_OPEN = 0;
export const ST_FILLED = 1;
export const ST_CANCELLED = 2;
export const ST_REJECTED = 3;
const STATUS: readonly OrderStatus[] = ['open', 'filled', 'cancelled', 'rejected'];

export const F_SELL = 1;
export const F_MARKET = 2;
export const F_FROM_FILL = 4;
export const F_ARRIVAL = 8;

/**
 * The fills of a store that derives its orders' average price and fees from them (the order simulator's, see
 * `OrderStore`): each fill's price, amount and fee, and the previous fill of the same order (-1: none).
 */
export interface FillChain {
  readonly price: Float64Array;
  readonly amount: Float64Array;
  readonly fee: Float64Array;
  readonly prevFill: Int32Array;
}

export class OrderStore {
  n = 0;
  price = new Float64Array(1024);
  amount = new Float64Array(1024);
  /** Kept by the paper venues only, like `remaining`, `avgPrice`, `fees` and `reservedCash` (read `filledOf`, `remainingOf`, `avgPriceOf`, `feesOf`; see the constructor). */
  filled = new Float64Array(1024);
  remaining = new Float64Array(1024);
  avgPrice = new Float64Array(1024);
  fees = new Float64Array(1024);
  placedTs = new Float64Array(1024);
  doneTs = new Float64Array(1024);
  reservedCash = new Float64Array(1024);
  /** The simulator's stores only: the order's last fill (-1: none), the head of its chain in `fills`. */
  lastFill = new Int32Array(0);
  market = new Uint16Array(1024);
  placedBar = new Int32Array(1024);
  doneBar = new Int32Array(1024);
  lot = new Int32Array(1024);
  flags = new Uint8Array(1024);
  status = new Uint8Array(1024);
  /**
   * Tags: a numeric tag (tag-code.ts) as its prefix id (`tagPre`), number (`tagNum`) and, in the dotted form, second
   * number (`tagNum2`, -1 otherwise), its string built on read; any other tag as a string in `tags` (`tagPre` -1,
   * `tagNum` its index there). Read them with `tagOf`.
   */
  readonly tags: string[] = [];
  tagPre = new Int16Array(1024);
  tagNum = new Int32Array(1024);
  tagNum2 = new Int32Array(1024);
  readonly prefixes = new TagPrefixes();

  /**
   * `barTs` and `fills`: when given (the order simulator), each market's bar timestamps and the run's fills. An order's
   * placedTs and doneTs are then those of its placedBar and doneBar; its filled amount, average price and fees are
   * recomputed from its fills (`lastFill` and the chain), with the simulator's operations in its order; its remaining
   * amount is 0 once filled, else amount - filled (the simulator's arithmetic); the cash a buy reserves is the
   * simulator's to derive. Those seven columns are not kept (56 bytes an order, for 4: the grid places ~88k orders a
   * year on 1m bars). Without them (the paper venues, whose orders are timed by the clock and restored from exchange
   * state), they are columns.
   */
  constructor(readonly symbols: readonly string[], private readonly barTs?: readonly Float64Array[], private readonly fills?: FillChain) {
    if (symbols.length > 0xffff) throw new RangeError(`an order store holds at most 65535 markets, got ${symbols.length}`);
    if (barTs) { this.placedTs = new Float64Array(0); this.doneTs = new Float64Array(0); }
    if (fills) {
      this.filled = new Float64Array(0); this.remaining = new Float64Array(0); this.avgPrice = new Float64Array(0); this.fees = new Float64Array(0);
      this.reservedCash = new Float64Array(0);
      this.lastFill = new Int32Array(1024);
    }
  }

  /** The amount of order `id` filled so far. */
  filledOf(id: number): number {
    const fl = this.fills;
    if (fl === undefined) return this.filled[id];
    const k = this.lastFill[id];
    if (k < 0) return 0;
    if (fl.prevFill[k] < 0) return fl.amount[k];
    const seq = this.chain(k);
    let filled = 0;
    for (let j = seq.length - 1; j >= 0; j--) filled += fl.amount[seq[j]];
    return filled;
  }

  /** The amount of order `id` still to fill. */
  remainingOf(id: number): number {
    if (this.fills === undefined) return this.remaining[id];
    return this.status[id] === ST_FILLED ? 0 : this.amount[id] - this.filledOf(id);
  }

  /** The average price of order `id`'s fills (NaN: none). */
  avgPriceOf(id: number): number {
    const fl = this.fills;
    if (fl === undefined) return this.avgPrice[id];
    let k = this.lastFill[id];
    if (k < 0) return NaN;
    if (fl.prevFill[k] < 0) return fl.price[k];
    // forward over the chain, as the simulator's execute averaged: avg = (avg x filled + price x amount) / new filled
    const seq = this.chain(k);
    let filled = 0, avg = NaN;
    for (let j = seq.length - 1; j >= 0; j--) {
      k = seq[j];
      const price = fl.price[k], amount = fl.amount[k], prev = filled;
      filled = prev + amount;
      avg = prev === 0 ? price : (avg * prev + price * amount) / filled;
    }
    return avg;
  }

  /** The fees paid on order `id`'s fills. */
  feesOf(id: number): number {
    const fl = this.fills;
    if (fl === undefined) return this.fees[id];
    const seq = this.chain(this.lastFill[id]);
    let fees = 0;
    for (let j = seq.length - 1; j >= 0; j--) fees += fl.fee[seq[j]];
    return fees;
  }

  /** Fill `k` and the fills before it of the same order, last first (a store with `fills` only). */
  chain(k: number): number[] {
    const out: number[] = [];
    for (; k >= 0; k = this.fills!.prevFill[k]) out.push(k);
    return out;
  }

  /** The time of bar `bar` of market `m` (the simulator's stores only). */
  barTsOf(m: number, bar: number): number {
    return this.barTs![m][bar];
  }

  /** When order `id` was placed. */
  placedTsOf(id: number): number {
    return this.barTs ? barTime(this.barTs, this.market[id], this.placedBar[id]) : this.placedTs[id];
  }

  /** When order `id` was done (NaN while open). */
  doneTsOf(id: number): number {
    return this.barTs ? barTime(this.barTs, this.market[id], this.doneBar[id]) : this.doneTs[id];
  }

  /** Grow the columns (see engine/columns.ts; `progress`: share of the run done, 0 when unknown). */
  grow(progress = 0): void {
    const cap = grownCapacity(this.price.length, progress);
    this.price = grownColumn(this.price, cap); this.amount = grownColumn(this.amount, cap);
    if (!this.fills) {
      this.filled = grownColumn(this.filled, cap); this.remaining = grownColumn(this.remaining, cap);
      this.avgPrice = grownColumn(this.avgPrice, cap); this.fees = grownColumn(this.fees, cap); this.reservedCash = grownColumn(this.reservedCash, cap);
    } else this.lastFill = grownColumn(this.lastFill, cap);
    if (!this.barTs) { this.placedTs = grownColumn(this.placedTs, cap); this.doneTs = grownColumn(this.doneTs, cap); }
    this.market = grownColumn(this.market, cap); this.placedBar = grownColumn(this.placedBar, cap); this.doneBar = grownColumn(this.doneBar, cap);
    this.lot = grownColumn(this.lot, cap); this.tagPre = grownColumn(this.tagPre, cap); this.tagNum = grownColumn(this.tagNum, cap);
    this.tagNum2 = grownColumn(this.tagNum2, cap);
    this.flags = grownColumn(this.flags, cap); this.status = grownColumn(this.status, cap);
  }

  /** Whether the columns are full (the next order needs `grow` first). */
  get full(): boolean {
    return this.n === this.price.length;
  }

  /** Append an open order; returns its id. */
  add(market: number, tag: string, flags: number, price: number, amount: number, placedBar: number, placedTs: number, lot: number): number {
    if (this.n === this.price.length) this.grow();
    const id = this.n++;
    this.market[id] = market; this.tagPre[id] = -1; this.tagNum[id] = this.tags.length; this.tags.push(tag); this.flags[id] = flags;
    this.price[id] = price; this.amount[id] = amount; this.placedBar[id] = placedBar;
    if (!this.fills) { this.filled[id] = 0; this.remaining[id] = amount; this.avgPrice[id] = NaN; this.fees[id] = 0; this.reservedCash[id] = 0; } else this.lastFill[id] = -1;
    if (!this.barTs) { this.placedTs[id] = placedTs; this.doneTs[id] = NaN; }
    this.doneBar[id] = -1; this.lot[id] = lot; this.status[id] = ST_OPEN;
    return id;
  }

  /** The tag of order `id` as a string. */
  tagOf(id: number): string {
    const pre = this.tagPre[id];
    return pre < 0 ? this.tags[this.tagNum[id]] : spellTag(this.prefixes.names[pre], this.tagNum[id], this.tagNum2[id]);
  }

  isSell(id: number): boolean { return (this.flags[id] & F_SELL) !== 0; }
  isMarket(id: number): boolean { return (this.flags[id] & F_MARKET) !== 0; }
}

/** Object view of one order (results, `orders.get`, `orders.list`). */
export class OrderHandle implements OrderRecord, OpenOrderView {
  constructor(private readonly s: OrderStore, readonly id: number) {}
  get market(): number { return this.s.market[this.id]; }
  get symbol(): string { return this.s.symbols[this.s.market[this.id]]; }
  get tag(): string { return this.s.tagOf(this.id); }
  get side(): OrderSide { return this.s.flags[this.id] & F_SELL ? 'sell' : 'buy'; }
  get type(): 'limit' | 'market' { return this.s.flags[this.id] & F_MARKET ? 'market' : 'limit'; }
  get price(): number { return this.s.price[this.id]; }
  get amount(): number { return this.s.amount[this.id]; }
  get filled(): number { return this.s.filledOf(this.id); }
  get remaining(): number { return this.s.remainingOf(this.id); }
  get avgPrice(): number { return this.s.avgPriceOf(this.id); }
  get fees(): number { return this.s.feesOf(this.id); }
  get status(): OrderStatus { return STATUS[this.s.status[this.id]]; }
  get origin(): 'decide' | 'fill' { return this.s.flags[this.id] & F_FROM_FILL ? 'fill' : 'decide'; }
  get placedBar(): number { return this.s.placedBar[this.id]; }
  get placedTs(): number { return this.s.placedTsOf(this.id); }
  get doneBar(): number { return this.s.doneBar[this.id]; }
  get doneTs(): number { return this.s.doneTsOf(this.id); }
  get lot(): number { return this.s.lot[this.id]; }
  toJSON(): OrderRecord {
    return {
      id: this.id, market: this.market, symbol: this.symbol, tag: this.tag, side: this.side, type: this.type, price: this.price,
      amount: this.amount, filled: this.filled, remaining: this.remaining, avgPrice: this.avgPrice, fees: this.fees, status: this.status,
      origin: this.origin, placedBar: this.placedBar, placedTs: this.placedTs, doneBar: this.doneBar, doneTs: this.doneTs, lot: this.lot,
    };
  }
}
