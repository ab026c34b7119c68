// The bot page against a fake server with the API's shapes (a running grid bot with its real parameter schema): the
// server's refusal of a cancel shown under the order, unrealised P&L following price.update, log.line appended, the
// config read-only while running and editable once bot.state says paused (PATCH with what changed), viewers' reasons.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { orderStrategies } from '../../../../../engine/strategies-orders/index.ts';
import { setFetch } from '$lib/api.ts';
import { session } from '$lib/session.svelte.ts';
import { live } from '$lib/live.svelte.ts';
import { page } from '../../../test-shims/app-state.svelte.ts';
import Page from './+page.svelte';

const grid = orderStrategies.find((s) => s.id === 'grid')!;
const SCHEMA = JSON.parse(JSON.stringify(grid.params)) as Record<string, unknown>;
const PARAMS = { ...grid.resolveParams({}) } as Record<string, unknown>;
const T = Date.UTC(2022, 0, 2);

const detail = (status: string) => ({
  id: 'g1', name: 'g1', strategy: grid.ref, params: PARAMS, symbols: ['BTC/USDT'], exchange: 'binance', mode: 'replay', status, budget: 1000,
  risk: { drawdown: { pct: 50 } }, runUntil: null, createdAt: T, updatedAt: T,
  pnl: { ts: T, equity: 1010, realised: 12, unrealised: -1, fees: 1, openOrders: 2 },
  settings: { timeframe: '1h', feeRate: 0.001, slippageBps: 0, fraction: 1, runningMs: null, speed: 7200, data: { file: '/d/BTC_USDT-1h.json', from: T, to: T + 86_400_000 } },
  state: { 'BTC/USDT': { 'series.anchorHigh': 48000, 'series.gridTop': 48000, 'series.hold': 0, mark: { price: 47000, ts: T } } },
  positions: [{ symbol: 'BTC/USDT', base: 0.01, openCost: 465, realised: 12, fees: 1, markPrice: 47000, unrealised: 5 }],
  openOrders: 2,
});
const order = (clientId: string, side: 'buy' | 'sell', price: number) => ({
  id: clientId === 'o1' ? 1 : 2, botId: 'g1', clientId, exchangeId: null, symbol: 'BTC/USDT', side, type: 'limit', price, amount: 0.002, filled: 0,
  avgPrice: null, fees: 0, tag: clientId, lotId: null, status: 'open', reason: null, createdAt: T, updatedAt: T,
});
const LOT = { id: 7, botId: 'g1', symbol: 'BTC/USDT', status: 'open', openTs: T, closeTs: null, entryPrice: 46500, size: 0.01, remaining: 0.01, buyFee: 0.4,
  closedSize: 0, exitValue: 0, sellFees: 0, realised: 0, unrealised: 5, markPrice: 47000, buyTag: 'b1', sellTag: '' };

function fakeServer(status = 'running') {
  const calls: { method: string; url: string; body?: unknown }[] = [];
  const state = { status };
  setFetch(async (url, init) => {
    const u = String(url);
    const method = init?.method ?? 'GET';
    calls.push({ method, url: u, body: init?.body ? JSON.parse(String(init.body)) : undefined });
    const json = (x: unknown, s = 200) => new Response(JSON.stringify(x), { status: s });
    if (u === '/api/bots/g1' && method === 'GET') return json(detail(state.status));
    if (u === '/api/bots/g1' && method === 'PATCH') return json(detail(state.status));
    if (u.startsWith('/api/orders?')) return json({ total: 2, items: [order('o1', 'buy', 46000), order('o2', 'sell', 48000)] });
    if (u === '/api/orders/o1/cancel') return json({ error: { code: 'ORDER_ALREADY_SETTLED', message: "order 'o1' is filled; only pending, open or unknown orders can be cancelled" } }, 409);
    if (u.startsWith('/api/fills?')) return json({ total: 0, items: [] });
    if (u.startsWith('/api/lots?') && u.includes('status=open')) return json({ total: 1, items: [LOT] });
    if (u.startsWith('/api/lots?')) return json({ total: 0, items: [] });
    if (u.startsWith('/api/bots/g1/logs')) return json([{ ts: T, event: 'start', text: '{"event":"start"}' }]);
    if (u.startsWith('/api/bots/g1/candles')) return json({ symbol: 'BTC/USDT', timeframe: '1h', cursor: null, source: 'no bar stepped yet', ts: [], open: [], high: [], low: [], close: [] });
    if (u.startsWith('/api/strategies/')) return json({ id: 'grid', ref: grid.ref, paramsSchema: SCHEMA });
    return json({ error: { code: 'NOT_FOUND', message: u } }, 404);
  });
  return { calls, state };
}

describe('bot page', () => {
  beforeEach(() => { page.params = { id: 'g1' }; });
  afterEach(() => session.clear());

  it("shows the server's refusal of a cancel under the order", async () => {
    session.set('t', 'op', 'operator');
    fakeServer();
    render(Page);
    const row = await waitFor(() => screen.getByTestId('orders-table').querySelector('tr[data-order="o1"]') as HTMLElement);
    await fireEvent.click(within(row).getByRole('button', { name: 'Cancel order o1' }));
    await waitFor(() => expect(within(row).getByTestId('cancel-error').textContent).toBe("order 'o1' is filled; only pending, open or unknown orders can be cancelled (ORDER_ALREADY_SETTLED)"));
  });

  it('follows price.update for unrealised P&L and appends log lines', async () => {
    session.set('t', 'op', 'operator');
    fakeServer();
    render(Page);
    const lots = await waitFor(() => screen.getByTestId('open-lots-table'));
    expect(within(lots).getByText('+5.00')).toBeTruthy(); // (47000 − 46500) × 0.01
    live.dispatch({ topic: 'price.update', ts: T + 3_600_000, botId: 'g1', data: { symbol: 'BTC/USDT', price: 46000, base: 0.01, unrealised: -5 } });
    live.dispatch({ topic: 'price.update', ts: T + 3_600_000, botId: 'other', data: { symbol: 'BTC/USDT', price: 1, base: 0, unrealised: 0 } });
    await waitFor(() => expect(within(lots).getByText('−5.00')).toBeTruthy());
    live.dispatch({ topic: 'log.line', ts: T + 3_600_000, botId: 'g1', data: { event: 'order.placed', text: '{"event":"order.placed","tag":"b9"}' } });
    await waitFor(() => expect(screen.getByTestId('bot-log').textContent).toContain('"tag":"b9"'));
    expect(screen.getByTestId('bot-log').textContent).toContain('{"event":"start"}');
  });

  it('keeps the config read-only while running; once paused, saves what changed', async () => {
    session.set('t', 'op', 'operator');
    const server = fakeServer();
    render(Page);
    const step = await waitFor(() => screen.getByLabelText('gridStepPct') as HTMLInputElement);
    expect(step.matches(':disabled')).toBe(true);
    expect(screen.getByTestId('edit-reason').textContent).toMatch(/only while the bot is paused or stopped; it is running/);
    server.state.status = 'paused';
    live.dispatch({ topic: 'bot.state', ts: T, botId: 'g1', data: { status: 'paused', previous: 'running' } });
    await waitFor(() => expect(step.matches(':disabled')).toBe(false));
    await fireEvent.input(step, { target: { value: '0.5' } });
    await fireEvent.input(screen.getByLabelText('Daily loss limit (%)'), { target: { value: '3' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save configuration' }));
    await waitFor(() => expect(server.calls.some((c) => c.method === 'PATCH')).toBe(true));
    const patch = server.calls.find((c) => c.method === 'PATCH')!.body as Record<string, Record<string, unknown>>;
    expect(patch.params.gridStepPct).toBe(0.5);
    expect(patch.risk).toEqual({ drawdown: { pct: 50 }, dailyLoss: { pct: 3 } });
    expect(patch.settings).toMatchObject({ timeframe: '1h', speed: 7200, data: { file: '/d/BTC_USDT-1h.json' } });
  });

  it('gives a viewer the reasons instead of the controls', async () => {
    session.set('t', 'vi', 'viewer');
    fakeServer();
    render(Page);
    const pause = await waitFor(() => screen.getByTestId('bot-pause') as HTMLButtonElement);
    expect(pause.disabled).toBe(true);
    expect(pause.title).toBe('Controlling a bot needs the operator role; you are viewer');
    const cancel = await waitFor(() => screen.getByRole('button', { name: 'Cancel order o2' }) as HTMLButtonElement);
    expect(cancel.disabled).toBe(true);
  });
});
