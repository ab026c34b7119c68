// The exchange port and its ccxt adapter (issue 5). Paper and replay adapters implement the same ExchangePort.
export type {
  ExchangePort, Order, OrderSide, OrderType, OrderStatus, Fee, Fill, BalanceEntry, Balances, Ticker, Candle, CandleUpdate,
  Market, PrecisionMode, OrderRequest, OrderRef, CancelResult, StreamOptions,
} from './port.ts';
export {
  createCcxtAdapter, createCcxtExchange, assertExchangeId, backoffDelay, realAdapterDeps,
  DEFAULT_RETRY, DEFAULT_LOOKUP, DEFAULT_POLL_INTERVAL_MS,
  type CcxtAdapter, type CcxtAdapterConfig, type CcxtAdapterDeps, type AdapterLogEvent, type RetryPolicy, type LookupPolicy,
} from './ccxt-adapter.ts';
export { mapCcxtError, ccxtErrorFamily, isRetryableRead, type CcxtErrorContext } from './ccxt-errors.ts';
export {
  clientOrderId, clientOrderIdPrefix, clientOrderIdBotPrefix, clientOrderIdSeq, isTradelabClientOrderId,
  assertClientOrderIdFits, clientOrderIdRule, CLIENT_ORDER_ID_RULES, DEFAULT_CLIENT_ORDER_ID_RULE, CLIENT_ORDER_ID_MAX_LENGTH,
  type ClientOrderIdRule,
} from './client-order-id.ts';
export {
  normaliseOrder, normaliseTrade, normaliseBalances, normaliseTicker, normaliseCandle, normaliseStatus, normaliseFee, marketFromCcxt,
} from './normalise.ts';
export { streamBatches, candleDiff, orderDiff, fillDiff, type StreamDeps } from './streams.ts';
export { venueProfile, FIRST_CLASS_VENUES, type VenueProfile } from './venues.ts';
export { createReplayAdapter, marketOf, type ReplayExchange, type ReplayConfig, type ReplayMarketInput } from './replay-adapter.ts';
export { createPaperAdapter, type PaperExchange, type PaperConfig } from './paper-adapter.ts';
export { SimVenue, type SimFillModel, type SimOrderRequest, type SimMarket } from './sim-venue.ts';
export { injectFaults, seededRandom, FAULT_METHODS, type FaultConfig, type FaultKind, type FaultStats } from './faults.ts';
export { Channel } from './channel.ts';
