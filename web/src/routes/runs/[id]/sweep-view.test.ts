// The sweep heatmap against a fake server: cells from the sweep's rows, the statistic and axes dropdowns, and a
// clicked cell that starts its backtest job and opens the result; viewers see the cells disabled with the reason.
import { afterEach, describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { setFetch } from '$lib/api.ts';
import { session } from '$lib/session.svelte.ts';
import { navigations } from '../../../test-shims/app-navigation.ts';
import SweepView from './SweepView.svelte';

const rows: { params: Record<string, number>; stats: Record<string, number> }[] = [];
for (const fast of [5, 10]) for (const slow of [30, 40, 50]) rows.push({ params: { fast, slow }, stats: { sharpe: fast / 10 - slow / 100, trades: fast + slow } });
const SWEEP = {
  axes: [{ name: 'fast', values: [5, 10] }, { name: 'slow', values: [30, 40, 50] }], metric: 'sharpe', metricDirection: 'higher is better',
  paramColumns: ['fast', 'slow'], statColumns: ['sharpe', 'trades'], rows,
  manifest: { kind: 'sweep', strategy: { ref: 'sma-cross@1.0.0' }, fixedParams: {}, initialCash: 10000, best: { params: { fast: 10, slow: 30 }, value: 0.7 },
    data: { source: { kind: 'file', path: '/d/BTC_USDT-1h.json' }, from: '2022-01-01T00:00:00.000Z', to: '2022-06-30T00:00:00.000Z', gapPolicy: 'report' },
    fillModel: { name: 'next-open', slippageBps: 0, fraction: 1, lotSize: 0, minNotional: 0, allowShort: false, closeAtEnd: false }, fees: { feeRate: 0.001 } },
};

function fakeServer() {
  const posted: { kind: string; args: Record<string, unknown> }[] = [];
  setFetch(async (url, init) => {
    const u = String(url);
    if (u === '/api/results/sw-1/sweep') return new Response(JSON.stringify(SWEEP));
    if (u === '/api/jobs' && init?.method === 'POST') {
      posted.push(JSON.parse(String(init.body)) as (typeof posted)[number]);
      return new Response(JSON.stringify({ id: 'job-9', kind: 'backtest', status: 'done', progress: 1, message: 'done', args: posted[0].args, resultRunId: 'bt-7', error: null }), { status: 201 });
    }
    return new Response(JSON.stringify({ error: { code: 'NOT_FOUND', message: u } }), { status: 404 });
  });
  return posted;
}

describe('sweep heatmap', () => {
  afterEach(() => session.clear());

  it('shows the metric per cell, switches statistic, and a clicked cell runs and opens its backtest', async () => {
    session.set('t', 'op', 'operator');
    const posted = fakeServer();
    render(SweepView, { props: { runId: 'sw-1' } });
    await waitFor(() => expect(screen.getAllByTestId('heat-cell')).toHaveLength(6));
    const cells = () => screen.getAllByTestId('heat-cell').map((c) => c.textContent);
    expect(cells()).toEqual(['0.200', '0.700', '0.100', '0.600', '0.000', '0.500']); // rows slow 30/40/50, columns fast 5/10
    expect(screen.getByTestId('sweep-best').textContent).toContain('fast=10, slow=30');
    await fireEvent.change(screen.getByTestId('heat-metric'), { target: { value: 'trades' } });
    expect(cells()).toEqual(['35', '40', '45', '50', '55', '60']);
    await fireEvent.click(screen.getByRole('button', { name: /^fast=10, slow=40: Trades 50/ }));
    await waitFor(() => expect(navigations.at(-1)).toBe('/runs/bt-7'));
    expect(posted[0]).toMatchObject({ kind: 'backtest', args: { strategy: 'sma-cross@1.0.0', params: { fast: 10, slow: 40 }, data: { file: '/d/BTC_USDT-1h.json' }, from: '2022-01-01T00:00:00.000Z' } });
  });

  it('viewers see the cells disabled with the reason', async () => {
    session.set('t', 'v', 'viewer');
    fakeServer();
    render(SweepView, { props: { runId: 'sw-1' } });
    await waitFor(() => expect(screen.getAllByTestId('heat-cell')).toHaveLength(6));
    const cell = screen.getAllByTestId('heat-cell')[0] as HTMLButtonElement;
    expect(cell.disabled).toBe(true);
    expect(cell.title).toMatch(/operator/);
  });
});
