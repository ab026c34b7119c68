// The bot pages in a real browser against the real server and runtime: an operator creates a grid bot in the wizard
// (replay on real BTC/USDT 1h candles, slow enough that orders rest) and starts it, watches fills arrive on its page
// without a reload, cancels one resting order, sees the grid view; the global kill switch on the dashboard stops every
// bot after a confirmation; a viewer sees the kill switch disabled with the reason. Screenshots of the dashboard, the
// bots list, the bot page, the grid view and the wizard at 375 and 1280 px; axe-clean; nothing overflows at 375.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  ARTIFACTS, axeViolations, HAVE_CHROMIUM, overflowsHorizontally, PASSWORD, REPLAY_FILE, REPLAY_FROM, REPLAY_TO, shot, startE2E, type E2E,
} from './harness.ts';


describe.skipIf(!HAVE_CHROMIUM)('bot pages', () => {
  let e: E2E;
  let op: Page;
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
  const rows = (p: Page, testid: string) => p.getByTestId(testid).locator('tbody tr').count();
  async function at(width: 375 | 1280): Promise<void> {
    await op.setViewportSize({ width, height: width === 375 ? 812 : 860 });
    await op.waitForTimeout(300); // plotly's resize observer redraws the charts
  }
  async function clean(p: Page, name: string, width: number): Promise<void> {
    await shot(p, name);
    expect(await axeViolations(p)).toEqual([]);
    if (width === 375) expect(await overflowsHorizontally(p)).toBe(false);
  }

  beforeAll(async () => {
    e = await startE2E();
    const login = await fetch(`${e.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'operator', password: PASSWORD }) });
    token = ((await login.json()) as { token: string }).token;
    op = await e.page({ role: 'operator' });
    op.on('pageerror', (x) => console.error('page error:', x));
  }, 180_000);
  afterAll(async () => { await e?.close(); });

  it('creates and starts a replay grid bot in the wizard, then watches fills arrive without a reload', async () => {
    await op.goto(`${e.url}/bots/new`);
    await op.getByLabel('Name', { exact: true }).fill('demo-grid');
    await expect.poll(() => op.getByLabel('Strategy').inputValue()).toMatch(/^grid@/);
    // The parameter form comes from the strategy's schema: bounds and defaults shown.
    expect(await op.getByLabel('gridStepPct').inputValue()).toBe('0.33');
    expect(await op.getByText('distance between grid levels').textContent()).toContain('0.01 … 20 · default 0.33');
    // Live is off on this server: the option is disabled and says why.
    expect(await op.getByRole('radio', { name: /Live/ }).isDisabled()).toBe(true);
    expect(await op.getByTestId('live-reason').textContent()).toContain('LIVE_TRADING_ENABLED is false');
    await op.getByLabel('Candle file', { exact: true }).fill(REPLAY_FILE);
    await op.getByLabel('From (UTC)', { exact: true }).fill(new Date(REPLAY_FROM).toISOString().slice(0, 10));
    await op.getByLabel('To (UTC)', { exact: true }).fill(new Date(REPLAY_TO).toISOString().slice(0, 10));
    // 2 bars a second: the grid's buys rest long enough to be cancelled, and fills keep arriving for minutes.
    await op.getByLabel('Speed', { exact: true }).fill('7200');
    await op.getByLabel('Max drawdown (%)', { exact: true }).fill('50');
    await op.getByTestId('create-start').click();
    await op.waitForURL(/\/bots\/demo-grid$/);
    await expect.poll(() => op.getByTestId('bot-status').textContent(), { timeout: 15_000 }).toMatch(/running|hold/);
    const bot = await api<{ params: Record<string, unknown>; risk: Record<string, unknown> }>('GET', '/api/bots/demo-grid');
    expect(bot.risk).toEqual({ drawdown: { pct: 50 } });
    expect(bot.params.gridStepPct).toBe(0.33);

    // Fills arrive over the websocket: the table grows while the page stays the same document.
    await op.evaluate('window.__sameDocument = true');
    await expect.poll(() => rows(op, 'fills-table'), { timeout: 20_000 }).toBeGreaterThan(0);
    const first = await rows(op, 'fills-table');
    await expect.poll(() => rows(op, 'fills-table'), { timeout: 20_000 }).toBeGreaterThan(first);
    expect(await op.evaluate('window.__sameDocument === true')).toBe(true);
    const total = Number((await op.getByTestId('fills-total').textContent())!.replace(/\D/g, ''));
    expect(total).toBeGreaterThan(first);
  }, 60_000);

  it('cancels one resting order of the running bot from its page', async () => {
    await expect.poll(() => rows(op, 'orders-table')).toBeGreaterThan(1);
    // The buy farthest below the price: the least likely to fill before the cancel lands.
    const target = await op.evaluate(`(() => {
      const rs = [...document.querySelectorAll('[data-testid="orders-table"] tbody tr')];
      const buys = rs.filter((r) => r.children[1].textContent.trim() === 'buy');
      const price = (r) => Number(r.children[2].textContent.replace(/,/g, ''));
      buys.sort((a, b) => price(a) - price(b));
      return buys[0].getAttribute('data-order');
    })()`) as string;
    const row = op.locator(`tr[data-order="${target}"]`);
    await row.getByRole('button', { name: `Cancel order ${target}` }).click();
    await expect.poll(() => row.count()).toBe(0);
    const orders = await api<{ items: { clientId: string; status: string }[] }>('GET', `/api/orders?botId=demo-grid&limit=500`);
    expect(orders.items.find((o) => o.clientId === target)?.status).toBe('cancelled');
    await expect.poll(() => op.getByTestId('toasts').textContent()).toContain(`Order ${target} cancelled`);
  }, 30_000);

  it('shows the grid view: AnchorHigh, GridTop, resting orders on the price chart, capital against the cap', async () => {
    const grid = op.getByTestId('grid-view');
    await expect.poll(() => grid.getByTestId('grid-anchor').textContent()).toMatch(/\d/);
    expect(await grid.getByTestId('grid-top').textContent()).toMatch(/\d/);
    expect(await grid.getByTestId('grid-capital').textContent()).toMatch(/\d.* \/ \d/);
    expect(await grid.getByTestId('grid-hold').textContent()).toMatch(/HOLD|buying/);
    await expect.poll(() => op.locator('[data-testid="grid-chart"] .main-svg').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    const legend = await op.locator('[data-testid="grid-chart"] .legendtext').allTextContents();
    expect(legend.join('|')).toMatch(/Resting buys/);
    expect(legend.join('|')).toMatch(/AnchorHigh|GridTop/);
    // The config is read-only while the bot runs, and says why.
    expect(await op.getByTestId('edit-reason').textContent()).toMatch(/only while the bot is paused or stopped; it is (running|hold)/);
    expect(await op.getByLabel('gridStepPct').isDisabled()).toBe(true);
    await clean(op, 'bot-page-grid-1280', 1280);
    await grid.screenshot({ path: `${ARTIFACTS}/grid-view-1280.png` });
    // The same page at 375 px (a phone): resized in place, the chart follows its container.
    await at(375);
    await clean(op, 'bot-page-grid-375', 375);
    await grid.screenshot({ path: `${ARTIFACTS}/grid-view-375.png` });
    await at(1280);
  }, 45_000);

  it('pauses the bot, edits its parameters and risk, stops it keeping its orders, and starts it again', async () => {
    await op.goto(`${e.url}/bots/demo-grid`);
    await op.getByTestId('bot-pause').click();
    await expect.poll(() => op.getByTestId('bot-status').textContent()).toBe('paused');
    const step = op.getByLabel('gridStepPct', { exact: true });
    await expect.poll(() => step.isDisabled()).toBe(false);
    await step.fill('0.5');
    await op.getByLabel('Daily loss limit (%)', { exact: true }).fill('4');
    await op.getByRole('button', { name: 'Save configuration' }).click();
    await expect.poll(() => op.getByTestId('toasts').textContent()).toContain('Bot demo-grid updated');
    const bot = await api<{ params: Record<string, unknown>; risk: Record<string, unknown> }>('GET', '/api/bots/demo-grid');
    expect(bot.params.gridStepPct).toBe(0.5);
    expect(bot.risk).toEqual({ drawdown: { pct: 50 }, dailyLoss: { pct: 4 } });
    // Stop asks what to do with the resting orders.
    const resting = await rows(op, 'orders-table');
    expect(resting).toBeGreaterThan(0);
    await op.getByTestId('bot-stop').click();
    await op.getByRole('dialog', { name: 'Stop demo-grid?' }).waitFor();
    await op.getByTestId('stop-keep').click();
    await expect.poll(() => op.getByTestId('bot-status').textContent(), { timeout: 15_000 }).toBe('stopped');
    expect((await api<{ total: number }>('GET', '/api/orders?botId=demo-grid&status=resting')).total).toBeGreaterThan(0);
    await op.getByTestId('bot-start').click();
    await expect.poll(() => op.getByTestId('bot-status').textContent(), { timeout: 15_000 }).toMatch(/running|hold/);
  }, 45_000);

  it('lists the bots and shows the wizard at 375 and 1280 px', async () => {
    for (const width of [1280, 375] as const) {
      await at(width);
      await op.goto(`${e.url}/bots`);
      await expect.poll(() => rows(op, 'bots-table')).toBeGreaterThan(0);
      await clean(op, `bots-list-${width}`, width);
      await op.goto(`${e.url}/bots/new`);
      await expect.poll(() => op.getByLabel('gridStepPct').count()).toBe(1);
      await clean(op, `bot-wizard-${width}`, width);
    }
    await at(1280);
  }, 45_000);

  it('the global kill switch on the dashboard asks, then stops every bot', async () => {
    // A second bot, a signal strategy, running too.
    await api('POST', '/api/bots', {
      name: 'demo-sma', strategy: 'sma-cross', params: { fast: 5, slow: 15 }, symbols: ['BTC/USDT'], exchange: 'binance', mode: 'replay', budget: 1000,
      settings: { timeframe: '1h', speed: 36_000, data: { file: REPLAY_FILE, from: REPLAY_FROM, to: REPLAY_TO } },
    });
    await api('POST', '/api/bots/demo-sma/start');
    await op.goto(`${e.url}/`);
    await expect.poll(() => rows(op, 'dashboard-bots')).toBe(2);
    await expect.poll(() => op.locator('[data-testid="pnl-chart"] .main-svg').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await at(375);
    await clean(op, 'dashboard-375', 375);
    await at(1280);
    const badges = () => op.getByTestId('dashboard-bots').getByTestId('status').allTextContents();
    await expect.poll(badges).toEqual(expect.arrayContaining(['running']));
    await expect.poll(() => op.locator('[data-testid="pnl-chart"] .main-svg').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await clean(op, 'dashboard-1280', 1280);
    await op.getByRole('button', { name: 'Kill all bots' }).click();
    // Nothing happens before the confirmation.
    await op.getByRole('dialog').waitFor();
    expect(await badges()).toContain('running');
    await op.getByTestId('kill-all-confirm').click();
    await expect.poll(badges, { timeout: 20_000 }).toEqual(['emergency-stopped', 'emergency-stopped']);
    await expect.poll(() => op.getByTestId('bots-running').textContent()).toBe('0 / 2');
    const bots = await api<{ id: string; status: string }[]>('GET', '/api/bots');
    expect(bots.map((b) => b.status)).toEqual(['emergency-stopped', 'emergency-stopped']);
    expect((await api<{ items: unknown[] }>('GET', '/api/orders?status=resting')).items).toEqual([]);
    await expect.poll(() => op.getByTestId('toasts').textContent()).toContain('Kill switch pressed');
    // The server's alert for the same kill reaches the page over the websocket as a toast too.
    await expect.poll(() => op.getByTestId('toasts').textContent(), { timeout: 10_000 }).toMatch(/CRITICAL kill switch/);
  }, 45_000);

  it('a viewer sees the kill switch and the bot controls disabled with the reason', async () => {
    const v = await e.page({ role: 'viewer' });
    await v.goto(`${e.url}/`);
    const kill = v.getByRole('button', { name: 'Kill all bots' });
    await kill.waitFor();
    expect(await kill.isDisabled()).toBe(true);
    expect(await kill.getAttribute('title')).toBe('The global kill switch needs the operator role; you are viewer');
    expect(await v.getByTestId('kill-all-reason').textContent()).toContain('needs the operator role');
    await expect.poll(() => v.locator('[data-testid="pnl-chart"] .main-svg').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await clean(v, 'dashboard-viewer-1280', 1280);
    await v.goto(`${e.url}/bots/demo-grid`);
    await v.getByTestId('bot-status').waitFor();
    for (const id of ['bot-start', 'bot-kill']) {
      expect(await v.getByTestId(id).isDisabled()).toBe(true);
      expect(await v.getByTestId(id).getAttribute('title')).toMatch(/needs the operator role; you are viewer/);
    }
  }, 30_000);
});
