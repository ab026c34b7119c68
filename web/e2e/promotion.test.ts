// Promotion in a real browser against the real server: the seeded backtest (sma-cross on BTC/USDT 1h) has no
// evidence; an operator runs the walk-forward, the look-ahead check and the parity check from the page (background
// jobs running the real CLI), sees each pass, sets a loss limit and signs off a paper bot. Live promotion of that bot
// is refused while LIVE_TRADING_ENABLED is false: the page says so and keeps the sign-off disabled, and the server
// refuses the call and audits it. Viewers see why they may not act. Screenshots at 375 and 1280 px, axe-clean,
// nothing overflows at 375.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { axeViolations, HAVE_CHROMIUM, overflowsHorizontally, PASSWORD, shot, startE2E, type E2E } from './harness.ts';

describe.skipIf(!HAVE_CHROMIUM)('promotion', () => {
  let e: E2E;
  let botId = '';
  async function apiAs<T>(user: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
    const login = await fetch(`${e.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, password: PASSWORD }) });
    const { token } = (await login.json()) as { token: string };
    const r = await fetch(`${e.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: r.status, json: (await r.json()) as T };
  }
  async function clean(p: Page, name: string, width: number): Promise<void> {
    await p.evaluate('window.scrollTo(0, 0)'); // a full-page shot of a scrolled page would draw the sticky header mid-page
    await shot(p, name);
    expect(await axeViolations(p)).toEqual([]);
    if (width === 375) expect(await overflowsHorizontally(p)).toBe(false);
  }
  const ok = (p: Page, id: string) => p.getByTestId(`evidence-${id}`).getAttribute('data-ok');

  beforeAll(async () => { e = await startE2E(); }, 180_000);
  afterAll(async () => { await e?.close(); });

  it('the run page opens its files with the session (download, report in a new tab) and leads to promotion', async () => {
    const p = await e.page({ role: 'viewer' });
    await p.goto(`${e.url}/runs/${e.runId}`);
    const [download] = await Promise.all([p.waitForEvent('download'), p.getByRole('link', { name: 'trades.csv' }).click()]);
    expect(download.suggestedFilename()).toBe('trades.csv');
    expect(readFileSync((await download.path())!, 'utf8').split('\n')[0]).toMatch(/^[a-z_,]+$/);
    const [tab] = await Promise.all([p.waitForEvent('popup'), p.getByRole('link', { name: 'report.html' }).click()]);
    await expect.poll(() => tab.url()).toMatch(/^blob:/);
    await expect.poll(() => tab.title()).not.toBe('');
    await p.getByRole('link', { name: 'Promote to paper' }).click();
    await p.waitForURL(new RegExp(`/promote/${e.runId}$`));
  });

  it('runs the missing checks from the page and signs off the seeded run as a paper bot', async () => {
    const p = await e.page({ role: 'operator' });
    await p.goto(`${e.url}/promote/${e.runId}`);
    await p.getByTestId('checklist').waitFor();
    for (const id of ['out-of-sample', 'lookahead', 'parity', 'risk']) expect(await ok(p, id)).toBe('false');
    expect(await ok(p, 'budget')).toBe('true');
    const sign = p.getByRole('button', { name: 'Sign off: create the paper bot' });
    expect(await sign.isDisabled()).toBe(true);
    expect(await p.getByTestId('sign-denied').textContent()).toContain('Missing evidence: out-of-sample result, look-ahead check passed, parity check passed, risk limits set');
    await clean(p, 'promote-run-missing-1280', 1280);

    await p.getByRole('button', { name: 'Run walk-forward' }).click();
    await p.getByRole('button', { name: 'Run look-ahead check' }).click();
    await p.getByRole('button', { name: 'Run parity check' }).click();
    for (const id of ['out-of-sample', 'lookahead', 'parity']) await expect.poll(() => ok(p, id), { timeout: 90_000, interval: 500 }).toBe('true');
    expect(await p.getByTestId('evidence-lookahead').textContent()).toMatch(/clean: 50 cuts over \d+ bars/);
    expect(await p.getByTestId('evidence-parity').textContent()).toMatch(/identical: \d+ backtest fills = \d+ replay fills/);
    expect(await p.getByTestId('evidence-out-of-sample').textContent()).toMatch(/walk-forward .*: \d+ folds, out-of-sample return/);

    await p.getByTestId('risk-drawdown').fill('20');
    await expect.poll(() => ok(p, 'risk')).toBe('true');
    expect(await sign.isDisabled()).toBe(false);
    await sign.click();
    await p.getByTestId('sign-off-confirm').click();
    await expect.poll(() => p.getByTestId('created').textContent()).toMatch(/Paper bot sma-cross-btcusdt-1h-paper created \(paper, created\)/);
    await expect.poll(() => p.getByTestId('history').textContent()).toContain('api.promotion.paper');
    await clean(p, 'promote-run-1280', 1280);

    const bots = await apiAs<{ id: string; name: string; mode: string; params: unknown; risk: unknown }[]>('operator', 'GET', '/api/bots');
    const bot = bots.json.find((b) => b.name === 'sma-cross-btcusdt-1h-paper')!;
    expect(bot).toMatchObject({ mode: 'paper', params: { fast: 10, slow: 30 }, risk: { drawdown: { pct: 20 } } });
    botId = bot.id;
    const audit = await apiAs<{ action: string; actor: string; after: { evidence: { id: string; ok: boolean }[] } }[]>('operator', 'GET', `/api/audit?entity=promotion&entityId=${encodeURIComponent(`run:${e.runId}`)}`);
    expect(audit.json.map((a) => [a.action, a.actor])).toEqual([['api.promotion.paper', 'operator']]);
    expect(audit.json[0].after.evidence.every((i) => i.ok)).toBe(true);
    const jobs = await apiAs<{ kind: string; status: string; actor: string }[]>('operator', 'GET', '/api/jobs');
    expect(jobs.json.map((j) => [j.kind, j.status, j.actor]).sort()).toEqual([['check-lookahead', 'done', 'operator'], ['parity', 'done', 'operator'], ['walk-forward', 'done', 'operator']]);
  }, 150_000);

  it('a viewer at 375 px sees the checklist and why the sign-off and the checks are not theirs', async () => {
    const p = await e.page({ role: 'viewer', width: 375, height: 812 });
    await p.goto(`${e.url}/promote/${e.runId}`);
    await expect.poll(() => p.getByTestId('sign-denied').textContent()).toBe('Signing off a paper bot needs the operator role; you are viewer.');
    expect(await ok(p, 'parity')).toBe('true');
    await clean(p, 'promote-run-375', 375);
  });

  it('refuses live promotion while LIVE_TRADING_ENABLED is false, and the page says so', async () => {
    const p = await e.page({ role: 'admin' });
    // The paper bot's page offers the next step.
    await p.goto(`${e.url}/bots/${botId}`);
    await p.getByRole('link', { name: 'Promote to live' }).click();
    await p.waitForURL(new RegExp(`/promote/bot/${botId}$`));
    await expect.poll(() => p.getByTestId('live-disabled').textContent()).toContain('Live trading is disabled on this server (LIVE_TRADING_ENABLED is false)');
    for (const id of ['out-of-sample', 'lookahead', 'parity', 'risk', 'budget']) expect(await ok(p, id)).toBe('true');
    const sign = p.getByRole('button', { name: 'Sign off: go live' });
    expect(await sign.isDisabled()).toBe(true);
    expect(await sign.getAttribute('title')).toBe('Live trading is disabled on this server (LIVE_TRADING_ENABLED is false)');
    // The server refuses it too (whatever a client does) and writes the refusal to the audit log.
    const r = await apiAs<{ error: { code: string; message: string } }>('admin', 'POST', `/api/promotions/bot/${botId}`, { inPlace: true });
    expect(r.status).toBe(409);
    expect(r.json.error.code).toBe('LIVE_TRADING_DISABLED');
    expect(r.json.error.message).toMatch(/live trading is disabled on this server \(LIVE_TRADING_ENABLED is false\)/);
    await p.reload();
    await expect.poll(() => p.getByTestId('history').textContent()).toContain('api.promotion.live.refused');
    expect(await p.getByTestId('history').textContent()).toContain('LIVE_TRADING_ENABLED is false');
    await clean(p, 'promote-live-1280', 1280);
    const m = await e.page({ role: 'operator', width: 375, height: 812 });
    await m.goto(`${e.url}/promote/bot/${botId}`);
    await expect.poll(() => m.getByTestId('sign-denied').textContent()).toBe('Signing off live trading needs the admin role; you are operator.');
    await clean(m, 'promote-live-375', 375);
    const bots = await apiAs<{ id: string; mode: string }[]>('viewer', 'GET', '/api/bots');
    expect(bots.json.find((b) => b.id === botId)!.mode).toBe('paper');
  });
});
