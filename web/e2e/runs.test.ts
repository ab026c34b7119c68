// The research pages in a real browser against the real server: the runs table (sorting), a run with its charts
// (plotly's svg), trades and manifest with gaps; a sweep run as a background job through the API, its heatmap, and a
// cell opened as a backtest job; two runs compared; a walk-forward's folds; a backtest started from the form, landing
// on its result. Screenshots at 375 and 1280 px of each page, axe clean, no sideways overflow at 375.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { BTC_1H, sharedFile } from '../../test-support/shared-data.ts';
import { runCli } from '../../test-support/cli.ts';
import { axeViolations, HAVE_CHROMIUM, overflowsHorizontally, PASSWORD, shot, startE2E, type E2E } from './harness.ts';

interface Job { id: string; status: string; resultRunId: string | null; error: string | null }

describe.skipIf(!HAVE_CHROMIUM)('web runs', () => {
  let e: E2E;
  let token = '';
  let sweepJob: Job;
  let wfRun = '';
  const call = async <T>(path: string, body?: unknown): Promise<T> => {
    const r = await fetch(`${e.url}${path}`, { method: body === undefined ? 'GET' : 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const j = (await r.json()) as T;
    if (!r.ok) throw new Error(`${path}: ${JSON.stringify(j)}`);
    return j;
  };
  const finished = async (id: string): Promise<Job> => {
    for (let i = 0; i < 1800; i++) {
      const j = await call<Job>(`/api/jobs/${id}`);
      if (['done', 'failed', 'cancelled'].includes(j.status)) return j;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`job ${id} did not finish`);
  };
  /** Both widths: a screenshot each, axe clean, and no sideways scrolling at 375 px. */
  async function check(page: Page, name: string): Promise<void> {
    for (const width of [1280, 375]) {
      await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
      await page.waitForTimeout(150); // plotly's resize
      await shot(page, `${name}-${width}`);
      expect(await axeViolations(page), `${name} at ${width}`).toEqual([]);
      if (width === 375) expect(await overflowsHorizontally(page), `${name} overflows at 375 px`).toBe(false);
    }
  }
  const plotted = (page: Page, testid: string) => page.getByTestId(testid).locator('svg.main-svg').first().waitFor();

  beforeAll(async () => {
    e = await startE2E();
    token = ((await (await fetch(`${e.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'operator', password: PASSWORD }) })).json()) as { token: string }).token;
    // queued now, run while the browser works (server.maxJobs = 1: one after the other)
    const data = { file: BTC_1H };
    sweepJob = await call<Job>('/api/jobs', { kind: 'sweep', args: { strategy: 'sma-cross', data, from: '2022-01-01', to: '2022-06-30', grid: { fast: '5:20:5', slow: '30:60:10' } } });
    // the walk-forward is written in-process like the harness's seeded backtest (jobs are tested in live/server)
    const wf = await runCli(['walk-forward', '--strategy', 'sma-cross', '--data', sharedFile(BTC_1H), '--from', '2022-01-01', '--to', '2022-06-30',
      '--grid', 'fast=5:15:5', '--grid', 'slow=30:40:10', '--train', '60d', '--test', '30d', '--workers', '1', '--json'], e.dir);
    if (wf.code !== 0) throw new Error(wf.stderr);
    wfRun = (JSON.parse(wf.stdout) as { manifest: { runId: string } }).manifest.runId;
  }, 180_000);
  afterAll(async () => { await e?.close(); });

  it('lists the runs, sorts by a clicked column', async () => {
    const page = await e.page({ role: 'viewer' });
    await page.goto(`${e.url}/runs`);
    await page.getByTestId('run-row').first().waitFor();
    const header = page.getByRole('button', { name: /^Return \[%\]/ });
    await header.click();
    expect(await header.locator('xpath=..').getAttribute('aria-sort')).toBe('descending');
    await page.getByTestId('runs-search').fill('sma-cross');
    expect(await page.getByTestId('run-row').count()).toBeGreaterThan(0);
    await check(page, 'runs');
  });

  it('opens a run: its price chart drawn by plotly, trades and the manifest with the gap count', async () => {
    const page = await e.page({ role: 'viewer' });
    await page.goto(`${e.url}/runs/${e.runId}`);
    await plotted(page, 'price-chart');
    await plotted(page, 'equity-chart');
    expect(await page.getByTestId('trades-table').locator('tbody tr').count()).toBeGreaterThan(5);
    expect(await page.getByTestId('gap-count').textContent()).toMatch(/^\d+ gaps?$/);
    expect(await page.getByTestId('manifest').textContent()).toContain('sma-cross@1.0.0');
    expect(await page.getByTestId('manifest').textContent()).toMatch(/Content hash[0-9a-f]{64}/);
    await check(page, 'run');
  });

  let cellRun = '';
  it('a sweep job run through the API: its heatmap, and a clicked cell opens that combination\'s backtest', async () => {
    const done = await finished(sweepJob.id);
    expect(done.status, done.error ?? '').toBe('done');
    const page = await e.page({ role: 'operator' });
    await page.goto(`${e.url}/runs/${done.resultRunId}`);
    const cells = page.getByTestId('heat-cell');
    await cells.first().waitFor();
    expect(await cells.count()).toBe(16);
    await page.getByTestId('heat-metric').selectOption('returnPct');
    await check(page, 'sweep');
    await page.setViewportSize({ width: 1280, height: 900 });
    const label = await cells.nth(5).getAttribute('aria-label');
    const params = /fast=(\d+), slow=(\d+)/.exec(label ?? '')!;
    await cells.nth(5).click();
    await page.getByTestId('cell-job').waitFor(); // the job's progress while it runs
    await page.waitForURL((u) => u.pathname.startsWith('/runs/') && !u.pathname.includes(done.resultRunId!), { timeout: 120_000 });
    cellRun = decodeURIComponent(new URL(page.url()).pathname.slice('/runs/'.length));
    await plotted(page, 'equity-chart');
    expect(await page.getByTestId('manifest').textContent()).toContain(`fast=${params[1]} slow=${params[2]}`);
  }, 180_000);

  it('compares two runs: statistics side by side and the equity curves overlaid', async () => {
    expect(cellRun).not.toBe('');
    const page = await e.page({ role: 'viewer' });
    await page.goto(`${e.url}/runs/compare?ids=${e.runId},${cellRun}`);
    await plotted(page, 'compare-chart');
    expect(await page.getByTestId('compare-chart').locator('g.trace').count()).toBe(2);
    expect(await page.getByTestId('compare-table').locator('thead th').count()).toBe(3);
    expect(await page.getByTestId('compare-table').locator('tbody tr').count()).toBeGreaterThan(10);
    await check(page, 'compare');
  });

  it('a walk-forward: in- vs out-of-sample per fold and the stitched equity', async () => {
    const page = await e.page({ role: 'viewer' });
    await page.goto(`${e.url}/runs/${wfRun}`);
    await plotted(page, 'folds-chart');
    await plotted(page, 'equity-chart');
    expect(await page.getByTestId('folds-table').locator('tbody tr').count()).toBeGreaterThan(1);
    await check(page, 'walk-forward');
  }, 60_000);

  it('starts a backtest from the form and lands on its result', async () => {
    const page = await e.page({ role: 'operator' });
    await page.goto(`${e.url}/runs/new`);
    await page.getByLabel('fast').waitFor();
    await page.getByTestId('data-select').selectOption({ value: `file:${BTC_1H}` });
    await page.getByTestId('from').fill('2022-02-01');
    await page.getByTestId('to').fill('2022-03-31');
    await page.getByLabel('fast').fill('0');
    expect(await page.getByTestId('run-backtest').isDisabled()).toBe(true);
    await page.getByLabel('fast').fill('8');
    await page.getByLabel('slow').fill('21');
    await check(page, 'new-backtest');
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByTestId('run-backtest').click();
    await page.waitForURL((u) => u.pathname.startsWith('/runs/') && u.pathname !== '/runs/new', { timeout: 120_000 });
    await plotted(page, 'price-chart');
    const manifest = await page.getByTestId('manifest').textContent();
    expect(manifest).toContain('fast=8 slow=21');
    expect(manifest).toContain('2022-02-01T00:00:00.000Z .. 2022-03-31T00:00:00.000Z');
  }, 180_000);
});
