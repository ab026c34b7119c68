import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import { TradelabError, type ErrorFamily } from '../../engine/errors.ts';
import { ccxtErrorFamily, isRetryableRead, mapCcxtError } from './ccxt-errors.ts';

const ctx = { exchange: 'binance', operation: 'fetchTicker BTC/USDT' };

// [ccxt class, family on a read, family on an order write, code on a read]
const TABLE: [new (m: string) => Error, ErrorFamily, ErrorFamily, string][] = [
  [ccxt.AuthenticationError, 'venue-rejected', 'venue-rejected', 'VENUE_AUTH_FAILED'],
  [ccxt.PermissionDenied, 'venue-rejected', 'venue-rejected', 'VENUE_PERMISSION_DENIED'],
  [ccxt.AccountSuspended, 'venue-rejected', 'venue-rejected', 'VENUE_AUTH_FAILED'],
  [ccxt.InsufficientFunds, 'venue-rejected', 'venue-rejected', 'VENUE_INSUFFICIENT_FUNDS'],
  [ccxt.InvalidOrder, 'venue-rejected', 'venue-rejected', 'VENUE_INVALID_ORDER'],
  [ccxt.OrderNotFound, 'venue-rejected', 'venue-rejected', 'VENUE_ORDER_NOT_FOUND'],
  [ccxt.DuplicateOrderId, 'venue-rejected', 'venue-rejected', 'VENUE_DUPLICATE_ORDER_ID'],
  [ccxt.BadSymbol, 'venue-rejected', 'venue-rejected', 'VENUE_BAD_SYMBOL'],
  [ccxt.BadRequest, 'venue-rejected', 'venue-rejected', 'VENUE_BAD_REQUEST'],
  [ccxt.ArgumentsRequired, 'venue-rejected', 'venue-rejected', 'VENUE_BAD_REQUEST'],
  [ccxt.NotSupported, 'venue-rejected', 'venue-rejected', 'VENUE_NOT_SUPPORTED'],
  [ccxt.ExchangeError, 'venue-rejected', 'venue-rejected', 'VENUE_REJECTED'],
  [ccxt.NetworkError, 'venue-unavailable', 'venue-unknown', 'VENUE_NETWORK_ERROR'],
  [ccxt.RateLimitExceeded, 'venue-unavailable', 'venue-unknown', 'VENUE_RATE_LIMITED'],
  [ccxt.DDoSProtection, 'venue-unavailable', 'venue-unknown', 'VENUE_RATE_LIMITED'],
  [ccxt.ExchangeNotAvailable, 'venue-unavailable', 'venue-unknown', 'VENUE_NOT_AVAILABLE'],
  [ccxt.OnMaintenance, 'venue-unavailable', 'venue-unknown', 'VENUE_NOT_AVAILABLE'],
  [ccxt.InvalidNonce, 'venue-unavailable', 'venue-unknown', 'VENUE_NETWORK_ERROR'],
  [ccxt.RequestTimeout, 'venue-unavailable', 'venue-unknown', 'VENUE_TIMEOUT'],
  [ccxt.BadResponse, 'venue-unavailable', 'venue-unknown', 'VENUE_BAD_RESPONSE'],
];

describe('mapCcxtError', () => {
  for (const [Cls, readFamily, writeFamily, code] of TABLE) {
    it(`${Cls.name}: read -> ${readFamily} (${code}), write -> ${writeFamily}`, () => {
      const e = new Cls('binance {"code":-1}');
      const r = mapCcxtError(e, ctx);
      expect(r).toBeInstanceOf(TradelabError);
      expect(r.family).toBe(readFamily);
      expect(r.code).toBe(code);
      expect(r.cause).toBe(e);
      expect(r.details).toMatchObject({ exchange: 'binance', ccxtError: Cls.name });
      expect(r.message).toContain(`binance fetchTicker BTC/USDT failed: ${Cls.name}`);
      const w = mapCcxtError(new Cls('x'), { exchange: 'binance', operation: 'createOrder', write: true, clientOrderId: 'tl-abc-1' });
      expect(w.family).toBe(writeFamily);
      if (writeFamily === 'venue-unknown') {
        expect(w.code).toBe('VENUE_UNKNOWN_OUTCOME');
        expect(w.message).toContain('client order id tl-abc-1');
        expect(w.message).toContain('reconcile');
      }
      expect(ccxtErrorFamily(e)).toBe(readFamily);
      expect(isRetryableRead(e)).toBe(readFamily === 'venue-unavailable');
    });
  }

  it('branches on the class, never on the message', () => {
    expect(mapCcxtError(new ccxt.ExchangeError('429 Too Many Requests, timeout, insufficient'), ctx).family).toBe('venue-rejected');
    expect(mapCcxtError(new ccxt.RequestTimeout('Invalid API-key'), ctx).family).toBe('venue-unavailable');
  });

  it('a TradelabError passes through; a non-ccxt error is a bug on reads and an unknown outcome on writes', () => {
    const t = new TradelabError('X', 'usage', 'x');
    expect(mapCcxtError(t, ctx)).toBe(t);
    expect(mapCcxtError(new TypeError('boom'), ctx)).toMatchObject({ family: 'invariant', code: 'VENUE_ADAPTER_ERROR' });
    expect(mapCcxtError(new TypeError('boom'), { ...ctx, write: true }).family).toBe('venue-unknown');
    expect(mapCcxtError(new ccxt.CancelPending('pending'), { ...ctx, write: true }).family).toBe('venue-unknown');
  });

  it('redacts the message, the details and the cause', () => {
    const e = new ccxt.AuthenticationError('bad key SEKRET-123456');
    const r = mapCcxtError(e, { ...ctx, attempts: 3, redact: (s) => s.split('SEKRET-123456').join('<redacted>') });
    expect(r.message).toContain('after 3 attempts');
    expect(r.message).not.toContain('SEKRET');
    expect((r.cause as Error).message).toBe('bad key <redacted>');
    expect(String((r.cause as Error).stack)).not.toContain('SEKRET');
  });
});
