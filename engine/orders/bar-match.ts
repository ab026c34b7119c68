/**
 * The per-bar matching of one market's book: THE fill model of the order simulator, shared by the backtest
 * (simulator.ts) and the paper / replay venues (live/exchange/sim-venue.ts), so that both fill alike.
 *
 * Along the stated intrabar path (intrabar.ts):
 *  leg 0 (the open): resting limits the open has already passed fill AT THE OPEN (maker; taker if the order
 *  arrived with this bar, flag F_ARRIVAL), then market orders placed before this bar fill at the open (the host's
 *  `fillMarket` adds slippage); legs 1..3: a buy fills at its limit when a falling leg trades through it
 *  ('through': strictly below; 'touch': reaches it), a sell when a rising leg does; a leg that gaps past
 *  several limits fills each at the better of its limit and the price the leg had reached.
 *  Arrival flags are cleared after the bar. `maxVolumeShare` caps the base filled in the bar (capacity).
 *
 * The host owns the money: `execute` books a fill (and must take a completed order out of the book),
 * `fillMarket` fills or rejects a market order. No allocation on the common path.
 */
import type { Book } from './book.ts';
import type { IntrabarPath } from './intrabar.ts';
import { F_ARRIVAL, F_FROM_FILL, ST_OPEN, type OrderStore } from './order-store.ts';
import type { FillLiquidity } from './views.ts';

export interface BarMatcher {
  readonly store: OrderStore;
  /** Base amount still fillable in the current bar (set by matchBar; `execute` decreases it). */
  capacity: number;
  /** Path leg being processed (0 = the open). */
  leg: number;
  /**
   * [price, amount] of the next `execute`, written by the caller right before it (a scratch array, not arguments: V8
   * boxes the double arguments of calls it does not inline, a heap number each per fill).
   */
  readonly exec: Float64Array;
  /** Execute `exec[1]` of order `id` at `exec[0]` in bar `bar`; closes the order (out of the book) when complete. */
  execute(id: number, liquidity: FillLiquidity, leg: number, bar: number): void;
  /** Fill market order `id` at reference price `ref` (+/- slippage), or reject / cancel what cannot fill. */
  fillMarket(id: number, ref: number, bar: number, leg: number): void;
}

/** Match bar `r` (open, high, low, close, volume) of one market against its book. `pts`: a scratch array of 4. */
export function matchBar(
  h: BarMatcher, book: Book, r: number, o: number, hi: number, l: number, c: number, vol: number,
  through: boolean, path: IntrabarPath, maxVolumeShare: number | null, pts: Float64Array,
): void {
  const bar = BAR;
  bar[0] = o; bar[1] = hi; bar[2] = l; bar[3] = c; bar[4] = vol;
  matchBarOf(h, book, r, bar, through, path, maxVolumeShare, pts);
}

const BAR = new Float64Array(5);

/**
 * `matchBar` with the bar's open, high, low, close and volume in `bar[0..4]` (read on entry), so that a hot caller
 * passes no double argument (V8 boxes those of calls it does not inline).
 */
export function matchBarOf(
  h: BarMatcher, book: Book, r: number, bar: Float64Array, through: boolean, path: IntrabarPath, maxVolumeShare: number | null, pts: Float64Array,
): void {
  const o = bar[0], hi = bar[1], l = bar[2], c = bar[3], vol = bar[4];
  const st = h.store;
  // (st.price is read afresh after every execute: an order placed by onFill can grow the store's columns)
  const buys = book.buys, sells = book.sells;
  if (book.pendingMarket.length === 0) {
    const price = st.price;
    const bb = buys.length ? price[buys[buys.length - 1]] : -Infinity;
    const ss = sells.length ? price[sells[sells.length - 1]] : Infinity;
    if (through ? bb <= l && ss >= hi : bb < l && ss > hi) {
      if (book.arrivals.length) clearArrivals(st, book);
      return;
    }
  }
  h.capacity = maxVolumeShare === null || !(vol >= 0) ? Infinity : maxVolumeShare * vol;
  // leg 0: the open. Resting limits already passed by the open fill at the open.
  h.leg = 0;
  while (buys.length && h.capacity > 0) {
    const top = buys[buys.length - 1];
    if (through ? !(st.price[top] > o) : !(st.price[top] >= o)) break;
    const ex = h.exec;
    ex[0] = o; ex[1] = Math.min(openRemaining(st, top), h.capacity);
    h.execute(top, st.flags[top] & F_ARRIVAL ? 'taker' : 'maker', 0, r);
    if (st.status[top] === ST_OPEN) break;
  }
  while (sells.length && h.capacity > 0) {
    const top = sells[sells.length - 1];
    if (through ? !(st.price[top] < o) : !(st.price[top] <= o)) break;
    const ex = h.exec;
    ex[0] = o; ex[1] = Math.min(openRemaining(st, top), h.capacity);
    h.execute(top, st.flags[top] & F_ARRIVAL ? 'taker' : 'maker', 0, r);
    if (st.status[top] === ST_OPEN) break;
  }
  if (book.pendingMarket.length) {
    const pending = book.pendingMarket.slice();
    for (const id of pending) {
      if (st.status[id] === ST_OPEN && !(st.flags[id] & F_FROM_FILL) && st.placedBar[id] < r) h.fillMarket(id, o, r, 0);
    }
  }
  if (book.arrivals.length) clearArrivals(st, book);
  // legs 1..3 (pathPoints, written out: its double arguments would be boxed)
  const highFirst = path === 'high-first' ? true : path === 'low-first' ? false : hi - o < o - l;
  pts[0] = o;
  pts[1] = highFirst ? hi : l;
  pts[2] = highFirst ? l : hi;
  pts[3] = c;
  for (let leg = 1; leg <= 3 && h.capacity > 0; leg++) {
    const a = pts[leg - 1], b = pts[leg];
    h.leg = leg;
    let cur = a;
    if (b < a) {
      while (buys.length && h.capacity > 0) {
        const top = buys[buys.length - 1];
        const p = st.price[top];
        if (through ? !(p > b) : !(p >= b)) break;
        const px = p < cur ? p : cur;
        const ex = h.exec;
        ex[0] = px; ex[1] = Math.min(openRemaining(st, top), h.capacity);
        h.execute(top, 'maker', leg, r);
        cur = px;
        if (st.status[top] === ST_OPEN) break;
      }
    } else if (b > a) {
      while (sells.length && h.capacity > 0) {
        const top = sells[sells.length - 1];
        const p = st.price[top];
        if (through ? !(p < b) : !(p <= b)) break;
        const px = p > cur ? p : cur;
        const ex = h.exec;
        ex[0] = px; ex[1] = Math.min(openRemaining(st, top), h.capacity);
        h.execute(top, 'maker', leg, r);
        cur = px;
        if (st.status[top] === ST_OPEN) break;
      }
    }
  }
}

/**
 * What open order `id` still has to fill: its `remaining` column, or amount - filled in a store that derives them (the
 * order simulator's, see OrderStore). (Its double result is returned to an inlining caller: the hot loops above.)
 */
function openRemaining(st: OrderStore, id: number): number {
  if (st.remaining.length !== 0) return st.remaining[id];
  return st.lastFill[id] < 0 ? st.amount[id] : st.amount[id] - st.filledOf(id);
}

/**
 * Whether a limit at `limit` is marketable at price `x` (a buy at or above it, a sell at or below; strictly with
 * 'through'): the test for a limit placed inside a bar (by onFill) at the current path price.
 */
export function limitCrosses(sell: boolean, limit: number, x: number, through: boolean): boolean {
  return !sell ? (through ? limit > x : limit >= x) : (through ? limit < x : limit <= x);
}

// (pops, not a length reset: that frees the list's backing store, and the next arrival allocates a new one)
function clearArrivals(st: OrderStore, book: Book): void {
  const flags = st.flags;
  const a = book.arrivals;
  while (a.length) flags[a.pop()!] &= ~F_ARRIVAL;
}
