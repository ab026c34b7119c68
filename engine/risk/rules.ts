/**
 * The risk rules, each a pure `(intent, state) → decision`, built from a `RiskConfig` (see docs/risk.md).
 * A rule that is not configured is not built, except the global open-order cap (490 by default).
 */
import { RISK_ALLOW, riskDeny, type PctOrAbs, type RiskLot, type RiskRule, type RiskState, type WalletState } from './types.ts';
import { isoWeekKey, isoWeekStart, utcDayKey, utcDayStart } from './calendar.ts';
import type { RotationSettings } from './rotation.ts';
import { kellyFraction, type KellyConfig } from './kelly.ts';

/** Coinbase allows 500 open orders per account; keep a margin. */
export const DEFAULT_MAX_OPEN_ORDERS = 490;

export interface WalletConfig {
  /** Gains grow the budget (true) or not (false, default). Losses always reduce it. */
  readonly compound?: boolean;
}

export interface VolatilityConfig {
  /** Number of prices before the current one whose mean is the reference. */
  readonly window: number;
  /** Deny entries while |price − mean| / mean exceeds this percentage. */
  readonly maxDeviationPct: number;
}

export interface ApiErrorConfig {
  /** Trip when MORE than this many errors fall within `windowMs`. */
  readonly maxErrors: number;
  readonly windowMs: number;
  /** Pause new orders for this long after the error that tripped the breaker. */
  readonly cooldownMs: number;
}

export interface OpenOrdersConfig {
  /** Cap on open orders across the process (default 490; Infinity disables). */
  readonly maxTotal?: number;
  /** Cap per market (every symbol). */
  readonly maxPerMarket?: number;
  /** Cap per named market, overriding `maxPerMarket`. */
  readonly perMarket?: Readonly<Record<string, number>>;
}

export interface RiskConfig {
  readonly wallet?: WalletConfig;
  /** Per-trade stop: pct below the entry price, or abs quote per base below it. */
  readonly stopLoss?: PctOrAbs;
  /** Drawdown from the equity peak: pct of the peak, or abs quote. Trips an emergency stop. */
  readonly drawdown?: PctOrAbs;
  /** Realised loss in the current UTC day: pct of the wallet budget, or abs quote. */
  readonly dailyLoss?: PctOrAbs;
  /** Realised loss in the current ISO week (Monday 00:00 UTC): pct of the wallet budget, or abs quote. */
  readonly weeklyLoss?: PctOrAbs;
  readonly kelly?: KellyConfig;
  readonly volatility?: VolatilityConfig;
  readonly apiErrors?: ApiErrorConfig;
  readonly openOrders?: OpenOrdersConfig;
  /** Consecutive-loss rotation (rotation.ts): not a per-order rule; the runtime feeds it every closed trade. */
  readonly rotation?: RotationSettings;
}

// ---------- wallet ----------

/** Quote the bot may still commit: budget, minus losses (plus gains when compounding), minus what is committed. */
export function walletAvailable(w: WalletState, compound = false): number {
  const pnl = compound ? w.realisedNet : Math.min(0, w.realisedNet);
  return w.budget + pnl - w.committed;
}

export function walletRule(cfg: WalletConfig): RiskRule {
  const compound = cfg.compound === true;
  return (intent, state) => {
    if (intent.side !== 'buy') return RISK_ALLOW;
    const need = intent.price * intent.amount * (1 + (intent.feeRate ?? 0));
    const avail = walletAvailable(state.wallet, compound);
    if (need > avail) {
      return riskDeny('wallet', `buy ${intent.amount} ${intent.symbol} @ ${intent.price} needs ${fmt(need)} quote (fee included) but the virtual wallet has ${fmt(avail)} available (budget ${fmt(state.wallet.budget)}, realised ${fmt(state.wallet.realisedNet)}${compound ? ', compounding' : ''}, committed ${fmt(state.wallet.committed)})`);
    }
    return RISK_ALLOW;
  };
}

// ---------- stop loss ----------

/** The stop price of a lot entered at `entryPrice`. */
export function stopPrice(entryPrice: number, cfg: PctOrAbs): number {
  return cfg.pct !== undefined ? entryPrice * (1 - cfg.pct / 100) : entryPrice - (cfg.abs ?? 0);
}

/** True when `price` is at or below the lot's stop. */
export function stopLossHit(lot: RiskLot, price: number, cfg: PctOrAbs): boolean {
  return lot.remaining > 0 && price <= stopPrice(lot.entryPrice, cfg);
}

/** The exit a hit stop asks for: sell the lot's remaining size at market. */
export interface StopLossExit {
  readonly type: 'market';
  readonly side: 'sell';
  readonly symbol: string;
  readonly amount: number;
  readonly lot: number | string;
  readonly stopPrice: number;
  readonly reason: string;
}

/** The exit intent for `lot` if its stop is hit at `price`, else null. */
export function stopLossExit(lot: RiskLot, price: number, cfg: PctOrAbs): StopLossExit | null {
  if (!stopLossHit(lot, price, cfg)) return null;
  const sp = stopPrice(lot.entryPrice, cfg);
  return {
    type: 'market', side: 'sell', symbol: lot.symbol, amount: lot.remaining, lot: lot.id, stopPrice: sp,
    reason: `stop loss: price ${price} <= stop ${fmt(sp)} (entry ${lot.entryPrice}, ${cfg.pct !== undefined ? `${cfg.pct} %` : `${cfg.abs} quote`})`,
  };
}

/** Entry check: no buy in a market while one of its open lots sits at or below its stop (exit pending). */
export function stopLossRule(cfg: PctOrAbs): RiskRule {
  return (intent, state) => {
    if (intent.side !== 'buy') return RISK_ALLOW;
    const price = lastPrice(state, intent.symbol) ?? intent.price;
    for (const lot of state.openLots) {
      if (lot.symbol === intent.symbol && stopLossHit(lot, price, cfg)) {
        return riskDeny('stop-loss', `lot ${lot.id} of ${lot.symbol} (entry ${lot.entryPrice}) is at or below its stop ${fmt(stopPrice(lot.entryPrice, cfg))} at price ${price}: no new entry until it is exited`);
      }
    }
    return RISK_ALLOW;
  };
}

// ---------- drawdown ----------

/** Drawdown of the last equity point from the running peak: { abs, pct } (0 when the history is empty). */
export function currentDrawdown(history: RiskState['equityHistory']): { abs: number; pct: number; peak: number; equity: number } {
  if (history.length === 0) return { abs: 0, pct: 0, peak: NaN, equity: NaN };
  let peak = -Infinity;
  for (let k = 0; k < history.length; k++) if (history[k].equity > peak) peak = history[k].equity;
  const equity = history[history.length - 1].equity;
  const abs = peak - equity;
  return { abs, pct: peak > 0 ? (abs / peak) * 100 : 0, peak, equity };
}

export function drawdownRule(cfg: PctOrAbs): RiskRule {
  return (intent, state) => {
    if (intent.side !== 'buy') return RISK_ALLOW;
    const dd = currentDrawdown(state.equityHistory);
    const hit = cfg.pct !== undefined ? dd.pct >= cfg.pct : dd.abs >= (cfg.abs ?? Infinity);
    if (hit) {
      return riskDeny('drawdown', `drawdown ${fmt(dd.abs)} quote (${fmt(dd.pct)} %) from the equity peak ${fmt(dd.peak)} reached the limit of ${cfg.pct !== undefined ? `${cfg.pct} %` : `${cfg.abs} quote`}`, 'emergency-stop');
    }
    return RISK_ALLOW;
  };
}

// ---------- daily / weekly loss ----------

function lossLimitRule(rule: 'daily-loss' | 'weekly-loss', cfg: PctOrAbs): RiskRule {
  const keyOf = rule === 'daily-loss' ? utcDayKey : isoWeekKey;
  const book = rule === 'daily-loss' ? 'realisedByDay' : 'realisedByWeek';
  // the effect lasts until the next calendar boundary (a new day / week starts with no realised loss)
  const nextBoundary = rule === 'daily-loss' ? (t: number) => utcDayStart(t) + 86_400_000 : (t: number) => isoWeekStart(t) + 7 * 86_400_000;
  return (intent, state) => {
    if (intent.side !== 'buy') return RISK_ALLOW;
    const key = keyOf(state.now);
    const pnl = state[book][key] ?? 0;
    const limit = cfg.pct !== undefined ? (state.wallet.budget * cfg.pct) / 100 : (cfg.abs ?? Infinity);
    if (-pnl >= limit) {
      return riskDeny(rule, `realised loss ${fmt(-pnl)} quote in ${rule === 'daily-loss' ? 'UTC day' : 'ISO week'} ${key} reached the limit of ${fmt(limit)} quote${cfg.pct !== undefined ? ` (${cfg.pct} % of the budget)` : ''}`, 'pause-entries', nextBoundary(state.now));
    }
    return RISK_ALLOW;
  };
}

export const dailyLossRule = (cfg: PctOrAbs): RiskRule => lossLimitRule('daily-loss', cfg);
export const weeklyLossRule = (cfg: PctOrAbs): RiskRule => lossLimitRule('weekly-loss', cfg);

// ---------- Kelly ----------

/** Current equity: the last equity point, else the wallet budget. */
export function currentEquity(state: RiskState): number {
  const h = state.equityHistory;
  return h.length > 0 ? h[h.length - 1].equity : state.wallet.budget;
}

/** Entries may not exceed the (fractional, capped) Kelly share of equity. Allows everything before `minTrades`. */
export function kellyRule(cfg: KellyConfig): RiskRule {
  return (intent, state) => {
    if (intent.side !== 'buy') return RISK_ALLOW;
    const f = kellyFraction(state.recentTradePnl, cfg);
    if (f === null) return RISK_ALLOW;
    const maxNotional = f * currentEquity(state);
    const notional = intent.price * intent.amount;
    if (notional > maxNotional * (1 + 1e-9)) {
      return riskDeny('kelly', `buy notional ${fmt(notional)} exceeds the Kelly size ${fmt(maxNotional)} (${fmt(f * 100)} % of equity ${fmt(currentEquity(state))} from the last ${Math.min(cfg.lookback, state.recentTradePnl.length)} trades)`);
    }
    return RISK_ALLOW;
  };
}

// ---------- volatility ----------

/** |last − mean(previous `window` prices)| / mean × 100, or NaN with fewer than window + 1 prices. */
export function priceDeviationPct(prices: readonly number[], window: number): number {
  const n = prices.length;
  if (n < window + 1) return NaN;
  let sum = 0;
  for (let k = n - 1 - window; k < n - 1; k++) sum += prices[k];
  const mean = sum / window;
  return (Math.abs(prices[n - 1] - mean) / mean) * 100;
}

export function volatilityRule(cfg: VolatilityConfig): RiskRule {
  return (intent, state) => {
    if (intent.side !== 'buy') return RISK_ALLOW;
    const dev = priceDeviationPct(state.recentPrices[intent.symbol] ?? [], cfg.window);
    if (dev > cfg.maxDeviationPct) {
      return riskDeny('volatility', `${intent.symbol} price deviates ${fmt(dev)} % from its mean over the last ${cfg.window} prices (limit ${cfg.maxDeviationPct} %)`, 'pause-entries');
    }
    return RISK_ALLOW;
  };
}

// ---------- API error rate ----------

/**
 * When the API error breaker last tripped: the latest error that was the (maxErrors+1)-th within `windowMs`
 * (errors at or before `now` only). NaN if it never tripped.
 */
export function apiBreakerTrippedAt(errorTs: readonly number[], now: number, cfg: ApiErrorConfig): number {
  const k = cfg.maxErrors;
  let at = NaN;
  for (let j = k; j < errorTs.length; j++) {
    if (errorTs[j] > now) break;
    if (errorTs[j] - errorTs[j - k] <= cfg.windowMs) at = errorTs[j];
  }
  return at;
}

export function apiErrorRule(cfg: ApiErrorConfig): RiskRule {
  return (_intent, state) => {
    const at = apiBreakerTrippedAt(state.apiErrorTs, state.now, cfg);
    if (at === at && state.now < at + cfg.cooldownMs) {
      return riskDeny('api-errors', `more than ${cfg.maxErrors} API errors within ${cfg.windowMs} ms (tripped at ${new Date(at).toISOString()}): new orders paused until ${new Date(at + cfg.cooldownMs).toISOString()}`, 'pause-orders', at + cfg.cooldownMs);
    }
    return RISK_ALLOW;
  };
}

// ---------- open orders ----------

export function openOrdersGlobalRule(maxTotal: number): RiskRule {
  return (_intent, state) =>
    state.openOrders.total >= maxTotal
      ? riskDeny('open-orders-global', `${state.openOrders.total} orders are open; the global cap is ${maxTotal}`)
      : RISK_ALLOW;
}

export function openOrdersMarketRule(cfg: OpenOrdersConfig): RiskRule {
  return (intent, state) => {
    const cap = cfg.perMarket?.[intent.symbol] ?? cfg.maxPerMarket;
    if (cap === undefined) return RISK_ALLOW;
    const n = state.openOrders.bySymbol[intent.symbol] ?? 0;
    return n >= cap ? riskDeny('open-orders-market', `${n} orders are open in ${intent.symbol}; its cap is ${cap}`) : RISK_ALLOW;
  };
}

// ---------- helpers ----------

function lastPrice(state: RiskState, symbol: string): number | undefined {
  const p = state.recentPrices[symbol];
  return p && p.length > 0 ? p[p.length - 1] : undefined;
}

function fmt(x: number): string {
  return Number.isFinite(x) ? String(Math.round(x * 1e6) / 1e6) : String(x);
}

