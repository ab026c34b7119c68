/**
 * Test support for the candle feed and the paper/live venues: ccxt's REAL binance class offline (offline-exchange.ts)
 * answering from a scripted market whose candles grow with a virtual clock, and that virtual clock (timers resolved
 * in time order when the event loop is idle), so that hours of bars run in milliseconds without the network.
 *
 * Klines: every candle opened by `now` (the forming one with open = high = low = close = its open and volume 0, the
 * closed ones with their true values); `hide` makes a candle absent from the next N replies that would contain it
 * (Infinity: it never appears). Ticker: the last closed close. Order endpoints (POST/GET/DELETE /api/v3/order,
 * openOrders, myTrades, account, allOrders) go to `orderHandler`; without one they throw and are recorded in
 * `forbidden`.
 */
import type { Candle } from '../../exchange/port.ts';
import { offlineExchange, type OfflineExchange, type RecordedRequest } from '../../exchange/testing/offline-exchange.ts';

export class VirtualClock {
  private timers: { at: number; seq: number; resolve: () => void }[] = [];
  private seq = 0;
  constructor(public t: number) {}
  readonly now = (): number => this.t;
  readonly sleep = (ms: number, signal?: AbortSignal): Promise<void> => new Promise<void>((resolve) => {
    if (signal?.aborted) { resolve(); return; }
    const onAbort = (): void => { this.timers = this.timers.filter((x) => x !== timer); resolve(); };
    const timer = { at: this.t + Math.max(0, ms), seq: this.seq++, resolve: () => { signal?.removeEventListener('abort', onAbort); resolve(); } };
    this.timers.push(timer);
    this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

  /** Runs `p` to completion: whenever the event loop is idle, time jumps to the earliest timer. */
  async drive<T>(p: Promise<T>, maxJumps = 200_000): Promise<T> {
    let done = false;
    let out: { ok: true; v: T } | { ok: false; e: unknown } | undefined;
    p.then((v) => { done = true; out = { ok: true, v }; }, (e: unknown) => { done = true; out = { ok: false, e }; });
    for (let jumps = 0; !done; jumps++) {
      if (jumps > maxJumps) throw new Error('VirtualClock.drive: too many timer jumps');
      await idle();
      if (done) break;
      const next = this.timers.shift();
      if (!next) { await new Promise((r) => setTimeout(r, 5)); continue; }
      if (next.at > this.t) this.t = next.at;
      next.resolve();
    }
    const r = out as { ok: true; v: T } | { ok: false; e: unknown };
    if (!r.ok) throw r.e;
    return r.v;
  }
}

async function idle(): Promise<void> {
  for (let i = 0; i < 4; i++) await new Promise<void>((r) => setImmediate(r));
}

export interface ScriptedBinance {
  readonly off: OfflineExchange;
  readonly clock: VirtualClock;
  /** Candle open time → replies that will still leave it out. */
  readonly hide: Map<number, number>;
  /** Order-endpoint requests made while no orderHandler was set. */
  readonly forbidden: RecordedRequest[];
  orderHandler: ((req: RecordedRequest) => unknown) | undefined;
}

const BINANCE_INFO = { orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET'] };
const ORDER_PATHS = ['/api/v3/order', '/api/v3/openOrders', '/api/v3/myTrades', '/api/v3/account', '/api/v3/allOrders', '/api/v3/openOrderList'];

/**
 * `truth`: the BTC/USDT market's candles (1h unless `tfMs` says otherwise), ascending. `more`: other markets of the
 * venue by symbol (e.g. { 'ETH/USDT': candles }), answered by their binance id the same way.
 */
export function scriptedBinance(truth: readonly Candle[], startMs: number, tfMs = 3_600_000, more: Readonly<Record<string, readonly Candle[]>> = {}): ScriptedBinance {
  const bySymbol = new Map<string, readonly Candle[]>([['BTCUSDT', truth], ...Object.entries(more).map(([sym, c]) => [sym.replace('/', ''), c] as const)]);
  const off = offlineExchange('binance', [
    { id: 'BTCUSDT', symbol: 'BTC/USDT', price: 0.01, amount: 1e-8, info: BINANCE_INFO },
    ...Object.keys(more).map((sym) => ({ id: sym.replace('/', ''), symbol: sym, price: 0.01, amount: 1e-5, info: BINANCE_INFO })),
  ]);
  // ccxt's rate limiter would sleep in real time between calls; time here is virtual.
  (off.ex as unknown as { throttle: () => Promise<void> }).throttle = () => Promise.resolve();
  const clock = new VirtualClock(startMs);
  const s: ScriptedBinance = { off, clock, hide: new Map(), forbidden: [], orderHandler: undefined };
  off.serve((req) => {
    const u = new URL(req.url);
    if (ORDER_PATHS.includes(u.pathname)) {
      if (!s.orderHandler) { s.forbidden.push(req); throw new Error(`offline binance: order endpoint ${req.method} ${u.pathname} called`); }
      return s.orderHandler(req);
    }
    const now = clock.now();
    const market = bySymbol.get(u.searchParams.get('symbol') ?? 'BTCUSDT') ?? truth;
    if (u.pathname === '/api/v3/klines') {
      const start = Number(u.searchParams.get('startTime') ?? -Infinity);
      const limit = Number(u.searchParams.get('limit') ?? 500);
      const out: unknown[] = [];
      const hidden = new Set<number>();
      for (const c of market) {
        if (out.length >= limit || c[0] > now) break;
        if (c[0] < start) continue;
        const h = s.hide.get(c[0]) ?? 0;
        if (h > 0) { hidden.add(c[0]); continue; }
        const closed = c[0] + tfMs <= now;
        const [t, o, hi, lo, cl, v] = closed ? c : [c[0], c[1], c[1], c[1], c[1], 0];
        out.push([t, String(o), String(hi), String(lo), String(cl), String(v), t + tfMs - 1, '0', 0, '0', '0', '0']);
      }
      for (const t of hidden) s.hide.set(t, (s.hide.get(t) as number) - 1);
      return out;
    }
    if (u.pathname === '/api/v3/ticker/24hr') {
      let last = market[0];
      for (const c of market) { if (c[0] + tfMs <= now) last = c; else break; }
      return { symbol: u.searchParams.get('symbol') ?? 'BTCUSDT', lastPrice: String(last[4]), bidPrice: String(last[4]), askPrice: String(last[4]), highPrice: String(last[2]), lowPrice: String(last[3]), volume: String(last[5]), quoteVolume: '0', closeTime: String(now), openTime: String(now - 86_400_000) };
    }
    throw new Error(`offline binance: no scripted reply for ${req.method} ${u.pathname}`);
  });
  return s;
}
