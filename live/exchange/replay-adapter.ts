/**
 * The `replay` adapter: cached candles (CandleFrames, e.g. from data's `loadCandles`) played bar by bar with a
 * controllable clock, fills simulated by the engine's order fill model (sim-venue.ts), a virtual wallet.
 * Nothing ever leaves the process.
 *
 * The clock: bars before `startTs` are history (closed when the replay starts, readable with fetchOHLCV). `advance()`
 * plays the next timestamp of the aligned timeline: resting orders are matched against its bar, then the bar
 * closes (watchCandles yields it with closed: true) and `now()` moves to its close time. An order placed between
 * two advances therefore rests from the next bar, and a market order fills at the next bar's open +/- slippage,
 * exactly as the order backtest's `decide` orders do. `run()` plays to the end at `speed` bars per second or
 * 'max'; before each bar it waits until every watchCandles consumer has come back for the next candle
 * (back-pressure: a bot handles bar i, including its order writes, before bar i+1 is played).
 */
import { invariantError, usageError } from '../../engine/errors.ts';
import { lowerBound, type CandleFrame } from '../../engine/frame.ts';
import { alignTimeline } from '../../engine/orders/simulator.ts';
import type { MarketSpec } from '../../engine/orders/market-spec.ts';
import { timeframeMs } from '../../engine/timeframe.ts';
import { Channel } from './channel.ts';
import { injectFaults, type FaultConfig, type FaultStats } from './faults.ts';
import type {
  Balances, Candle, CandleUpdate, ExchangePort, Fill, Market, Order, StreamOptions, Ticker, CancelResult, OrderRef,
} from './port.ts';
import { SimVenue, type SimFillModel, type SimOrderRequest, type VenueCommand } from './sim-venue.ts';

export interface ReplayMarketInput {
  readonly frame: CandleFrame;
  readonly spec: MarketSpec;
}

export interface ReplayConfig {
  /** Default 'replay'. */
  readonly id?: string;
  readonly markets: readonly ReplayMarketInput[];
  /** Starting virtual wallet by currency, e.g. { USDT: 10_000 }. */
  readonly balances: Readonly<Record<string, number>>;
  readonly fill?: SimFillModel;
  /** Bars per second for run(), or 'max' (default). */
  readonly speed?: number | 'max';
  /** First bar played (epoch ms); earlier bars are history. Default: the first bar. */
  readonly startTs?: number;
  /** Bars at or after this are not played. */
  readonly endTs?: number;
  readonly faults?: FaultConfig;
  /**
   * Durability: where the venue's accepted writes are kept (e.g. the state store's venue_journal under
   * TRADELAB_HOME). At creation the adapter plays the journal back — bars up to each write, writes made inside a bar
   * at their fill — so that a restarted process finds the venue (book, wallet, fills, clock) as it was; then every
   * new write is appended before the call returns.
   */
  readonly journal?: ReplayJournal;
}

/** The store of a replay venue's writes, in order (see ReplayConfig.journal). */
export interface ReplayJournal {
  read(): readonly { readonly played: number; readonly command: unknown }[];
  append(played: number, command: VenueCommand): void;
}

export interface ReplayExchange extends ExchangePort {
  readonly kind: 'replay';
  /** The replay clock: the close time of the last played bar (the first bar's open before any). */
  now(): number;
  readonly timeframe: string;
  /** Timestamps (bar open times) still to play, and played. */
  readonly barsLeft: number;
  readonly barsPlayed: number;
  /** Plays the next bar; false at the end. */
  advance(): boolean;
  /** Plays to the end (or until `signal` aborts, or `bars` bars). Ends every candle stream at the end. */
  run(opts?: { speed?: number | 'max'; signal?: AbortSignal; bars?: number }): Promise<void>;
  /** Place a market buy sized by quote cost (ccxt's createMarketBuyOrderWithCost). */
  createMarketBuyOrderWithCost(symbol: string, cost: number, clientOrderId: string): Promise<Order>;
  /** Counters of injected faults (zeros without `faults`). */
  readonly faultStats: FaultStats;
  /** The simulated venue (tests). */
  readonly venue: SimVenue;
}

const splitSymbol = (s: string): [string, string] => {
  const [base, rest] = s.split('/');
  if (!base || !rest) throw usageError('BAD_SYMBOL', `symbol '${s}' must look like BASE/QUOTE (e.g. BTC/USDT)`);
  return [base, rest.split(':')[0]];
};

export function marketOf(spec: MarketSpec, id: string): Market {
  const [base, quote] = splitSymbol(spec.symbol);
  return {
    symbol: spec.symbol, id, base, quote, type: 'spot', active: true, spec,
    precision: { price: spec.priceTick || undefined, amount: spec.amountStep || undefined, mode: 4 },
    limits: { amountMin: spec.minAmount || undefined, amountMax: undefined, priceMin: undefined, priceMax: undefined, costMin: spec.minNotional || undefined },
  };
}

export function createReplayAdapter(cfg: ReplayConfig): ReplayExchange {
  const id = cfg.id ?? 'replay';
  if (cfg.markets.length === 0) throw usageError('NO_MARKETS', 'a replay needs at least one market');
  const timeframe = cfg.markets[0].frame.timeframe;
  const tfMs = timeframeMs(timeframe);
  const frames = cfg.markets.map((m) => m.frame);
  for (const m of cfg.markets) {
    if (m.frame.timeframe !== timeframe) throw usageError('REPLAY_TIMEFRAME_MISMATCH', `replay markets must share one timeframe: ${m.frame.symbol} is ${m.frame.timeframe}, ${frames[0].symbol} is ${timeframe}`);
    if (m.spec.symbol !== m.frame.symbol) throw usageError('SPEC_SYMBOL_MISMATCH', `market spec is for ${m.spec.symbol} but the frame is ${m.frame.symbol}`);
  }
  const speed0 = cfg.speed ?? 'max';
  const checkSpeed = (s: number | 'max') => {
    if (s !== 'max' && !(s > 0 && Number.isFinite(s))) throw usageError('BAD_REPLAY_SPEED', `replay speed ${s} must be a positive number of bars per second or 'max'`);
  };
  checkSpeed(speed0);
  const T = alignTimeline(frames, -Infinity, cfg.endTs ?? Infinity);
  let played = lowerBound(T, cfg.startTs ?? -Infinity);
  const ptr = frames.map((f) => lowerBound(f.ts, played < T.length ? T[played] : Infinity));
  const now = (): number => (played > 0 ? T[played - 1] + tfMs : T.length ? T[0] : 0);
  const venue = new SimVenue(id, cfg.balances, cfg.fill ?? {}, now);
  const markets = new Map<string, Market>();
  for (const m of cfg.markets) {
    const mk = marketOf(m.spec, m.spec.symbol.replace('/', ''));
    markets.set(m.spec.symbol, mk);
    venue.addMarket({ spec: m.spec, base: mk.base, quote: mk.quote });
  }
  // The close of each market's last history bar is its reference price until a bar is played.
  cfg.markets.forEach((m, k) => { if (ptr[k] > 0) venue.lastClose[k] = m.frame.close[ptr[k] - 1]; });
  const candleStreams = new Map<string, Set<Channel<CandleUpdate>>>();
  const apply = (c: VenueCommand): void => {
    if (c.kind === 'create') venue.createOrder(c.req, c.refPrice ?? NaN);
    else venue.cancelOrder(c.ref);
  };
  const tickerStreams = new Map<string, Set<Channel<Ticker>>>();

  const market = (symbol: string): Market => {
    const m = markets.get(symbol);
    if (!m) throw usageError('UNKNOWN_SYMBOL', `${id}: unknown market '${symbol}'; markets: ${[...markets.keys()].join(', ')}`);
    return m;
  };
  const mIndex = (symbol: string): number => { market(symbol); return venue.marketIndex(symbol); };

  function advance(): boolean {
    if (played >= T.length) return false;
    const t = T[played];
    const due: number[] = [];
    for (let m = 0; m < frames.length; m++) {
      const f = frames[m];
      const r = ptr[m];
      if (r < f.length && f.ts[r] === t) {
        venue.processBar(f.symbol, t, f.open[r], f.high[r], f.low[r], f.close[r], f.volume[r]);
        due.push(m);
      }
    }
    played++;
    for (const m of due) {
      const f = frames[m];
      const r = ptr[m]++;
      const candle: Candle = [f.ts[r], f.open[r], f.high[r], f.low[r], f.close[r], f.volume[r]];
      for (const c of candleStreams.get(f.symbol) ?? []) c.push({ symbol: f.symbol, timeframe, candle, closed: true });
      for (const c of tickerStreams.get(f.symbol) ?? []) c.push(tickerOf(f.symbol));
    }
    return true;
  }

  const allWaiting = async (): Promise<void> => {
    for (const set of candleStreams.values()) for (const c of set) await c.untilWaiting();
  };

  async function run(opts: { speed?: number | 'max'; signal?: AbortSignal; bars?: number } = {}): Promise<void> {
    const speed = opts.speed ?? speed0;
    checkSpeed(speed);
    let n = 0;
    while (!opts.signal?.aborted && (opts.bars === undefined || n < opts.bars)) {
      await allWaiting();
      if (opts.signal?.aborted) break;
      if (!advance()) break;
      n++;
      if (speed === 'max') await new Promise((r) => setImmediate(r));
      else await new Promise((r) => setTimeout(r, 1000 / speed));
    }
    if (played >= T.length) {
      await allWaiting();
      for (const set of candleStreams.values()) for (const c of set) c.end();
      for (const set of tickerStreams.values()) for (const c of set) c.end();
    }
  }

  function tickerOf(symbol: string): Ticker {
    const m = mIndex(symbol);
    const f = frames[m];
    const r = ptr[m] - 1;
    const last = r >= 0 ? f.close[r] : NaN;
    return {
      symbol, timestamp: now(), bid: last, ask: last, last, high: r >= 0 ? f.high[r] : NaN, low: r >= 0 ? f.low[r] : NaN,
      baseVolume: r >= 0 ? f.volume[r] : NaN, quoteVolume: NaN,
    };
  }

  function subscribe<T>(map: Map<string, Set<Channel<T>>>, symbol: string, signal?: AbortSignal): Channel<T> {
    let set = map.get(symbol);
    if (!set) { set = new Set(); map.set(symbol, set); }
    const s = set;
    const ch: Channel<T> = new Channel<T>(signal, () => s.delete(ch));
    s.add(ch);
    return ch;
  }

  function filtered<T extends { symbol: string }>(set: Set<Channel<T>>, symbol: string, opts?: StreamOptions, since?: number, ts?: (x: T) => number): AsyncIterable<T> {
    mIndex(symbol);
    const inner = new Channel<T>(opts?.signal, () => set.delete(inner));
    set.add(inner);
    return {
      [Symbol.asyncIterator]: () => {
        const it = inner[Symbol.asyncIterator]();
        return {
          next: async () => {
            for (;;) {
              const r = await it.next();
              if (r.done || (r.value.symbol === symbol && (since === undefined || !ts || ts(r.value) >= since))) return r;
            }
          },
          return: () => it.return!(),
        };
      },
    };
  }

  const port: ReplayExchange = {
    id, kind: 'replay', timeframe, venue,
    get barsLeft() { return T.length - played; },
    get barsPlayed() { return played; },
    get faultStats() { return stats; },
    now, advance, run,
    async loadMarkets() { return markets; },
    market,
    async fetchBalance(): Promise<Balances> { return venue.balances(); },
    async fetchTicker(symbol) { return tickerOf(symbol); },
    async fetchOHLCV(symbol, tf, since, limit) {
      if (tf !== timeframe) throw usageError('REPLAY_TIMEFRAME', `${id} plays ${timeframe} candles; ${tf} was asked`);
      const f = frames[mIndex(symbol)];
      const end = ptr[mIndex(symbol)];
      let start = since === undefined ? 0 : lowerBound(f.ts, since);
      if (since === undefined && limit !== undefined) start = Math.max(0, end - limit);
      const stop = limit === undefined ? end : Math.min(end, start + limit);
      const out: Candle[] = [];
      for (let r = start; r < stop; r++) out.push([f.ts[r], f.open[r], f.high[r], f.low[r], f.close[r], f.volume[r]]);
      return out;
    },
    async createOrder(req: SimOrderRequest) {
      return venue.createOrder(req, venue.lastClose[mIndex(req.symbol)]);
    },
    async createMarketBuyOrderWithCost(symbol, cost, clientOrderId) {
      return port.createOrder({ symbol, type: 'market', side: 'buy', amount: 0, cost, clientOrderId } as SimOrderRequest);
    },
    async cancelOrder(ref: OrderRef): Promise<CancelResult> { mIndex(ref.symbol); return venue.cancelOrder(ref); },
    async fetchOpenOrders(symbol) { return venue.openOrders(symbol); },
    async fetchOrder(orderId, symbol) {
      mIndex(symbol);
      const o = venue.orderById(orderId);
      if (!o) throw usageError('VENUE_ORDER_NOT_FOUND', `${id}: no order ${orderId}`);
      return o;
    },
    async fetchOrderByClientId(clientOrderId, symbol) { mIndex(symbol); return venue.orderByClientId(clientOrderId); },
    async fetchMyTrades(symbol, since, limit) { return venue.trades(symbol, since, limit); },
    watchTicker(symbol, opts) { mIndex(symbol); return subscribe(tickerStreams, symbol, opts?.signal); },
    watchCandles(symbol, tf, opts) {
      mIndex(symbol);
      if (tf !== timeframe) throw usageError('REPLAY_TIMEFRAME', `${id} plays ${timeframe} candles; ${tf} was asked`);
      return subscribe(candleStreams, symbol, opts?.signal);
    },
    watchOrders(symbol, opts): AsyncIterable<Order> { return filtered(venue.orderEvents, symbol, opts); },
    watchMyTrades(symbol, opts): AsyncIterable<Fill> { return filtered(venue.fillEvents, symbol, opts, opts?.since, (f) => f.timestamp); },
    async close() {
      for (const set of candleStreams.values()) for (const c of set) c.end();
      for (const set of tickerStreams.values()) for (const c of set) c.end();
      venue.closeStreams();
    },
  };
  if (cfg.journal) {
    const journal = cfg.journal;
    const rows = journal.read();
    let j = 0;
    const bad = (why: string) => invariantError('REPLAY_JOURNAL_MISMATCH', `${id}: the venue journal does not play back (${why} at write ${j + 1} of ${rows.length}); the candles or the fill model changed since it was written`);
    // Writes made inside a bar come back at their fill: the fill hook takes the next rows triggered by that trade.
    venue.fillHook = (fill) => {
      for (let c = rows[j]?.command as VenueCommand | undefined; c && c.trigger === fill.id; c = rows[j]?.command as VenueCommand | undefined) {
        j++;
        apply(c);
      }
    };
    try {
      while (j < rows.length) {
        const row = rows[j];
        const c = row.command as VenueCommand;
        if (c.trigger !== undefined) {
          if (played > row.played) throw bad(`a write made inside bar ${row.played} found no fill ${c.trigger}`);
          if (!advance()) throw bad('the candles ended');
          continue;
        }
        while (played < row.played) if (!advance()) throw bad('the candles ended');
        if (played !== row.played) throw bad(`written after ${row.played} bars, the replay is at ${played}`);
        j++;
        apply(c);
      }
    } finally {
      venue.fillHook = undefined;
    }
    venue.onCommand = (c) => journal.append(played, c);
  }
  let stats: FaultStats = { injected: 0, lostReplies: 0, byMethod: {} };
  if (cfg.faults) stats = injectFaults(port, cfg.faults);
  return port;
}
