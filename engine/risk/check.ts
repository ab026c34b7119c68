/** Composition and validation of the risk rules. */
import { usageError } from '../errors.ts';
import type { PctOrAbs, RiskDecision, RiskDenial, RiskIntent, RiskRule, RiskState } from './types.ts';
import { RISK_ALLOW } from './types.ts';
import {
  DEFAULT_MAX_OPEN_ORDERS, apiErrorRule, dailyLossRule, drawdownRule, kellyRule, openOrdersGlobalRule, openOrdersMarketRule,
  stopLossRule, volatilityRule, walletRule, weeklyLossRule, type RiskConfig,
} from './rules.ts';
import { validateRotationSettings } from './rotation.ts';

/** The first denial of `rules` in order, or allow. Cheap rules first is the caller's choice of order. */
export function checkRisk(intent: RiskIntent, state: RiskState, rules: readonly RiskRule[]): RiskDecision {
  for (let k = 0; k < rules.length; k++) {
    const d = rules[k](intent, state);
    if (!d.allow) return d;
  }
  return RISK_ALLOW;
}

/** Every denial of `rules` (for recording all reasons at once). */
export function riskDenials(intent: RiskIntent, state: RiskState, rules: readonly RiskRule[]): RiskDenial[] {
  const out: RiskDenial[] = [];
  for (const r of rules) {
    const d = r(intent, state);
    if (!d.allow) out.push(d);
  }
  return out;
}

const bad = (message: string) => usageError('RISK_CONFIG_INVALID', message);

function checkPctOrAbs(name: string, v: PctOrAbs | undefined, maxPct = 100): void {
  if (v === undefined) return;
  const hasPct = v.pct !== undefined, hasAbs = v.abs !== undefined;
  if (hasPct === hasAbs) throw bad(`${name} needs exactly one of pct or abs, got ${JSON.stringify(v)}`);
  if (hasPct && !(v.pct! > 0 && v.pct! <= maxPct)) throw bad(`${name}.pct must be in (0, ${maxPct}], got ${v.pct}`);
  if (hasAbs && !(v.abs! > 0 && Number.isFinite(v.abs!))) throw bad(`${name}.abs must be a positive finite quote amount, got ${v.abs}`);
}

const KNOWN = ['wallet', 'stopLoss', 'drawdown', 'dailyLoss', 'weeklyLoss', 'kelly', 'volatility', 'apiErrors', 'openOrders', 'rotation'];

/** Throws a usage error (RISK_CONFIG_INVALID) naming the first bad setting and what is allowed. */
export function validateRiskConfig(cfg: RiskConfig): void {
  for (const k of Object.keys(cfg)) if (!KNOWN.includes(k)) throw bad(`unknown risk setting '${k}'; known: ${KNOWN.join(', ')}`);
  checkPctOrAbs('stopLoss', cfg.stopLoss, 99.999999);
  if (cfg.rotation !== undefined) validateRotationSettings(cfg.rotation);
  checkPctOrAbs('drawdown', cfg.drawdown);
  checkPctOrAbs('dailyLoss', cfg.dailyLoss);
  checkPctOrAbs('weeklyLoss', cfg.weeklyLoss);
  const k = cfg.kelly;
  if (k) {
    if (!(k.fraction > 0 && k.fraction <= 1)) throw bad(`kelly.fraction must be in (0, 1], got ${k.fraction}`);
    if (!(k.cap > 0 && k.cap <= 1)) throw bad(`kelly.cap must be in (0, 1], got ${k.cap}`);
    if (!(Number.isInteger(k.lookback) && k.lookback >= 1)) throw bad(`kelly.lookback must be an integer >= 1, got ${k.lookback}`);
    if (!(Number.isInteger(k.minTrades) && k.minTrades >= 1 && k.minTrades <= k.lookback)) throw bad(`kelly.minTrades must be an integer in [1, lookback], got ${k.minTrades}`);
  }
  const v = cfg.volatility;
  if (v) {
    if (!(Number.isInteger(v.window) && v.window >= 1)) throw bad(`volatility.window must be an integer >= 1, got ${v.window}`);
    if (!(v.maxDeviationPct > 0)) throw bad(`volatility.maxDeviationPct must be > 0, got ${v.maxDeviationPct}`);
  }
  const a = cfg.apiErrors;
  if (a) {
    if (!(Number.isInteger(a.maxErrors) && a.maxErrors >= 0)) throw bad(`apiErrors.maxErrors must be an integer >= 0, got ${a.maxErrors}`);
    if (!(a.windowMs > 0)) throw bad(`apiErrors.windowMs must be > 0, got ${a.windowMs}`);
    if (!(a.cooldownMs > 0)) throw bad(`apiErrors.cooldownMs must be > 0, got ${a.cooldownMs}`);
  }
  const o = cfg.openOrders;
  if (o) {
    const cap = (name: string, x: number | undefined) => {
      if (x !== undefined && !(x === Infinity || (Number.isInteger(x) && x >= 1))) throw bad(`${name} must be an integer >= 1 (or Infinity), got ${x}`);
    };
    cap('openOrders.maxTotal', o.maxTotal);
    cap('openOrders.maxPerMarket', o.maxPerMarket);
    for (const [s, x] of Object.entries(o.perMarket ?? {})) cap(`openOrders.perMarket['${s}']`, x);
  }
}

/**
 * The rules a config turns on, cheapest first. Unset settings build no rule, except the global open-order cap,
 * which defaults to 490 (`openOrders.maxTotal: Infinity` removes it).
 */
export function buildRiskRules(cfg: RiskConfig): RiskRule[] {
  validateRiskConfig(cfg);
  const rules: RiskRule[] = [];
  if (cfg.apiErrors) rules.push(apiErrorRule(cfg.apiErrors));
  const maxTotal = cfg.openOrders?.maxTotal ?? DEFAULT_MAX_OPEN_ORDERS;
  if (maxTotal !== Infinity) rules.push(openOrdersGlobalRule(maxTotal));
  if (cfg.openOrders && (cfg.openOrders.maxPerMarket !== undefined || cfg.openOrders.perMarket)) rules.push(openOrdersMarketRule(cfg.openOrders));
  if (cfg.drawdown) rules.push(drawdownRule(cfg.drawdown));
  if (cfg.dailyLoss) rules.push(dailyLossRule(cfg.dailyLoss));
  if (cfg.weeklyLoss) rules.push(weeklyLossRule(cfg.weeklyLoss));
  if (cfg.volatility) rules.push(volatilityRule(cfg.volatility));
  if (cfg.stopLoss) rules.push(stopLossRule(cfg.stopLoss));
  if (cfg.wallet) rules.push(walletRule(cfg.wallet));
  if (cfg.kelly) rules.push(kellyRule(cfg.kelly));
  return rules;
}
