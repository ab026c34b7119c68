import { describe, expect, it } from 'vitest';
import { flattenConfig } from './flatten.ts';

describe('flattenConfig', () => {
  it('gives one row per leaf with dotted paths', () => {
    expect(flattenConfig({
      server: { host: '127.0.0.1', port: 8080 }, liveTradingEnabled: false, email: { user: '', to: [] },
      exchanges: { binance: { markets: ['BTC/USDT', 'ETH/USDT'] } }, list: [{ a: 1 }, [2]], empty: {},
    })).toEqual([
      { path: 'server.host', text: '127.0.0.1' },
      { path: 'server.port', text: '8080' },
      { path: 'liveTradingEnabled', text: 'false' },
      { path: 'email.user', text: '""' },
      { path: 'email.to', text: '[]' },
      { path: 'exchanges.binance.markets', text: '["BTC/USDT","ETH/USDT"]' },
      { path: 'list.0.a', text: '1' },
      { path: 'list.1', text: '[2]' },
      { path: 'empty', text: '{}' },
    ]);
  });
});
