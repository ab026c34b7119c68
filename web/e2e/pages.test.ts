// Markets, reports and settings in a real browser against the real server: candles of binance BTC/USDT 1h in the
// server's candle cache (sparkline), a replay bot on real candles that trades (reports and the tax CSV have rows), a
// webhook secret and an API key in the server's environment (never on the settings page). An operator toggles a
// market, a viewer sees the switch disabled with the reason; the tax CSV button downloads a real CSV; screenshots at
// 375 and 1280 px, axe-clean, nothing overflows at 375.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { importCandles, writeCandles } from '../../data/index.ts';
import { axeViolations, HAVE_CHROMIUM, overflowsHorizontally, PASSWORD, REPLAY_FILE, REPLAY_FROM, REPLAY_TO, shot, startE2E, type E2E } from './harness.ts';

const SECRET = `whsec-${Date.now().toString(36)}-do-not-show`;
const API_KEY = `binance-key-${Date.now().toString(36)}-hidden`;

describe.skipIf(!HAVE_CHROMIUM)('markets, reports and settings pages', () => {
  let e: E2E;
  let token = '';
  async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const r = await fetch(`${e.url}${path}`, {
      method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await r.json()) as T;
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(json)}`);
    return json;
  }
  async function clean(p: Page, name: string, width: number): Promise<void> {
    await p.evaluate('window.scrollTo(0, 0)'); // a full-page shot of a scrolled page would draw the sticky header mid-page
    await shot(p, name);
    expect(await axeViolations(p)).toEqual([]);
    if (width === 375) expect(await overflowsHorizontally(p)).toBe(false);
  }

  beforeAll(async () => {
    e = await startE2E({ env: { TRADELAB_WEBHOOK_SECRET: SECRET, TRADELAB_BINANCE_API_KEY: API_KEY, TRADELAB_BINANCE_SECRET: `${API_KEY}-s` } });
    const btc = await importCandles(REPLAY_FILE, { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' });
    await writeCandles(join(e.dir, 'home', 'cache'), btc.frame); // the server's paths.cacheDir (TRADELAB_HOME/cache)
    const login = await fetch(`${e.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'operator', password: PASSWORD }) });
    token = ((await login.json()) as { token: string }).token;
    // A replay bot that trades real candles to the end of its data (fills, lots, realised P&L for the reports).
    await api('POST', '/api/bots', {
      name: 'rep-sma', strategy: 'sma-cross', symbols: ['BTC/USDT'], exchange: 'binance', mode: 'replay', budget: 10_000, risk: { drawdown: { pct: 50 } },
      settings: { timeframe: '1h', speed: 'max', data: { file: REPLAY_FILE, from: REPLAY_FROM, to: REPLAY_TO } },
    });
    await api('POST', '/api/bots/rep-sma/start', {});
    for (let i = 0; i < 300 && (await api<{ status: string }>('GET', '/api/bots/rep-sma')).status !== 'stopped'; i++) await new Promise((r) => setTimeout(r, 100));
  }, 180_000);
  afterAll(async () => { await e?.close(); });

  it('markets: sparklines from the candle cache, and an operator disables and re-enables a market', async () => {
    const p = await e.page({ role: 'operator' });
    await p.goto(`${e.url}/markets`);
    const spark = p.getByRole('img', { name: /^BTC\/USDT on binance: last 48 1h closes to 20\d\d-.* UTC, (up|down) [\d.]+% in 24 h$/ });
    await spark.waitFor();
    expect(await spark.locator('path').getAttribute('d')).toMatch(/^M[\d.]+,[\d.]+( L[\d.]+,[\d.]+){47}$/);
    const row = p.locator('[data-market="binance:BTC/USDT"]');
    expect(await row.locator('td').nth(4).textContent()).not.toBe('–');
    const eth = p.getByRole('switch', { name: 'ETH/USDT on binance enabled' });
    expect(await eth.isChecked()).toBe(true);
    expect(await eth.isDisabled()).toBe(false);
    await eth.click();
    await expect.poll(() => eth.isChecked()).toBe(false);
    await expect.poll(async () => (await api<{ symbol: string; exchange: string; enabled: boolean }[]>('GET', '/api/markets')).find((m) => m.exchange === 'binance' && m.symbol === 'ETH/USDT')?.enabled).toBe(false);
    await clean(p, 'markets-1280', 1280);
    await eth.click();
    await expect.poll(async () => (await api<{ symbol: string; exchange: string; enabled: boolean }[]>('GET', '/api/markets')).find((m) => m.exchange === 'binance' && m.symbol === 'ETH/USDT')?.enabled).toBe(true);
    const audit = await api<{ action: string; actor: string }[]>('GET', '/api/audit?limit=50');
    expect(audit.filter((a) => a.actor === 'operator' && /override|market/.test(a.action)).length).toBeGreaterThanOrEqual(2);
  });

  it('markets: a viewer at 375 px sees the switches disabled with the reason', async () => {
    const p = await e.page({ role: 'viewer', width: 375, height: 812 });
    await p.goto(`${e.url}/markets`);
    const sw = p.getByRole('switch', { name: 'BTC/USDT on binance enabled' });
    await sw.waitFor();
    expect(await sw.isDisabled()).toBe(true);
    expect(await p.getByTestId('toggle-denied').textContent()).toContain('Enabling or disabling a market needs the operator role; you are viewer');
    await clean(p, 'markets-375', 375);
  });

  it('reports: P&L by pair, fees, and the tax CSV downloaded with the session token', async () => {
    const p = await e.page({ role: 'viewer' });
    await p.goto(`${e.url}/reports`);
    await p.getByTestId('group-by').selectOption('pair');
    await expect.poll(() => p.getByTestId('pnl-table').locator('tbody tr').count()).toBe(2);
    expect(await p.getByTestId('pnl-table').locator('tbody tr').first().textContent()).toContain('BTC/USDT');
    const tax = await api<{ rows: unknown[]; totals: { gain: number } }>('GET', '/api/reports/tax');
    expect(tax.rows.length).toBeGreaterThan(0);
    await expect.poll(() => p.getByTestId('tax-table').locator('tbody tr').count()).toBe(tax.rows.length);
    expect(Number((await p.getByTestId('fees-paid').textContent())!.replace(/,/g, ''))).toBeGreaterThan(0);
    const [download] = await Promise.all([p.waitForEvent('download'), p.getByTestId('tax-csv').click()]);
    expect(download.suggestedFilename()).toBe('tradelab-tax.csv');
    const csv = readFileSync((await download.path())!, 'utf8');
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('token,amount,date_acquired,date_sold,cost_basis,proceeds,fees,gain,symbol');
    expect(lines.length - 1).toBe(tax.rows.length);
    expect(lines[1]).toMatch(/^BTC,[\d.e-]+,20\d\d-\d\d-\d\dT.*,BTC\/USDT$/);
    await clean(p, 'reports-1280', 1280);
    const m = await e.page({ role: 'viewer', width: 375, height: 812 });
    await m.goto(`${e.url}/reports`);
    await m.getByTestId('tax-table').waitFor();
    await clean(m, 'reports-375', 375);
  });

  it('settings: the configuration with sources, secrets as set / not set and never their values; users for admins only', async () => {
    const p = await e.page({ role: 'admin' });
    await p.goto(`${e.url}/settings`);
    await p.getByTestId('users-table').waitFor();
    const secretRow = p.getByTestId('secrets-table').locator('tr', { hasText: 'TRADELAB_WEBHOOK_SECRET' });
    expect(await secretRow.textContent()).toMatch(/set.*env/);
    expect(await p.getByTestId('config-table').getByRole('row', { name: /^paths\.home / }).textContent()).toContain('env TRADELAB_HOME');
    expect(await p.getByTestId('live-flag').textContent()).toMatch(/live trading disabled/);
    const html = await p.content();
    expect(html).not.toContain(SECRET);
    expect(html).not.toContain(API_KEY);
    expect(await p.getByTestId('users-table').locator('tbody tr').count()).toBe(3);
    await clean(p, 'settings-1280', 1280);
    const v = await e.page({ role: 'viewer', width: 375, height: 812 });
    await v.goto(`${e.url}/settings`);
    await v.getByTestId('secrets-table').waitFor();
    expect(await v.getByTestId('users-denied').textContent()).toContain('needs the admin role; you are viewer');
    expect(await v.content()).not.toContain(SECRET);
    await clean(v, 'settings-375', 375);
  });
});
