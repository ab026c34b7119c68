// Order-level simulation: market specs, the intrabar fill model, and the entry point `runOrderBacktest`.
export * from './views.ts';
export * from './market-spec.ts';
export * from './intrabar.ts';
export * from './types.ts';
export { runOrderBacktest, alignTimeline } from './simulator.ts';
export { Book } from './book.ts';
export { matchBar, limitCrosses, type BarMatcher } from './bar-match.ts';
export { OrderStore, OrderHandle, ST_OPEN, ST_FILLED, ST_CANCELLED, ST_REJECTED, F_SELL, F_MARKET, F_FROM_FILL, F_ARRIVAL } from './order-store.ts';
export { TAG_PREFIX, TAG_NUM, MAX_TAG_NUM, type NumericTag } from './tag-code.ts';
