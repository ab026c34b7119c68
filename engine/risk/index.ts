// Pure risk rules (issue 5): `(intent, state) → allow | deny`, the same in the backtest and live. See docs/risk.md.
export * from './types.ts';
export * from './calendar.ts';
export * from './kelly.ts';
export * from './rotation.ts';
export {
  DEFAULT_MAX_OPEN_ORDERS, walletAvailable, walletRule, stopPrice, stopLossHit, stopLossExit, stopLossRule, currentDrawdown,
  drawdownRule, dailyLossRule, weeklyLossRule, currentEquity, kellyRule, priceDeviationPct, volatilityRule,
  apiBreakerTrippedAt, apiErrorRule, openOrdersGlobalRule, openOrdersMarketRule,
  type WalletConfig, type VolatilityConfig, type ApiErrorConfig, type OpenOrdersConfig, type RiskConfig, type StopLossExit,
} from './rules.ts';
export { checkRisk, riskDenials, validateRiskConfig, buildRiskRules } from './check.ts';
export { riskIntentOf } from './intent.ts';
