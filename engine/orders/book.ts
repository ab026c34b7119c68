/** One market's book of resting order ids (the order simulator's, reused by the paper and replay venues). */
import type { OrderStore } from './order-store.ts';
import { TagIndex } from './tag-index.ts';
import { NumTagIndex } from './tag-code.ts';

/**
 * One market's book of order ids, each side ordered from its worst order to its best (the best is LAST: filling it is a
 * pop, and new orders, which mostly rest near the price, are inserted near the end): buys by ascending price, sells by
 * descending price; at equal prices the older order is the better one (time priority).
 */
export class Book {
  readonly buys: number[] = [];
  readonly sells: number[] = [];
  /** Open orders' tags -> ids (the order simulator keeps numeric tags, tag-code.ts, in `numTags` instead). */
  readonly tags = new TagIndex();
  readonly numTags = new NumTagIndex();
  readonly pendingMarket: number[] = [];
  readonly arrivals: number[] = [];

  constructor(private readonly store: OrderStore) {}

  insert(id: number): void {
    // binary search for the slot before every order at the same or a better price (time priority)
    const price = this.store.price;
    const buy = !this.store.isSell(id);
    const list = buy ? this.buys : this.sells;
    const p = price[id];
    let lo = 0, hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (buy ? price[list[mid]] < p : price[list[mid]] > p) lo = mid + 1; else hi = mid;
    }
    // shift the tail up by one (no splice: it allocates the array of removed elements)
    let j = list.length;
    list.push(id);
    for (; j > lo; j--) list[j] = list[j - 1];
    list[lo] = id;
  }

  remove(id: number): void {
    const list = this.store.isSell(id) ? this.sells : this.buys;
    const n = list.length - 1;
    if (n >= 0 && list[n] === id) { list.pop(); return; }
    const k = list.indexOf(id);
    if (k === 0) list.shift();
    else if (k > 0) {
      for (let j = k; j < n; j++) list[j] = list[j + 1];
      list.pop();
    }
  }
}
