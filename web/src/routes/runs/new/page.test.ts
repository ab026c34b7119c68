// The new-backtest page with a real strategy schema (engine's sma-cross and grid, as GET /api/strategies sends them):
// ParamForm's bounds and defaults, validation that blocks the run, the job it starts, its progress and the result.
import { afterEach, describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { builtinStrategies } from '../../../../../engine/strategies/index.ts';
import { orderStrategies } from '../../../../../engine/strategies-orders/index.ts';
import { setFetch } from '$lib/api.ts';
import { session } from '$lib/session.svelte.ts';
import { navigations } from '../../../test-shims/app-navigation.ts';
import Page from './+page.svelte';

const describeStrategy = (s: (typeof builtinStrategies)[number] | (typeof orderStrategies)[number]) =>
  ({ id: s.id, version: s.version, ref: s.ref, kind: s.kind, description: s.description, paramsSchema: JSON.parse(JSON.stringify(s.params)), defaults: {} });
const STRATEGIES = [...builtinStrategies, ...orderStrategies].map(describeStrategy);
const SOURCES = { sampleDataDir: '/data', files: [{ path: 'djienne/BTC_USDT-1h.json', bytes: 2048, symbol: 'BTC/USDT', timeframe: '1h' }], cached: [{ exchange: 'binance', symbol: 'ETH/USDT', timeframe: '4h', from: '2021-01-01T00:00:00.000Z', to: '2022-01-01T00:00:00.000Z', bars: 2190, gaps: 1 }] };

function fakeServer() {
  const jobs: { kind: string; args: Record<string, unknown> }[] = [];
  let polls = 0;
  setFetch(async (url, init) => {
    const u = String(url);
    if (u === '/api/strategies') return new Response(JSON.stringify(STRATEGIES));
    if (u === '/api/data-sources') return new Response(JSON.stringify(SOURCES));
    if (u === '/api/jobs' && init?.method === 'POST') {
      jobs.push(JSON.parse(String(init.body)) as (typeof jobs)[number]);
      return new Response(JSON.stringify({ id: 'job-1', kind: 'backtest', status: 'running', progress: 0, message: 'running backtest', args: jobs[0].args, resultRunId: null, error: null }), { status: 201 });
    }
    if (u === '/api/jobs/job-1') {
      polls++;
      return new Response(JSON.stringify({ id: 'job-1', kind: 'backtest', status: 'done', progress: 1, message: 'done', args: {}, resultRunId: 'run-42', error: null }));
    }
    return new Response(JSON.stringify({ error: { code: 'NOT_FOUND', message: u } }), { status: 404 });
  });
  return { jobs, polls: () => polls };
}

describe('new backtest page', () => {
  afterEach(() => session.clear());

  it('generates the form from sma-cross\'s schema, blocks out-of-bounds values, runs the job and opens the result', async () => {
    session.set('t', 'op', 'operator');
    const server = fakeServer();
    render(Page);
    await waitFor(() => expect((screen.getByLabelText('fast') as HTMLInputElement).value).toBe('10'));
    const fast = screen.getByLabelText('fast') as HTMLInputElement;
    expect([fast.min, fast.max]).toEqual(['1', '500']);
    expect(screen.getByText(/Fast SMA period \(bars\)/).textContent).toContain('1 … 500 · default 10');
    const run = screen.getByTestId('run-backtest') as HTMLButtonElement;
    expect(run.disabled).toBe(false);
    await fireEvent.input(fast, { target: { value: '0' } });
    expect(screen.getByRole('alert').textContent).toBe('fast must be at least 1');
    expect(run.disabled).toBe(true);
    await fireEvent.input(fast, { target: { value: '12' } });
    await fireEvent.input(screen.getByTestId('from'), { target: { value: '2022-01-01' } });
    await fireEvent.input(screen.getByTestId('to'), { target: { value: '2021-01-01' } });
    expect(screen.getByRole('alert').textContent).toBe('The end is before the start.');
    expect(run.disabled).toBe(true);
    await fireEvent.input(screen.getByTestId('to'), { target: { value: '2022-03-31' } });
    expect(run.disabled).toBe(false);
    await fireEvent.click(run);
    await waitFor(() => expect(server.jobs).toHaveLength(1));
    expect(server.jobs[0]).toEqual({ kind: 'backtest', args: {
      strategy: 'sma-cross@1.0.0', params: { fast: 12 }, data: { file: 'djienne/BTC_USDT-1h.json' },
      fill: { cash: 10000, feeRate: 0.001, slippageBps: 0, fraction: 1 }, from: '2022-01-01', to: '2022-03-31',
    } });
    await waitFor(() => expect(screen.getByTestId('job-status').textContent).toContain('running backtest'));
    await waitFor(() => expect(navigations.at(-1)).toBe('/runs/run-42'), { timeout: 4000 });
  });

  it('cancels a running job and says so', async () => {
    session.set('t', 'op', 'operator');
    let cancelled = false;
    setFetch(async (url, init) => {
      const u = String(url);
      if (u === '/api/strategies') return new Response(JSON.stringify(STRATEGIES));
      if (u === '/api/data-sources') return new Response(JSON.stringify(SOURCES));
      const job = { id: 'job-2', kind: 'backtest', progress: 0, args: {}, resultRunId: null, error: null };
      if (u === '/api/jobs' && init?.method === 'POST') return new Response(JSON.stringify({ ...job, status: 'running', message: 'running backtest' }), { status: 201 });
      if (u === '/api/jobs/job-2/cancel') { cancelled = true; return new Response(JSON.stringify({ ...job, status: 'running', message: 'running backtest' })); }
      if (u === '/api/jobs/job-2') return new Response(JSON.stringify({ ...job, status: cancelled ? 'cancelled' : 'running', message: cancelled ? 'cancelled' : 'running backtest' }));
      return new Response('{}', { status: 404 });
    });
    render(Page);
    await waitFor(() => screen.getByLabelText('fast'));
    await fireEvent.click(screen.getByTestId('run-backtest'));
    await fireEvent.click(await screen.findByTestId('cancel-job'));
    await waitFor(() => expect(screen.getByTestId('submit-error').textContent).toBe('the backtest was cancelled'), { timeout: 4000 });
    expect(screen.queryByTestId('job-status')).toBeNull();
  });

  it('switches to another strategy\'s parameters (grid) and cached candles; viewers see why they cannot run', async () => {
    session.set('t', 'op', 'operator');
    fakeServer();
    render(Page);
    await waitFor(() => screen.getByLabelText('fast'));
    await fireEvent.change(screen.getByTestId('strategy-select'), { target: { value: STRATEGIES.find((s) => s.id === 'grid')!.ref } });
    await waitFor(() => expect(screen.queryByLabelText('fast')).toBeNull());
    expect(screen.getByLabelText('gridStepPct')).toBeTruthy();
    expect((screen.getByTestId('data-select') as HTMLSelectElement).querySelectorAll('option')).toHaveLength(2);
    session.set('t', 'v', 'viewer');
    await waitFor(() => expect(screen.getByTestId('denied').textContent).toMatch(/operator/));
    expect((screen.getByTestId('run-backtest') as HTMLButtonElement).disabled).toBe(true);
  });
});
