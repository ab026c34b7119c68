// The app shell in a real browser against the real server: login (wrong password refused, then accepted), the role
// shown, navigation at 375 px (menu button) and 1280 px, the UI and the API sharing one port without shadowing each
// other, and the websocket connecting.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, HAVE_CHROMIUM, login, overflowsHorizontally, shot, startE2E, type E2E } from './harness.ts';

describe.skipIf(!HAVE_CHROMIUM)('web shell', () => {
  let e: E2E;
  beforeAll(async () => { e = await startE2E(); }, 180_000);
  afterAll(async () => { await e?.close(); });

  it('serves the UI and the API on one port; unknown API paths stay JSON 404s', async () => {
    const ui = await fetch(`${e.url}/runs/some-run`);
    expect(ui.status).toBe(200);
    expect(ui.headers.get('content-type')).toMatch(/text\/html/);
    const api = await fetch(`${e.url}/api/nope`);
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    const plotly = await fetch(`${e.url}/vendor/plotly.min.js`);
    expect(plotly.status).toBe(200);
    expect((await plotly.text()).length).toBeGreaterThan(1_000_000);
  });

  it('refuses a wrong password, then logs in and shows who is logged in', async () => {
    const page = await e.page({ role: null });
    await page.goto(`${e.url}/`);
    await page.waitForURL(/\/login/);
    await page.getByLabel('User').fill('viewer');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.getByTestId('login-error').textContent()).toMatch(/wrong user name or password/);
    await shot(page, 'login-1280');
    expect(await axeViolations(page)).toEqual([]);
    await login(page, e.url, 'viewer');
    await expect.poll(() => page.locator('.who').textContent()).toMatch(/viewer/);
    await expect.poll(() => page.getByTestId('conn').textContent()).toMatch(/live/);
  });

  it('navigates with a menu button at 375 px', async () => {
    const page = await e.page({ width: 375, height: 812 });
    await page.goto(`${e.url}/`);
    const menu = page.getByRole('button', { name: 'Menu' });
    await menu.click();
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Runs' }).click();
    await page.waitForURL(/\/runs$/);
    expect(await overflowsHorizontally(page)).toBe(false);
  });
});

describe.skipIf(!HAVE_CHROMIUM)('web shell across a server restart', () => {
  let e: E2E;
  beforeAll(async () => { e = await startE2E(); }, 180_000);
  afterAll(async () => { await e?.close(); });

  it('shows the connection dropping, reconnects with backoff when the server is back, and keeps the session', async () => {
    const page = await e.page({ role: 'operator' });
    await page.goto(`${e.url}/bots`);
    await expect.poll(() => page.getByTestId('conn').textContent()).toMatch(/live/);
    const restarted = e.restart({ downMs: 2500 });
    await expect.poll(() => page.getByTestId('conn').textContent(), { timeout: 10_000 }).toMatch(/reconnecting/);
    await restarted;
    await expect.poll(() => page.getByTestId('conn').textContent(), { timeout: 20_000 }).toMatch(/live/);
    // Still logged in (sessions live in the database), and the page still works against the new process.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Runs' }).click();
    await page.waitForURL(/\/runs$/);
    await expect.poll(() => page.locator('.who').textContent()).toMatch(/operator/);
    await expect.poll(() => page.getByText(e.runId).count()).toBeGreaterThan(0);
  });
});
