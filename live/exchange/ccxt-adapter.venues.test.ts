// For each first-class venue: a RequestTimeout on createOrder is resolved by that venue's own client-id lookup
// (the request it builds is checked), using recorded real replies with our client order id put in; one create
// request only. Plus a seeded random-fault run against a small simulated venue: no order is ever created twice.
import { seededRandom as mulberry32 } from '../../engine/random.ts';
import ccxt from 'ccxt';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TradelabError } from '../../engine/errors.ts';
import { sharedFile } from '../../test-support/shared-data.ts';
import { Secret } from '../secrets/secret.ts';
import { createCcxtAdapter } from './ccxt-adapter.ts';
import { clientOrderId } from './client-order-id.ts';
import type { Order, OrderRequest } from './port.ts';
import { FAKE_API_KEY, FAKE_SECRET, offlineExchange, type RecordedRequest, type SpotMarketInput } from './testing/offline-exchange.ts';

type Json = Record<string, unknown>;
const fixture = (id: string, method: string, i = 0): { httpResponse: unknown; parsedResponse: unknown } =>
  (JSON.parse(readFileSync(sharedFile(`ccxt-static/response/${id}.json`), 'utf8')) as { methods: Record<string, { httpResponse: unknown; parsedResponse: unknown }[]> }).methods[method][i];
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

interface VenueCase {
  markets: SpotMarketInput[];
  options?: Json;
  request: OrderRequest;
  /** Is this the create request? */
  isCreate: (r: RecordedRequest) => boolean;
  /** The recorded reply to the lookup, with our client id put in. */
  lookupReply: (cid: string, r: RecordedRequest) => unknown;
  /** What the lookup request must carry. */
  checkLookup: (r: RecordedRequest, cid: string) => void;
  expected: Partial<Order>;
}

const cid = clientOrderId('venue-bot', 'grid@1', 77);
const path = (r: RecordedRequest) => new URL(r.url).pathname;
const query = (r: RecordedRequest, k: string) => new URL(r.url).searchParams.get(k);
const BINANCE_INFO = { orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET'] };

const binanceCase = (host: string): VenueCase => ({
  markets: [{ id: 'LTCUSDT', symbol: 'LTC/USDT', price: 0.01, amount: 0.001, info: BINANCE_INFO }],
  request: { symbol: 'LTC/USDT', type: 'market', side: 'sell', amount: 0.1, clientOrderId: cid },
  isCreate: (r) => r.method === 'POST',
  lookupReply: (c) => ({ ...(fixture('binance', 'fetchOrder').httpResponse as Json), clientOrderId: c }),
  checkLookup: (r, c) => {
    expect(new URL(r.url).host).toBe(host);
    expect(path(r)).toBe('/api/v3/order');
    expect(query(r, 'origClientOrderId')).toBe(c);
    expect(query(r, 'orderId')).toBeNull();
  },
  expected: { id: '3397148653', status: 'closed', filled: 0.1, average: 90.8 },
});

const CASES: Record<string, VenueCase> = {
  binance: binanceCase('api.binance.com'),
  binanceus: binanceCase('api.binance.us'),
  mexc: {
    markets: [{ id: 'ATLASUSDT', symbol: 'ATLAS/USDT', price: 0.000001, amount: 0.01 }],
    request: { symbol: 'ATLAS/USDT', type: 'market', side: 'sell', amount: 1220, clientOrderId: cid },
    isCreate: (r) => r.method === 'POST',
    // GET /api/v3/order answers one order in the same shape as the recorded order list
    lookupReply: (c) => ({ ...(fixture('mexc', 'fetchOrders').httpResponse as Json[])[0], clientOrderId: c }),
    checkLookup: (r, c) => { expect(path(r)).toBe('/api/v3/order'); expect(r.method).toBe('GET'); expect(query(r, 'origClientOrderId')).toBe(c); },
    expected: { id: 'C02__385413065019117569043', status: 'closed', filled: 1220, average: 0.004542 },
  },
  bybit: {
    markets: [{ id: 'LTCUSDT', symbol: 'LTC/USDT', price: 0.01, amount: 0.00001 }],
    options: { enableUnifiedAccount: true, enableUnifiedMargin: false },
    request: { symbol: 'LTC/USDT', type: 'limit', side: 'buy', amount: 0.3, price: 50, clientOrderId: cid },
    isCreate: (r) => path(r) === '/v5/order/create',
    lookupReply: (c) => {
      const reply = clone(fixture('bybit', 'fetchOpenOrder').httpResponse) as { result: { list: Json[] } };
      reply.result.list[0].orderLinkId = c;
      return reply;
    },
    checkLookup: (r, c) => { expect(path(r)).toBe('/v5/order/realtime'); expect(query(r, 'orderLinkId')).toBe(c); expect(query(r, 'category')).toBe('spot'); },
    expected: { id: '1620421817225451008', status: 'open', filled: 0, remaining: 0.3, price: 50 },
  },
  coinbase: {
    markets: [{ id: 'ADA-USDT', symbol: 'ADA/USDT', price: 0.0001, amount: 0.00000001 }],
    request: { symbol: 'ADA/USDT', type: 'market', side: 'sell', amount: 10, clientOrderId: cid },
    isCreate: (r) => r.method === 'POST',
    lookupReply: (c) => {
      const reply = clone(fixture('coinbase', 'fetchClosedOrders').httpResponse) as { orders: Json[] };
      reply.orders[0].client_order_id = c;
      return reply;
    },
    checkLookup: (r) => {
      expect(path(r)).toBe('/api/v3/brokerage/orders/historical/batch');
      expect(query(r, 'product_id')).toBe('ADA-USDT');
      // searched from lookbackMs (10 min) before the write
      expect(query(r, 'start_date')).toBe(new Date(1_700_000_000_000 - 600_000).toISOString());
    },
    expected: { id: '01b6e467-b659-432f-9490-c7cefe949564', status: 'closed', filled: 10, average: 0.392 },
  },
};

describe('RequestTimeout on createOrder, resolved by each venue\'s client-id lookup', () => {
  for (const [venue, c] of Object.entries(CASES)) {
    it(venue, async () => {
      const off = offlineExchange(venue, c.markets, c.options);
      const adapter = createCcxtAdapter(
        { exchangeId: venue, liveTradingEnabled: true, credentials: { apiKey: new Secret(FAKE_API_KEY), secret: new Secret(FAKE_SECRET) } },
        { exchange: off.ex, sleep: async () => {}, random: () => 0.5, now: () => 1_700_000_000_000 },
      );
      off.serve((req) => {
        if (c.isCreate(req)) throw new ccxt.RequestTimeout(`${venue} POST timed out`);
        c.checkLookup(req, cid);
        return c.lookupReply(cid, req);
      });
      const order = await adapter.createOrder(c.request);
      expect(order).toMatchObject({ ...c.expected, clientOrderId: cid, symbol: c.request.symbol });
      expect(off.requests.filter(c.isCreate)).toHaveLength(1);
      expect(off.requests).toHaveLength(2);
    });
  }
});


describe('random faults on 10 % of calls (reads and order writes) against a simulated binance', () => {
  it('never creates an order twice; every order the venue holds is returned; venue-unknown only for orders it does not hold', async () => {
    const rng = mulberry32(20261121);
    const off = offlineExchange('binance', [{ id: 'BTCUSDT', symbol: 'BTC/USDT', price: 0.01, amount: 0.00001, info: BINANCE_INFO }]);
    const venue = new Map<string, Json>(); // client id -> order as the venue keeps it
    const creates = new Map<string, number>(); // client id -> create requests that reached the matching engine
    const lostReplies = new Set<string>(); // created, but the reply was lost (RequestTimeout)
    let nextId = 1000;
    const fault = (): Error | undefined => {
      const r = rng();
      if (r >= 0.1) return undefined;
      return r < 0.033 ? new ccxt.NetworkError('ECONNRESET') : r < 0.066 ? new ccxt.RateLimitExceeded('429') : new ccxt.RequestTimeout('timeout');
    };
    off.serve((req) => {
      const p = path(req);
      if (req.method === 'POST' && p === '/api/v3/order') {
        const body = new URLSearchParams(req.body);
        const c = body.get('newClientOrderId')!;
        const before = fault();
        if (before && !(before instanceof ccxt.RequestTimeout)) throw before; // refused before it reached the venue
        if (venue.has(c)) throw new ccxt.DuplicateOrderId('Duplicate order sent.');
        creates.set(c, (creates.get(c) ?? 0) + 1);
        const o = { symbol: 'BTCUSDT', orderId: String(nextId++), clientOrderId: c, price: body.get('price'), origQty: body.get('quantity'), executedQty: '0', cummulativeQuoteQty: '0', status: 'NEW', timeInForce: 'GTC', type: 'LIMIT', side: 'BUY', transactTime: '1700000000000', time: '1700000000000' };
        venue.set(c, o);
        if (before) { lostReplies.add(c); throw before; } // created, but the reply was lost
        return o;
      }
      const f = fault();
      if (f) throw f;
      if (p === '/api/v3/order') {
        const o = venue.get(query(req, 'origClientOrderId')!);
        if (!o) throw new ccxt.OrderNotFound('Order does not exist.');
        return o;
      }
      if (p === '/api/v3/ticker/24hr') return { symbol: 'BTCUSDT', lastPrice: '37000', closeTime: '1700000000000' };
      throw new Error(`unexpected ${req.method} ${p}`);
    });
    const adapter = createCcxtAdapter(
      { exchangeId: 'binance', liveTradingEnabled: true, credentials: { apiKey: new Secret(FAKE_API_KEY), secret: new Secret(FAKE_SECRET) } },
      { exchange: off.ex, sleep: async () => {}, random: rng, now: () => 1_700_000_000_000 },
    );
    const returned = new Map<string, Order>();
    const unknown: string[] = [];
    for (let seq = 0; seq < 300; seq++) {
      const c = clientOrderId('chaos-bot', 'grid@1', seq);
      expect((await adapter.fetchTicker('BTC/USDT')).last).toBe(37000); // reads always get through (retried)
      try {
        returned.set(c, await adapter.createOrder({ symbol: 'BTC/USDT', type: 'limit', side: 'buy', amount: 0.001, price: 30000 + seq, clientOrderId: c }));
      } catch (e) {
        expect(e).toBeInstanceOf(TradelabError);
        expect((e as TradelabError).family).toBe('venue-unknown');
        unknown.push(c);
      }
    }
    // faults really happened on writes, both before and after the venue got the order
    const posts = off.requests.filter((r) => r.method === 'POST').length;
    expect(posts).toBe(300);
    expect(unknown.length).toBeGreaterThan(0);
    expect([...creates.values()].every((n) => n === 1)).toBe(true);
    for (const [c, o] of returned) expect(o.id).toBe(venue.get(c)!.orderId);
    for (const c of unknown) expect(venue.has(c)).toBe(false);
    expect(returned.size + unknown.length).toBe(300);
    expect(venue.size).toBe(returned.size);
    // the interesting case happened, and each of those orders was found by its client id
    expect(lostReplies.size).toBeGreaterThan(0);
    for (const c of lostReplies) expect(returned.has(c)).toBe(true);
  });
});
