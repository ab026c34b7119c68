/**
 * Lot accounting (pure). A buy fill opens a lot (price, size, cost, fee); sells close lots, either the one
 * they name (a grid's paired sell) or first-in-first-out, and realise profit.
 *
 * Definitions (exact, used by the identity test):
 *  - cost of a lot = entryPrice x size (fees EXCLUDED); `openCost` = cost of the still-open part.
 *  - realised (gross) of a close = (exitPrice - entryPrice) x closedSize (fees EXCLUDED).
 *  - unrealised at mark = size_open x mark - openCost (fees EXCLUDED).
 *  - fees: every buy and sell fee, in quote, counted once, in `fees` (open lots' buy fees included).
 *  - realisedNet of a lot = realised - its buy fee share of the closed part - its sell fees.
 * Identity at every bar: cash + inventory at mark = initialCapital + realised + unrealised - fees.
 */

import { barTime, grownCapacity, grownColumn } from '../columns.ts';

export type LotStatus = 'open' | 'closed';

/** One lot. `remaining` > 0 while open; partial closes accumulate into exitValue, sellFees and realised. */
export interface Lot {
  readonly id: number;
  readonly market: number;
  readonly symbol: string;
  /** Tag of the buy order that opened it ('(initial)' for initial inventory). */
  readonly buyTag: string;
  readonly openTs: number;
  readonly openBar: number;
  readonly entryPrice: number;
  /** Size bought (base). */
  readonly size: number;
  /** Size still open. */
  readonly remaining: number;
  /** Fee paid on the buy (quote). */
  readonly buyFee: number;
  /** Size closed so far. */
  readonly closedSize: number;
  /** Sum of exitPrice x closedSize. */
  readonly exitValue: number;
  readonly sellFees: number;
  /** Gross realised P&L: exitValue - entryPrice x closedSize. */
  readonly realised: number;
  /** Timestamp of the close that emptied the lot (NaN while open). */
  readonly closeTs: number;
  readonly closeBar: number;
  readonly status: LotStatus;
  /** Tag of the last sell order that closed part of it ('' if none). */
  readonly sellTag: string;
}

/** Realised P&L net of the lot's fees (buy fee pro rata to the closed part). */
export function lotRealisedNet(l: Lot): number {
  return l.realised - (l.size > 0 ? l.buyFee * (l.closedSize / l.size) : 0) - l.sellFees;
}

/** Unrealised P&L of a lot's open part at `mark` (fees excluded). */
export function lotUnrealised(l: Lot, mark: number): number {
  return l.remaining * (mark - l.entryPrice);
}

// Sizes below this are float dust left by partial closes; a lot whose remaining falls below it is closed.
const DUST = 1e-12;

const LOT_OPEN = 0;
const LOT_CLOSED = 1;

/**
 * Lots in typed-array columns indexed by lot id (no per-lot object with boxed numbers: a grid opens ~20k lots a
 * year on 1m bars). `LotHandle` is the object view (`get`, `lots`); it reads the columns, so it always shows the
 * lot's current state.
 */
export class LotLedger {
  /** Number of lots. */
  n = 0;
  market = new Int32Array(256);
  openBar = new Int32Array(256);
  closeBar = new Int32Array(256);
  status = new Uint8Array(256);
  openTs = new Float64Array(256);
  entryPrice = new Float64Array(256);
  size = new Float64Array(256);
  remaining = new Float64Array(256);
  buyFee = new Float64Array(256);
  closedSize = new Float64Array(256);
  exitValue = new Float64Array(256);
  sellFees = new Float64Array(256);
  realisedOf = new Float64Array(256);
  closeTs = new Float64Array(256);
  /** Size reserved by open sell orders naming the lot (simulator bookkeeping). */
  reserved = new Float64Array(256);
  /**
   * Buy and sell tags by lot id, as references: r >= 0 is a number whose string is `tagOf(r)` (made when read: the order
   * simulator passes the id of the order, whose tag it spells, so that a lot costs no string and no array slot on the
   * JS heap; see engine/orders/tag-code.ts); r < 0 is the string `tagStrings[-1 - r]` (-1: '', none yet).
   */
  buyRef = new Int32Array(256);
  sellRef = new Int32Array(256);
  private readonly tagStrings: string[] = [''];
  /** Spells a tag given as a number (set by whoever passes numbers). */
  tagOf: (ref: number) => string = (ref) => String(ref);
  /** Per market: base inventory, cost of open lots, gross realised, fees. */
  readonly base: Float64Array;
  readonly openCost: Float64Array;
  readonly realisedBy: Float64Array;
  readonly feesBy: Float64Array;
  /** Base reserved by open sell orders (simulator bookkeeping). */
  readonly reservedBase: Float64Array;
  /** Per market: every lot of the market before this id is closed (where `openLotIds` starts looking). */
  private readonly head: Int32Array;
  private readonly handles: LotHandle[] = [];
  realised = 0;
  fees = 0;
  totalOpenCost = 0;

  /**
   * `barTs`: when given (the order simulator), each market's bar timestamps: a lot's openTs and closeTs are those of
   * its openBar and closeBar, the two columns are not kept (16 bytes a lot) and `inTs` is not read. Without it, the
   * timestamps passed are kept.
   */
  constructor(readonly symbols: readonly string[], private readonly barTs?: readonly Float64Array[]) {
    if (barTs) { this.openTs = new Float64Array(0); this.closeTs = new Float64Array(0); }
    const n = symbols.length;
    this.base = new Float64Array(n);
    this.openCost = new Float64Array(n);
    this.realisedBy = new Float64Array(n);
    this.feesBy = new Float64Array(n);
    this.reservedBase = new Float64Array(n);
    this.head = new Int32Array(n);
  }

  /** Grow the columns (see engine/columns.ts; `progress`: share of the run done, 0 when unknown). */
  grow(progress = 0): void {
    const cap = grownCapacity(this.size.length, progress);
    this.market = grownColumn(this.market, cap); this.openBar = grownColumn(this.openBar, cap); this.closeBar = grownColumn(this.closeBar, cap);
    this.status = grownColumn(this.status, cap);
    if (!this.barTs) { this.openTs = grownColumn(this.openTs, cap); this.closeTs = grownColumn(this.closeTs, cap); }
    this.entryPrice = grownColumn(this.entryPrice, cap); this.size = grownColumn(this.size, cap);
    this.remaining = grownColumn(this.remaining, cap); this.buyFee = grownColumn(this.buyFee, cap); this.closedSize = grownColumn(this.closedSize, cap);
    this.exitValue = grownColumn(this.exitValue, cap); this.sellFees = grownColumn(this.sellFees, cap); this.realisedOf = grownColumn(this.realisedOf, cap);
    this.reserved = grownColumn(this.reserved, cap);
    this.buyRef = grownColumn(this.buyRef, cap); this.sellRef = grownColumn(this.sellRef, cap);
  }

  /** Whether the columns are full (the next `open` grows them, by doubling unless `grow` is called first). */
  get full(): boolean {
    return this.n === this.size.length;
  }

  /** Every lot, open and closed, by id (object views, made on first read). */
  get lots(): readonly Lot[] {
    const h = this.handles;
    for (let id = h.length; id < this.n; id++) h.push(new LotHandle(this, id));
    return h;
  }

  /** The lot's object view. */
  get(id: number): LotHandle {
    return this.lots[id] as LotHandle;
  }

  isOpen(id: number): boolean {
    return this.status[id] === LOT_OPEN;
  }

  /** The reference (see `buyRef`) of a tag given as a string or as a number. */
  private refOf(tag: string | number): number {
    if (typeof tag === 'number') return tag;
    if (tag === '') return -1;
    this.tagStrings.push(tag);
    return -this.tagStrings.length;
  }

  /** The string of a tag reference (see `buyRef`). */
  tagAt(ref: number): string {
    return ref >= 0 ? this.tagOf(ref) : this.tagStrings[-1 - ref];
  }

  /**
   * The price, size, fee and timestamp of the next `openIn` / `closeIn` (fields, not arguments: V8 boxes the double
   * arguments of calls it does not inline, one heap number each per fill).
   */
  inPrice = 0;
  inSize = 0;
  inFee = 0;
  inTs = 0;

  /** Open a lot; returns its id. */
  open(market: number, ts: number, bar: number, price: number, size: number, fee: number, tag: string | number): number {
    this.inPrice = price; this.inSize = size; this.inFee = fee; this.inTs = ts;
    return this.openIn(market, bar, this.refOf(tag));
  }

  /** `open` with the price, size, fee and timestamp in `inPrice`, `inSize`, `inFee`, `inTs`, and the tag as a reference. */
  openIn(market: number, bar: number, tagRef: number): number {
    if (this.n === this.size.length) this.grow();
    const price = this.inPrice, size = this.inSize, fee = this.inFee;
    const id = this.n++;
    this.market[id] = market; if (!this.barTs) this.openTs[id] = this.inTs; this.openBar[id] = bar; this.entryPrice[id] = price; this.size[id] = size;
    this.remaining[id] = size; this.buyFee[id] = fee; this.closedSize[id] = 0; this.exitValue[id] = 0; this.sellFees[id] = 0;
    this.realisedOf[id] = 0; if (!this.barTs) this.closeTs[id] = NaN; this.closeBar[id] = -1; this.status[id] = LOT_OPEN; this.reserved[id] = 0;
    this.buyRef[id] = tagRef;
    this.sellRef[id] = -1;
    this.base[market] += size;
    const cost = price * size;
    this.openCost[market] += cost;
    this.totalOpenCost += cost;
    this.feesBy[market] += fee;
    this.fees += fee;
    return id;
  }

  /** Close `size` of lot `id` at `price`; `fee` is the sell fee for this part. Returns the gross realised P&L. */
  close(id: number, size: number, price: number, fee: number, ts: number, bar: number, tag: string | number): number {
    this.inPrice = price; this.inSize = size; this.inFee = fee; this.inTs = ts;
    this.closeIn(id, bar, this.refOf(tag));
    return this.lastPnl;
  }

  /** The gross realised P&L of the last close. */
  lastPnl = 0;

  /** `close` with the size, price, fee and timestamp in `inSize`, `inPrice`, `inFee`, `inTs`, and the tag as a reference. */
  closeIn(id: number, bar: number, tagRef: number): void {
    const size = this.inSize, price = this.inPrice, fee = this.inFee;
    const m = this.market[id];
    const rem = this.remaining[id];
    const take = size > rem ? rem : size;
    const cost = this.entryPrice[id] * take;
    const pnl = price * take - cost;
    this.remaining[id] = rem - take;
    this.closedSize[id] += take;
    this.exitValue[id] += price * take;
    this.sellFees[id] += fee;
    this.realisedOf[id] += pnl;
    this.sellRef[id] = tagRef;
    this.base[m] -= take;
    this.openCost[m] -= cost;
    this.totalOpenCost -= cost;
    this.realisedBy[m] += pnl;
    this.realised += pnl;
    this.feesBy[m] += fee;
    this.fees += fee;
    if (this.remaining[id] <= DUST * this.size[id]) {
      this.remaining[id] = 0;
      this.status[id] = LOT_CLOSED;
      if (!this.barTs) this.closeTs[id] = this.inTs;
      this.closeBar[id] = bar;
    }
    this.lastPnl = pnl;
  }

  /** When lot `id` was opened. */
  openTsOf(id: number): number {
    return this.barTs ? barTime(this.barTs, this.market[id], this.openBar[id]) : this.openTs[id];
  }

  /** When lot `id` was closed (NaN while open). */
  closeTsOf(id: number): number {
    return this.barTs ? barTime(this.barTs, this.market[id], this.closeBar[id]) : this.closeTs[id];
  }

  /** Ids of a market's open lots, oldest first. */
  openLotIds(market: number): number[] {
    const mk = this.market, st = this.status, n = this.n;
    let h = this.head[market];
    while (h < n && (mk[h] !== market || st[h] !== LOT_OPEN)) h++;
    this.head[market] = h;
    const out: number[] = [];
    for (let k = h; k < n; k++) if (mk[k] === market && st[k] === LOT_OPEN) out.push(k);
    return out;
  }

  /** Open lots of a market, oldest first (skips closed ones). */
  openLots(market: number): LotHandle[] {
    return this.openLotIds(market).map((id) => this.get(id));
  }

  /**
   * Close `size` first-in-first-out over the parts of open lots not reserved by other sells; the fee is
   * shared pro rata. Returns the first lot closed (-1 if none).
   */
  closeFifo(market: number, size: number, price: number, fee: number, ts: number, bar: number, tag: string | number): number {
    let left = size;
    let first = -1;
    const ref = this.refOf(tag);
    for (const id of this.openLotIds(market)) {
      if (left <= DUST * size) break;
      const free = this.remaining[id] - this.reserved[id];
      if (free <= 0) continue;
      const take = free < left ? free : left;
      this.inSize = take; this.inPrice = price; this.inFee = fee * (take / size); this.inTs = ts;
      this.closeIn(id, bar, ref);
      if (first < 0) first = id;
      left -= take;
    }
    return first;
  }

  /** Gross unrealised P&L of a market at `mark`. */
  unrealised(market: number, mark: number): number {
    return this.base[market] === 0 ? 0 : this.base[market] * mark - this.openCost[market];
  }
}

/** Object view of one lot (results, `LotLedger.get`). Reads the ledger's columns; `reserved` is writable. */
export class LotHandle implements Lot {
  constructor(private readonly L: LotLedger, readonly id: number) {}
  get market(): number { return this.L.market[this.id]; }
  get symbol(): string { return this.L.symbols[this.L.market[this.id]]; }
  get buyTag(): string { return this.L.tagAt(this.L.buyRef[this.id]); }
  get openTs(): number { return this.L.openTsOf(this.id); }
  get openBar(): number { return this.L.openBar[this.id]; }
  get entryPrice(): number { return this.L.entryPrice[this.id]; }
  get size(): number { return this.L.size[this.id]; }
  get remaining(): number { return this.L.remaining[this.id]; }
  get buyFee(): number { return this.L.buyFee[this.id]; }
  get closedSize(): number { return this.L.closedSize[this.id]; }
  get exitValue(): number { return this.L.exitValue[this.id]; }
  get sellFees(): number { return this.L.sellFees[this.id]; }
  get realised(): number { return this.L.realisedOf[this.id]; }
  get closeTs(): number { return this.L.closeTsOf(this.id); }
  get closeBar(): number { return this.L.closeBar[this.id]; }
  get status(): LotStatus { return this.L.status[this.id] === LOT_OPEN ? 'open' : 'closed'; }
  get sellTag(): string { return this.L.tagAt(this.L.sellRef[this.id]); }
  /** Size reserved by open sell orders naming this lot (simulator bookkeeping). */
  get reserved(): number { return this.L.reserved[this.id]; }
  set reserved(x: number) { this.L.reserved[this.id] = x; }
  toJSON(): Lot {
    return {
      id: this.id, market: this.market, symbol: this.symbol, buyTag: this.buyTag, openTs: this.openTs, openBar: this.openBar,
      entryPrice: this.entryPrice, size: this.size, remaining: this.remaining, buyFee: this.buyFee, closedSize: this.closedSize,
      exitValue: this.exitValue, sellFees: this.sellFees, realised: this.realised, closeTs: this.closeTs, closeBar: this.closeBar,
      status: this.status, sellTag: this.sellTag,
    };
  }
}
