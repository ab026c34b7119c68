/**
 * A market's trading rules: price tick, amount step, minimum amount and notional, maker and taker fee.
 * Every order is rounded to them; an order below a minimum is rejected with a reason (counted), never bumped.
 *
 * Rounding (stated): amounts round DOWN to the step (never more than asked). Prices round to the tick
 * toward the passive side: buys DOWN, sells UP (an order never becomes more aggressive than asked).
 * `roundPrice(spec, p, 'nearest')` is available for marks and display.
 */
import { usageError } from '../errors.ts';

export interface MarketSpec {
  readonly symbol: string;
  /** Price increment in quote (e.g. 0.01). 0 = no rounding. */
  readonly priceTick: number;
  /** Amount increment in base (e.g. 0.00001). 0 = no rounding. */
  readonly amountStep: number;
  /** Minimum order amount in base (0 = none). */
  readonly minAmount: number;
  /** Minimum order notional (price x amount) in quote (0 = none). */
  readonly minNotional: number;
  /** Maker fee rate (0.001 = 0.1 %), charged in quote on resting limit fills. */
  readonly makerFee: number;
  /** Taker fee rate, charged in quote on market orders and limits that cross on arrival. */
  readonly takerFee: number;
}

export type PriceRounding = 'buy' | 'sell' | 'nearest';

export type RejectReason =
  | 'below-min-amount'
  | 'below-min-notional'
  | 'invalid-price'
  | 'invalid-amount'
  | 'insufficient-cash'
  | 'insufficient-inventory'
  | 'lot-not-open'
  | 'duplicate-tag'
  | 'unknown-tag';

/** Binance spot BTC/USDT-like defaults: tick 0.01, step 0.00001, min notional 5, fees 0.1 %. */
export const DEFAULT_MARKET_SPEC: Omit<MarketSpec, 'symbol'> = Object.freeze({
  priceTick: 0.01, amountStep: 0.00001, minAmount: 0.00001, minNotional: 5, makerFee: 0.001, takerFee: 0.001,
});

function decimalsOf(step: number): number {
  if (step <= 0) return 0;
  const s = step.toString();
  const e = s.indexOf('e-');
  if (e >= 0) return Number(s.slice(e + 2)) + Math.max(0, s.indexOf('.') >= 0 ? e - s.indexOf('.') - 1 : 0);
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}

// 10^decimals of each step seen, so that rounding costs a multiply and a Math.round, not a toFixed.
// The last two steps asked for are kept in variables (a run alternates its price tick and amount step).
const scaleCache = new Map<number, number>();
let stepA = NaN, scaleA = 1, stepB = NaN, scaleB = 1;
/** Make `step` the last step asked for (stepA, its scale scaleA); called when it is neither of the last two. */
function rememberScale(step: number): void {
  let f = scaleCache.get(step);
  if (f === undefined) { f = 10 ** Math.min(15, decimalsOf(step)); scaleCache.set(step, f); }
  stepB = stepA; scaleB = scaleA; stepA = step; scaleA = f;
}

// A value within 1e-9 steps of a grid point counts as on it (float noise must not round 0.3/0.1 down to 2).
const EPS = 1e-9;

/** Round a price to the tick: buys down, sells up, or nearest. */
export function roundPrice(spec: MarketSpec, price: number, mode: PriceRounding): number {
  const io = ROUND_IO;
  io[0] = price;
  io[1] = NaN;
  roundOrderInPlace(spec, mode, true, io);
  return io[0];
}

/** Round an amount DOWN to the step. */
export function roundAmount(spec: MarketSpec, amount: number): number {
  const io = ROUND_IO;
  io[0] = NaN;
  io[1] = amount;
  roundOrderInPlace(spec, 'nearest', false, io);
  return io[1];
}
const ROUND_IO = new Float64Array(2);

/**
 * Round an order in place to the market: io[0] = the price (limit orders only: to the tick, buys down, sells up, or
 * nearest), io[1] = the amount (down to the step); a product is snapped back to the step's decimal grid (removes
 * 0.30000000000000004-style noise). No call in it returns a number: V8 hands over the doubles returned by calls it does
 * not inline as heap numbers, and the order simulator rounds every order it is given.
 */
export function roundOrderInPlace(spec: MarketSpec, side: PriceRounding, limit: boolean, io: Float64Array): void {
  const t = spec.priceTick, price = io[0];
  if (limit && t > 0 && Number.isFinite(price)) {
    const q = price / t;
    const n = side === 'buy' ? Math.floor(q + EPS) : side === 'sell' ? Math.ceil(q - EPS) : Math.round(q);
    if (t !== stepA && t !== stepB) rememberScale(t);
    const f = t === stepA ? scaleA : scaleB;
    io[0] = Math.round(n * t * f) / f;
  }
  const s = spec.amountStep, amount = io[1];
  if (s > 0 && Number.isFinite(amount)) {
    if (s !== stepA && s !== stepB) rememberScale(s);
    const f = s === stepA ? scaleA : scaleB;
    io[1] = Math.round(Math.floor(amount / s + EPS) * s * f) / f;
  }
}

/** Why an already rounded order may not be placed, or undefined when it may. Never adjusts the order. */
export function checkOrder(spec: MarketSpec, price: number, amount: number): RejectReason | undefined {
  const io = CHECK_IO;
  io[0] = price;
  io[1] = amount;
  return checkOrderOf(spec, io);
}
const CHECK_IO = new Float64Array(2);

/** `checkOrder` of the price io[0] and amount io[1] (read from an array: no heap number per call, see roundOrderInPlace). */
export function checkOrderOf(spec: MarketSpec, io: Float64Array): RejectReason | undefined {
  const price = io[0], amount = io[1];
  if (!(amount > 0) || !Number.isFinite(amount)) return amount === 0 ? 'below-min-amount' : 'invalid-amount';
  if (!(price > 0) || !Number.isFinite(price)) return 'invalid-price';
  if (amount < spec.minAmount) return 'below-min-amount';
  if (price * amount < spec.minNotional) return 'below-min-notional';
  return undefined;
}

/** Validate a spec (user input: flags or a file); throws a usage error naming the bad field. */
export function validateMarketSpec(spec: MarketSpec): MarketSpec {
  const fields: (keyof Omit<MarketSpec, 'symbol'>)[] = ['priceTick', 'amountStep', 'minAmount', 'minNotional', 'makerFee', 'takerFee'];
  for (const f of fields) {
    const v = spec[f];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw usageError('BAD_MARKET_SPEC', `market spec for ${spec.symbol}: ${f}=${String(v)} must be a finite number >= 0`, { symbol: spec.symbol, field: f });
    }
  }
  if (spec.makerFee >= 1 || spec.takerFee >= 1) {
    throw usageError('BAD_MARKET_SPEC', `market spec for ${spec.symbol}: fees are rates (0.001 = 0.1 %) and must be < 1`, { symbol: spec.symbol });
  }
  return Object.freeze({ ...spec });
}

/** A spec for `symbol` from the defaults plus overrides. */
export function marketSpec(symbol: string, overrides: Partial<Omit<MarketSpec, 'symbol'>> = {}): MarketSpec {
  return validateMarketSpec({ symbol, ...DEFAULT_MARKET_SPEC, ...overrides });
}

/** ccxt's precision modes (the values of ccxt.DECIMAL_PLACES, SIGNIFICANT_DIGITS and TICK_SIZE). */
export const CCXT_DECIMAL_PLACES = 2;
export const CCXT_SIGNIFICANT_DIGITS = 3;
export const CCXT_TICK_SIZE = 4;

/** The fields of a ccxt unified market that a spec needs. */
export interface CcxtMarketLike {
  readonly symbol: string;
  readonly precision?: { readonly price?: number | null; readonly amount?: number | null };
  readonly limits?: {
    readonly amount?: { readonly min?: number | null };
    readonly cost?: { readonly min?: number | null };
  };
  readonly maker?: number | null;
  readonly taker?: number | null;
}

/**
 * Build a spec from a ccxt market. `precisionMode` is the exchange's `precisionMode`: TICK_SIZE (4, precision
 * values are increments, e.g. 0.01) or DECIMAL_PLACES (2, precision values are digit counts, e.g. 2 -> 0.01).
 * SIGNIFICANT_DIGITS cannot be turned into a fixed tick and is refused. Missing values mean "no rule" (0),
 * missing fees fall back to `fallbackFees`.
 */
export function marketSpecFromCcxt(
  market: CcxtMarketLike,
  precisionMode: number,
  fallbackFees: { maker: number; taker: number } = { maker: DEFAULT_MARKET_SPEC.makerFee, taker: DEFAULT_MARKET_SPEC.takerFee },
): MarketSpec {
  const toStep = (v: number | null | undefined): number => {
    if (v === null || v === undefined) return 0;
    if (precisionMode === CCXT_TICK_SIZE) return v;
    if (precisionMode === CCXT_DECIMAL_PLACES) return Number((10 ** -v).toFixed(Math.max(0, v)));
    throw usageError('UNSUPPORTED_PRECISION_MODE', `market ${market.symbol}: ccxt precisionMode ${precisionMode} is not supported; allowed: ${CCXT_TICK_SIZE} (TICK_SIZE) or ${CCXT_DECIMAL_PLACES} (DECIMAL_PLACES)`);
  };
  return validateMarketSpec({
    symbol: market.symbol,
    priceTick: toStep(market.precision?.price),
    amountStep: toStep(market.precision?.amount),
    minAmount: market.limits?.amount?.min ?? 0,
    minNotional: market.limits?.cost?.min ?? 0,
    makerFee: market.maker ?? fallbackFees.maker,
    takerFee: market.taker ?? fallbackFees.taker,
  });
}
