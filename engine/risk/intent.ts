/** From a strategy's order intent (engine/strategy.ts) to the `RiskIntent` the rules check. */
import type { LimitIntent, MarketIntent } from '../strategy.ts';
import type { RiskIntent } from './types.ts';

/**
 * `refPrice` prices a market order (the last price or the next bar's open estimate); a limit order is priced at
 * its limit. `feeRate`: taker for market orders, maker for limits (the caller knows the market spec).
 */
export function riskIntentOf(intent: MarketIntent | LimitIntent, symbol: string, refPrice: number, feeRate = 0): RiskIntent {
  return {
    symbol, side: intent.side, type: intent.type, amount: intent.amount, feeRate, tag: intent.tag,
    price: intent.type === 'limit' ? intent.price : refPrice,
  };
}
