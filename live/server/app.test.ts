// Every route in-process with inject: happy path, each role allowed and denied, malformed input, audit rows.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectRelClose } from '../../test-support/approx.ts';
import { makeHarness, PASSWORD, type Harness } from './server-harness.test-util.ts';
import type { Role } from './users.ts';
import type { LiveEvent } from './bot-service.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const RUN = '20240101T000000Z-sma-cross-btcusdt-1h-aaaa0001';

/** Each route: the least role, a valid call and its status, and a malformed call (400). */
interface RouteCase { method: Method; url: string; body?: unknown; role: Role | 'public'; ok: number; bad?: { url?: string; body?: unknown } }
const ROUTES: RouteCase[] = [
  { method: 'GET', url: '/api/status', role: 'viewer', ok: 200 },
  { method: 'GET', url: '/api/settings', role: 'viewer', ok: 200 },
  { method: 'GET', url: '/api/audit?entity=bot&limit=5', role: 'operator', ok: 200, bad: { url: '/api/audit?limit=-1' } },
  { method: 'PUT', url: '/api/settings/overrides', body: { path: 'defaults.bot.budget', value: 250 }, role: 'admin', ok: 200, bad: { body: { path: 'defaults.bot.budget' , value: -1 } } },
  { method: 'GET', url: '/api/auth/me', role: 'viewer', ok: 200 },
  { method: 'GET', url: '/api/users', role: 'admin', ok: 200 },
  { method: 'POST', url: '/api/users', body: { name: 'carol', password: 'long enough pw', role: 'viewer' }, role: 'admin', ok: 201, bad: { body: { name: 'carol', password: 'short', role: 'boss' } } },
  { method: 'DELETE', url: '/api/users/carol', role: 'admin', ok: 200, bad: { url: '/api/users/' + 'x'.repeat(80) } },
  { method: 'GET', url: '/api/strategies', role: 'viewer', ok: 200 },
  { method: 'GET', url: '/api/strategies/grid', role: 'viewer', ok: 200 },
  { method: 'GET', url: '/api/results?sort=sharpe&order=desc', role: 'viewer', ok: 200, bad: { url: '/api/results?limit=0' } },
  { method: 'GET', url: `/api/results/${RUN}`, role: 'viewer', ok: 200, bad: { url: '/api/results/..%2F..%2Fetc' } },
  { method: 'GET', url: `/api/results/${RUN}/files/trades.csv`, role: 'viewer', ok: 200, bad: { url: `/api/results/${RUN}/files/..%2Fsecret.txt` } },
  { method: 'GET', url: '/api/markets', role: 'viewer', ok: 200, bad: { url: '/api/markets?enabled=maybe' } },
  { method: 'GET', url: '/api/exchanges/binance/pairs?quote=usdt', role: 'viewer', ok: 200, bad: { url: '/api/exchanges/Bin%20ance/pairs' } },
  { method: 'PUT', url: '/api/markets/enabled', body: { exchange: 'binance', symbol: 'SOL/USDT', enabled: false }, role: 'operator', ok: 200, bad: { body: { exchange: 'binance', symbol: 'SOLUSDT', enabled: 'no' } } },
  { method: 'GET', url: '/api/orders?status=resting', role: 'viewer', ok: 200, bad: { url: '/api/orders?status=lost' } },
  { method: 'POST', url: '/api/orders/a-4/cancel', role: 'operator', ok: 200, bad: { url: '/api/orders/a%20b/cancel' } },
  { method: 'GET', url: '/api/fills?botId=alpha', role: 'viewer', ok: 200, bad: { url: '/api/fills?from=yesterday' } },
  { method: 'GET', url: '/api/lots?status=closed', role: 'viewer', ok: 200, bad: { url: '/api/lots?status=half' } },
  { method: 'GET', url: '/api/positions?open=true', role: 'viewer', ok: 200, bad: { url: '/api/positions?extra=1' } },
  { method: 'GET', url: '/api/reports/pnl?groupBy=strategy', role: 'viewer', ok: 200, bad: { url: '/api/reports/pnl?groupBy=moon' } },
  { method: 'GET', url: '/api/reports/tax?year=2024', role: 'viewer', ok: 200, bad: { url: '/api/reports/tax?year=twenty' } },
  { method: 'GET', url: '/api/pnl/series?bucket=1d', role: 'viewer', ok: 200, bad: { url: '/api/pnl/series?bucket=1y' } },
  { method: 'GET', url: '/api/stats', role: 'viewer', ok: 200 },
  { method: 'GET', url: '/api/bots', role: 'viewer', ok: 200, bad: { url: '/api/bots?status=sleeping' } },
  { method: 'GET', url: '/api/bots/alpha', role: 'viewer', ok: 200, bad: { url: '/api/bots/-bad-' } },
  { method: 'GET', url: '/api/bots/alpha/logs?limit=5', role: 'viewer', ok: 200, bad: { url: '/api/bots/alpha/logs?limit=0' } },
  { method: 'GET', url: '/api/bots/alpha/candles?limit=5', role: 'viewer', ok: 200, bad: { url: '/api/bots/alpha/candles?limit=0' } },
  { method: 'POST', url: '/api/bots', body: { name: 'gamma', strategy: 'sma-cross', symbols: ['BTC/USDT'], exchange: 'binance', mode: 'paper', budget: 100 }, role: 'operator', ok: 201, bad: { body: { name: 'gamma', strategy: 'sma-cross', symbols: [], exchange: 'binance', mode: 'paper', budget: -5 } } },
  { method: 'PATCH', url: '/api/bots/alpha', body: { budget: 2000 }, role: 'operator', ok: 200, bad: { body: {} } },
  { method: 'POST', url: '/api/bots/alpha/start', role: 'operator', ok: 200, bad: { body: { now: true } } },
  { method: 'POST', url: '/api/bots/alpha/pause', role: 'operator', ok: 200, bad: { body: [] } },
  { method: 'POST', url: '/api/bots/alpha/stop', body: { orders: 'keep' }, role: 'operator', ok: 200, bad: { body: { orders: 'burn' } } },
  { method: 'POST', url: '/api/bots/alpha/copy', body: { name: 'alpha2' }, role: 'operator', ok: 201, bad: { body: { name: '' } } },
  { method: 'POST', url: '/api/bots/alpha/kill', role: 'operator', ok: 200, bad: { body: 'x' } },
  { method: 'POST', url: '/api/bots/beta/promote', body: { inPlace: true }, role: 'admin', ok: 409, bad: { body: { inPlace: 'yes' } } },
  { method: 'GET', url: '/api/markets/closes?points=10', role: 'viewer', ok: 200, bad: { url: '/api/markets/closes?points=1' } },
  { method: 'GET', url: '/api/promotions/run/20990101T000000Z-none', role: 'viewer', ok: 404, bad: { url: '/api/promotions/run/..%2Fx' } },
  { method: 'POST', url: '/api/promotions/run/20990101T000000Z-none', body: { name: 'p', exchange: 'binance', budget: 10, risk: { drawdown: { pct: 10 } } }, role: 'operator', ok: 404, bad: { body: { name: 'p', exchange: 'binance', budget: 0, risk: {} } } },
  { method: 'GET', url: '/api/promotions/bot/alpha', role: 'viewer', ok: 200, bad: { url: '/api/promotions/bot/-bad-' } },
  { method: 'POST', url: '/api/promotions/bot/alpha', body: { inPlace: true }, role: 'admin', ok: 409, bad: { body: { inPlace: 'yes' } } },
  { method: 'DELETE', url: '/api/bots/gamma', role: 'operator', ok: 200, bad: { url: '/api/bots/%00' } },
  { method: 'POST', url: '/api/kill-all', role: 'operator', ok: 200, bad: { body: { all: 1 } } },
  { method: 'DELETE', url: '/api/settings/overrides/defaults.bot.budget', role: 'admin', ok: 200, bad: { url: '/api/settings/overrides/a..b%20c' } },
  // background jobs (routes/jobs.test.ts runs real ones): a job the CLI will refuse (no cached candles), unknown ids
  { method: 'GET', url: '/api/data-sources', role: 'viewer', ok: 200 },
  // chart and sweep views of runs (routes/run-views.test.ts has real ones): the seeded runs have no equity.arrow / results.parquet
  { method: 'GET', url: `/api/results/${RUN}/chart`, role: 'viewer', ok: 404, bad: { url: `/api/results/${RUN}/chart?points=5` } },
  { method: 'GET', url: `/api/results/${RUN}/sweep`, role: 'viewer', ok: 404, bad: { url: '/api/results/a%20b/sweep' } },
  { method: 'GET', url: '/api/jobs/kinds', role: 'viewer', ok: 200 },
  { method: 'GET', url: '/api/jobs', role: 'viewer', ok: 200 },
  { method: 'POST', url: '/api/jobs', body: { kind: 'backtest', args: { strategy: 'sma-cross', data: { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' } } }, role: 'operator', ok: 201, bad: { body: { kind: 'backtest', args: { strategy: 'sma-cross', data: {} } } } },
  { method: 'GET', url: '/api/jobs/job-none', role: 'viewer', ok: 404, bad: { url: '/api/jobs/%00' } },
  { method: 'POST', url: '/api/jobs/job-none/cancel', role: 'operator', ok: 404, bad: { url: '/api/jobs/a%20b/cancel' } },
  { method: 'DELETE', url: '/api/jobs/job-none', role: 'operator', ok: 404, bad: { url: '/api/jobs/a%20b' } },
];
const RANK: Role[] = ['viewer', 'operator', 'admin'];

describe('API routes', () => {
  let h: Harness;
  beforeAll(async () => { h = await makeHarness(); });
  afterAll(async () => { await h.close(); });

  const call = (r: { method: Method; url: string; body?: unknown }, headers: Record<string, string> = {}) =>
    h.app.inject({ method: r.method, url: r.url, headers: { ...headers, ...(r.body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(r.body !== undefined ? { payload: typeof r.body === 'string' ? r.body : JSON.stringify(r.body) } : {}) });

  it('every route of the OpenAPI document is in the table, with schemas', async () => {
    const doc = (await call({ method: 'GET', url: '/api/openapi.json' })).json() as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    const tested = new Set(ROUTES.map((r) => `${r.method} ${r.url.split('?')[0]}`)
      .map((k) => k.replace(/\/api\/bots\/(alpha|beta|gamma)/, '/api/bots/{id}').replace(/\/api\/users\/carol/, '/api/users/{name}').replace(/\/api\/orders\/a-4/, '/api/orders/{clientId}')
        .replace(/\/api\/strategies\/grid/, '/api/strategies/{id}').replace(/\/api\/exchanges\/binance/, '/api/exchanges/{id}').replace(new RegExp(`/api/results/${RUN}/files/.*`), '/api/results/{id}/files/{*}').replace(new RegExp(`/api/results/${RUN}`), '/api/results/{id}')
        .replace(/overrides\/.+/, 'overrides/{path}').replace(/\/api\/promotions\/(run|bot)\/[^/]+$/, (_m, k: string) => `/api/promotions/${k}/{${k}Id}`).replace(/\/api\/jobs\/job-none/, '/api/jobs/{id}')));
    const missing = documented.filter((k) => !tested.has(k) && !['GET /healthz', 'POST /api/auth/login', 'POST /api/auth/logout', 'GET /ws',
      // public, its own shared-secret auth: routes/webhooks.test.ts and runtime-bot-service.test.ts
      'POST /api/webhooks/tradingview'].includes(k));
    expect(missing).toEqual([]);
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [m, op] of Object.entries(ops) as [string, { responses: Record<string, unknown>; requestBody?: unknown }][]) {
        expect(Object.keys(op.responses).length, `${m} ${path}`).toBeGreaterThan(0);
        if (m !== 'get') expect(op.requestBody, `${m} ${path} has a body schema`).toBeDefined();
      }
    }
    expect((await call({ method: 'GET', url: '/api/docs' })).statusCode).toBe(200);
  });

  it('each route: 401 without credentials, 403 for each role below its own, then the happy path, then 400 on malformed input', async () => {
    for (const r of ROUTES) {
      const anon = await call(r);
      expect(anon.statusCode, `${r.method} ${r.url} anonymous`).toBe(401);
      expect(anon.headers['www-authenticate']).toMatch(/^Basic/);
      expect(anon.json().error.code).toBe('AUTH_REQUIRED');
      // The web UI (X-Requested-With) gets no Basic challenge, so the browser shows the UI's login, not its own dialog.
      const ui = await call(r, { 'x-requested-with': 'tradelab-web' });
      expect(ui.statusCode).toBe(401);
      expect(ui.headers['www-authenticate']).toBeUndefined();
      for (const role of RANK.slice(0, RANK.indexOf(r.role as Role))) {
        const res = await call(r, h.auth(role));
        expect(res.statusCode, `${r.method} ${r.url} as ${role}`).toBe(403);
        expect(res.json().error).toMatchObject({ code: 'FORBIDDEN', details: { required: r.role, role } });
      }
      if (r.bad) {
        const res = await call({ method: r.method, url: r.bad.url ?? r.url, body: r.bad.body ?? r.body }, h.auth('admin'));
        expect(res.statusCode, `${r.method} ${r.bad.url ?? r.url} malformed: ${res.body}`).toBe(400);
        expect(res.json().error.code).toMatch(/^[A-Z_]+$/);
        expect(res.json().error.message.length).toBeGreaterThan(10);
      }
      const ok = await call(r, h.auth(r.role as Role));
      expect(ok.statusCode, `${r.method} ${r.url} as ${r.role}: ${ok.body.slice(0, 300)}`).toBe(r.ok);
    }
  });

  it('roles above a route\'s own are allowed (admin reads, admin controls a bot)', async () => {
    for (const r of ROUTES.filter((x) => x.method === 'GET')) {
      for (const role of RANK.slice(RANK.indexOf(r.role as Role))) expect((await call(r, h.auth(role))).statusCode, `${r.url} as ${role}`).toBe(r.ok);
    }
  });
});

describe('API behaviour', () => {
  let h: Harness;
  beforeEach(async () => { h = await makeHarness(); });
  afterEach(async () => { await h.close(); });
  const get = (url: string, role: Role = 'viewer') => h.app.inject({ method: 'GET', url, headers: h.auth(role) });
  const post = (url: string, body: unknown, role: Role = 'operator', method: Method = 'POST') =>
    h.app.inject({ method, url, headers: h.auth(role), payload: body as object });

  it('a malformed body is a 400 naming each field, never a 500', async () => {
    const r = await post('/api/bots', { name: 'x', strategy: 'sma-cross', symbols: ['BTCUSDT'], exchange: 'binance', mode: 'moon', budget: 'lots', extra: 1 });
    expect(r.statusCode).toBe(400);
    const fields = (r.json().error.details.problems as { field: string }[]).map((p) => p.field);
    expect(fields).toEqual(expect.arrayContaining(['body.symbols.0', 'body.mode', 'body.budget', 'body.extra']));
    const bad = await h.app.inject({ method: 'POST', url: '/api/bots', headers: { ...h.auth('operator'), 'content-type': 'application/json' }, payload: '{"name": ' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('FST_ERR_CTP_INVALID_JSON_BODY');
  });

  it('maps error families to status: unknown bot 404, duplicate 409, transition 409, live refused 409, venue unavailable 503', async () => {
    expect((await get('/api/bots/nobody')).json().error.code).toBe('BOT_NOT_FOUND');
    expect((await get('/api/bots/nobody')).statusCode).toBe(404);
    const body = { name: 'alpha', strategy: 'sma-cross', symbols: ['BTC/USDT'], exchange: 'binance', mode: 'paper', budget: 100 };
    expect((await post('/api/bots', body)).statusCode).toBe(409);
    expect((await post('/api/bots/alpha/pause', {})).statusCode).toBe(409);
    const live = await post('/api/bots', { ...body, name: 'l1', mode: 'live' }, 'admin');
    expect([live.statusCode, live.json().error.code]).toEqual([409, 'LIVE_TRADING_DISABLED']);
    expect((await post('/api/bots', { ...body, name: 'l2', mode: 'live' }, 'operator')).statusCode).toBe(403);
    expect((await post('/api/bots', { ...body, name: 'u1', strategy: 'nope' })).statusCode).toBe(404);
    h.bots.start = async () => { const { TradelabError } = await import('../../engine/errors.ts'); throw new TradelabError('VENUE_DOWN', 'venue-unavailable', 'exchange down'); };
    const r = await post('/api/bots/alpha/start', {});
    expect([r.statusCode, r.json()]).toEqual([503, { error: { code: 'VENUE_DOWN', message: 'exchange down', details: null } }]);
    h.bots.pause = async () => { throw new Error('boom with internals'); };
    const crash = await post('/api/bots/alpha/pause', {});
    expect([crash.statusCode, crash.json().error.code]).toEqual([500, 'INTERNAL']);
    expect(crash.body).not.toContain('boom');
  });

  it('every mutating call writes an audit row with who, before and after', async () => {
    const before = h.store.journal.listAudit().length;
    await post('/api/bots/alpha/start', {});
    await post('/api/bots/alpha/stop', { orders: 'cancel' });
    await post('/api/markets/enabled', { exchange: 'binance', symbol: 'BTC/USDT', enabled: false }, 'operator', 'PUT');
    await post('/api/settings/overrides', { path: 'email.to', value: ['ops@example.com'] }, 'admin', 'PUT');
    await post('/api/users', { name: 'dave', password: 'a long password', role: 'operator' }, 'admin');
    await post('/api/kill-all', {});
    const rows = h.store.journal.listAudit().slice(before);
    const api = rows.filter((r) => r.actor !== 'test');
    expect(api.map((r) => `${r.actor} ${r.action}`)).toEqual(expect.arrayContaining([
      'operator api.bot.start', 'operator api.bot.stop', 'operator config.override', 'admin config.override', 'admin user.create', 'operator api.kill-all',
    ]));
    const start = api.find((r) => r.action === 'api.bot.start')!;
    expect([start.before, start.after]).toEqual([{ status: 'created' }, { status: 'running' }]);
    const ov = api.find((r) => r.action === 'config.override' && r.actor === 'admin')!;
    expect(ov.after).toEqual({ 'config.email.to': ['ops@example.com'] });
    expect(JSON.stringify(rows)).not.toContain('a long password');
  });

  it('status is derived from the bots: PAUSED, RUNNING, HOLD, EMERGENCY_STOP', async () => {
    expect((await get('/api/status')).json().status).toBe('PAUSED');
    await post('/api/bots/alpha/start', {});
    expect((await get('/api/status')).json()).toMatchObject({ status: 'RUNNING', bots: { total: 2, byStatus: { running: 1, created: 1 } } });
    h.store.bots.setStatus('beta', 'running', 't', 1); h.store.bots.setStatus('beta', 'hold', 't', 2);
    expect((await get('/api/status')).json().status).toBe('HOLD');
    await post('/api/bots/alpha/kill', {});
    expect((await get('/api/status')).json().status).toBe('EMERGENCY_STOP');
    h.clock.now += 90_000;
    expect((await get('/api/status')).json().uptimeSec).toBe(90);
  });

  it('/healthz: 200 when database and exchange answer, 503 when the exchange or the database fails', async () => {
    expect((await h.app.inject('/healthz')).statusCode).toBe(200);
    h.probe.result = { ok: false, detail: 'binance: timeout' };
    const r = await h.app.inject('/healthz');
    expect([r.statusCode, r.json().exchange]).toEqual([503, { ok: false, detail: 'binance: timeout' }]);
    h.probe.result = { ok: true, detail: 'ok' };
    h.store.db.close();
    const d = await h.app.inject('/healthz');
    expect([d.statusCode, d.json().database.ok]).toEqual([503, false]);
  });

  it('reports: P&L groups with win rate and average win/loss; FIFO tax rows in JSON and CSV', async () => {
    const pnl = (await get('/api/reports/pnl?groupBy=bot')).json();
    const alpha = pnl.groups.find((g: { key: string }) => g.key === 'alpha');
    // buy 2 @100 (fee .2), sell 1 @110 (fee .11), sell 1 @90 (fee .09): +10 − .21 and −10 − .19
    expect(alpha).toMatchObject({ trades: 2, wins: 1, losses: 1, winRatePct: 50 });
    expectRelClose(alpha.avgWin, 9.79, 1e-9, 1e-9);
    expectRelClose(alpha.avgLoss, -10.19, 1e-9, 1e-9);
    expectRelClose(alpha.fees, 0.4, 1e-9, 1e-9);
    expectRelClose(pnl.feesPaid, 2.4, 1e-9, 1e-9);
    const byMonth = (await get('/api/reports/pnl?groupBy=period&period=month')).json().groups.map((g: { key: string }) => g.key);
    expect(byMonth).toEqual(['2024-01', '2024-02']);
    const tax = (await get('/api/reports/tax?year=2024&botId=alpha')).json();
    expect(tax.rows).toHaveLength(2);
    expect(tax.rows[0]).toMatchObject({ token: 'BTC', amount: 1, dateAcquired: '2024-01-01T00:00:01.000Z', dateSold: '2024-01-02T00:00:01.000Z' });
    expectRelClose(tax.rows[0].costBasis, 100.1, 1e-9, 1e-9);
    expectRelClose(tax.rows[0].proceeds, 109.89, 1e-9, 1e-9);
    expectRelClose(tax.rows[0].fees, 0.21, 1e-9, 1e-9);
    expectRelClose(tax.rows[0].gain, 9.79, 1e-9, 1e-9);
    expectRelClose(tax.totals.gain, 9.79 - 10.19, 1e-9, 1e-9);
    expect((await get('/api/reports/tax?year=2023')).json().rows).toEqual([]);
    const csv = await get('/api/reports/tax?year=2024&format=csv');
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.body.trim().split('\n');
    expect(lines[0]).toBe('token,amount,date_acquired,date_sold,cost_basis,proceeds,fees,gain,symbol');
    expect(lines).toHaveLength(3);
  });

  it('results: filter and sort, detail, files read-only with traversal refused', async () => {
    const all = (await get('/api/results')).json();
    expect(all.total).toBe(2);
    expect((await get('/api/results?kind=sweep')).json().items.map((i: { kind: string }) => i.kind)).toEqual(['sweep']);
    expect((await get('/api/results?symbol=btc/usdt')).json().items[0].stats.sharpe).toBe(1.5);
    const d = (await get(`/api/results/${RUN}`)).json();
    expect(d.files.map((f: { name: string }) => f.name)).toEqual(['manifest.json', 'stats.json', 'trades.csv']);
    for (const p of ['..%2Fsecret.txt', '%2E%2E/secret.txt', '..%5Csecret.txt', '%2Fetc%2Fpasswd']) {
      const r = await get(`/api/results/${RUN}/files/${p}`);
      expect(r.statusCode, p).toBeGreaterThanOrEqual(400);
      expect(r.statusCode, p).toBeLessThan(500);
      expect(r.body).not.toContain('top secret');
    }
    expect((await get(`/api/results/${RUN}/files/nothing.csv`)).statusCode).toBe(404);
    expect((await h.app.inject({ method: 'PUT', url: `/api/results/${RUN}/files/trades.csv`, headers: h.auth('admin'), payload: 'x' })).statusCode).toBe(404);
  });

  it('pairs of an exchange: filtered; unknown exchange 404; unreachable 503', async () => {
    expect((await get('/api/exchanges/binance/pairs?quote=usdt&active=true')).json().map((m: { symbol: string }) => m.symbol)).toEqual(['BTC/USDT']);
    expect((await get('/api/exchanges/kraken/pairs')).statusCode).toBe(404);
    const r = await get('/api/exchanges/coinbase/pairs');
    expect([r.statusCode, r.json().error.code]).toEqual([503, 'EXCHANGE_UNREACHABLE']);
  });

  it('markets: disabling is kept as an override and shown', async () => {
    await post('/api/markets/enabled', { exchange: 'binance', symbol: 'ETH/USDT', enabled: false }, 'operator', 'PUT');
    const m = (await get('/api/markets?exchange=binance')).json();
    expect(m.find((x: { symbol: string }) => x.symbol === 'ETH/USDT')).toMatchObject({ enabled: false, bots: 1, fills: 1, volume: 2000, fees: 2 });
    expect((await get('/api/markets?enabled=false')).json()).toHaveLength(1);
    expect((await post('/api/markets/enabled', { exchange: 'kraken', symbol: 'BTC/USD', enabled: true }, 'operator', 'PUT')).statusCode).toBe(404);
  });

  it('settings: effective config with secrets masked; overrides validated against the whole schema', async () => {
    await h.close();
    h = await makeHarness({ env: { TRADELAB_SMTP_PASSWORD: 'smtp-pass-123', TRADELAB_BINANCE_API_KEY: 'key-abc', TRADELAB_BINANCE_SECRET: 'sec-xyz' } });
    const s = await get('/api/settings');
    expect(s.body).not.toMatch(/smtp-pass-123|key-abc|sec-xyz/);
    const secrets = s.json().secrets as { name: string; set: boolean; value: string | null }[];
    expect(secrets.find((x) => x.name === 'TRADELAB_SMTP_PASSWORD')).toMatchObject({ set: true, value: '<redacted>' });
    expect(secrets.find((x) => x.name === 'TRADELAB_BINANCE_SECRET')).toMatchObject({ set: true, value: '<redacted>' });
    expect(secrets.find((x) => x.name === 'TRADELAB_TELEGRAM_TOKEN')).toMatchObject({ set: false, value: null });
    const bad = await post('/api/settings/overrides', { path: 'email.port', value: 99999 }, 'admin', 'PUT');
    expect([bad.statusCode, bad.json().error.code]).toEqual([400, 'CONFIG_OVERRIDE_INVALID']);
    expect(bad.json().error.message).toContain('email.port');
    expect((await post('/api/settings/overrides', { path: 'server.port', value: 1 }, 'admin', 'PUT')).json().error.code).toBe('CONFIG_NOT_OVERRIDABLE');
    const ok = await post('/api/settings/overrides', { path: 'defaults.maxOpenOrders', value: 100 }, 'admin', 'PUT');
    expect(ok.json()).toEqual({ path: 'defaults.maxOpenOrders', before: 490, after: 100 });
    expect((await get('/api/settings')).json().sources['defaults.maxOpenOrders']).toBe('override');
  });

  it('websocket: events by subscribed topic and bot', async () => {
    const ws = await h.app.injectWS('/ws', { headers: h.auth('viewer') });
    const got: unknown[] = [];
    ws.on('message', (d: Buffer) => got.push(JSON.parse(d.toString())));
    const until = async (n: number) => { for (let i = 0; i < 100 && got.length < n; i++) await new Promise((r) => setTimeout(r, 5)); };
    ws.send(JSON.stringify({ op: 'subscribe', topics: ['order.*'], botIds: ['alpha'] }));
    await until(1);
    h.bots.emit({ topic: 'bot.state', ts: 1, botId: 'alpha', data: {} });
    h.bots.emit({ topic: 'order.filled', ts: 2, botId: 'beta', data: {} });
    h.bots.emit({ topic: 'order.filled', ts: 3, botId: 'alpha', data: { clientId: 'a-9' } });
    ws.send(JSON.stringify({ op: 'subscribe', topics: ['nonsense'] }));
    await until(3);
    expect(got).toEqual([
      { op: 'subscribed', topics: ['order.*'], botIds: ['alpha'] },
      { topic: 'order.filled', ts: 3, botId: 'alpha', data: { clientId: 'a-9' } },
      expect.objectContaining({ op: 'error' }),
    ]);
    ws.terminate();
    await new Promise((r) => setTimeout(r, 20));
    expect(h.bots.listeners.size).toBe(0);
    await expect(h.app.injectWS('/ws')).rejects.toThrow();
  });

  it('extra routes and event sources plug in (webhooks, alert toasts)', async () => {
    await h.close();
    const listeners = new Set<(e: LiveEvent) => void>();
    h = await makeHarness({ deps: {
      routes: [(app) => { app.post('/api/webhooks/test', { config: { access: 'public' }, schema: { body: { type: 'object', properties: { a: { type: 'integer' } }, required: ['a'], additionalProperties: false } } }, async (req) => req.body); }],
      eventSources: [{ subscribe: (l) => { listeners.add(l); return () => listeners.delete(l); } }],
    } });
    expect((await h.app.inject({ method: 'POST', url: '/api/webhooks/test', payload: { a: 1 } })).json()).toEqual({ a: 1 });
    expect((await h.app.inject({ method: 'POST', url: '/api/webhooks/test', payload: { a: 'x' } })).statusCode).toBe(400);
    const ws = await h.app.injectWS('/ws', { headers: h.auth('viewer') });
    const got: unknown[] = [];
    ws.on('message', (d: Buffer) => got.push(JSON.parse(d.toString())));
    ws.send(JSON.stringify({ op: 'subscribe', topics: ['alert'] }));
    for (let i = 0; i < 100 && got.length < 1; i++) await new Promise((r) => setTimeout(r, 5));
    for (const l of listeners) l({ topic: 'alert', ts: 5, data: { level: 'critical', message: 'kill switch' } });
    for (let i = 0; i < 100 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
    expect(got[1]).toEqual({ topic: 'alert', ts: 5, botId: null, data: { level: 'critical', message: 'kill switch' } });
    ws.terminate();
  });

  it('logging in with a password and using the token; Basic for scripts', async () => {
    const login = await h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { user: 'operator', password: PASSWORD } });
    expect(login.statusCode).toBe(200);
    const { token, role } = login.json();
    expect(role).toBe('operator');
    expect((await h.app.inject({ url: '/api/auth/me', headers: { authorization: `Bearer ${token}` } })).json()).toEqual({ user: 'operator', role: 'operator' });
    expect((await h.app.inject({ url: '/api/auth/me', headers: h.basic('admin', PASSWORD) })).json()).toEqual({ user: 'admin', role: 'admin' });
    expect((await h.app.inject({ url: '/api/auth/me', headers: h.basic('admin', 'wrong password') })).statusCode).toBe(401);
    expect((await h.app.inject({ url: '/api/users', headers: h.basic('viewer', PASSWORD) })).statusCode).toBe(403);
  });
});
