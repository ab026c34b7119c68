// A disabled market is not traded: creating, copying, starting or webhook-resuming a bot on it is a 409 MARKET_DISABLED
// that says how to enable it; enabling it again lets the bot start.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHarness, type Harness } from './server-harness.test-util.ts';
import { botServiceWebhookControl } from './webhook-control.ts';

let h: Harness;
beforeAll(async () => { h = await makeHarness(); });
afterAll(async () => { await h.close(); });

const call = (method: 'POST' | 'PUT', url: string, payload: object) => h.app.inject({ method, url, payload, headers: h.auth('operator') });
const toggle = (enabled: boolean) => call('PUT', '/api/markets/enabled', { exchange: 'binance', symbol: 'BTC/USDT', enabled });
const newBot = (name: string, symbol: string) => ({ name, strategy: 'sma-cross', symbols: [symbol], exchange: 'binance', mode: 'paper', budget: 1000 });

describe('market toggles', () => {
  it('refuses to put a bot to work on a disabled market, and says how to enable it', async () => {
    expect((await toggle(false)).json().enabled).toBe(false);
    for (const r of [await call('POST', '/api/bots', newBot('gamma', 'BTC/USDT')), await call('POST', '/api/bots/alpha/start', {}), await call('POST', '/api/bots/alpha/copy', { name: 'alpha2' })]) {
      expect([r.statusCode, r.json().error.code]).toEqual([409, 'MARKET_DISABLED']);
      expect(r.json().error.message).toContain('PUT /api/markets/enabled');
      expect(r.json().error.details).toEqual({ exchange: 'binance', symbols: ['BTC/USDT'] });
    }
    expect(h.store.bots.get('gamma')).toBeUndefined();
    expect(h.store.bots.require('alpha').status).toBe('created');
    await expect(botServiceWebhookControl(h.bots, h.store).resume('alpha', 'webhook:tradingview') as Promise<unknown>).rejects.toMatchObject({ code: 'MARKET_DISABLED' });
    // Other markets are not affected.
    expect((await call('POST', '/api/bots', newBot('delta', 'ETH/USDT'))).statusCode).toBe(201);
    expect((await toggle(true)).json().enabled).toBe(true);
    expect((await call('POST', '/api/bots/alpha/start', {})).json().status).toBe('running');
  });
});
