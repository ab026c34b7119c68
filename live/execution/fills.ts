/** Venue fills into the store: fee conversion and the idempotent apply (shared by the order manager and reconciliation). */
import type { ExchangePort, Fill, Market } from '../exchange/port.ts';
import type { StateStore } from '../state/store.ts';
import type { StoredOrder } from '../state/types.ts';
import type { AppliedFill } from './types.ts';

/** A venue fill's fee in quote currency (a base-currency fee is valued at the fill price; any other currency counts 0). */
export function feeInQuote(f: Fill, market: Market): number {
  const fee = f.fee;
  if (!fee || !(fee.cost > 0)) return 0;
  if (fee.currency === undefined || fee.currency === market.quote) return fee.cost;
  if (fee.currency === market.base) return fee.cost * f.price;
  return 0;
}

/** Applies a venue fill to the store if it belongs to one of the bot's known orders. */
export function applyVenueFill(store: StateStore, botId: string, port: ExchangePort, f: Fill): AppliedFill | undefined {
  if (store.orders.hasTrade(botId, f.symbol, f.id)) return undefined;
  let order: StoredOrder | undefined;
  if (f.clientOrderId !== undefined) {
    const o = store.orders.byClientId(f.clientOrderId);
    if (o && o.botId === botId) order = o;
  }
  if (!order && f.orderId !== undefined) order = store.orders.byExchangeId(botId, f.symbol, f.orderId);
  if (!order) return undefined;
  const feeQuote = feeInQuote(f, port.market(f.symbol));
  const result = store.orders.applyFill({
    botId, clientId: order.clientId, tradeId: f.id, ts: f.timestamp, price: f.price, amount: f.amount, fee: feeQuote,
    liquidity: f.takerOrMaker ?? null,
  });
  if (!result.applied) return undefined;
  return { venueFill: f, order: result.order, result, feeQuote };
}
