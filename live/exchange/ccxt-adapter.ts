/**
 * The `ccxt` adapter of the exchange port: any ccxt exchange id, with first-class care for coinbase, mexc,
 * binanceus, bybit and binance (venues.ts).
 *
 * - Reads (markets, balances, tickers, candles, orders, fills) are retried on NetworkError, RateLimitExceeded,
 *   ExchangeNotAvailable, RequestTimeout ... and BadResponse, with exponential backoff and jitter
 *   (delay = min(maxDelayMs, baseDelayMs x 2^attempt) x (0.5 + random())); refusals fail at once.
 * - createOrder is sent ONCE. A transport failure (NetworkError of any kind, BadResponse, a non-ccxt error) means
 *   the outcome is unknown: the order is looked up by its client order id a few times with backoff, and returned
 *   if found; if still not found, a `venue-unknown` TradelabError tells the runner to reconcile. It is never
 *   placed again. A DuplicateOrderId reply is resolved the same way (the order exists).
 * - cancelOrder is idempotent, so transport failures are retried; an order that is already gone (OrderNotFound)
 *   is a success with outcome 'already-closed' (or 'not-found' when the venue does not know it at all).
 * - LIVE_TRADING_ENABLED: unless `config.liveTradingEnabled` is exactly `true`, createOrder is refused with a
 *   config error saying how to enable it. Cancels stay allowed: refusing them would block the kill switch
 *   (cancel every resting order) on an account that somehow has orders, and a cancel can never open exposure.
 * - Credentials come only from `config.credentials` (live/secrets: environment or secrets directory); every
 *   error message and log event passes through a redactor of their values. ccxt's rate limiter is always on.
 * - Streams use ccxt.pro's `watch…` methods when the exchange has them (`exchange.has.watchTicker` ...) and
 *   `config.streams` is 'auto', else REST polling every `pollIntervalMs`.
 * Clock, sleep, randomness and the log sink are injected; nothing here reads process.env.
 */
import ccxt, { type Exchange, type Order as CcxtOrder } from 'ccxt';
import { TradelabError, didYouMean, invariantError, usageError } from '../../engine/errors.ts';
import { timeframeMs } from '../../engine/timeframe.ts';
import { credentialVar, type CredentialField, type ExchangeCredentials } from '../secrets/credentials.ts';
import { redactor } from '../secrets/secret.ts';
import { assertClientOrderIdFits } from './client-order-id.ts';
import { ccxtErrorFamily, isRetryableRead, mapCcxtError } from './ccxt-errors.ts';
import { marketFromCcxt, normaliseBalances, normaliseCandle, normaliseOrder, normaliseTicker, normaliseTrade } from './normalise.ts';
import type {
  Balances, CancelResult, Candle, CandleUpdate, ExchangePort, Fill, Market, Order, OrderRef, OrderRequest, StreamOptions, Ticker,
} from './port.ts';
import { candleDiff, fillDiff, orderDiff, streamBatches } from './streams.ts';
import { venueProfile, type VenueProfile } from './venues.ts';

export interface RetryPolicy {
  /** Retries after the first attempt (default 5). */
  readonly maxRetries: number;
  /** Default 500 ms. */
  readonly baseDelayMs: number;
  /** Default 30 s. */
  readonly maxDelayMs: number;
}

export interface LookupPolicy {
  /** Lookups by client id after an unknown outcome (default 4). */
  readonly attempts: number;
  /** Delay before the first lookup, doubled each time, with jitter (default 1000 ms). */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** How far before the write the order history is searched (default 10 minutes). */
  readonly lookbackMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = Object.freeze({ maxRetries: 5, baseDelayMs: 500, maxDelayMs: 30_000 });
export const DEFAULT_LOOKUP: LookupPolicy = Object.freeze({ attempts: 4, baseDelayMs: 1000, maxDelayMs: 15_000, lookbackMs: 10 * 60_000 });
export const DEFAULT_POLL_INTERVAL_MS = 5000;

export interface CcxtAdapterConfig {
  /** A ccxt exchange id (validated, with a did-you-mean). */
  readonly exchangeId: string;
  /** LIVE_TRADING_ENABLED as read by the entry point: order creation is allowed only when this is exactly true. */
  readonly liveTradingEnabled: boolean;
  /** From loadExchangeCredentials; without them only public data can be read. */
  readonly credentials?: ExchangeCredentials;
  /** The venue's sandbox/testnet (ccxt setSandboxMode). */
  readonly sandbox?: boolean;
  readonly retry?: Partial<RetryPolicy>;
  readonly lookup?: Partial<LookupPolicy>;
  readonly pollIntervalMs?: number;
  /** 'auto': websocket `watch…` where the exchange has it, else polling; 'poll': always poll. Default 'auto'. */
  readonly streams?: 'auto' | 'poll';
  /** Extra ccxt options (merged over the venue profile's). */
  readonly ccxtOptions?: Readonly<Record<string, unknown>>;
}

export interface AdapterLogEvent {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  /** Dotted lowercase topic, e.g. 'venue.retry', 'order.create.unknown', 'order.create.resolved'. */
  readonly event: string;
  readonly exchange: string;
  readonly [key: string]: unknown;
}

export interface CcxtAdapterDeps {
  /** A ready ccxt exchange instance (tests: offline, with a replaced `fetch`). Default: built from the id. */
  readonly exchange?: Exchange;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Uniform [0, 1) for jitter. */
  readonly random: () => number;
  /** Epoch ms. */
  readonly now: () => number;
  readonly log?: (e: AdapterLogEvent) => void;
}

export const realAdapterDeps: CcxtAdapterDeps = Object.freeze({
  sleep: (ms: number, signal?: AbortSignal) => new Promise<void>((resolve) => {
    if (signal?.aborted) { resolve(); return; }
    const t = setTimeout(() => { signal?.removeEventListener('abort', done); resolve(); }, ms);
    const done = () => { clearTimeout(t); resolve(); };
    signal?.addEventListener('abort', done, { once: true });
  }),
  random: () => Math.random(),
  now: () => Date.now(),
});

export interface CcxtAdapter extends ExchangePort {
  readonly kind: 'ccxt';
  readonly venue: VenueProfile;
  readonly liveTradingEnabled: boolean;
}

/** Backoff before retry number `attempt + 1`: min(cap, base x 2^attempt) x (0.5 + random()). */
export function backoffDelay(attempt: number, policy: { baseDelayMs: number; maxDelayMs: number }, random: () => number): number {
  return Math.round(Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt) * (0.5 + random()));
}

/** Validate a ccxt exchange id: a usage error with a did-you-mean when unknown. */
export function assertExchangeId(id: string): void {
  const ids = ccxt.exchanges as string[];
  if (!ids.includes(id)) {
    throw usageError('UNKNOWN_EXCHANGE', `unknown exchange '${id}'.${didYouMean(id, ids)} Exchanges are ccxt ids such as binance, bybit, coinbase, mexc, binanceus (${ids.length} in all).`, { exchange: id });
  }
}

/** A ccxt exchange (the ccxt.pro class when there is one, for `watch…`), rate limiter on, credentials applied. */
export function createCcxtExchange(id: string, opts: { credentials?: ExchangeCredentials; sandbox?: boolean; ccxtOptions?: Readonly<Record<string, unknown>> } = {}): Exchange {
  assertExchangeId(id);
  const pro = (ccxt as unknown as { pro?: Record<string, new (cfg: object) => Exchange> }).pro;
  const Ctor = pro?.[id] ?? (ccxt as unknown as Record<string, new (cfg: object) => Exchange>)[id];
  const ex = new Ctor({ enableRateLimit: true, options: { ...venueProfile(id).options, ...opts.ccxtOptions } });
  if (opts.sandbox) ex.setSandboxMode(true);
  applyCredentials(ex, opts.credentials);
  return ex;
}

function applyCredentials(ex: Exchange, c: ExchangeCredentials | undefined): void {
  if (!c) return;
  ex.apiKey = c.apiKey.reveal();
  ex.secret = c.secret.reveal();
  if (c.password) ex.password = c.password.reveal();
  if (c.uid) ex.uid = c.uid.reveal();
}

const CREDENTIAL_FIELDS: readonly CredentialField[] = ['apiKey', 'secret', 'password', 'uid'];

/** Build the `ccxt` adapter. */
export function createCcxtAdapter(config: CcxtAdapterConfig, deps: CcxtAdapterDeps = realAdapterDeps): CcxtAdapter {
  const exchangeId = config.exchangeId;
  assertExchangeId(exchangeId);
  const venue = venueProfile(exchangeId);
  const ex = deps.exchange ?? createCcxtExchange(exchangeId, config);
  if (deps.exchange) {
    if (deps.exchange.id !== exchangeId) throw invariantError('EXCHANGE_MISMATCH', `the exchange instance is ${deps.exchange.id}, the config says ${exchangeId}`);
    applyCredentials(ex, config.credentials);
  }
  ex.enableRateLimit = true;
  const live = config.liveTradingEnabled === true;
  const retry: RetryPolicy = { ...DEFAULT_RETRY, ...config.retry };
  const lookup: LookupPolicy = { ...DEFAULT_LOOKUP, ...config.lookup };
  const pollMs = config.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const useWatch = (config.streams ?? 'auto') === 'auto';
  const c = config.credentials;
  const redact = redactor([c?.apiKey, c?.secret, c?.password, c?.uid]);
  const redactDeep = (v: unknown): unknown =>
    typeof v === 'string' ? redact(v)
      : Array.isArray(v) ? v.map(redactDeep)
        : v !== null && typeof v === 'object' && !(v instanceof Error) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redactDeep(x)]))
          : v instanceof Error ? redact(`${v.name}: ${v.message}`) : v;
  const log = (level: AdapterLogEvent['level'], event: string, fields: Record<string, unknown> = {}): void => {
    deps.log?.(redactDeep({ level, event, exchange: exchangeId, ...fields }) as AdapterLogEvent);
  };
  const errName = (e: unknown): string => (e instanceof Error ? e.constructor.name : typeof e);

  let markets: Map<string, Market> | undefined;

  async function read<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        if (e instanceof TradelabError) throw e;
        if (!isRetryableRead(e) || attempt >= retry.maxRetries) throw mapCcxtError(e, { exchange: exchangeId, operation, attempts: attempt + 1, redact });
        const delayMs = backoffDelay(attempt, retry, deps.random);
        log('warn', 'venue.retry', { operation, attempt: attempt + 1, delayMs, error: errName(e) });
        await deps.sleep(delayMs);
      }
    }
  }

  function requireCredentials(operation: string): void {
    const required = (ex.requiredCredentials ?? {}) as Record<string, boolean>;
    const missing = Object.keys(required).filter((k) => required[k] && !(ex as unknown as Record<string, unknown>)[k]);
    if (missing.length === 0) return;
    const vars = missing.map((k) => (CREDENTIAL_FIELDS as readonly string[]).includes(k) ? credentialVar(exchangeId, k as CredentialField) : `(ccxt credential '${k}', not supported by tradelab)`);
    throw new TradelabError('MISSING_CREDENTIALS', 'config',
      `${exchangeId} ${operation} needs API credentials: set ${vars.join(', ')} in the environment, or put files of those names in the directory named by TRADELAB_SECRETS_DIR`,
      { details: { exchange: exchangeId, missing: vars } });
  }

  async function loadMarkets(reload = false): Promise<ReadonlyMap<string, Market>> {
    if (markets && !reload) return markets;
    const raw = await read('loadMarkets', () => ex.loadMarkets(reload));
    const fees = (ex.fees as { trading?: { maker?: number; taker?: number } } | undefined)?.trading;
    const fallbackFees = fees && typeof fees.maker === 'number' && typeof fees.taker === 'number' ? { maker: fees.maker, taker: fees.taker } : undefined;
    const next = new Map<string, Market>();
    for (const m of Object.values(raw)) {
      if (!m) continue;
      try {
        next.set(m.symbol, marketFromCcxt(m, Number(ex.precisionMode), fallbackFees ? { fallbackFees } : {}));
      } catch (e) {
        log('warn', 'market.skipped', { symbol: m.symbol, reason: e instanceof Error ? e.message : String(e) });
      }
    }
    markets = next;
    return markets;
  }

  function market(symbol: string): Market {
    if (!markets) throw invariantError('MARKETS_NOT_LOADED', `${exchangeId}: call loadMarkets() before market('${symbol}')`);
    const m = markets.get(symbol);
    if (!m) {
      throw usageError('UNKNOWN_SYMBOL', `${exchangeId} has no market '${symbol}'.${didYouMean(symbol, [...markets.keys()])} Symbols are ccxt unified symbols such as BTC/USDT.`, { exchange: exchangeId, symbol });
    }
    return m;
  }

  async function marketOf(symbol: string): Promise<Market> {
    await loadMarkets();
    return market(symbol);
  }

  const toOrder = (raw: CcxtOrder, fallback: { clientOrderId?: string; symbol: string }): Order => {
    const o = normaliseOrder({ ...raw, symbol: raw.symbol ?? fallback.symbol } as CcxtOrder);
    return o.clientOrderId === undefined && fallback.clientOrderId !== undefined ? { ...o, clientOrderId: fallback.clientOrderId } : o;
  };
  /** Cancel replies are often partial (an id and a status): keep what normalises, else nothing. */
  const tryOrder = (raw: CcxtOrder | undefined, symbol: string): Order | undefined => {
    if (!raw || raw.id === undefined || (raw.side !== 'buy' && raw.side !== 'sell')) return undefined;
    try { return toOrder(raw, { symbol }); } catch { return undefined; }
  };

  async function findByClientId(clientOrderId: string, symbol: string, since: number | undefined): Promise<Order | undefined> {
    const raw = await venue.findByClientId(ex, clientOrderId, symbol, since);
    return raw ? toOrder(raw, { clientOrderId, symbol }) : undefined;
  }

  /** After an unknown outcome: look the order up by client id, a few times with backoff. */
  async function resolveUnknown(clientOrderId: string, symbol: string, since: number): Promise<{ order: Order | undefined; lookups: number; lastError: unknown }> {
    let lastError: unknown;
    for (let attempt = 0; attempt < lookup.attempts; attempt++) {
      await deps.sleep(backoffDelay(attempt, lookup, deps.random));
      try {
        const order = await findByClientId(clientOrderId, symbol, since);
        log('info', 'order.lookup', { clientOrderId, symbol, attempt: attempt + 1, found: order !== undefined });
        if (order) return { order, lookups: attempt + 1, lastError };
      } catch (e) {
        lastError = e;
        log('warn', 'order.lookup.failed', { clientOrderId, symbol, attempt: attempt + 1, error: errName(e) });
        if (!isRetryableRead(e)) break;
      }
    }
    return { order: undefined, lookups: lookup.attempts, lastError };
  }

  async function createOrder(req: OrderRequest): Promise<Order> {
    const what = `createOrder ${req.symbol} ${req.side} ${req.type} ${req.amount}${req.price === undefined ? '' : ` @ ${req.price}`}`;
    if (!live) {
      throw new TradelabError('LIVE_TRADING_DISABLED', 'config',
        `live trading is disabled, so the ${exchangeId} adapter refused to place an order (${what}, client order id ${req.clientOrderId}). ` +
        'To place real orders set LIVE_TRADING_ENABLED=true in the environment of the tradelab process (cancels are always allowed). ' +
        'To trade without risk use a paper bot instead.',
        { details: { exchange: exchangeId, clientOrderId: req.clientOrderId } });
    }
    if (req.side !== 'buy' && req.side !== 'sell') throw usageError('BAD_ORDER_SIDE', `order side must be buy or sell (got ${String(req.side)})`);
    if (req.type !== 'limit' && req.type !== 'market') throw usageError('BAD_ORDER_TYPE', `order type must be limit or market (got ${String(req.type)})`);
    if (!(req.amount > 0) || !Number.isFinite(req.amount)) throw usageError('BAD_ORDER_AMOUNT', `${what}: amount must be a finite number > 0`);
    if (req.type === 'limit' && !(req.price !== undefined && req.price > 0 && Number.isFinite(req.price))) {
      throw usageError('BAD_ORDER_PRICE', `${what}: a limit order needs a finite price > 0`);
    }
    if (typeof req.clientOrderId !== 'string' || req.clientOrderId === '') throw usageError('MISSING_CLIENT_ORDER_ID', `${what}: every order needs a client order id (see clientOrderId(botId, strategyId, seq))`);
    assertClientOrderIdFits(exchangeId, req.clientOrderId);
    requireCredentials('createOrder');
    await marketOf(req.symbol);
    let price: number | undefined = req.type === 'limit' ? req.price : undefined;
    if (req.type === 'market' && req.side === 'buy' && venue.marketBuyInQuote) {
      if (!(req.price !== undefined && req.price > 0)) {
        throw usageError('MARKET_BUY_NEEDS_PRICE', `${exchangeId} sizes market buys in quote: give a reference price (e.g. the ask) with ${what} so that amount x price is spent`);
      }
      price = req.price;
    }
    const params: Record<string, unknown> = { [venue.clientOrderId.ccxtParam]: req.clientOrderId };
    if (req.postOnly) params.postOnly = true;
    if (req.timeInForce) params.timeInForce = req.timeInForce;
    const sentAt = deps.now();
    log('info', 'order.create.sent', { clientOrderId: req.clientOrderId, symbol: req.symbol, side: req.side, type: req.type, amount: req.amount, price: req.price });
    let raw: CcxtOrder;
    try {
      raw = await ex.createOrder(req.symbol, req.type, req.side, req.amount, price, params);
    } catch (e) {
      const duplicate = e instanceof ccxt.DuplicateOrderId;
      if (!duplicate && ccxtErrorFamily(e, true) !== 'venue-unknown') {
        const err = mapCcxtError(e, { exchange: exchangeId, operation: what, write: true, clientOrderId: req.clientOrderId, redact });
        log('warn', 'order.create.rejected', { clientOrderId: req.clientOrderId, code: err.code, error: errName(e) });
        throw err;
      }
      log('warn', 'order.create.unknown', { clientOrderId: req.clientOrderId, symbol: req.symbol, error: errName(e), duplicate });
      const found = await resolveUnknown(req.clientOrderId, req.symbol, sentAt - lookup.lookbackMs);
      if (found.order) {
        log('info', 'order.create.resolved', { clientOrderId: req.clientOrderId, id: found.order.id, status: found.order.status, lookups: found.lookups });
        return found.order;
      }
      const err = mapCcxtError(e, { exchange: exchangeId, operation: what, write: true, clientOrderId: req.clientOrderId, redact });
      const unknown = new TradelabError('VENUE_UNKNOWN_OUTCOME', 'venue-unknown',
        `${err.message} Not found by client order id after ${found.lookups} lookups.`,
        { cause: e, details: { ...err.details, lookups: found.lookups, ...(found.lastError ? { lookupError: errName(found.lastError) } : {}) } });
      log('error', 'order.create.unresolved', { clientOrderId: req.clientOrderId, lookups: found.lookups });
      throw unknown;
    }
    // Many venues acknowledge with little more than ids (bybit: orderId + orderLinkId); what we sent fills the gaps.
    const acked = {
      ...raw,
      side: raw.side ?? req.side,
      type: raw.type ?? req.type,
      amount: raw.amount ?? req.amount,
      price: raw.price ?? (req.type === 'limit' ? req.price : undefined),
      timestamp: raw.timestamp ?? sentAt,
    } as CcxtOrder;
    let order: Order;
    try {
      order = toOrder(acked, { clientOrderId: req.clientOrderId, symbol: req.symbol });
    } catch (e) {
      // The venue accepted something we cannot read: the order may well exist. Never guess, never re-send.
      log('error', 'order.create.unreadable', { clientOrderId: req.clientOrderId, error: e instanceof Error ? e.message : String(e) });
      throw new TradelabError('VENUE_UNKNOWN_OUTCOME', 'venue-unknown',
        `${exchangeId} ${what} (client order id ${req.clientOrderId}): the venue replied, but the reply could not be read (${e instanceof Error ? e.message : String(e)}); reconcile by client order id`,
        { cause: e, details: { exchange: exchangeId, clientOrderId: req.clientOrderId } });
    }
    log('info', 'order.create.ok', { clientOrderId: req.clientOrderId, id: order.id, status: order.status });
    return order;
  }

  async function fetchOrder(id: string, symbol: string): Promise<Order> {
    requireCredentials('fetchOrder');
    await marketOf(symbol);
    const raw = await read(`fetchOrder ${id} ${symbol}`, () => venue.fetchOrderById(ex, id, symbol));
    return toOrder(raw, { symbol });
  }

  async function fetchOrderByClientId(clientOrderId: string, symbol: string, since?: number): Promise<Order | undefined> {
    requireCredentials('fetchOrderByClientId');
    await marketOf(symbol);
    return read(`fetchOrderByClientId ${clientOrderId} ${symbol}`, () => findByClientId(clientOrderId, symbol, since));
  }

  /** The order's final state after the venue said it does not know it as open; undefined when it never existed. */
  async function finalState(id: string, symbol: string): Promise<Order | undefined> {
    try {
      return await read(`fetchOrder ${id} ${symbol}`, () => venue.fetchOrderById(ex, id, symbol)).then((raw) => toOrder(raw, { symbol }));
    } catch (e) {
      if (e instanceof TradelabError && e.code === 'VENUE_ORDER_NOT_FOUND') return undefined;
      throw e;
    }
  }

  async function cancelOrder(ref: OrderRef): Promise<CancelResult> {
    requireCredentials('cancelOrder');
    await marketOf(ref.symbol);
    let id = ref.id;
    if (id === undefined) {
      if (ref.clientOrderId === undefined) throw usageError('BAD_ORDER_REF', 'cancelOrder needs an order id or a client order id');
      const found = await fetchOrderByClientId(ref.clientOrderId, ref.symbol);
      if (!found) {
        log('info', 'order.cancel.not-found', { clientOrderId: ref.clientOrderId, symbol: ref.symbol });
        return { outcome: 'not-found', order: undefined };
      }
      if (found.status !== 'open') return { outcome: 'already-closed', order: found };
      id = found.id;
    }
    const what = `cancelOrder ${id} ${ref.symbol}`;
    for (let attempt = 0; ; attempt++) {
      try {
        const raw = await ex.cancelOrder(id, ref.symbol);
        log('info', 'order.cancel.ok', { id, clientOrderId: ref.clientOrderId, symbol: ref.symbol });
        return { outcome: 'canceled', order: tryOrder(raw, ref.symbol) };
      } catch (e) {
        if (e instanceof ccxt.OrderNotFound) {
          const order = await finalState(id, ref.symbol);
          log('info', 'order.cancel.already-closed', { id, status: order?.status ?? 'unknown' });
          if (order && order.status === 'open') {
            throw new TradelabError('VENUE_UNKNOWN_OUTCOME', 'venue-unknown', `${exchangeId} ${what}: the venue said the order was not found, yet lists it as open; reconcile before acting on it`, { cause: e, details: { exchange: exchangeId, id } });
          }
          return { outcome: order ? 'already-closed' : 'not-found', order };
        }
        if (!isRetryableRead(e) || attempt >= retry.maxRetries) {
          throw mapCcxtError(e, { exchange: exchangeId, operation: what, write: true, attempts: attempt + 1, ...(ref.clientOrderId ? { clientOrderId: ref.clientOrderId } : {}), redact });
        }
        const delayMs = backoffDelay(attempt, retry, deps.random);
        log('warn', 'venue.retry', { operation: 'cancelOrder', attempt: attempt + 1, delayMs, error: errName(e) });
        await deps.sleep(delayMs);
      }
    }
  }

  async function fetchOpenOrders(symbol?: string): Promise<Order[]> {
    requireCredentials('fetchOpenOrders');
    if (symbol !== undefined) await marketOf(symbol); else await loadMarkets();
    const raw = await read(`fetchOpenOrders ${symbol ?? '(all)'}`, () => ex.fetchOpenOrders(symbol));
    return raw.map((o) => toOrder(o, { symbol: symbol ?? '' }));
  }

  async function fetchMyTrades(symbol: string, since?: number, limit?: number): Promise<Fill[]> {
    requireCredentials('fetchMyTrades');
    await marketOf(symbol);
    const raw = await read(`fetchMyTrades ${symbol}`, () => ex.fetchMyTrades(symbol, since, limit));
    return raw.map(normaliseTrade)
      .map((f) => (f.symbol === '' ? { ...f, symbol } : f))
      .filter((f) => since === undefined || !(f.timestamp < since))
      .sort((a, b) => a.timestamp - b.timestamp);
  }

  async function fetchBalance(): Promise<Balances> {
    requireCredentials('fetchBalance');
    return normaliseBalances(await read('fetchBalance', () => ex.fetchBalance()));
  }

  async function fetchTicker(symbol: string): Promise<Ticker> {
    await marketOf(symbol);
    const t = normaliseTicker(await read(`fetchTicker ${symbol}`, () => ex.fetchTicker(symbol)));
    return t.symbol === '' ? { ...t, symbol } : t;
  }

  function checkTimeframe(timeframe: string): number {
    const ms = timeframeMs(timeframe);
    const offered = ex.timeframes ? Object.keys(ex.timeframes) : [];
    if (offered.length && !offered.includes(timeframe)) {
      throw usageError('UNSUPPORTED_TIMEFRAME', `${exchangeId} has no ${timeframe} candles; it offers ${offered.join(', ')}`);
    }
    return ms;
  }

  async function fetchOHLCV(symbol: string, timeframe: string, since?: number, limit?: number): Promise<Candle[]> {
    checkTimeframe(timeframe);
    await marketOf(symbol);
    const rows = await read(`fetchOHLCV ${symbol} ${timeframe}`, () => ex.fetchOHLCV(symbol, timeframe, since, limit));
    return rows.map(normaliseCandle);
  }

  const has = (name: string): boolean => useWatch && ex.has[name] === true && typeof (ex as unknown as Record<string, unknown>)[name] === 'function';
  const streamDeps = { sleep: deps.sleep, now: deps.now };
  const call = <T>(name: string, ...args: unknown[]): Promise<T> =>
    (ex as unknown as Record<string, (...a: unknown[]) => Promise<T>>)[name](...args);

  function watchTicker(symbol: string, opts: StreamOptions = {}): AsyncIterable<Ticker> {
    const ws = has('watchTicker');
    return streamBatches(
      ws ? () => marketOf(symbol).then(() => read(`watchTicker ${symbol}`, () => call<Parameters<typeof normaliseTicker>[0]>('watchTicker', symbol)).then(normaliseTicker))
        : () => fetchTicker(symbol),
      (t: Ticker) => [t],
      { signal: opts.signal, intervalMs: ws ? undefined : opts.pollIntervalMs ?? pollMs }, streamDeps);
  }

  function watchCandles(symbol: string, timeframe: string, opts: StreamOptions = {}): AsyncIterable<CandleUpdate> {
    const tfMs = checkTimeframe(timeframe);
    const ws = has('watchOHLCV');
    const diff = candleDiff(symbol, timeframe, tfMs, deps.now);
    let since: number | undefined;
    const next = ws
      ? () => marketOf(symbol).then(() => read(`watchOHLCV ${symbol} ${timeframe}`, () => call<Parameters<typeof normaliseCandle>[0][]>('watchOHLCV', symbol, timeframe))).then((rows) => rows.map(normaliseCandle))
      : async () => {
        const rows = await fetchOHLCV(symbol, timeframe, since ?? Math.floor(deps.now() / tfMs) * tfMs - tfMs);
        if (rows.length) since = rows[rows.length - 1][0];
        return rows;
      };
    return streamBatches(next, diff, { signal: opts.signal, intervalMs: ws ? undefined : opts.pollIntervalMs ?? pollMs }, streamDeps);
  }

  function watchOrders(symbol: string, opts: StreamOptions = {}): AsyncIterable<Order> {
    const ws = has('watchOrders');
    if (ws) {
      const diff = orderDiff();
      const next = () => marketOf(symbol).then(() => { requireCredentials('watchOrders'); return read(`watchOrders ${symbol}`, () => call<CcxtOrder[]>('watchOrders', symbol)); })
        .then((rows) => rows.map((o) => toOrder(o, { symbol })));
      return streamBatches(next, diff, { signal: opts.signal }, streamDeps);
    }
    const diff = orderDiff((o) => finalState(o.id, symbol));
    return streamBatches(() => fetchOpenOrders(symbol), diff, { signal: opts.signal, intervalMs: opts.pollIntervalMs ?? pollMs }, streamDeps);
  }

  function watchMyTrades(symbol: string, opts: StreamOptions = {}): AsyncIterable<Fill> {
    const ws = has('watchMyTrades');
    const diff = fillDiff(opts.since ?? deps.now());
    const next = ws
      ? () => marketOf(symbol).then(() => { requireCredentials('watchMyTrades'); return read(`watchMyTrades ${symbol}`, () => call<Parameters<typeof normaliseTrade>[0][]>('watchMyTrades', symbol)); })
        .then((rows) => rows.map(normaliseTrade))
      : () => fetchMyTrades(symbol, diff.since());
    return streamBatches(next, diff.select, { signal: opts.signal, intervalMs: ws ? undefined : opts.pollIntervalMs ?? pollMs }, streamDeps);
  }

  async function close(): Promise<void> {
    const closer = (ex as unknown as { close?: () => Promise<void> }).close;
    if (typeof closer === 'function') await closer.call(ex);
  }

  const adapter: CcxtAdapter = {
    id: exchangeId,
    kind: 'ccxt',
    venue,
    liveTradingEnabled: live,
    loadMarkets, market, fetchBalance, fetchTicker, fetchOHLCV, createOrder, cancelOrder, fetchOpenOrders, fetchOrder,
    fetchOrderByClientId, fetchMyTrades, watchTicker, watchCandles, watchOrders, watchMyTrades, close,
  };
  return Object.freeze(adapter);
}
