/**
 * What differs between the first-class venues (coinbase, mexc, binanceus, bybit, binance) and every other ccxt
 * exchange: the client-order-id parameter (client-order-id.ts), how to find an order by its client id, how to
 * fetch one order by id, and ccxt options set at construction. Each choice is read from the exchange's ccxt
 * class in node_modules/ccxt/js/src/<id>.js (cited beside it).
 */
import ccxt, { type Exchange, type Order as CcxtOrder } from 'ccxt';
import { TradelabError } from '../../engine/errors.ts';
import { clientOrderIdRule, type ClientOrderIdRule } from './client-order-id.ts';

export interface VenueProfile {
  readonly id: string;
  readonly firstClass: boolean;
  readonly clientOrderId: ClientOrderIdRule;
  /** How `findByClientId` works, in words (for logs and docs). */
  readonly lookup: string;
  /**
   * Market BUY orders are sized in quote on this venue (coinbase): ccxt needs a reference price and spends
   * amount x price. Everywhere else a market order is sent in base without a price.
   */
  readonly marketBuyInQuote: boolean;
  /** ccxt options merged at construction. */
  readonly options: Readonly<Record<string, unknown>>;
  /** The raw ccxt order with this client id, or undefined when the venue has none. Throws ccxt errors. */
  findByClientId(ex: Exchange, clientOrderId: string, symbol: string, since: number | undefined): Promise<CcxtOrder | undefined>;
  /** One order by the venue's id. Throws ccxt errors (OrderNotFound when it does not exist). */
  fetchOrderById(ex: Exchange, id: string, symbol: string): Promise<CcxtOrder>;
}

/** OrderNotFound means "no such order": the lookup answers undefined instead of failing. */
async function orUndefined(p: Promise<CcxtOrder>): Promise<CcxtOrder | undefined> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof ccxt.OrderNotFound) return undefined;
    throw e;
  }
}

const byClientId = (orders: readonly CcxtOrder[], cid: string): CcxtOrder | undefined => orders.find((o) => o.clientOrderId === cid);

/** Open orders, then whatever history the exchange offers (closed + canceled, or all orders), filtered by client id. */
async function scanForClientId(ex: Exchange, cid: string, symbol: string, since: number | undefined): Promise<CcxtOrder | undefined> {
  let scanned = false;
  if (ex.has.fetchOpenOrders) {
    scanned = true;
    const hit = byClientId(await ex.fetchOpenOrders(symbol), cid);
    if (hit) return hit;
  }
  if (ex.has.fetchOrders) {
    return byClientId(await ex.fetchOrders(symbol, since), cid);
  }
  if (ex.has.fetchClosedOrders) {
    scanned = true;
    const hit = byClientId(await ex.fetchClosedOrders(symbol, since), cid);
    if (hit) return hit;
  }
  if (ex.has.fetchCanceledOrders) {
    scanned = true;
    const hit = byClientId(await ex.fetchCanceledOrders(symbol, since), cid);
    if (hit) return hit;
  }
  if (!scanned) {
    throw new TradelabError('CLIENT_ID_LOOKUP_UNSUPPORTED', 'venue-unknown',
      `${ex.id} offers no way to list orders (fetchOpenOrders, fetchOrders, fetchClosedOrders), so an order cannot be found by its client id`,
      { details: { exchange: ex.id, clientOrderId: cid } });
  }
  return undefined;
}

const generic = (id: string): VenueProfile => ({
  id,
  firstClass: false,
  clientOrderId: clientOrderIdRule(id),
  lookup: 'fetchOpenOrders, then fetchOrders (or fetchClosedOrders + fetchCanceledOrders) since the write, filtered by clientOrderId',
  marketBuyInQuote: false,
  options: {},
  findByClientId: scanForClientId,
  fetchOrderById: (ex, oid, symbol) => ex.fetchOrder(oid, symbol),
});

const binanceLike = (id: 'binance' | 'binanceus'): VenueProfile => ({
  ...generic(id),
  firstClass: true,
  // binance.js fetchOrder: safeStringN(params, ['origClientOrderId', 'clientOrderId', ...]) -> origClientOrderId
  lookup: 'GET /api/v3/order?origClientOrderId=<id> (fetchOrder with params.origClientOrderId)',
  options: { defaultType: 'spot' },
  findByClientId: (ex, cid, symbol) => orUndefined(ex.fetchOrder('', symbol, { origClientOrderId: cid })),
});

const PROFILES: Record<string, (id: string) => VenueProfile> = {
  binance: () => binanceLike('binance'),
  binanceus: () => binanceLike('binanceus'),
  bybit: (id) => ({
    ...generic(id),
    firstClass: true,
    // bybit.js fetchOpenOrders / fetchCanceledAndClosedOrders pass params through to /v5/order/realtime and
    // /v5/order/history, which filter by orderLinkId.
    lookup: 'GET /v5/order/realtime?orderLinkId=<id>, then /v5/order/history?orderLinkId=<id>',
    options: { defaultType: 'spot' },
    findByClientId: async (ex, cid, symbol) => {
      const open = byClientId(await ex.fetchOpenOrders(symbol, undefined, undefined, { orderLinkId: cid }), cid);
      if (open) return open;
      return byClientId(await ex.fetchCanceledAndClosedOrders(symbol, undefined, undefined, { orderLinkId: cid }), cid);
    },
    // bybit.js fetchOrder refuses without params.acknowledged (it only sees the last 500 orders); then history.
    fetchOrderById: async (ex, oid, symbol) => {
      try {
        return await ex.fetchOrder(oid, symbol, { acknowledged: true });
      } catch (e) {
        if (!(e instanceof ccxt.OrderNotFound)) throw e;
        return await ex.fetchClosedOrder(oid, symbol);
      }
    },
  }),
  mexc: (id) => ({
    ...generic(id),
    firstClass: true,
    // mexc.js fetchOrder (spot): safeString(params, 'clientOrderId') -> origClientOrderId
    lookup: 'GET /api/v3/order?origClientOrderId=<id> (fetchOrder with params.clientOrderId)',
    options: { defaultType: 'spot' },
    findByClientId: (ex, cid, symbol) => orUndefined(ex.fetchOrder('', symbol, { clientOrderId: cid })),
  }),
  coinbase: (id) => ({
    ...generic(id),
    firstClass: true,
    // coinbase.js fetchOrder takes only the venue's order_id; fetchOrders lists every status of a product.
    lookup: 'GET /api/v3/brokerage/orders/historical/batch?product_id=<p>&start_date=<since> (fetchOrders), filtered by client_order_id',
    // coinbase.js createOrder: a spot market buy becomes market_market_ioc.quote_size = amount x price.
    marketBuyInQuote: true,
    findByClientId: async (ex, cid, symbol, since) => byClientId(await ex.fetchOrders(symbol, since, 1000), cid),
  }),
};

export const FIRST_CLASS_VENUES: readonly string[] = Object.freeze(Object.keys(PROFILES));

export function venueProfile(exchangeId: string): VenueProfile {
  return (PROFILES[exchangeId] ?? generic)(exchangeId);
}
