// The settings page never renders a secret value (even if a server sent one), shows sources, and shows users to
// admins only.
import { afterEach, describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/svelte';
import { setFetch } from '$lib/api.ts';
import { session } from '$lib/session.svelte.ts';
import Page from './+page.svelte';

const SETTINGS = {
  config: { server: { port: 8080 }, liveTradingEnabled: false, exchanges: { binance: { enabled: true, markets: ['BTC/USDT'] } } },
  sources: { 'server.port': 'config/defaults.yaml', 'liveTradingEnabled': 'config/defaults.yaml' },
  overrides: { 'exchanges.binance.enabled': true },
  secrets: [
    { name: 'TRADELAB_WEBHOOK_SECRET', purpose: 'shared secret of the TradingView webhook', set: true, source: 'env', value: 'LEAKED-VALUE-123' },
    { name: 'TRADELAB_SMTP_PASSWORD', purpose: 'SMTP password', set: false, source: null, value: null },
  ],
};
const USERS = [{ name: 'admin', role: 'admin', createdAt: 0 }, { name: 'vi', role: 'viewer', createdAt: 0 }];
const requested: string[] = [];
setFetch(async (url) => {
  requested.push(String(url));
  if (url === '/api/settings') return new Response(JSON.stringify(SETTINGS));
  if (url === '/api/users') return new Response(JSON.stringify(USERS));
  return new Response('{}', { status: 404 });
});

describe('settings page', () => {
  afterEach(() => { session.clear(); requested.length = 0; });

  it('shows the configuration with sources and secrets as set / not set, never a value', async () => {
    session.set('t', 'admin', 'admin');
    const { container } = render(Page);
    await screen.findByText('TRADELAB_WEBHOOK_SECRET');
    expect(container.innerHTML).not.toContain('LEAKED-VALUE-123');
    expect(container.innerHTML).not.toContain('redacted');
    expect(screen.getByText('set')).toBeTruthy();
    expect(screen.getByText('not set')).toBeTruthy();
    expect(screen.getByText('server.port').closest('tr')?.textContent).toContain('config/defaults.yaml');
    expect(screen.getByText('exchanges.binance.enabled').closest('tr')?.textContent).toContain('API override');
    expect(screen.getByTestId('live-flag').textContent).toMatch(/disabled/);
    expect(await screen.findByRole('button', { name: 'Delete user vi' })).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Delete user admin' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('does not ask for users as a viewer and says why', async () => {
    session.set('t', 'vi', 'viewer');
    render(Page);
    await screen.findByText('TRADELAB_WEBHOOK_SECRET');
    expect(requested).not.toContain('/api/users');
    expect(screen.getByTestId('users-denied').textContent).toMatch(/needs the admin role; you are viewer/);
    expect(screen.queryByRole('button', { name: /Delete user/ })).toBeNull();
  });
});
