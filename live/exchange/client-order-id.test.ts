import { describe, expect, it } from 'vitest';
import {
  CLIENT_ORDER_ID_MAX_LENGTH, CLIENT_ORDER_ID_RULES, DEFAULT_CLIENT_ORDER_ID_RULE, assertClientOrderIdFits, clientOrderId,
  clientOrderIdBotPrefix, clientOrderIdPrefix, clientOrderIdRule, clientOrderIdSeq, isTradelabClientOrderId,
} from './client-order-id.ts';
import { FIRST_CLASS_VENUES } from './venues.ts';

const LONG_BOT = 'my-very-long-bot-name-with-ünïcödé-and spaces and more and more and more text'.repeat(3);
const LONG_STRATEGY = 'bollinger-reversion@12'.repeat(10);
const SEQS = [0, 1, 35, 36, 1234, 2 ** 31, Number.MAX_SAFE_INTEGER];

describe('clientOrderId(botId, strategyId, seq)', () => {
  it('is deterministic and distinct per (bot, strategy, seq)', () => {
    expect(clientOrderId('bot-1', 'sma-cross@1', 7)).toBe(clientOrderId('bot-1', 'sma-cross@1', 7));
    const ids = new Set<string>();
    for (const bot of ['bot-1', 'bot-2', 'Bot-1', LONG_BOT]) {
      for (const strat of ['sma-cross@1', 'sma-cross@2', 'grid@1', LONG_STRATEGY]) {
        for (let seq = 0; seq < 300; seq++) ids.add(clientOrderId(bot, strat, seq));
      }
    }
    expect(ids.size).toBe(4 * 4 * 300);
  });

  it('has the documented shape and maximum length', () => {
    for (const seq of SEQS) {
      const id = clientOrderId(LONG_BOT, LONG_STRATEGY, seq);
      expect(id).toMatch(/^tl-[0-9a-z]{13}-[0-9a-z]{1,11}$/);
      expect(id.length).toBeLessThanOrEqual(CLIENT_ORDER_ID_MAX_LENGTH);
      expect(isTradelabClientOrderId(id)).toBe(true);
    }
    expect(clientOrderId('b', 's', Number.MAX_SAFE_INTEGER)).toHaveLength(CLIENT_ORDER_ID_MAX_LENGTH);
  });

  it('round-trips the sequence number, and recognises its own bot and strategy', () => {
    for (const seq of SEQS) expect(clientOrderIdSeq(clientOrderId('bot-1', 'grid@1', seq), 'bot-1', 'grid@1')).toBe(seq);
    const id = clientOrderId('bot-1', 'grid@1', 5);
    expect(clientOrderIdSeq(id, 'bot-2', 'grid@1')).toBeUndefined();
    expect(clientOrderIdSeq(id, 'bot-1', 'grid@2')).toBeUndefined();
    expect(id.startsWith(clientOrderIdPrefix('bot-1', 'grid@1'))).toBe(true);
    expect(id.startsWith(clientOrderIdBotPrefix('bot-1'))).toBe(true);
    expect(clientOrderId('bot-1', 'sma@1', 5).startsWith(clientOrderIdBotPrefix('bot-1'))).toBe(true);
    expect(isTradelabClientOrderId('x-R4BD3S82a715e5f92ae442d8989388')).toBe(false);
    expect(isTradelabClientOrderId(undefined)).toBe(false);
  });

  it('refuses bad input', () => {
    expect(() => clientOrderId('bot', 'grid@1', -1)).toThrow(/non-negative safe integer/);
    expect(() => clientOrderId('bot', 'grid@1', 1.5)).toThrow(/non-negative safe integer/);
    expect(() => clientOrderId('bot', 'grid@1', 2 ** 53)).toThrow(/non-negative safe integer/);
    expect(() => clientOrderId('', 'grid@1', 1)).toThrow(/bot id/);
    expect(() => clientOrderId('bot', '', 1)).toThrow(/strategy id/);
  });
});

describe("each venue's client order id rule", () => {
  // The venues' documented limits, stated independently of the rule table.
  const documented: Record<string, { max: number; field: string; ccxtParam: string; bad: string }> = {
    binance: { max: 36, field: 'newClientOrderId', ccxtParam: 'newClientOrderId', bad: 'has space' },
    binanceus: { max: 36, field: 'newClientOrderId', ccxtParam: 'newClientOrderId', bad: 'émoji' },
    bybit: { max: 36, field: 'orderLinkId', ccxtParam: 'clientOrderId', bad: 'a.b' },
    mexc: { max: 32, field: 'newClientOrderId', ccxtParam: 'clientOrderId', bad: 'a:b' },
    coinbase: { max: 128, field: 'client_order_id', ccxtParam: 'client_order_id', bad: 'a b' },
  };

  it('covers every first-class venue', () => {
    expect(Object.keys(CLIENT_ORDER_ID_RULES).sort()).toEqual([...FIRST_CLASS_VENUES].sort());
  });

  for (const [venue, d] of Object.entries(documented)) {
    it(`${venue}: ${d.field} <= ${d.max} chars; every tradelab id fits`, () => {
      const rule = clientOrderIdRule(venue);
      expect(rule.maxLength).toBe(d.max);
      expect(rule.venueField).toBe(d.field);
      expect(rule.ccxtParam).toBe(d.ccxtParam);
      for (const seq of SEQS) {
        const id = clientOrderId(LONG_BOT, LONG_STRATEGY, seq);
        expect(rule.pattern.test(id)).toBe(true);
        expect(() => assertClientOrderIdFits(venue, id)).not.toThrow();
      }
      expect(() => assertClientOrderIdFits(venue, 'a'.repeat(d.max))).not.toThrow();
      expect(() => assertClientOrderIdFits(venue, 'a'.repeat(d.max + 1))).toThrow(new RegExp(`allows 1 to ${d.max} characters`));
      expect(() => assertClientOrderIdFits(venue, d.bad)).toThrow(/does not fit/);
      expect(() => assertClientOrderIdFits(venue, '')).toThrow(/does not fit/);
    });
  }

  it('other exchanges use ccxt\'s clientOrderId with the narrowest common rule', () => {
    expect(clientOrderIdRule('kraken')).toBe(DEFAULT_CLIENT_ORDER_ID_RULE);
    expect(DEFAULT_CLIENT_ORDER_ID_RULE.maxLength).toBe(32);
    expect(() => assertClientOrderIdFits('okx', clientOrderId(LONG_BOT, LONG_STRATEGY, Number.MAX_SAFE_INTEGER))).not.toThrow();
  });
});
