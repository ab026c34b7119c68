/**
 * Client order ids (CONVENTIONS §8): every order carries an id derived from (bot, strategy, sequence), so that a
 * write whose outcome is unknown can be looked up, and can never be placed twice under a new name.
 *
 * Format: `tl-<bot8><strat5>-<seq36>`, all lower-case [a-z0-9-], at most 28 characters:
 *   - `bot8`: 8 base-36 characters of sha256(botId) (about 41 bits)
 *   - `strat5`: 5 base-36 characters of sha256(botId + NUL + strategyId) (about 26 bits)
 *   - `seq36`: the sequence number in base 36 (a safe integer: at most 11 characters)
 * It is deterministic (the same triple always gives the same id), distinct for distinct sequence numbers of one
 * (bot, strategy), and fits every supported venue's rule (the shortest is 32 characters, the narrowest charset
 * [A-Za-z0-9_-]). Two different bots collide only if 41 bits of their hashes agree.
 */
import { createHash } from 'node:crypto';
import { invariantError, usageError } from '../../engine/errors.ts';

export const CLIENT_ORDER_ID_MAX_LENGTH = 28;

/** What a venue accepts as a client order id, and under which names it travels. */
export interface ClientOrderIdRule {
  /** The key tradelab passes in ccxt's createOrder params (what that exchange's ccxt class reads). */
  readonly ccxtParam: string;
  /** The field that carries it on the wire (in the request the exchange receives). */
  readonly venueField: string;
  readonly maxLength: number;
  readonly pattern: RegExp;
  readonly charset: string;
}

/**
 * The rules of the first-class venues (read from node_modules/ccxt/js/src/<id>.js and the venues' API docs), and
 * a conservative default for every other ccxt exchange.
 */
export const CLIENT_ORDER_ID_RULES: Readonly<Record<string, ClientOrderIdRule>> = Object.freeze({
  // binance.js createOrderRequest: safeStringN(params, ['newClientOrderId', 'clientOrderId', ...]) -> newClientOrderId
  binance: { ccxtParam: 'newClientOrderId', venueField: 'newClientOrderId', maxLength: 36, pattern: /^[.A-Z:/a-z0-9_-]{1,36}$/, charset: '[.A-Z:/a-z0-9_-]' },
  binanceus: { ccxtParam: 'newClientOrderId', venueField: 'newClientOrderId', maxLength: 36, pattern: /^[.A-Z:/a-z0-9_-]{1,36}$/, charset: '[.A-Z:/a-z0-9_-]' },
  // bybit.js createOrderRequest: safeString(params, 'clientOrderId') -> orderLinkId ("max 36 characters")
  bybit: { ccxtParam: 'clientOrderId', venueField: 'orderLinkId', maxLength: 36, pattern: /^[A-Za-z0-9_-]{1,36}$/, charset: '[A-Za-z0-9_-]' },
  // coinbase.js createOrder builds client_order_id itself and omits params.clientOrderId; params.client_order_id
  // overrides it through extend(request, params). Coinbase treats a repeated client_order_id as the same order.
  coinbase: { ccxtParam: 'client_order_id', venueField: 'client_order_id', maxLength: 128, pattern: /^[A-Za-z0-9_-]{1,128}$/, charset: '[A-Za-z0-9_-]' },
  // mexc.js createSpotOrderRequest: safeString(params, 'clientOrderId') -> newClientOrderId
  mexc: { ccxtParam: 'clientOrderId', venueField: 'newClientOrderId', maxLength: 32, pattern: /^[A-Za-z0-9_-]{1,32}$/, charset: '[A-Za-z0-9_-]' },
});

/** ccxt's unified `clientOrderId` param, with the narrowest common rule. */
export const DEFAULT_CLIENT_ORDER_ID_RULE: ClientOrderIdRule = Object.freeze({
  ccxtParam: 'clientOrderId', venueField: 'clientOrderId', maxLength: 32, pattern: /^[A-Za-z0-9_-]{1,32}$/, charset: '[A-Za-z0-9_-]',
});

export function clientOrderIdRule(exchangeId: string): ClientOrderIdRule {
  return CLIENT_ORDER_ID_RULES[exchangeId] ?? DEFAULT_CLIENT_ORDER_ID_RULE;
}

const PREFIX = 'tl-';

function hash36(text: string, chars: number): string {
  const digest = createHash('sha256').update(text, 'utf8').digest();
  const n = digest.readBigUInt64BE(0) % 36n ** BigInt(chars);
  return n.toString(36).padStart(chars, '0');
}

/** The part shared by every client order id of one bot (`tl-<bot8>`): to recognise a bot's orders on a venue. */
export function clientOrderIdBotPrefix(botId: string): string {
  if (typeof botId !== 'string' || botId === '') throw usageError('BAD_BOT_ID', `a bot id must be a non-empty string (got ${JSON.stringify(botId)})`);
  return PREFIX + hash36(botId, 8);
}

/** The part shared by every client order id of one (bot, strategy): `tl-<bot8><strat5>-`. */
export function clientOrderIdPrefix(botId: string, strategyId: string): string {
  if (typeof strategyId !== 'string' || strategyId === '') throw usageError('BAD_STRATEGY_ID', `a strategy id must be a non-empty string (got ${JSON.stringify(strategyId)})`);
  return `${clientOrderIdBotPrefix(botId)}${hash36(`${botId}\u0000${strategyId}`, 5)}-`;
}

/** The deterministic client order id of the `seq`-th order (a non-negative safe integer) of (bot, strategy). */
export function clientOrderId(botId: string, strategyId: string, seq: number): string {
  if (!Number.isSafeInteger(seq) || seq < 0) {
    throw invariantError('BAD_ORDER_SEQ', `an order sequence number must be a non-negative safe integer (got ${seq})`);
  }
  return clientOrderIdPrefix(botId, strategyId) + seq.toString(36);
}

/** The sequence number of a tradelab client order id of (bot, strategy), or undefined if it is not one. */
export function clientOrderIdSeq(id: string, botId: string, strategyId: string): number | undefined {
  const prefix = clientOrderIdPrefix(botId, strategyId);
  if (!id.startsWith(prefix)) return undefined;
  const rest = id.slice(prefix.length);
  if (!/^[0-9a-z]{1,11}$/.test(rest)) return undefined;
  const n = parseInt(rest, 36);
  return Number.isSafeInteger(n) && n.toString(36) === rest ? n : undefined;
}

/** True for any id in tradelab's format (whatever bot made it). */
export const isTradelabClientOrderId = (id: string | undefined): boolean =>
  id !== undefined && /^tl-[0-9a-z]{13}-[0-9a-z]{1,11}$/.test(id);

/** Check an id against a venue's rule; a usage error says what the venue allows. */
export function assertClientOrderIdFits(exchangeId: string, id: string): void {
  const rule = clientOrderIdRule(exchangeId);
  if (!rule.pattern.test(id)) {
    throw usageError('BAD_CLIENT_ORDER_ID',
      `client order id '${id}' does not fit ${exchangeId}: it allows 1 to ${rule.maxLength} characters of ${rule.charset} (sent as ${rule.venueField})`,
      { exchange: exchangeId, clientOrderId: id, maxLength: rule.maxLength });
  }
}
