/**
 * Streams as async iterables with an abort signal: a loop that asks for a batch (one websocket `watch…` call,
 * or one REST poll followed by a sleep), keeps only what changed, and yields it. The loop ends (the iterator
 * returns) as soon as the signal is aborted, also while it is waiting.
 */
import type { Candle, CandleUpdate, Fill, Order } from './port.ts';

export interface StreamDeps {
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  now: () => number;
}

const ABORTED = Symbol('aborted');

/** `p`, or ABORTED as soon as the signal aborts (the pending promise is left to settle on its own). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T | typeof ABORTED> {
  if (!signal) return p;
  if (signal.aborted) { p.catch(() => undefined); return Promise.resolve(ABORTED); }
  return new Promise((resolve, reject) => {
    const onAbort = () => { p.catch(() => undefined); resolve(ABORTED); };
    signal.addEventListener('abort', onAbort, { once: true });
    p.then((v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
      (e) => { signal.removeEventListener('abort', onAbort); reject(e); });
  });
}

/**
 * Repeatedly call `next` and yield what `select` keeps of each batch. With `intervalMs` (polling) it sleeps
 * between calls; without (websocket `watch…`, which itself waits for news) it calls again at once.
 */
export async function* streamBatches<B, T>(
  next: () => Promise<B>,
  select: (batch: B) => readonly T[] | Promise<readonly T[]>,
  opts: { signal?: AbortSignal; intervalMs?: number },
  deps: StreamDeps,
): AsyncGenerator<T, void, undefined> {
  const { signal, intervalMs } = opts;
  let first = true;
  while (!signal?.aborted) {
    if (!first && intervalMs !== undefined) {
      await deps.sleep(intervalMs, signal);
      if (signal?.aborted) return;
    }
    first = false;
    const batch = await untilAborted(next(), signal);
    if (batch === ABORTED) return;
    const items = await untilAborted(Promise.resolve(select(batch)), signal);
    if (items === ABORTED) return;
    for (const item of items) {
      if (signal?.aborted) return;
      yield item;
    }
  }
}

/**
 * Keeps candles that are new, changed, or just closed (by open time), in time order. The last few candles are
 * remembered, so an open candle is reported again when a later reply shows it closed (or with new values).
 */
export function candleDiff(symbol: string, timeframe: string, timeframeMs: number, now: () => number, keep = 8): (rows: readonly Candle[]) => CandleUpdate[] {
  const seen = new Map<number, string>();
  let floor = -Infinity;
  return (rows) => {
    const out: CandleUpdate[] = [];
    const sorted = [...rows].sort((a, b) => a[0] - b[0]);
    const t = now();
    for (const candle of sorted) {
      if (candle[0] < floor) continue;
      const closed = candle[0] + timeframeMs <= t;
      const key = `${candle.join(',')}|${closed}`;
      if (seen.get(candle[0]) === key) continue;
      seen.set(candle[0], key);
      out.push({ symbol, timeframe, candle, closed });
    }
    if (seen.size > keep) {
      const ts = [...seen.keys()].sort((a, b) => a - b);
      for (const old of ts.slice(0, ts.length - keep)) seen.delete(old);
      floor = ts[ts.length - keep];
    }
    return out;
  };
}

const orderKey = (o: Order): string => `${o.status}|${o.filled}|${o.remaining}|${o.price}|${o.amount}`;

/**
 * Keeps orders whose state changed since last seen. With `full` (a poll of open orders), an order that was open
 * and is no longer listed is fetched with `fetchGone` (for its final state) and reported once.
 */
export function orderDiff(fetchGone?: (o: Order) => Promise<Order | undefined>): (orders: readonly Order[]) => Promise<Order[]> {
  const seen = new Map<string, string>();
  const open = new Map<string, Order>();
  return async (orders) => {
    const out: Order[] = [];
    const listed = new Set<string>();
    for (const o of orders) {
      listed.add(o.id);
      const key = orderKey(o);
      if (seen.get(o.id) !== key) { seen.set(o.id, key); out.push(o); }
      if (o.status === 'open') open.set(o.id, o); else open.delete(o.id);
    }
    if (fetchGone) {
      for (const [id, o] of [...open]) {
        if (listed.has(id)) continue;
        open.delete(id);
        const final = await fetchGone(o);
        if (final && seen.get(id) !== orderKey(final)) { seen.set(id, orderKey(final)); out.push(final); }
      }
    }
    return out;
  };
}

/** Keeps fills not seen before (by id), oldest first; `since()` is where the next poll should start. */
export function fillDiff(start: number): { select: (fills: readonly Fill[]) => Fill[]; since: () => number } {
  let since = start;
  const seenAtSince = new Set<string>();
  const seen = new Set<string>();
  return {
    since: () => since,
    select: (fills) => {
      const out = fills.filter((f) => !seen.has(f.id) && !(f.timestamp < start)).sort((a, b) => a.timestamp - b.timestamp);
      for (const f of out) {
        seen.add(f.id);
        if (f.timestamp > since) { since = f.timestamp; seenAtSince.clear(); }
        if (f.timestamp === since) seenAtSince.add(f.id);
      }
      // forget ids older than the window the next poll asks for (they cannot come back)
      if (seen.size > 10_000) { seen.clear(); for (const id of seenAtSince) seen.add(id); }
      return out;
    },
  };
}
