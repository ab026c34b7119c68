// The markets page against a fake server: sparklines with accessible names, the 24 h change, and the toggle that
// operators use (PUT /api/markets/enabled) and viewers see disabled with the reason.
import { afterEach, describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { setFetch } from '$lib/api.ts';
import { session } from '$lib/session.svelte.ts';
import Page from './+page.svelte';

const MARKETS = [
  { exchange: 'binance', symbol: 'BTC/USDT', enabled: true, inUniverse: true, bots: 1, openOrders: 2, fills: 3, volume: 1500, fees: 1.5, realised: 12.5 },
  { exchange: 'binance', symbol: 'SOL/USDT', enabled: false, inUniverse: true, bots: 0, openOrders: 0, fills: 0, volume: 0, fees: 0, realised: 0 },
];
const CLOSES = [
  { exchange: 'binance', symbol: 'BTC/USDT', source: 'cache', timeframe: '1h', fromTs: 0, toTs: 3_600_000, closes: [100, 101, 103], last: 103, change24hPct: 2.5, quoteVolume24h: 123456 },
  { exchange: 'binance', symbol: 'SOL/USDT', source: null, timeframe: null, fromTs: null, toTs: null, closes: [], last: null, change24hPct: null, quoteVolume24h: null },
];

function fakeServer() {
  const puts: unknown[] = [];
  setFetch(async (url, init) => {
    const u = String(url);
    if (init?.method === 'PUT' && u === '/api/markets/enabled') {
      const body = JSON.parse(String(init.body)) as { exchange: string; symbol: string; enabled: boolean };
      puts.push(body);
      return new Response(JSON.stringify({ ...MARKETS.find((m) => m.symbol === body.symbol), enabled: body.enabled }));
    }
    if (u.startsWith('/api/markets/closes')) return new Response(JSON.stringify(CLOSES));
    if (u === '/api/markets') return new Response(JSON.stringify(MARKETS));
    return new Response(JSON.stringify({ error: { code: 'NOT_FOUND', message: u } }), { status: 404 });
  });
  return puts;
}

describe('markets page', () => {
  afterEach(() => session.clear());

  it('shows sparklines, change and volume, and lets an operator disable a market', async () => {
    session.set('t', 'op', 'operator');
    const puts = fakeServer();
    render(Page);
    const spark = await screen.findByRole('img', { name: /BTC\/USDT on binance: last 3 1h closes .* up 2\.50% in 24 h/ });
    expect(spark).toBeTruthy();
    expect(screen.getByText('+2.50%').className).toContain('profit');
    expect(screen.getByText('123,456')).toBeTruthy();
    const toggle = screen.getByRole('switch', { name: 'BTC/USDT on binance enabled' }) as HTMLInputElement;
    expect(toggle.disabled).toBe(false);
    expect(toggle.checked).toBe(true);
    toggle.checked = false;
    await fireEvent.change(toggle);
    await waitFor(() => expect(puts).toEqual([{ exchange: 'binance', symbol: 'BTC/USDT', enabled: false }]));
    await waitFor(() => expect((screen.getByRole('switch', { name: 'BTC/USDT on binance enabled' }) as HTMLInputElement).checked).toBe(false));
    expect(screen.queryByTestId('toggle-denied')).toBeNull();
  });

  it('disables the toggles for a viewer and says why', async () => {
    session.set('t', 'vi', 'viewer');
    fakeServer();
    render(Page);
    const toggle = (await screen.findByRole('switch', { name: 'SOL/USDT on binance enabled' })) as HTMLInputElement;
    expect(toggle.disabled).toBe(true);
    expect(toggle.closest('label')?.title).toBe('Enabling or disabling a market needs the operator role; you are viewer');
    expect(screen.getByTestId('toggle-denied').textContent).toMatch(/needs the operator role/);
    expect(screen.getByText('no candles')).toBeTruthy();
  });
});
