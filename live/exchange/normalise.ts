/**
 * Parse functions from ccxt's unified structures to the port's normalised types (CONVENTIONS §8: raw payloads
 * are touched only in parse functions tested against recorded real responses). ccxt already turned the venue's
 * JSON into its unified shapes; these functions fix the remaining looseness: null/undefined numbers become NaN
 * (or 0 where 0 is the meaning), statuses become one of five words, missing remaining/cost are derived.
 */
import type { Balances as CcxtBalances, Market as CcxtMarket, OHLCV, Order as CcxtOrder, Ticker as CcxtTicker, Trade as CcxtTrade } from 'ccxt';
import { invariantError, usageError } from '../../engine/errors.ts';
import { CCXT_DECIMAL_PLACES, CCXT_SIGNIFICANT_DIGITS, CCXT_TICK_SIZE, DEFAULT_MARKET_SPEC, marketSpecFromCcxt } from '../../engine/orders/market-spec.ts';
import type { BalanceEntry, Balances, Candle, Fee, Fill, Market, Order, OrderSide, OrderStatus, PrecisionMode, Ticker } from './port.ts';

const num = (v: unknown): number => {
  if (v === null || v === undefined || v === '') return NaN;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : NaN;
};
const opt = (v: unknown): number | undefined => {
  const n = num(v);
  return Number.isNaN(n) ? undefined : n;
};
const str = (v: unknown): string | undefined => (v === null || v === undefined || v === '' ? undefined : String(v));

const STATUS: Record<string, OrderStatus> = {
  open: 'open', closed: 'closed', canceled: 'canceled', cancelled: 'canceled', rejected: 'rejected', expired: 'expired',
};

/** ccxt's status (null when the venue only acknowledged the order) to one of five words. */
export function normaliseStatus(status: string | null | undefined): OrderStatus {
  if (status === null || status === undefined || status === '') return 'open';
  const s = STATUS[status.toLowerCase()];
  if (s === undefined) throw invariantError('UNKNOWN_ORDER_STATUS', `unexpected ccxt order status '${status}'; expected open, closed, canceled, rejected or expired`);
  return s;
}

function side(v: unknown, what: string): OrderSide {
  if (v === 'buy' || v === 'sell') return v;
  throw invariantError('UNKNOWN_ORDER_SIDE', `${what}: unexpected side ${JSON.stringify(v)}; expected buy or sell`);
}

export function normaliseFee(fee: unknown): Fee | undefined {
  if (fee === null || fee === undefined || typeof fee !== 'object') return undefined;
  const f = fee as { cost?: unknown; currency?: unknown; rate?: unknown };
  const cost = num(f.cost);
  if (Number.isNaN(cost)) return undefined;
  const rate = opt(f.rate);
  return { cost, currency: str(f.currency), ...(rate === undefined ? {} : { rate }) };
}

export function normaliseOrder(o: CcxtOrder): Order {
  const id = str(o.id);
  if (id === undefined) throw invariantError('ORDER_WITHOUT_ID', `ccxt returned an order without an id (symbol ${o.symbol})`);
  const amount = num(o.amount);
  const filledRaw = num(o.filled);
  const status = normaliseStatus(o.status as string | undefined);
  const filled = Number.isNaN(filledRaw) ? 0 : filledRaw;
  const remainingRaw = num(o.remaining);
  const remaining = !Number.isNaN(remainingRaw) ? remainingRaw : Number.isNaN(amount) ? NaN : Math.max(0, amount - filled);
  const average = num(o.average);
  const costRaw = num(o.cost);
  const cost = !Number.isNaN(costRaw) ? costRaw : filled > 0 && !Number.isNaN(average) ? filled * average : NaN;
  return {
    id,
    clientOrderId: str(o.clientOrderId),
    symbol: o.symbol ?? '',
    side: side(o.side, `order ${id}`),
    type: o.type ?? 'limit',
    price: num(o.price),
    average: filled > 0 ? average : NaN,
    amount,
    filled,
    remaining,
    cost,
    status,
    fee: normaliseFee(o.fee),
    timeInForce: str(o.timeInForce),
    postOnly: o.postOnly === true,
    timestamp: num(o.timestamp),
    lastUpdateTimestamp: num(o.lastUpdateTimestamp ?? o.lastTradeTimestamp),
  };
}

export function normaliseTrade(t: CcxtTrade): Fill {
  const id = str(t.id);
  if (id === undefined) throw invariantError('TRADE_WITHOUT_ID', `ccxt returned a trade without an id (symbol ${t.symbol})`);
  const price = num(t.price), amount = num(t.amount);
  const costRaw = num(t.cost);
  const info = (t.info ?? {}) as Record<string, unknown>;
  return {
    id,
    orderId: str(t.order),
    clientOrderId: str((t as { clientOrderId?: unknown }).clientOrderId) ?? str(info.clientOrderId) ?? str(info.orderLinkId) ?? str(info.client_order_id),
    symbol: t.symbol ?? '',
    side: side(t.side, `trade ${id}`),
    price,
    amount,
    cost: Number.isNaN(costRaw) ? price * amount : costRaw,
    fee: normaliseFee(t.fee),
    takerOrMaker: t.takerOrMaker === 'taker' || t.takerOrMaker === 'maker' ? t.takerOrMaker : undefined,
    timestamp: num(t.timestamp),
  };
}

const RESERVED_BALANCE_KEYS = new Set(['info', 'free', 'used', 'total', 'timestamp', 'datetime', 'debt']);

export function normaliseBalances(b: CcxtBalances): Balances {
  const byCurrency: Record<string, BalanceEntry> = {};
  for (const [code, v] of Object.entries(b)) {
    if (RESERVED_BALANCE_KEYS.has(code) || v === null || typeof v !== 'object') continue;
    const e = v as { free?: unknown; used?: unknown; total?: unknown };
    const free = num(e.free), used = num(e.used), total = num(e.total);
    byCurrency[code] = {
      free: Number.isNaN(free) ? (Number.isNaN(total) ? 0 : total - (Number.isNaN(used) ? 0 : used)) : free,
      used: Number.isNaN(used) ? (Number.isNaN(total) || Number.isNaN(free) ? 0 : total - free) : used,
      total: Number.isNaN(total) ? (Number.isNaN(free) ? 0 : free) + (Number.isNaN(used) ? 0 : used) : total,
    };
  }
  return { byCurrency, timestamp: num((b as { timestamp?: unknown }).timestamp) };
}

export function normaliseTicker(t: CcxtTicker): Ticker {
  return {
    symbol: t.symbol ?? '',
    timestamp: num(t.timestamp),
    bid: num(t.bid),
    ask: num(t.ask),
    last: num(t.last ?? t.close),
    high: num(t.high),
    low: num(t.low),
    baseVolume: num(t.baseVolume),
    quoteVolume: num(t.quoteVolume),
  };
}

export function normaliseCandle(row: OHLCV): Candle {
  return [num(row[0]), num(row[1]), num(row[2]), num(row[3]), num(row[4]), num(row[5])];
}

/**
 * A ccxt market as a port Market with an engine MarketSpec. precisionMode TICK_SIZE (4): precision values are
 * increments; DECIMAL_PLACES (2): digit counts (2 -> 0.01); SIGNIFICANT_DIGITS (3): a digit count relative to the
 * value's magnitude, so a fixed tick exists only at a given price: `referencePrice` (e.g. the last trade) gives
 * it; without one, and for the amount, the step is 0 (no engine rounding; ccxt rounds the order when it is sent).
 * Missing fees fall back to the exchange's default trading fees, then to engine's defaults.
 */
export function marketFromCcxt(
  m: NonNullable<CcxtMarket>,
  precisionMode: number,
  opts: { referencePrice?: number; fallbackFees?: { maker: number; taker: number } } = {},
): Market {
  if (precisionMode !== CCXT_TICK_SIZE && precisionMode !== CCXT_DECIMAL_PLACES && precisionMode !== CCXT_SIGNIFICANT_DIGITS) {
    throw usageError('UNSUPPORTED_PRECISION_MODE', `market ${m.symbol}: ccxt precisionMode ${precisionMode} is unknown; expected 2 (DECIMAL_PLACES), 3 (SIGNIFICANT_DIGITS) or 4 (TICK_SIZE)`);
  }
  const pPrice = opt(m.precision?.price), pAmount = opt(m.precision?.amount);
  let specPrecision = { price: pPrice, amount: pAmount };
  let mode = precisionMode;
  if (precisionMode === CCXT_SIGNIFICANT_DIGITS) {
    const ref = opts.referencePrice;
    const tick = pPrice !== undefined && ref !== undefined && ref > 0
      ? Number((10 ** (Math.floor(Math.log10(ref)) - pPrice + 1)).toPrecision(1))
      : undefined;
    specPrecision = { price: tick, amount: undefined };
    mode = CCXT_TICK_SIZE;
  }
  const fallback = opts.fallbackFees ?? { maker: DEFAULT_MARKET_SPEC.makerFee, taker: DEFAULT_MARKET_SPEC.takerFee };
  const spec = marketSpecFromCcxt({
    symbol: m.symbol,
    precision: specPrecision,
    limits: { amount: { min: opt(m.limits?.amount?.min) }, cost: { min: opt(m.limits?.cost?.min) } },
    maker: opt(m.maker),
    taker: opt(m.taker),
  }, mode, fallback);
  return {
    symbol: m.symbol,
    id: String(m.id),
    base: m.base,
    quote: m.quote,
    type: m.type ?? 'spot',
    active: m.active !== false,
    spec,
    precision: { price: pPrice, amount: pAmount, mode: precisionMode as PrecisionMode },
    limits: {
      amountMin: opt(m.limits?.amount?.min), amountMax: opt(m.limits?.amount?.max),
      priceMin: opt(m.limits?.price?.min), priceMax: opt(m.limits?.price?.max),
      costMin: opt(m.limits?.cost?.min),
    },
  };
}
