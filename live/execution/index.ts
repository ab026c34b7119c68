// The execution core (issue 5): the order manager (intents → risk check → store → adapter → store), fill sync,
// the kill switch's cancelAll, and reconciliation with the exchange. Adapters: live/exchange (ccxt, paper, replay).
export type * from './types.ts';
export { OrderManager, createOrderManager } from './order-manager.ts';
export { reconcileBot } from './reconcile.ts';
export { applyVenueFill, feeInQuote } from './fills.ts';
export { DEFAULT_EXEC_RETRY, withRetry, execBackoff, isTransient, realExecDeps } from './retry.ts';
