// Background jobs through the API: validation (400 naming the field), roles, a real backtest and a real sweep run by
// the tradelab CLI as a child process on ../shared/data (run id, progress, websocket events, audit), failures with the
// CLI's message, the queue (server.maxJobs), cancel, and the children killed when the server closes.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importCandles, writeCandles } from '../../../data/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BTC_1H, SHARED_DATA, sharedFile } from '../../../test-support/shared-data.ts';
import { makeHarness, type Harness } from '../server-harness.test-util.ts';
import type { JobView } from '../jobs.ts';

const BACKTEST = { strategy: 'sma-cross@1.0.0', params: { fast: 10, slow: 30 }, data: { file: BTC_1H }, from: '2022-01-01', to: '2022-03-31' };
const SWEEP = { strategy: 'sma-cross', data: { file: BTC_1H }, from: '2022-01-01', to: '2022-06-30', grid: { fast: '5:20:5', slow: '30:60:10' }, metric: 'sharpe' };

describe('background jobs', () => {
  let h: Harness;
  beforeAll(async () => { h = await makeHarness({ env: { TRADELAB_SAMPLE_DATA: SHARED_DATA } }); });
  afterAll(async () => { await h.close(); });

  const post = (body: unknown, role: 'viewer' | 'operator' | 'admin' = 'operator') =>
    h.app.inject({ method: 'POST', url: '/api/jobs', headers: { ...h.auth(role), 'content-type': 'application/json' }, payload: JSON.stringify(body) });
  const get = async (id: string): Promise<JobView> => (await h.app.inject({ method: 'GET', url: `/api/jobs/${id}`, headers: h.auth('viewer') })).json() as JobView;
  const until = async (id: string, done: (j: JobView) => boolean, ms = 60_000): Promise<JobView> => {
    const t0 = Date.now();
    for (;;) {
      const j = await get(id);
      if (done(j)) return j;
      if (Date.now() - t0 > ms) throw new Error(`job ${id} still ${j.status} after ${ms} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const finished = (j: JobView) => ['done', 'failed', 'cancelled'].includes(j.status);

  it('refuses bad args with a 400 that names each wrong field, an unknown kind, and viewers', async () => {
    const bad = await post({ kind: 'backtest', args: { strategy: 'sma-cross', params: { fast: 0, slwo: 3 }, data: { file: '../../etc/passwd' } } });
    expect(bad.statusCode).toBe(400);
    const msg = bad.json().error.message as string;
    expect(bad.json().error.code).toBe('JOB_ARGS_INVALID');
    expect(msg).toContain("unknown parameter 'slwo'");
    expect(msg).toMatch(/args\.params: .*fast/);
    expect(msg).toContain('args.data.file');
    const schema = await post({ kind: 'sweep', args: { strategy: 'Bad Name', data: {}, grid: {} } });
    expect(schema.statusCode).toBe(400);
    expect(schema.json().error.message).toMatch(/args\.strategy: Expected string to match/);
    expect(schema.json().error.message).toMatch(/args\.grid/);
    const grid = await post({ kind: 'sweep', args: { ...SWEEP, grid: { fats: '1:3:1' } } });
    expect(grid.json().error.message).toContain("args.grid.fats: unknown parameter of 'sma-cross'");
    const noData = await post({ kind: 'backtest', args: { strategy: 'sma-cross', data: { symbol: 'BTC/USDT' } } });
    expect(noData.json().error.message).toContain('missing: exchange, timeframe');
    const version = await post({ kind: 'backtest', args: { ...BACKTEST, strategy: 'sma-cross@0.9.0' } });
    expect(version.json().error.message).toContain("args.strategy: 'sma-cross' is at version 1.0.0 in this server's code, not 0.9.0");
    const unknown = await post({ kind: 'moonshot', args: {} });
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([400, 'JOB_KIND_INVALID']);
    expect(unknown.json().error.message).toContain('backtest, sweep, walk-forward');
    expect((await post({ kind: 'backtest', args: BACKTEST }, 'viewer')).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'GET', url: '/api/jobs/job-nope', headers: h.auth('viewer') })).statusCode).toBe(404);
  });

  it('runs a real backtest with the CLI and reports its run id; the creation is audited', async () => {
    const res = await post({ kind: 'backtest', args: BACKTEST });
    expect(res.statusCode).toBe(201);
    const job = res.json() as JobView;
    expect(['queued', 'running']).toContain(job.status);
    const done = await until(job.id, finished);
    expect(done).toMatchObject({ status: 'done', progress: 1, error: null, actor: 'operator' });
    expect(existsSync(join(h.resultsDir, done.resultRunId!, 'manifest.json'))).toBe(true);
    const run = (await h.app.inject({ method: 'GET', url: `/api/results/${done.resultRunId}`, headers: h.auth('viewer') })).json();
    expect(run.manifest.strategy.ref).toBe('sma-cross@1.0.0');
    expect(run.manifest.params).toEqual({ fast: 10, slow: 30 });
    expect(run.manifest.data.from).toBe('2022-01-01T00:00:00.000Z');
    const audit = h.store.journal.listAudit().filter((r) => r.action === 'api.job.create' && r.entityId === job.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: 'operator', entity: 'job', after: { kind: 'backtest', args: BACKTEST } });
    const list = (await h.app.inject({ method: 'GET', url: '/api/jobs', headers: h.auth('viewer') })).json() as JobView[];
    expect(list.map((j) => j.id)).toContain(job.id);
  }, 90_000);

  it('runs a sweep with progress and job.progress / job.done events on the websocket', async () => {
    const ws = await h.app.injectWS('/ws', { headers: h.auth('viewer') });
    const events: { topic?: string; data?: Record<string, unknown> }[] = [];
    ws.on('message', (d: Buffer) => events.push(JSON.parse(d.toString()) as (typeof events)[number]));
    ws.send(JSON.stringify({ op: 'subscribe', topics: ['job.*'] }));
    for (let i = 0; i < 100 && events.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const job = (await post({ kind: 'sweep', args: SWEEP })).json() as JobView;
    const done = await until(job.id, finished);
    expect(done.status, done.error ?? '').toBe('done');
    expect(done.resultRunId).toMatch(/-sweep-sma-cross-btcusdt-1h-/);
    expect(existsSync(join(h.resultsDir, done.resultRunId!, 'results.parquet'))).toBe(true);
    for (let i = 0; i < 100 && !events.some((e) => e.topic === 'job.done'); i++) await new Promise((r) => setTimeout(r, 10));
    const mine = events.filter((e) => e.data?.id === job.id);
    const progress = mine.filter((e) => e.topic === 'job.progress').map((e) => e.data!.progress as number);
    expect(progress.some((p) => p > 0 && p <= 1)).toBe(true); // from the CLI's --progress-json lines
    expect(mine.at(-1)).toMatchObject({ topic: 'job.done', data: { status: 'done', resultRunId: done.resultRunId } });
    ws.terminate();
  }, 90_000);

  it('runs a walk-forward job to its run id', async () => {
    const job = (await post({ kind: 'walk-forward', args: { ...SWEEP, grid: { fast: '5:15:5', slow: '30:40:10' }, train: '60d', test: '30d' } })).json() as JobView;
    const done = await until(job.id, finished);
    expect(done.status, done.error ?? '').toBe('done');
    expect(done.resultRunId).toMatch(/-wf-sma-cross-btcusdt-1h-/);
    expect(existsSync(join(h.resultsDir, done.resultRunId!, 'folds.csv'))).toBe(true);
  }, 90_000);

  it('a job the CLI refuses fails with the CLI\'s message', async () => {
    const job = (await post({ kind: 'backtest', args: { strategy: 'sma-cross', data: { exchange: 'binance', symbol: 'DOGE/USDT', timeframe: '1h' } } })).json() as JobView;
    const done = await until(job.id, finished);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/DOGE\/USDT/);
    expect(done.resultRunId).toBeNull();
  }, 60_000);

  it('queues beyond server.maxJobs (1), cancels a queued and a running job, audits the cancels', async () => {
    const a = (await post({ kind: 'sweep', args: { ...SWEEP, grid: { fast: '2:40:1', slow: '41:200:1' } } })).json() as JobView;
    const b = (await post({ kind: 'backtest', args: BACKTEST })).json() as JobView;
    await until(a.id, (j) => j.status === 'running');
    expect((await get(b.id)).status).toBe('queued');
    const cb = await h.app.inject({ method: 'DELETE', url: `/api/jobs/${b.id}`, headers: h.auth('operator') });
    expect(cb.json()).toMatchObject({ status: 'cancelled' });
    const ca = await h.app.inject({ method: 'POST', url: `/api/jobs/${a.id}/cancel`, headers: h.auth('operator') });
    expect(ca.statusCode).toBe(200);
    expect((await until(a.id, finished)).status).toBe('cancelled');
    const again = await h.app.inject({ method: 'POST', url: `/api/jobs/${a.id}/cancel`, headers: h.auth('operator') });
    expect([again.statusCode, again.json().error.code]).toEqual([409, 'JOB_FINISHED_CONFLICT']);
    expect((await h.app.inject({ method: 'POST', url: `/api/jobs/${a.id}/cancel`, headers: h.auth('viewer') })).statusCode).toBe(403);
    const cancels = h.store.journal.listAudit().filter((r) => r.action === 'api.job.cancel').map((r) => r.entityId);
    expect(cancels).toEqual(expect.arrayContaining([a.id, b.id]));
  }, 60_000);

  it('lists the data sources: candle files of the sample folder with their labels', async () => {
    const r = (await h.app.inject({ method: 'GET', url: '/api/data-sources', headers: h.auth('viewer') })).json();
    expect(r.files).toContainEqual(expect.objectContaining({ path: BTC_1H, symbol: 'BTC/USDT', timeframe: '1h' }));
    expect(r.files.some((f: { path: string }) => f.path.includes('ccxt-static') || f.path.includes('trades'))).toBe(false);
    expect(r.cached).toEqual([]);
  });

  it('kills running jobs when the server closes', async () => {
    const other = await makeHarness({ env: { TRADELAB_SAMPLE_DATA: SHARED_DATA } });
    const res = await other.app.inject({ method: 'POST', url: '/api/jobs', headers: { ...other.auth('operator'), 'content-type': 'application/json' }, payload: JSON.stringify({ kind: 'sweep', args: { ...SWEEP, grid: { fast: '2:40:1', slow: '41:200:1' } } }) });
    const id = (res.json() as JobView).id;
    for (let i = 0; i < 100; i++) {
      const j = (await other.app.inject({ method: 'GET', url: `/api/jobs/${id}`, headers: other.auth('viewer') })).json() as JobView;
      if (j.status === 'running') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const t0 = Date.now();
    await other.close();
    expect(Date.now() - t0).toBeLessThan(6000);
  }, 30_000);
});

describe('background jobs on cached candles', () => {
  let h: Harness;
  beforeAll(async () => {
    const cache = mkdtempSync(join(tmpdir(), 'tl-jobs-cache-'));
    const btc = await importCandles(sharedFile(BTC_1H), { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' });
    await writeCandles(cache, btc.frame);
    h = await makeHarness({ env: { TRADELAB_CACHE: cache } }); // no TRADELAB_SAMPLE_DATA: no files offered
  }, 60_000);
  afterAll(async () => { await h.close(); });

  it('lists the cached series and runs a backtest on them (the CLI gets the server\'s cache)', async () => {
    const src = (await h.app.inject({ method: 'GET', url: '/api/data-sources', headers: h.auth('viewer') })).json();
    expect(src.files).toEqual([]);
    expect(src.cached).toEqual([expect.objectContaining({ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h', from: '2017-08-17T04:00:00.000Z' })]);
    expect(src.cached[0].bars).toBeGreaterThan(30_000);
    const file = await h.app.inject({ method: 'POST', url: '/api/jobs', headers: { ...h.auth('operator'), 'content-type': 'application/json' }, payload: JSON.stringify({ kind: 'backtest', args: BACKTEST }) });
    expect(file.json().error.message).toContain('this server offers no candle files');
    const res = await h.app.inject({ method: 'POST', url: '/api/jobs', headers: { ...h.auth('operator'), 'content-type': 'application/json' },
      payload: JSON.stringify({ kind: 'backtest', args: { ...BACKTEST, data: { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' } } }) });
    const id = (res.json() as JobView).id;
    let j: JobView;
    for (;;) {
      j = (await h.app.inject({ method: 'GET', url: `/api/jobs/${id}`, headers: h.auth('viewer') })).json() as JobView;
      if (j.finishedAt !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(j.status, j.error ?? '').toBe('done');
    const run = (await h.app.inject({ method: 'GET', url: `/api/results/${j.resultRunId}`, headers: h.auth('viewer') })).json();
    expect(run.manifest.data).toMatchObject({ exchange: 'binance', symbol: 'BTC/USDT', source: { kind: 'cache' } });
  }, 90_000);
});
