/**
 * The `paper` adapter: real market data from a wrapped ExchangePort (the ccxt adapter's markets, ticker, candles
 * and streams), order writes simulated exactly like replay (sim-venue.ts: the engine's fill model and market
 * spec, a virtual wallet). It never calls an order endpoint of the wrapped adapter: createOrder, cancelOrder,
 * fetchOpenOrders, fetchOrder, fetchOrderByClientId, fetchMyTrades, fetchBalance and the order/fill streams are
 * answered by the simulated venue.
 *
 * Fills come from closed candles of `timeframe`: a background feed (the wrapped adapter's watchCandles) plays each
 * closed bar of every market with orders into the venue, and watchCandles on the paper adapter plays a bar into
 * the venue before it yields it, so that a bot sees the fills of a bar before its close. An order placed within
 * `graceMs` after a bar opened enters that bar (a bot reacting to the previous close), otherwise the next one.
 */
import { usageError } from '../../engine/errors.ts';
import { timeframeMs } from '../../engine/timeframe.ts';
import { injectFaults, type FaultConfig, type FaultStats } from './faults.ts';
import type { CandleUpdate, ExchangePort, Fill, Market, Order, StreamOptions, CancelResult, OrderRef } from './port.ts';
import { SimVenue, type SimFillModel, type SimOrderRequest } from './sim-venue.ts';
import { Channel } from './channel.ts';

export interface PaperConfig {
  /** Starting virtual wallet by currency, e.g. { USDT: 1000 }. */
  readonly balances: Readonly<Record<string, number>>;
  /** Bar length of the fill feed (the bot's timeframe), e.g. '1m'. */
  readonly timeframe: string;
  readonly fill?: SimFillModel;
  /** Markets whose fill feed starts at once (others start with their first order or watchCandles). */
  readonly symbols?: readonly string[];
  /** Default: min(5 s, a tenth of the bar). */
  readonly graceMs?: number;
  /** Default Date.now (the entry point passes the real clock; tests a fake one). */
  readonly now?: () => number;
  readonly faults?: FaultConfig;
  /**
   * false: no background fill feed; whoever owns the candles calls `playCandle` for every closed bar in order (the
   * runtime's candle feed, live/runtime/feed.ts, does: one source of candles, no second poller). Default true.
   */
  readonly backgroundFeed?: boolean;
}

export interface PaperExchange extends ExchangePort {
  readonly kind: 'paper';
  readonly wrapped: ExchangePort;
  /** Plays one closed candle into the simulated venue (idempotent per bar); the feeds call it. */
  playCandle(update: CandleUpdate): boolean;
  /** A closed candle the venue must not match (played by an earlier venue of the bot): its close becomes the price of the moment. */
  seedCandle(update: CandleUpdate): boolean;
  createMarketBuyOrderWithCost(symbol: string, cost: number, clientOrderId: string): Promise<Order>;
  readonly faultStats: FaultStats;
  readonly venue: SimVenue;
}

export function createPaperAdapter(wrapped: ExchangePort, cfg: PaperConfig): PaperExchange {
  if (wrapped.kind === 'paper') throw usageError('PAPER_NEEDS_EXCHANGE', `a paper adapter wraps an exchange with real market data (ccxt, or replay in tests), not another paper adapter (${wrapped.id})`);
  const id = `paper:${wrapped.id}`;
  const tfMs = timeframeMs(cfg.timeframe);
  const graceMs = cfg.graceMs ?? Math.min(5000, tfMs / 10);
  if (!(graceMs >= 0 && graceMs < tfMs)) throw usageError('BAD_PAPER_GRACE', `graceMs=${graceMs} must be in [0, ${tfMs}) for ${cfg.timeframe} bars`);
  const now = cfg.now ?? Date.now;
  const entryAt = (t: number): number => {
    const open = Math.floor(t / tfMs) * tfMs;
    return t - open <= graceMs ? open : open + tfMs;
  };
  const venue = new SimVenue(id, cfg.balances, cfg.fill ?? {}, now, entryAt);
  const feeds = new Map<string, AbortController>();
  const closing = new AbortController();

  const ensureMarket = (symbol: string): Market => {
    const m = wrapped.market(symbol);
    venue.addMarket({ spec: m.spec, base: m.base, quote: m.quote });
    return m;
  };

  function playCandle(u: CandleUpdate): boolean {
    if (!u.closed || u.timeframe !== cfg.timeframe) return false;
    ensureMarket(u.symbol);
    const [ts, o, h, l, c, v] = u.candle;
    return venue.processBar(u.symbol, ts, o, h, l, c, v);
  }

  function seedCandle(u: CandleUpdate): boolean {
    if (!u.closed || u.timeframe !== cfg.timeframe) return false;
    ensureMarket(u.symbol);
    return venue.seedBar(u.symbol, u.candle[0], u.candle[4]);
  }

  /** Starts the background fill feed of a market (once). */
  function startFeed(symbol: string): void {
    if (cfg.backgroundFeed === false || feeds.has(symbol) || closing.signal.aborted) return;
    ensureMarket(symbol);
    const ac = new AbortController();
    feeds.set(symbol, ac);
    closing.signal.addEventListener('abort', () => ac.abort(), { once: true });
    void (async () => {
      while (!ac.signal.aborted) {
        try {
          for await (const u of wrapped.watchCandles(symbol, cfg.timeframe, { signal: ac.signal })) playCandle(u);
        } catch {
          // the wrapped stream failed (network): start it again after a pause
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    })();
  }

  async function refPrice(symbol: string): Promise<number> {
    const m = venue.marketIndex(symbol);
    const last = venue.lastClose[m];
    if (last > 0) return last;
    const t = await wrapped.fetchTicker(symbol);
    return t.last;
  }

  const streamOf = <T extends { symbol: string }>(set: Set<Channel<T>>, symbol: string, opts?: StreamOptions, keep: (x: T) => boolean = () => true): AsyncIterable<T> => {
    ensureMarket(symbol);
    startFeed(symbol);
    const ch = new Channel<T>(opts?.signal, () => set.delete(ch));
    set.add(ch);
    return {
      [Symbol.asyncIterator]: () => {
        const it = ch[Symbol.asyncIterator]();
        return {
          next: async () => {
            for (;;) {
              const r = await it.next();
              if (r.done || (r.value.symbol === symbol && keep(r.value))) return r;
            }
          },
          return: () => it.return!(),
        };
      },
    };
  };

  const port: PaperExchange = {
    id, kind: 'paper', wrapped, venue, playCandle, seedCandle,
    get faultStats() { return stats; },
    loadMarkets: (reload) => wrapped.loadMarkets(reload),
    market: (symbol) => wrapped.market(symbol),
    async fetchBalance() { return venue.balances(); },
    fetchTicker: (symbol) => wrapped.fetchTicker(symbol),
    fetchOHLCV: (symbol, tf, since, limit) => wrapped.fetchOHLCV(symbol, tf, since, limit),
    async createOrder(req: SimOrderRequest) {
      ensureMarket(req.symbol);
      startFeed(req.symbol);
      const ref = req.type === 'market' ? await refPrice(req.symbol) : NaN;
      return venue.createOrder(req, ref);
    },
    async createMarketBuyOrderWithCost(symbol, cost, clientOrderId) {
      return port.createOrder({ symbol, type: 'market', side: 'buy', amount: 0, cost, clientOrderId } as SimOrderRequest);
    },
    async cancelOrder(ref: OrderRef): Promise<CancelResult> { ensureMarket(ref.symbol); return venue.cancelOrder(ref); },
    async fetchOpenOrders(symbol) { if (symbol !== undefined) ensureMarket(symbol); return venue.openOrders(symbol); },
    async fetchOrder(orderId, symbol) {
      ensureMarket(symbol);
      const o = venue.orderById(orderId);
      if (!o) throw usageError('VENUE_ORDER_NOT_FOUND', `${id}: no order ${orderId}`);
      return o;
    },
    async fetchOrderByClientId(clientOrderId, symbol) { ensureMarket(symbol); return venue.orderByClientId(clientOrderId); },
    async fetchMyTrades(symbol, since, limit) { ensureMarket(symbol); return venue.trades(symbol, since, limit); },
    watchTicker: (symbol, opts) => wrapped.watchTicker(symbol, opts),
    watchCandles(symbol, tf, opts) {
      ensureMarket(symbol);
      const inner = wrapped.watchCandles(symbol, tf, opts);
      return {
        async *[Symbol.asyncIterator]() {
          for await (const u of inner) {
            playCandle(u);
            yield u;
          }
        },
      };
    },
    watchOrders(symbol, opts): AsyncIterable<Order> { return streamOf(venue.orderEvents, symbol, opts); },
    watchMyTrades(symbol, opts): AsyncIterable<Fill> {
      const since = opts?.since;
      return streamOf(venue.fillEvents, symbol, opts, (f) => since === undefined || f.timestamp >= since);
    },
    async close() {
      closing.abort();
      venue.closeStreams();
      await wrapped.close();
    },
  };
  let stats: FaultStats = { injected: 0, lostReplies: 0, byMethod: {} };
  if (cfg.faults) stats = injectFaults(port, cfg.faults);
  for (const s of cfg.symbols ?? []) startFeed(s);
  return port;
}
