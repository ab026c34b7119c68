/**
 * The simulated venue behind the `paper` and `replay` adapters: a virtual wallet, one book per market and the
 * engine's own fill model (engine/orders `matchBar`, `roundPrice`/`roundAmount`/`checkOrder`, maker/taker fees),
 * so that a replay fills exactly like the order backtest. Nothing here talks to a network.
 *
 * Timing: an order enters its market's book at the first bar whose open time is >= its `entryTs` (replay: the
 * next bar; paper: the bar in progress when placed within the grace period after its open, else the next). A
 * limit that crosses that bar's open fills at the open as taker; a market order fills at that bar's open
 * +/- slippage (taker). A market BUY may be sized by quote `cost`: amount = roundAmount(cost / fillPrice).
 *
 * Errors are those of a ccxt venue, mapped by `mapCcxtError`: invalid or too small orders and duplicate client
 * ids are `venue-rejected` (InvalidOrder, DuplicateOrderId), a buy the wallet cannot pay is InsufficientFunds.
 */
import ccxt from 'ccxt';
import { usageError } from '../../engine/errors.ts';
import { Book } from '../../engine/orders/book.ts';
import { matchBar, type BarMatcher } from '../../engine/orders/bar-match.ts';
import type { FillOn, IntrabarPath } from '../../engine/orders/intrabar.ts';
import { checkOrder, roundAmount, roundPrice, type MarketSpec } from '../../engine/orders/market-spec.ts';
import { limitCrosses } from '../../engine/orders/bar-match.ts';
import { F_ARRIVAL, F_FROM_FILL, F_MARKET, F_SELL, OrderStore, ST_CANCELLED, ST_FILLED, ST_OPEN, ST_REJECTED } from '../../engine/orders/order-store.ts';
import type { FillLiquidity } from '../../engine/orders/views.ts';
import { mapCcxtError } from './ccxt-errors.ts';
import type { Channel } from './channel.ts';
import type { Balances, BalanceEntry, CancelResult, Fill, Order, OrderRef, OrderRequest, OrderStatus } from './port.ts';

/** The fill model of a simulated venue (the order simulator's settings, same defaults). */
export interface SimFillModel {
  readonly slippageBps?: number;
  readonly intrabarPath?: IntrabarPath;
  readonly fillOn?: FillOn;
  readonly maxVolumeShare?: number;
}

/** An order request that may size a market buy by quote cost (then `amount` is ignored and may be 0). */
export interface SimOrderRequest extends OrderRequest {
  /** Market buys only: spend this much quote (fees on top), amount = roundAmount(cost / fill price). */
  readonly cost?: number;
  /**
   * A limit order restored into a new venue (a paper bot's restart): it had filled `filled` at `average` in the venue
   * it was placed in. It rests for `amount − filled` exactly (not rounded again), so that its next fills, their
   * sizes and the order's remaining are those the old venue would have made. No fill is made for the past part.
   */
  readonly restore?: { readonly filled: number; readonly average: number };
}

export interface SimMarket {
  readonly spec: MarketSpec;
  readonly base: string;
  readonly quote: string;
}

/**
 * A change the venue made to its book on request (an accepted createOrder or an effective cancelOrder), in the order
 * made: what a venue journal keeps so that a restarted process can rebuild the venue exactly (replay-adapter.ts).
 * `trigger`: the trade id of the fill whose hook made the request (mid-bar), else undefined (between bars).
 */
export type VenueCommand =
  | { readonly kind: 'create'; readonly req: SimOrderRequest; readonly refPrice: number; readonly trigger?: string }
  | { readonly kind: 'cancel'; readonly ref: OrderRef; readonly trigger?: string };

/**
 * Called after every fill, inside the bar (the order is already updated: closed when complete). Orders placed from it
 * (createOrder / cancelOrder, synchronously) act at once at the fill's point of the bar's path — the order
 * simulator's `onFill` semantics: a limit that crosses the fill price fills there as taker, a market order fills
 * there +/- slippage, any other limit rests and joins the rest of the bar's path.
 */
export type FillHook = (fill: Fill, order: Order) => void;

const DUST = 1e-12;
const STATUS: readonly OrderStatus[] = ['open', 'closed', 'canceled', 'rejected'];

export class SimVenue implements BarMatcher {
  readonly symbols: string[] = [];
  readonly store: OrderStore;
  capacity = Infinity;
  leg = 0;
  private readonly markets: SimMarket[] = [];
  private readonly index = new Map<string, number>();
  private readonly books: Book[] = [];
  private readonly pendingEntry: number[][] = [];
  private readonly barsSeen: number[] = [];
  private readonly barTs: number[] = [];
  readonly lastClose: number[] = [];
  private readonly clientIds: string[] = [];
  private readonly costs: number[] = [];
  private readonly entryTs: number[] = [];
  private readonly byClient = new Map<string, number>();
  private readonly fillsBy: Fill[][] = [];
  private readonly cash = new Map<string, { total: number; used: number }>();
  private readonly slip: number;
  private readonly through: boolean;
  private readonly path: IntrabarPath;
  private readonly share: number | null;
  private readonly pts = new Float64Array(4);
  private tradeSeq = 0;
  /** The market whose bar is being matched (-1 between bars), that bar's index, and the path price of the fill whose hook runs. */
  private inBarM = -1;
  private inBarR = -1;
  private pathPrice = NaN;
  private trigger: string | undefined;
  /** Per-fill hook (the runtime's mid-bar onFill); see FillHook. */
  fillHook: FillHook | undefined;
  /** Listener of every accepted write (a venue journal). */
  onCommand: ((c: VenueCommand) => void) | undefined;
  /** Listeners of order changes and fills (the watch streams). */
  readonly orderEvents = new Set<Channel<Order>>();
  readonly fillEvents = new Set<Channel<Fill>>();

  constructor(
    readonly id: string,
    balances: Readonly<Record<string, number>>,
    fill: SimFillModel,
    private readonly now: () => number,
    /** When an order placed at `t` in a market of bar length `tfMs` enters the book (default: at `t`). */
    private readonly entryAt: (t: number) => number = (t) => t,
  ) {
    this.store = new OrderStore(this.symbols);
    const slippageBps = fill.slippageBps ?? 0;
    if (!(slippageBps >= 0 && slippageBps < 10_000)) throw usageError('BAD_FILL_CONFIG', `slippageBps=${slippageBps} is not allowed; expected a number in 0..10000`);
    const share = fill.maxVolumeShare ?? null;
    if (share !== null && !(share > 0 && share <= 1)) throw usageError('BAD_FILL_CONFIG', `maxVolumeShare=${share} is not allowed; expected a share in (0, 1]`);
    this.slip = slippageBps / 10_000;
    this.through = (fill.fillOn ?? 'through') === 'through';
    this.path = fill.intrabarPath ?? 'nearest-extreme-first';
    this.share = share;
    for (const [cur, v] of Object.entries(balances)) {
      if (!(Number.isFinite(v) && v >= 0)) throw usageError('BAD_BALANCE', `virtual wallet ${cur}=${v} must be a finite number >= 0`);
      this.cash.set(cur, { total: v, used: 0 });
    }
  }

  /** Adds a market (idempotent). */
  addMarket(m: SimMarket): number {
    const known = this.index.get(m.spec.symbol);
    if (known !== undefined) return known;
    const k = this.symbols.length;
    this.symbols.push(m.spec.symbol);
    this.markets.push(m);
    this.index.set(m.spec.symbol, k);
    this.books.push(new Book(this.store));
    this.pendingEntry.push([]);
    this.barsSeen.push(0);
    this.barTs.push(NaN);
    this.lastClose.push(NaN);
    this.fillsBy.push([]);
    if (!this.cash.has(m.base)) this.cash.set(m.base, { total: 0, used: 0 });
    if (!this.cash.has(m.quote)) this.cash.set(m.quote, { total: 0, used: 0 });
    return k;
  }

  marketIndex(symbol: string): number {
    const m = this.index.get(symbol);
    if (m === undefined) throw usageError('UNKNOWN_SYMBOL', `${this.id}: unknown market '${symbol}'; markets: ${this.symbols.join(', ')}`);
    return m;
  }

  private wallet(cur: string): { total: number; used: number } {
    let w = this.cash.get(cur);
    if (!w) { w = { total: 0, used: 0 }; this.cash.set(cur, w); }
    return w;
  }

  private refuse(Cls: new (msg: string) => Error, operation: string, msg: string, clientOrderId?: string): never {
    throw mapCcxtError(new Cls(msg), { exchange: this.id, operation, write: false, clientOrderId });
  }

  // ---------- writes ----------

  /** Places an order (rounded to the market spec); throws a venue-rejected error when the venue would refuse it. */
  createOrder(req: SimOrderRequest, refPrice: number): Order {
    const op = `createOrder ${req.symbol} ${req.side} ${req.type}`;
    const m = this.marketIndex(req.symbol);
    const { spec, base, quote } = this.markets[m];
    // Mid-bar (from the fill hook of this market's bar): the price of the moment is the fill's point of the path.
    const midBar = this.inBarM === m;
    if (midBar) refPrice = this.pathPrice;
    if (typeof req.clientOrderId !== 'string' || req.clientOrderId === '') this.refuse(ccxt.InvalidOrder, op, 'a client order id is required');
    if (this.byClient.has(req.clientOrderId)) this.refuse(ccxt.DuplicateOrderId, op, `duplicate client order id ${req.clientOrderId}`, req.clientOrderId);
    const isLimit = req.type === 'limit';
    const byCost = !isLimit && req.cost !== undefined;
    if (byCost && req.side !== 'buy') this.refuse(ccxt.InvalidOrder, op, 'only market buys may be sized by cost', req.clientOrderId);
    if (byCost && !(req.cost! > 0 && Number.isFinite(req.cost!))) this.refuse(ccxt.InvalidOrder, op, `cost must be a positive number, got ${req.cost}`, req.clientOrderId);
    if (isLimit && !(typeof req.price === 'number' && req.price > 0 && Number.isFinite(req.price))) this.refuse(ccxt.InvalidOrder, op, `a limit order needs a positive price, got ${req.price}`, req.clientOrderId);
    const price = isLimit ? roundPrice(spec, req.price!, req.side) : refPrice;
    if (!isLimit && !(refPrice > 0)) this.refuse(ccxt.InvalidOrder, op, 'no price yet for a market order (no bar has closed)', req.clientOrderId);
    const amount = byCost ? roundAmount(spec, req.cost! / (refPrice * (1 + this.slip))) : roundAmount(spec, req.amount);
    const reason = checkOrder(spec, price, amount);
    if (reason) this.refuse(ccxt.InvalidOrder, op, `${reason}: ${amount} @ ${price} (min amount ${spec.minAmount}, min notional ${spec.minNotional}, step ${spec.amountStep}, tick ${spec.priceTick})`, req.clientOrderId);
    const pre = req.restore?.filled ?? 0;
    if (req.restore && !(isLimit && pre > 0 && pre < amount && req.restore.average > 0)) {
      this.refuse(ccxt.InvalidOrder, op, `a restored order must be a limit order with 0 < filled < amount and a positive average (filled ${pre} of ${amount})`, req.clientOrderId);
    }
    // what rests: the whole order, or what a restored one has left
    const open = amount - pre;
    const maxFee = Math.max(spec.makerFee, spec.takerFee);
    if (req.side === 'buy') {
      const w = this.wallet(quote);
      const need = byCost ? req.cost! * (1 + spec.takerFee) : (isLimit ? price : refPrice * (1 + this.slip)) * open * (1 + maxFee);
      if (need > w.total - w.used + 1e-9) this.refuse(ccxt.InsufficientFunds, op, `needs ${need} ${quote}, free ${w.total - w.used}`, req.clientOrderId);
    } else {
      const w = this.wallet(base);
      if (open > w.total - w.used + DUST * amount) this.refuse(ccxt.InsufficientFunds, op, `needs ${open} ${base}, free ${w.total - w.used}`, req.clientOrderId);
    }
    const st = this.store;
    const flags = (req.side === 'sell' ? F_SELL : 0) | (isLimit ? 0 : F_MARKET);
    const t = this.now();
    const id = st.add(m, req.clientOrderId, flags, isLimit ? price : NaN, byCost ? 0 : amount, -1, t, -1);
    if (pre > 0) {
      st.filled[id] = pre;
      st.remaining[id] = open;
      st.avgPrice[id] = req.restore!.average;
    }
    this.clientIds[id] = req.clientOrderId;
    this.costs[id] = byCost ? req.cost! : NaN;
    this.entryTs[id] = this.entryAt(t);
    this.byClient.set(req.clientOrderId, id);
    if (req.side === 'sell') this.wallet(base).used += open;
    else if (isLimit) {
      const res = price * open * (1 + maxFee);
      st.reservedCash[id] = res;
      this.wallet(quote).used += res;
    }
    this.onCommand?.({ kind: 'create', req, refPrice, trigger: this.trigger });
    if (!midBar) {
      this.pendingEntry[m].push(id);
      const o = this.order(id);
      this.emitOrder(o);
      return o;
    }
    // Mid-bar: live at once from the fill point, as the order simulator's onFill orders (simulator.ts `apply`).
    const r = this.inBarR, book = this.books[m];
    st.placedBar[id] = r;
    book.tags.set(req.clientOrderId, id);
    this.emitOrder(this.order(id));
    if (!isLimit) {
      st.flags[id] |= F_FROM_FILL;
      book.pendingMarket.push(id);
      this.fillMarket(id, refPrice, r, this.leg);
    } else {
      book.insert(id);
      if (limitCrosses(req.side === 'sell', price, refPrice, this.through)) {
        const amt = Math.min(amount, this.capacity);
        if (amt > 0) { this.exec[0] = refPrice; this.exec[1] = amt; this.execute(id, 'taker', this.leg, r); }
      }
    }
    return this.order(id);
  }

  /** Cancels an open order; an order already done is 'already-closed', an unknown one 'not-found'. */
  cancelOrder(ref: OrderRef): CancelResult {
    const id = this.find(ref);
    if (id === undefined) return { outcome: 'not-found', order: undefined };
    if (this.store.status[id] !== ST_OPEN) return { outcome: 'already-closed', order: this.order(id) };
    this.onCommand?.({ kind: 'cancel', ref, trigger: this.trigger });
    this.closeOrder(id, ST_CANCELLED);
    return { outcome: 'canceled', order: this.order(id) };
  }

  // ---------- reads ----------

  private find(ref: OrderRef): number | undefined {
    if (ref.clientOrderId !== undefined) return this.byClient.get(ref.clientOrderId);
    if (ref.id !== undefined) {
      const n = Number(ref.id.slice(ref.id.lastIndexOf('-') + 1));
      return ref.id === this.venueId(n) && n < this.store.n ? n : undefined;
    }
    return undefined;
  }

  private venueId(id: number): string { return `${this.id}-${id}`; }

  orderById(id: string): Order | undefined {
    const k = this.find({ symbol: '', id });
    return k === undefined ? undefined : this.order(k);
  }

  orderByClientId(clientOrderId: string): Order | undefined {
    const k = this.byClient.get(clientOrderId);
    return k === undefined ? undefined : this.order(k);
  }

  openOrders(symbol?: string): Order[] {
    const out: Order[] = [];
    const m = symbol === undefined ? -1 : this.marketIndex(symbol);
    for (let id = 0; id < this.store.n; id++) {
      if (this.store.status[id] === ST_OPEN && (m < 0 || this.store.market[id] === m)) out.push(this.order(id));
    }
    return out;
  }

  trades(symbol: string, since = -Infinity, limit = Infinity): Fill[] {
    const all = this.fillsBy[this.marketIndex(symbol)];
    // fills are kept in time order: binary search the first at or after `since`
    let lo = 0, hi = all.length;
    while (lo < hi) { const mid = (lo + hi) >>> 1; if (all[mid].timestamp < since) lo = mid + 1; else hi = mid; }
    return all.slice(lo, limit === Infinity ? all.length : Math.min(all.length, lo + limit));
  }

  balances(): Balances {
    const byCurrency: Record<string, BalanceEntry> = {};
    for (const [cur, w] of this.cash) byCurrency[cur] = { free: w.total - w.used, used: w.used, total: w.total };
    return { byCurrency, timestamp: this.now() };
  }

  order(id: number): Order {
    const st = this.store;
    const m = st.market[id];
    const filled = st.filled[id];
    const cost = this.costs[id];
    const spec = this.markets[m].spec;
    return {
      id: this.venueId(id), clientOrderId: this.clientIds[id], symbol: this.symbols[m], side: st.isSell(id) ? 'sell' : 'buy',
      type: st.isMarket(id) ? 'market' : 'limit', price: st.price[id],
      average: filled > 0 ? st.avgPrice[id] : NaN,
      amount: !Number.isNaN(cost) && st.status[id] === ST_OPEN ? NaN : st.amount[id],
      filled, remaining: !Number.isNaN(cost) && st.status[id] === ST_OPEN ? NaN : st.remaining[id],
      cost: filled > 0 ? st.avgPrice[id] * filled : 0,
      status: STATUS[st.status[id]],
      fee: { cost: st.fees[id], currency: this.markets[m].quote, rate: st.isMarket(id) ? spec.takerFee : undefined },
      timeInForce: 'GTC', postOnly: false, timestamp: st.placedTs[id],
      lastUpdateTimestamp: Number.isNaN(st.doneTs[id]) ? st.placedTs[id] : st.doneTs[id],
    };
  }

  // ---------- the bar ----------

  /**
   * One closed bar of `symbol` (open time `ts`): orders due by then enter the book, then the book is matched
   * along the intrabar path. Bars must come in ascending order; a bar already seen is ignored (returns false).
   */
  processBar(symbol: string, ts: number, open: number, high: number, low: number, close: number, volume: number): boolean {
    const m = this.marketIndex(symbol);
    if (ts <= this.barTs[m]) return false;
    const r = ++this.barsSeen[m];
    this.barTs[m] = ts;
    const st = this.store;
    const book = this.books[m];
    const pend = this.pendingEntry[m];
    let keep = 0;
    for (let k = 0; k < pend.length; k++) {
      const id = pend[k];
      if (st.status[id] !== ST_OPEN) continue;
      if (this.entryTs[id] > ts) { pend[keep++] = id; continue; }
      st.placedBar[id] = r - 1;
      st.placedTs[id] = st.placedTs[id];
      book.tags.set(this.clientIds[id], id);
      if (st.isMarket(id)) book.pendingMarket.push(id);
      else {
        st.flags[id] |= F_ARRIVAL;
        book.insert(id);
        book.arrivals.push(id);
      }
    }
    pend.length = keep;
    this.inBarM = m;
    this.inBarR = r;
    try {
      matchBar(this, book, r, open, high, low, close, volume, this.through, this.path, this.share, this.pts);
    } finally {
      this.inBarM = -1;
      this.inBarR = -1;
    }
    this.lastClose[m] = close;
    return true;
  }

  /**
   * A bar this venue must not match (another venue instance matched it already: a paper bot's previous process) but
   * whose close is the price of the moment: marks it seen, sets the last close, fills nothing. Returns false for a bar
   * already seen.
   */
  seedBar(symbol: string, ts: number, close: number): boolean {
    const m = this.marketIndex(symbol);
    if (ts <= this.barTs[m]) return false;
    this.barsSeen[m]++;
    this.barTs[m] = ts;
    this.lastClose[m] = close;
    return true;
  }

  private closeOrder(id: number, status: number): void {
    const st = this.store;
    const m = st.market[id];
    const b = this.books[m];
    const wasBooked = b.tags.get(this.clientIds[id]) === id;
    st.status[id] = status;
    st.doneTs[id] = this.now();
    if (wasBooked) {
      b.tags.delete(this.clientIds[id]);
      if (st.isMarket(id)) {
        const k = b.pendingMarket.indexOf(id);
        if (k >= 0) b.pendingMarket.splice(k, 1);
      } else b.remove(id);
    }
    const { base, quote } = this.markets[m];
    if (!st.isSell(id)) {
      this.wallet(quote).used -= st.reservedCash[id];
      st.reservedCash[id] = 0;
    } else if (st.remaining[id] > 0) {
      this.wallet(base).used -= st.remaining[id];
    }
    this.emitOrder(this.order(id));
  }

  /** BarMatcher: [price, amount] of the next `execute`. */
  readonly exec = new Float64Array(2);

  /** BarMatcher: book a fill of `exec[1]` at `exec[0]` (the engine simulator's arithmetic). */
  execute(id: number, liquidity: FillLiquidity, _leg: number, _bar: number): void {
    const price = this.exec[0], amount = this.exec[1];
    const st = this.store;
    const m = st.market[id];
    const { spec, base, quote } = this.markets[m];
    const notional = price * amount;
    const fee = notional * (liquidity === 'maker' ? spec.makerFee : spec.takerFee);
    const q = this.wallet(quote), b = this.wallet(base);
    if (!st.isSell(id)) {
      if (!st.isMarket(id)) {
        const maxFee = Math.max(spec.makerFee, spec.takerFee);
        const rel = amount >= st.remaining[id] - DUST * st.amount[id] ? st.reservedCash[id] : st.price[id] * amount * (1 + maxFee);
        st.reservedCash[id] -= rel;
        q.used -= rel;
      }
      q.total -= notional + fee;
      b.total += amount;
    } else {
      b.used -= amount;
      b.total -= amount;
      q.total += notional - fee;
    }
    const prev = st.filled[id];
    const filled = prev + amount;
    st.filled[id] = filled;
    st.avgPrice[id] = prev === 0 ? price : (st.avgPrice[id] * prev + notional) / filled;
    st.fees[id] += fee;
    this.capacity -= amount;
    const ts = this.barTs[m];
    const fill: Fill = {
      id: `${this.id}-t${++this.tradeSeq}`, orderId: this.venueId(id), clientOrderId: this.clientIds[id], symbol: this.symbols[m],
      side: st.isSell(id) ? 'sell' : 'buy', price, amount, cost: notional, fee: { cost: fee, currency: quote, rate: liquidity === 'maker' ? spec.makerFee : spec.takerFee },
      takerOrMaker: liquidity, timestamp: ts,
    };
    this.fillsBy[m].push(fill);
    const remaining = st.amount[id] - filled;
    if (remaining <= DUST * st.amount[id]) {
      st.remaining[id] = 0;
      this.closeOrder(id, ST_FILLED);
    } else {
      st.remaining[id] = remaining;
      this.emitOrder(this.order(id));
    }
    for (const c of this.fillEvents) c.push(fill);
    const hook = this.fillHook;
    if (hook) {
      const prevPrice = this.pathPrice, prevTrigger = this.trigger;
      this.pathPrice = price;
      this.trigger = fill.id;
      try {
        hook(fill, this.order(id));
      } finally {
        this.pathPrice = prevPrice;
        this.trigger = prevTrigger;
      }
    }
  }

  /** BarMatcher: a market order at `ref` +/- slippage (taker), sized by cost when it has one; the rest is cancelled. */
  fillMarket(id: number, ref: number, bar: number, leg: number): void {
    const st = this.store;
    const sell = st.isSell(id);
    const m = st.market[id];
    const { spec, quote } = this.markets[m];
    const px = sell ? ref * (1 - this.slip) : ref * (1 + this.slip);
    const cost = this.costs[id];
    if (!Number.isNaN(cost)) {
      const size = roundAmount(spec, cost / px);
      st.amount[id] = size;
      st.remaining[id] = size;
      if (checkOrder(spec, px, size)) { this.closeOrder(id, ST_REJECTED); return; }
    }
    const amt = Math.min(st.remaining[id], this.capacity);
    const q = this.wallet(quote);
    if (!sell && px * amt * (1 + spec.takerFee) > q.total - q.used + 1e-9) { this.closeOrder(id, ST_REJECTED); return; }
    if (amt > 0) { this.exec[0] = px; this.exec[1] = amt; this.execute(id, 'taker', leg, bar); }
    if (st.status[id] === ST_OPEN) this.closeOrder(id, ST_CANCELLED);
  }

  private emitOrder(o: Order): void {
    for (const c of this.orderEvents) c.push(o);
  }

  /** Ends every order and fill stream. */
  closeStreams(): void {
    for (const c of this.orderEvents) c.end();
    for (const c of this.fillEvents) c.end();
  }
}
