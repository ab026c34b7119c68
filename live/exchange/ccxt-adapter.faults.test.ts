// Injected faults through ccxt's real classes (offline): reads retried with backoff and jitter; an order write
// whose outcome is unknown resolved by client-id lookup and never re-sent; LIVE_TRADING_ENABLED; cancels of
// orders already gone; secrets never in errors or logs.
import ccxt from 'ccxt';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { TradelabError } from '../../engine/errors.ts';
import { Secret } from '../secrets/secret.ts';
import { backoffDelay, createCcxtAdapter, createCcxtExchange, type AdapterLogEvent, type CcxtAdapterConfig } from './ccxt-adapter.ts';
import { clientOrderId } from './client-order-id.ts';
import { FAKE_API_KEY, FAKE_SECRET, offlineExchange, type RecordedRequest } from './testing/offline-exchange.ts';

const INFO = { orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET'] };
const T0 = 1_700_000_000_000;

function binance(config: Partial<CcxtAdapterConfig> = {}) {
  const off = offlineExchange('binance', [{ id: 'BTCUSDT', symbol: 'BTC/USDT', price: 0.01, amount: 0.00001, minCost: 5, info: INFO }]);
  const logs: AdapterLogEvent[] = [];
  const sleeps: number[] = [];
  const adapter = createCcxtAdapter(
    { exchangeId: 'binance', liveTradingEnabled: true, credentials: { apiKey: new Secret(FAKE_API_KEY), secret: new Secret(FAKE_SECRET) }, ...config },
    { exchange: off.ex, sleep: async (ms) => { sleeps.push(ms); }, random: () => 0.25, now: () => T0, log: (e) => logs.push(e) },
  );
  return { off, adapter, logs, sleeps };
}

const ticker = { symbol: 'BTCUSDT', lastPrice: '37000.5', bidPrice: '37000.4', askPrice: '37000.6', highPrice: '37500', lowPrice: '36000', volume: '1000', quoteVolume: '37000000', closeTime: '1700000000000', openTime: '1699913600000' };
const orderReply = (cid: string, status = 'NEW', executed = '0') => ({
  symbol: 'BTCUSDT', orderId: '555', orderListId: '-1', clientOrderId: cid, price: '30000.00', origQty: '0.00100', executedQty: executed,
  cummulativeQuoteQty: String(Number(executed) * 30000), status, timeInForce: 'GTC', type: 'LIMIT', side: 'BUY', time: String(T0), updateTime: String(T0),
});
const isPost = (r: RecordedRequest) => r.method === 'POST' && new URL(r.url).pathname === '/api/v3/order';
const isOrderGet = (r: RecordedRequest) => r.method === 'GET' && new URL(r.url).pathname === '/api/v3/order';
const cid = clientOrderId('bot-1', 'sma-cross@1', 3);
const order = { symbol: 'BTC/USDT', type: 'limit', side: 'buy', amount: 0.001, price: 30000, clientOrderId: cid } as const;

describe('reads: retried with exponential backoff and jitter', () => {
  it('NetworkError, RateLimitExceeded and ExchangeNotAvailable are retried, then the reply is used', async () => {
    const { off, adapter, sleeps, logs } = binance();
    off.queue(new ccxt.NetworkError('ECONNRESET'), new ccxt.RateLimitExceeded('429'), new ccxt.ExchangeNotAvailable('503'), ticker);
    const t = await adapter.fetchTicker('BTC/USDT');
    expect(t.last).toBe(37000.5);
    expect(off.requests).toHaveLength(4);
    // 500 x 2^attempt x (0.5 + 0.25)
    expect(sleeps).toEqual([375, 750, 1500]);
    expect(logs.filter((l) => l.event === 'venue.retry').map((l) => l.error)).toEqual(['NetworkError', 'RateLimitExceeded', 'ExchangeNotAvailable']);
  });

  it('gives up after maxRetries with a venue-unavailable error naming the attempts', async () => {
    const { off, adapter, sleeps } = binance({ retry: { maxRetries: 2 } });
    off.serve(() => { throw new ccxt.RequestTimeout('timed out'); });
    const err = await adapter.fetchTicker('BTC/USDT').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TradelabError);
    expect(err).toMatchObject({ family: 'venue-unavailable', code: 'VENUE_TIMEOUT' });
    expect((err as Error).message).toContain('after 3 attempts');
    expect(off.requests).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
  });

  it('a refusal (AuthenticationError) is never retried', async () => {
    const { off, adapter, sleeps } = binance();
    off.serve(() => { throw new ccxt.AuthenticationError('binance {"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}'); });
    await expect(adapter.fetchBalance()).rejects.toMatchObject({ family: 'venue-rejected', code: 'VENUE_AUTH_FAILED' });
    expect(off.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('the backoff doubles, is capped and jittered in [0.5, 1.5)', () => {
    const p = { baseDelayMs: 100, maxDelayMs: 1000 };
    expect([0, 1, 2, 3, 4, 5].map((a) => backoffDelay(a, p, () => 0))).toEqual([50, 100, 200, 400, 500, 500]);
    expect(backoffDelay(2, p, () => 0.999)).toBe(600);
  });
});

describe('order writes: an unknown outcome is resolved by client order id, never by placing again', () => {
  it('RequestTimeout on createOrder, then the lookup finds the order: returned, one POST only', async () => {
    const { off, adapter, logs, sleeps } = binance();
    let posts = 0;
    off.serve((req) => {
      if (isPost(req)) { posts++; throw new ccxt.RequestTimeout('binance POST https://api.binance.com/api/v3/order request timed out (10000 ms)'); }
      if (isOrderGet(req)) {
        expect(new URL(req.url).searchParams.get('origClientOrderId')).toBe(cid);
        return orderReply(cid, 'PARTIALLY_FILLED', '0.0004');
      }
      throw new Error(`unexpected ${req.method} ${req.url}`);
    });
    const o = await adapter.createOrder(order);
    expect(posts).toBe(1);
    expect(o).toMatchObject({ id: '555', clientOrderId: cid, status: 'open', filled: 0.0004, remaining: 0.0006, price: 30000 });
    expect(sleeps).toEqual([750]); // one lookup, after 1000 x (0.5 + 0.25)
    expect(logs.map((l) => l.event)).toEqual(['order.create.sent', 'order.create.unknown', 'order.lookup', 'order.create.resolved']);
  });

  it('NetworkError on createOrder and lookups that first fail, then miss, then find it', async () => {
    const { off, adapter } = binance();
    let gets = 0;
    off.serve((req) => {
      if (isPost(req)) throw new ccxt.NetworkError('socket hang up');
      gets++;
      if (gets === 1) throw new ccxt.ExchangeNotAvailable('502');
      if (gets === 2) throw new ccxt.OrderNotFound('binance {"code":-2013,"msg":"Order does not exist."}');
      return orderReply(cid);
    });
    const o = await adapter.createOrder(order);
    expect(o.id).toBe('555');
    expect(off.requests.filter(isPost)).toHaveLength(1);
    expect(gets).toBe(3);
  });

  it('not found after every lookup: a venue-unknown error for the runner to reconcile, still one POST', async () => {
    const { off, adapter, sleeps } = binance({ lookup: { attempts: 3 } });
    off.serve((req) => {
      if (isPost(req)) throw new ccxt.RequestTimeout('timed out');
      throw new ccxt.OrderNotFound('binance {"code":-2013,"msg":"Order does not exist."}');
    });
    const err = await adapter.createOrder(order).catch((e: unknown) => e) as TradelabError;
    expect(err).toBeInstanceOf(TradelabError);
    expect(err.family).toBe('venue-unknown');
    expect(err.code).toBe('VENUE_UNKNOWN_OUTCOME');
    expect(err.message).toContain(cid);
    expect(err.message).toContain('Not found by client order id after 3 lookups');
    expect(err.details).toMatchObject({ clientOrderId: cid, lookups: 3 });
    expect(off.requests.filter(isPost)).toHaveLength(1);
    expect(off.requests.filter(isOrderGet)).toHaveLength(3);
    expect(sleeps).toEqual([750, 1500, 3000]);
  });

  it('a DuplicateOrderId reply means the order exists: it is looked up, not re-sent', async () => {
    const { off, adapter } = binance();
    off.serve((req) => {
      if (isPost(req)) throw new ccxt.DuplicateOrderId('binance {"code":-2010,"msg":"Duplicate order sent."}');
      return orderReply(cid);
    });
    expect((await adapter.createOrder(order)).id).toBe('555');
    expect(off.requests.filter(isPost)).toHaveLength(1);
  });

  it('an accepted order whose reply cannot be read is an unknown outcome, not a bug to retry', async () => {
    const { off, adapter } = binance();
    off.serve(() => ({ ...orderReply(cid), status: 'SOMETHING_NEW' }));
    const realParse = off.ex.parseOrderStatus.bind(off.ex);
    off.ex.parseOrderStatus = (s: string) => (s === 'SOMETHING_NEW' ? 'pending_new' : realParse(s));
    await expect(adapter.createOrder(order)).rejects.toMatchObject({ family: 'venue-unknown', code: 'VENUE_UNKNOWN_OUTCOME' });
    expect(off.requests).toHaveLength(1);
  });

  it('a rejection (InsufficientFunds) is thrown at once: no lookup, no retry', async () => {
    const { off, adapter } = binance();
    off.serve(() => { throw new ccxt.InsufficientFunds('binance {"code":-2010,"msg":"Account has insufficient balance for requested action."}'); });
    await expect(adapter.createOrder(order)).rejects.toMatchObject({ family: 'venue-rejected', code: 'VENUE_INSUFFICIENT_FUNDS' });
    expect(off.requests).toHaveLength(1);
  });
});

describe('LIVE_TRADING_ENABLED', () => {
  for (const value of [false, undefined, 'true', 1]) {
    it(`liveTradingEnabled=${JSON.stringify(value)} refuses createOrder before any request`, async () => {
      const { off, adapter } = binance({ liveTradingEnabled: value as boolean });
      off.serve(() => orderReply(cid));
      const err = await adapter.createOrder(order).catch((e: unknown) => e) as TradelabError;
      expect(err).toMatchObject({ code: 'LIVE_TRADING_DISABLED', family: 'config' });
      expect(err.message).toContain('LIVE_TRADING_ENABLED=true');
      expect(off.requests).toHaveLength(0);
      expect(adapter.liveTradingEnabled).toBe(false);
    });
  }

  it('cancels stay allowed (the kill switch must work), and report an order already gone', async () => {
    const { off, adapter } = binance({ liveTradingEnabled: false });
    off.serve((req) => (req.method === 'DELETE' ? orderReply(cid, 'CANCELED') : orderReply(cid)));
    const r = await adapter.cancelOrder({ symbol: 'BTC/USDT', id: '555' });
    expect(r.outcome).toBe('canceled');
    expect(r.order).toMatchObject({ id: '555', status: 'canceled' });
    expect(off.requests[0].method).toBe('DELETE');

    off.serve((req) => {
      if (req.method === 'DELETE') throw new ccxt.OrderNotFound('binance {"code":-2011,"msg":"Unknown order sent."}');
      return orderReply(cid, 'FILLED', '0.00100');
    });
    const gone = await adapter.cancelOrder({ symbol: 'BTC/USDT', id: '555' });
    expect(gone.outcome).toBe('already-closed');
    expect(gone.order).toMatchObject({ status: 'closed', filled: 0.001 });
  });
});

describe('cancel', () => {
  it('by client id: looked up, then cancelled by the venue id; unknown client id is not-found', async () => {
    const { off, adapter } = binance();
    off.serve((req) => (req.method === 'DELETE' ? orderReply(cid, 'CANCELED') : orderReply(cid)));
    const r = await adapter.cancelOrder({ symbol: 'BTC/USDT', clientOrderId: cid });
    expect(r.outcome).toBe('canceled');
    const del = off.requests.find((q) => q.method === 'DELETE')!;
    expect(new URL(del.url).searchParams.get('orderId')).toBe('555');

    off.serve(() => { throw new ccxt.OrderNotFound('Order does not exist.'); });
    expect(await adapter.cancelOrder({ symbol: 'BTC/USDT', clientOrderId: 'tl-nothing-1' })).toEqual({ outcome: 'not-found', order: undefined });
  });

  it('a timeout on cancel is retried (a cancel is idempotent)', async () => {
    const { off, adapter } = binance();
    off.queue(new ccxt.RequestTimeout('timeout'), orderReply(cid, 'CANCELED'));
    expect((await adapter.cancelOrder({ symbol: 'BTC/USDT', id: '555' })).outcome).toBe('canceled');
    expect(off.requests.map((r) => r.method)).toEqual(['DELETE', 'DELETE']);
  });
});

describe('secrets never appear in errors or logs', () => {
  it('an exchange reply quoting the key and secret is redacted everywhere', async () => {
    const { off, adapter, logs } = binance({ lookup: { attempts: 2 } });
    const leak = `binance {"msg":"bad key ${FAKE_API_KEY} with secret ${FAKE_SECRET}"}`;
    const outputs: string[] = [];
    off.serve((req) => {
      if (isPost(req)) throw new ccxt.RequestTimeout(leak);
      throw new ccxt.NetworkError(leak);
    });
    const e1 = await adapter.createOrder(order).catch((e: unknown) => e) as TradelabError;
    off.serve(() => { throw new ccxt.AuthenticationError(leak); });
    const e2 = await adapter.fetchBalance().catch((e: unknown) => e) as TradelabError;
    off.serve(() => { throw new ccxt.RateLimitExceeded(leak); });
    const e3 = await adapter.fetchTicker('BTC/USDT').catch((e: unknown) => e) as TradelabError;
    for (const e of [e1, e2, e3]) {
      expect(e).toBeInstanceOf(TradelabError);
      outputs.push(e.message, String(e.stack), JSON.stringify(e.details), inspect(e, { depth: 10 }), String((e.cause as Error).message), String((e.cause as Error).stack));
    }
    outputs.push(JSON.stringify(logs), inspect(logs, { depth: 10 }), inspect(adapter, { depth: 4 }), JSON.stringify(adapter.venue));
    const all = outputs.join('\n');
    expect(all).toContain('<redacted>');
    expect(all).not.toContain(FAKE_API_KEY);
    expect(all).not.toContain(FAKE_SECRET);
    // the request itself carried the key (in a header) and a signature, proving the credentials were used
    expect(off.requests[0].headers?.['X-MBX-APIKEY']).toBe(FAKE_API_KEY);
  });

  it('private calls without credentials fail with the variables to set', async () => {
    const off = offlineExchange('binance', [{ id: 'BTCUSDT', symbol: 'BTC/USDT', price: 0.01, amount: 0.00001, info: INFO }]);
    const adapter = createCcxtAdapter({ exchangeId: 'binance', liveTradingEnabled: true }, { exchange: off.ex, sleep: async () => {}, random: () => 0, now: () => T0 });
    const err = await adapter.fetchBalance().catch((e: unknown) => e) as TradelabError;
    expect(err).toMatchObject({ code: 'MISSING_CREDENTIALS', family: 'config' });
    expect(err.message).toContain('TRADELAB_BINANCE_API_KEY');
    expect(err.message).toContain('TRADELAB_BINANCE_SECRET');
    expect(off.requests).toHaveLength(0);
  });
});

describe('configuration', () => {
  it('an unknown exchange id is a usage error with a did-you-mean', () => {
    expect(() => createCcxtAdapter({ exchangeId: 'binanse', liveTradingEnabled: false })).toThrow(/unknown exchange 'binanse'. Did you mean 'binance'/);
  });

  it('an unknown symbol is a usage error with a did-you-mean; the rate limiter is forced on', async () => {
    const off = offlineExchange('binance', [{ id: 'BTCUSDT', symbol: 'BTC/USDT', price: 0.01, amount: 0.00001, info: INFO }]);
    off.ex.enableRateLimit = false;
    const adapter = createCcxtAdapter({ exchangeId: 'binance', liveTradingEnabled: false }, { exchange: off.ex, sleep: async () => {}, random: () => 0, now: () => T0 });
    expect(off.ex.enableRateLimit).toBe(true);
    await expect(adapter.fetchTicker('BTC/USTD')).rejects.toThrow(/no market 'BTC\/USTD'. Did you mean 'BTC\/USDT'/);
    expect(off.requests).toHaveLength(0);
  });

  it('a real exchange is built from its id (ccxt.pro class, rate limiter on) without any request', () => {
    const adapter = createCcxtAdapter({ exchangeId: 'bybit', liveTradingEnabled: false });
    expect(adapter.id).toBe('bybit');
    expect(adapter.venue.firstClass).toBe(true);
    expect(adapter.venue.clientOrderId.venueField).toBe('orderLinkId');
    for (const id of ['binance', 'binanceus', 'bybit', 'coinbase', 'mexc']) {
      const ex = createCcxtExchange(id, { credentials: { apiKey: new Secret(FAKE_API_KEY), secret: new Secret(FAKE_SECRET) } });
      expect(ex.enableRateLimit).toBe(true);
      expect(ex.has.watchTicker).toBe(true); // ccxt.pro's class: websocket streams available
      expect(ex.apiKey).toBe(FAKE_API_KEY);
    }
    expect(createCcxtExchange('kraken').has.fetchOHLCV).toBe(true); // any ccxt id works
  });
});
