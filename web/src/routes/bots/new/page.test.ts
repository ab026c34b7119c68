// The create-bot wizard against a fake server: live disabled with the server's reason (LIVE_TRADING_ENABLED) or the
// role's, pairs from the universe, the body POST /api/bots receives (only changed parameters, risk, runner settings
// with the replay data), then start and the bot's page.
import { afterEach, describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { builtinStrategies } from '../../../../../engine/strategies/index.ts';
import { orderStrategies } from '../../../../../engine/strategies-orders/index.ts';
import { setFetch } from '$lib/api.ts';
import { session } from '$lib/session.svelte.ts';
import { navigations } from '../../../test-shims/app-navigation.ts';
import Page from './+page.svelte';

const STRATEGIES = [...builtinStrategies, ...orderStrategies].map((s) => ({
  id: s.id, version: s.version, ref: s.ref, kind: s.kind, description: s.description, paramsSchema: JSON.parse(JSON.stringify(s.params)), defaults: s.resolveParams({}),
}));

function fakeServer(liveTradingEnabled: boolean) {
  const posts: { url: string; body: Record<string, unknown> }[] = [];
  setFetch(async (url, init) => {
    const u = String(url);
    const json = (x: unknown, s = 200) => new Response(JSON.stringify(x), { status: s });
    if (init?.method === 'POST') {
      posts.push({ url: u, body: JSON.parse(String(init.body)) as Record<string, unknown> });
      return u === '/api/bots' ? json({ id: 'demo', status: 'created' }, 201) : json({ id: 'demo', status: 'running' });
    }
    if (u === '/api/status') return json({ status: 'PAUSED', liveTradingEnabled, bots: { total: 0, byStatus: {} }, openOrders: 0, uptimeSec: 1, startedAt: 0, now: 0 });
    if (u === '/api/settings') return json({ config: { exchanges: { binance: { enabled: true, markets: ['BTC/USDT'] }, kraken: { enabled: false } }, defaults: { bot: { budget: 500, timeframe: '1h', feeRate: 0.001 } } } });
    if (u === '/api/strategies') return json(STRATEGIES);
    if (u.startsWith('/api/markets')) return json([{ exchange: 'binance', symbol: 'BTC/USDT', enabled: true }, { exchange: 'binance', symbol: 'ETH/USDT', enabled: true }, { exchange: 'binance', symbol: 'SOL/USDT', enabled: false }]);
    if (u.startsWith('/api/exchanges/')) return json({ error: { code: 'EXCHANGE_UNREACHABLE', message: 'cannot load the markets of binance: offline' } }, 503);
    if (u === '/api/data-sources') return json({ sampleDataDir: '/data', files: [{ path: 'x/BTC_USDT-1h.json', bytes: 1, symbol: 'BTC/USDT', timeframe: '1h' }], cached: [] });
    return json({ error: { code: 'NOT_FOUND', message: u } }, 404);
  });
  return posts;
}

describe('create-bot wizard', () => {
  afterEach(() => session.clear());

  it('disables live while the server has it off, and says so', async () => {
    session.set('t', 'ad', 'admin');
    fakeServer(false);
    render(Page);
    await waitFor(() => expect(screen.getByTestId('live-reason').textContent).toContain('LIVE_TRADING_ENABLED is false'));
    expect((screen.getByRole('radio', { name: /Live/ }) as HTMLInputElement).disabled).toBe(true);
  });

  it('offers live to an admin when the server allows it, not to an operator', async () => {
    session.set('t', 'ad', 'admin');
    fakeServer(true);
    const r = render(Page);
    await waitFor(() => expect(screen.queryByTestId('live-reason')).toBeNull());
    await waitFor(() => expect((screen.getByRole('radio', { name: /Live/ }) as HTMLInputElement).disabled).toBe(false));
    r.unmount();
    session.set('t', 'op', 'operator');
    render(Page);
    await waitFor(() => expect(screen.getByTestId('live-reason').textContent).toContain('Creating a live bot needs the admin role; you are operator'));
  });

  it('creates and starts a replay bot with what was entered', async () => {
    session.set('t', 'op', 'operator');
    const posts = fakeServer(false);
    render(Page);
    await waitFor(() => expect((screen.getByLabelText('Strategy') as HTMLSelectElement).value).toMatch(/^grid@/));
    // Pairs: the enabled markets of the universe; the exchange's own list is unavailable and the hint says why.
    await waitFor(() => expect(screen.getByText(/2 pairs offered/).textContent).toContain('EXCHANGE_UNREACHABLE'));
    await fireEvent.input(screen.getByLabelText('Name'), { target: { value: 'demo' } });
    await fireEvent.input(screen.getByLabelText('maxBuys'), { target: { value: '12' } });
    await fireEvent.input(screen.getByLabelText('Stop loss (%)'), { target: { value: '8' } });
    await fireEvent.input(screen.getByLabelText('Candle file'), { target: { value: '/data/x/BTC_USDT-1h.json' } });
    await fireEvent.input(screen.getByLabelText('From (UTC)'), { target: { value: '2022-01-01' } });
    await fireEvent.input(screen.getByLabelText('To (UTC)'), { target: { value: '2022-02-01' } });
    await fireEvent.input(screen.getByLabelText('Speed'), { target: { value: '3600' } });
    await fireEvent.click(screen.getByTestId('create-start'));
    await waitFor(() => expect(navigations.at(-1)).toBe('/bots/demo'));
    expect(posts.map((p) => p.url)).toEqual(['/api/bots', '/api/bots/demo/start']);
    expect(posts[0].body).toEqual({
      name: 'demo', strategy: STRATEGIES.find((s) => s.id === 'grid')!.ref, params: { maxBuys: 12 }, symbols: ['BTC/USDT'], exchange: 'binance', mode: 'replay',
      budget: 500, risk: { stopLoss: { pct: 8 } },
      settings: { timeframe: '1h', runningMs: null, feeRate: 0.001, slippageBps: 0, speed: 3600, data: { file: '/data/x/BTC_USDT-1h.json', from: Date.UTC(2022, 0, 1), to: Date.UTC(2022, 1, 1) } },
    });
  });

  it('refuses to send a form with errors, naming them', async () => {
    session.set('t', 'op', 'operator');
    const posts = fakeServer(false);
    render(Page);
    await waitFor(() => expect((screen.getByLabelText('Strategy') as HTMLSelectElement).value).toMatch(/^grid@/));
    await fireEvent.input(screen.getByLabelText('Name'), { target: { value: '-bad name' } });
    await fireEvent.input(screen.getByLabelText('gridStepPct'), { target: { value: '99' } });
    await fireEvent.click(screen.getByTestId('create-start'));
    const err = await waitFor(() => screen.getByTestId('create-error'));
    expect(err.textContent).toContain('the name must start with a letter or digit');
    expect(err.textContent).toContain('gridStepPct must be at most 20');
    expect(posts).toEqual([]);
  });
});
