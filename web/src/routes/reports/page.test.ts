// The reports page against a fake server: the P&L grouping asked of /api/reports/pnl, the tax table, and the CSV
// button downloading format=csv with the Bearer header (never a token in the URL).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { setFetch } from '$lib/api.ts';
import { setDownloadFetch } from '$lib/download.ts';
import { session } from '$lib/session.svelte.ts';
import Page from './+page.svelte';

const G = (key: string, net: number) => ({ key, trades: 2, wins: 1, losses: 1, winRatePct: 50, grossRealised: net + 1, fees: 1, netRealised: net, avgWin: 5, avgLoss: -3, volume: 100 });
const TAX = { method: 'FIFO', note: 'gain = proceeds - costBasis', uncovered: 0, totals: { costBasis: 100, proceeds: 110, fees: 1, gain: 10 },
  rows: [{ token: 'BTC', symbol: 'BTC/USDT', amount: 0.5, dateAcquired: '2024-01-01T00:00:00.000Z', dateSold: '2024-01-02T00:00:00.000Z', costBasis: 100, proceeds: 110, fees: 1, gain: 10 }] };

describe('reports page', () => {
  afterEach(() => { session.clear(); vi.restoreAllMocks(); });

  it('asks for the chosen grouping, shows totals and tax rows, and downloads the CSV with the token in a header', async () => {
    session.set('tok', 'vi', 'viewer');
    const asked: string[] = [];
    setFetch(async (url) => {
      const u = String(url);
      asked.push(u);
      if (u.startsWith('/api/reports/pnl')) return new Response(JSON.stringify({ groupBy: 'bot', period: 'day', groups: [G('alpha', 12.5)], total: G('total', 12.5), feesPaid: 3.25 }));
      if (u.startsWith('/api/reports/tax')) return new Response(JSON.stringify(TAX));
      return new Response('{}', { status: 404 });
    });
    render(Page);
    expect((await screen.findByTestId('net-realised')).textContent).toBe('+12.50');
    expect(screen.getByTestId('fees-paid').textContent).toBe('3.25');
    expect(screen.getByTestId('tax-table').querySelectorAll('tbody tr')).toHaveLength(1);
    await fireEvent.change(screen.getByTestId('group-by'), { target: { value: 'period' } });
    await waitFor(() => expect(asked).toContain('/api/reports/pnl?groupBy=period&period=month'));
    await fireEvent.change(screen.getByTestId('tax-year'), { target: { value: '2024' } });
    await waitFor(() => expect(asked).toContain('/api/reports/tax?year=2024'));

    const downloads: { url: string; auth: string }[] = [];
    setDownloadFetch(async (url, init) => {
      downloads.push({ url: String(url), auth: (init?.headers as Record<string, string>).authorization });
      return new Response('token,amount\n', { headers: { 'content-disposition': 'attachment; filename="tradelab-tax-2024.csv"' } });
    });
    URL.createObjectURL = vi.fn(() => 'blob:x');
    URL.revokeObjectURL = vi.fn();
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    await fireEvent.click(screen.getByTestId('tax-csv'));
    await waitFor(() => expect(downloads).toEqual([{ url: '/api/reports/tax?format=csv&year=2024', auth: 'Bearer tok' }]));
  });
});
