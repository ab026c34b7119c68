// The runs page against a fake server: sorting by clicking headers (aria-sort), searching, selecting runs to compare.
import { afterEach, describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { setFetch } from '$lib/api.ts';
import { session } from '$lib/session.svelte.ts';
import { navigations } from '../../test-shims/app-navigation.ts';
import Page from './+page.svelte';

const item = (id: string, strategy: string, symbol: string, stats: Record<string, number>, kind = 'backtest') =>
  ({ id, kind, createdAt: `2026-01-0${id.slice(-1)}T00:00:00.000Z`, strategy, exchange: 'binance', symbols: [symbol], timeframe: '1h', stats });
const ITEMS = [
  item('run-1', 'sma-cross@1.0.0', 'BTC/USDT', { returnPct: 10, sharpe: 1.2, trades: 40, calmar: 0.5 }),
  item('run-2', 'ema-cross@1.1.0', 'ETH/USDT', { returnPct: -4, sharpe: -0.3, trades: 12, calmar: 2 }),
  item('run-3', 'grid@1.0.0', 'BTC/USDT', { returnPct: 3, sharpe: 2.5, trades: 400, calmar: -1 }),
];

describe('runs page', () => {
  afterEach(() => session.clear());
  const ids = () => screen.getAllByTestId('run-row').map((r) => r.getAttribute('data-run'));

  it('sorts by a clicked header both ways with aria-sort, by any statistic from the menu, and searches', async () => {
    session.set('t', 'viewer', 'viewer');
    setFetch(async (url) => (String(url).startsWith('/api/results') ? new Response(JSON.stringify({ total: 3, items: ITEMS })) : new Response('{}', { status: 404 })));
    render(Page);
    await waitFor(() => expect(ids()).toEqual(['run-3', 'run-2', 'run-1'])); // newest first
    const sharpe = screen.getByRole('button', { name: /^Sharpe ratio/ });
    await fireEvent.click(sharpe);
    expect(ids()).toEqual(['run-3', 'run-1', 'run-2']);
    expect(sharpe.closest('th')!.getAttribute('aria-sort')).toBe('descending');
    await fireEvent.click(sharpe);
    expect(ids()).toEqual(['run-2', 'run-1', 'run-3']);
    expect(sharpe.closest('th')!.getAttribute('aria-sort')).toBe('ascending');
    expect(screen.getByRole('button', { name: /^Strategy/ }).closest('th')!.getAttribute('aria-sort')).toBe('none');
    // a statistic without a column: the menu adds its column and sorts by it
    await fireEvent.change(screen.getByLabelText('Sort by statistic'), { target: { value: 'calmar' } });
    expect(ids()).toEqual(['run-2', 'run-1', 'run-3']);
    expect(within(screen.getByTestId('runs-table')).getByRole('button', { name: /^Calmar ratio/ }).closest('th')!.getAttribute('aria-sort')).toBe('descending');
    await fireEvent.input(screen.getByTestId('runs-search'), { target: { value: 'btc' } });
    expect(ids()).toEqual(['run-1', 'run-3']);
  });

  it('compares two or more ticked runs', async () => {
    session.set('t', 'viewer', 'viewer');
    setFetch(async () => new Response(JSON.stringify({ total: 3, items: ITEMS })));
    render(Page);
    await waitFor(() => expect(ids().length).toBe(3));
    const compare = screen.getByTestId('compare-button') as HTMLButtonElement;
    expect(compare.disabled).toBe(true);
    await fireEvent.click(screen.getByLabelText('Select run-1 to compare'));
    expect(compare.disabled).toBe(true);
    await fireEvent.click(screen.getByLabelText('Select run-3 to compare'));
    expect(compare.disabled).toBe(false);
    await fireEvent.click(compare);
    expect(navigations.at(-1)).toBe('/runs/compare?ids=run-1,run-3');
  });
});
