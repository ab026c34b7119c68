// The run → paper promotion page against a fake server: the checklist with the form's risk and budget, sign-off
// disabled (with the reason) until every item holds, the POST body, and a viewer who may not sign off.
import { afterEach, describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { setFetch } from '$lib/api.ts';
import { session } from '$lib/session.svelte.ts';
import { page } from '$app/state';
import Page from './[runId]/+page.svelte';

const KIND: Record<string, string> = { 'out-of-sample': 'walk-forward', lookahead: 'check-lookahead', parity: 'parity' };
const item = (id: string, label: string, ok: boolean) => ({ id, label, ok, detail: ok ? `${id} ok` : `no ${id}`, resultId: ok ? `${id}-1` : null, job: ok ? null : { kind: KIND[id], args: {} } });
const EVIDENCE = (ok: boolean) => ({
  stage: 'paper', signOffRole: 'operator', ready: ok, liveTradingEnabled: false, bot: null, fromSignOff: ['risk', 'budget'], history: [],
  subject: { source: 'run', id: 'run-1', strategy: { id: 'sma-cross', ref: 'sma-cross@1.0.0', kind: 'signal' }, params: { fast: 10, slow: 30 }, symbol: 'BTC/USDT', symbols: ['BTC/USDT'], timeframe: '1h', exchange: null, from: '2022-01-01T00:00:00.000Z', to: '2022-06-30T00:00:00.000Z' },
  evidence: [item('out-of-sample', 'Out-of-sample result', ok), item('lookahead', 'Look-ahead check passed', ok), item('parity', 'Parity check passed', ok)],
});
const SETTINGS = { config: { exchanges: { binance: { enabled: true }, coinbase: { enabled: true }, off: { enabled: false } }, defaults: { bot: { budget: 1000 } }, dataSources: { defaultExchange: 'binance' } } };

function server(ok: boolean) {
  const posts: unknown[] = [];
  setFetch(async (url, init) => {
    const u = String(url);
    if (u === '/api/settings') return new Response(JSON.stringify(SETTINGS));
    if (u === '/api/promotions/run/run-1' && init?.method === 'POST') {
      posts.push(JSON.parse(String(init.body)));
      return new Response(JSON.stringify({ bot: { id: 'b-1', name: 'sma-cross-btcusdt-1h-paper', mode: 'paper', status: 'created' }, evidence: [] }), { status: 201 });
    }
    if (u === '/api/promotions/run/run-1') return new Response(JSON.stringify(EVIDENCE(ok)));
    return new Response(JSON.stringify({ error: { code: 'NOT_FOUND', message: u } }), { status: 404 });
  });
  return posts;
}

describe('promote run page', () => {
  afterEach(() => session.clear());
  page.params = { runId: 'run-1' };

  it('keeps the sign-off disabled with the missing evidence named', async () => {
    session.set('t', 'op', 'operator');
    server(false);
    render(Page);
    const b = (await screen.findByRole('button', { name: 'Sign off: create the paper bot' })) as HTMLButtonElement;
    expect(b.disabled).toBe(true);
    await waitFor(() => expect(screen.getByTestId('sign-denied').textContent).toBe('Missing evidence: out-of-sample result, look-ahead check passed, parity check passed, risk limits set.'));
    expect((screen.getByRole('button', { name: 'Run parity check' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('signs off once the evidence holds and a loss limit is set, posting the form', async () => {
    session.set('t', 'op', 'operator');
    const posts = server(true);
    render(Page);
    await screen.findByText('sma-cross@1.0.0');
    await waitFor(() => expect((screen.getByTestId('budget') as HTMLInputElement).value).toBe('1000'));
    expect(screen.getByTestId('evidence-risk').dataset.ok).toBe('false');
    await fireEvent.input(screen.getByTestId('risk-drawdown'), { target: { value: '15' } });
    await waitFor(() => expect(screen.getByTestId('evidence-risk').dataset.ok).toBe('true'));
    const b = screen.getByRole('button', { name: 'Sign off: create the paper bot' }) as HTMLButtonElement;
    expect(b.disabled).toBe(false);
    await fireEvent.click(b);
    await fireEvent.click(screen.getByTestId('sign-off-confirm'));
    await waitFor(() => expect(posts).toEqual([{ name: 'sma-cross-btcusdt-1h-paper', exchange: 'binance', budget: 1000, risk: { drawdown: { pct: 15 } } }]));
    expect((await screen.findByTestId('created')).textContent).toMatch(/Paper bot sma-cross-btcusdt-1h-paper created/);
  });

  it('tells a viewer why they cannot sign off or run checks', async () => {
    session.set('t', 'vi', 'viewer');
    server(false);
    render(Page);
    await screen.findByText('sma-cross@1.0.0');
    expect(screen.getByTestId('sign-denied').textContent).toBe('Signing off a paper bot needs the operator role; you are viewer.');
    const run = screen.getByRole('button', { name: 'Run look-ahead check' }) as HTMLButtonElement;
    expect(run.disabled).toBe(true);
    expect(run.title).toBe('Running a check needs the operator role; you are viewer');
  });
});
