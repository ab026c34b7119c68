// tradelab serve with the bot runtime wired in: a replay bot on real candles started through the API, its fills on
// the REST routes and the websocket, pause/stop/kill/kill-all with roles enforced, the TradingView webhook pausing and
// resuming the bot of its symbol, a kill reaching /ws as an alert toast, and auto-resume after a restart.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BTC_1H, sharedFile } from '../../test-support/shared-data.ts';
import { expectRelClose } from '../../test-support/approx.ts';
import { loadCandles } from '../../data/load-candles.ts';
import { taxCsv, taxReport } from './reports.ts';
import { startServer, type RunningServer, type ServeOptions } from './serve.ts';
import type { VenueFactory } from '../runtime/host.ts';
import { UsersRepo } from './users.ts';
import { FAST_SCRYPT, PASSWORD, REPO_CONFIG } from './server-harness.test-util.ts';

const FILE = sharedFile(BTC_1H);
const FROM = Date.parse('2022-01-01T00:00:00Z');
const TO = Date.parse('2022-02-15T00:00:00Z');
const SECRET = 'tv-shared-secret-0123456789';
const HOUR = 3_600_000;
const homes: string[] = [];
afterAll(() => { for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true }); });

const basic = (user: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${PASSWORD}`).toString('base64')}` });
/** ~10 ms of wall clock per 1h bar: a bot of this range runs for about 10 s unless stopped. */
const bot = (name: string, speed: number | 'max' = 360_000) => ({
  name, strategy: 'sma-cross', params: { fast: 5, slow: 15 }, symbols: ['BTC/USDT'], exchange: 'binance', mode: 'replay', budget: 1000,
  settings: { timeframe: '1h', speed, data: { file: FILE, from: FROM, to: TO } },
});

async function until<T>(f: () => T | undefined | false, what: string, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The shipped config with the TradingView webhook enabled (it is off by default). */
function configDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tl-runtime-config-'));
  homes.push(dir);
  cpSync(REPO_CONFIG, dir, { recursive: true });
  writeFileSync(join(dir, 'webhooks.yaml'), 'webhooks:\n  tradingview:\n    enabled: true\n');
  return dir;
}

async function serve(home: string, runtime: ServeOptions['runtime'] = {}): Promise<RunningServer> {
  return startServer({
    env: { TRADELAB_HOME: home, TRADELAB_WEBHOOK_SECRET: SECRET }, cwd: tmpdir(), configDir: configDir(), logger: false, scrypt: FAST_SCRYPT,
    probeExchange: async () => ({ ok: true, detail: 'test' }), host: '127.0.0.1', port: 0, alertPollMs: 20, runtime: { pollMs: 20, ...runtime },
  });
}

describe('serve with the bot runtime', () => {
  it('runs a replay bot on real candles and controls it through the API, the webhook and the kill switches', async () => {
    const home = mkdtempSync(join(tmpdir(), 'tl-runtime-serve-'));
    homes.push(home);
    let s = await serve(home);
    try {
      const users = new UsersRepo(s.store.db, FAST_SCRYPT);
      for (const role of ['admin', 'operator', 'viewer'] as const) await users.create(role, PASSWORD, role, 'test', Date.now());
      // Basic auth counts as a login attempt (rate-limited): scripts doing many calls log in once for a token.
      const tokens = new Map<string, string>();
      const login = async () => {
        for (const u of ['admin', 'operator', 'viewer']) tokens.set(u, (await s.app.inject({ method: 'POST', url: '/api/auth/login', payload: { user: u, password: PASSWORD } })).json().token as string);
      };
      await login();
      const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, user: string, payload?: unknown) =>
        s.app.inject({ method, url, headers: { authorization: `Bearer ${tokens.get(user)}` }, ...(payload !== undefined ? { payload: payload as object } : {}) });

      // Roles: a viewer cannot create, an operator can.
      expect((await api('POST', '/api/bots', 'viewer', bot('r1'))).statusCode).toBe(403);
      const created = await api('POST', '/api/bots', 'operator', bot('r1'));
      expect([created.statusCode, created.json().status]).toEqual([201, 'created']);
      expect((await api('POST', '/api/bots', 'operator', bot('r1'))).json().error.code).toBe('BOT_EXISTS');
      expect((await api('POST', '/api/bots', 'operator', { ...bot('bad'), settings: { speed: -1 } })).statusCode).toBe(400);

      const ws = await s.app.injectWS('/ws', { headers: { authorization: `Bearer ${tokens.get('viewer')}` } });
      const got: { topic?: string; botId?: string | null; data?: Record<string, unknown> }[] = [];
      ws.on('message', (d: Buffer) => got.push(JSON.parse(d.toString()) as (typeof got)[number]));
      ws.send(JSON.stringify({ op: 'subscribe', topics: ['order.*', 'bot.state', 'alert', 'pnl.update', 'price.update'] }));
      await until(() => got.length > 0, 'the subscription');

      // Start: resolves once the bot runs; fills arrive on REST and /ws.
      expect((await api('POST', '/api/bots/r1/start', 'viewer')).statusCode).toBe(403);
      const started = await api('POST', '/api/bots/r1/start', 'operator');
      expect([started.statusCode, started.json().status]).toEqual([200, 'running']);
      expect((await api('POST', '/api/bots/r1/start', 'operator')).json().error.code).toBe('BOT_RUNNING');
      const filled = await until(() => got.find((m) => m.topic === 'order.filled' && m.botId === 'r1'), 'an order.filled event');
      expect(filled.data).toMatchObject({ symbol: 'BTC/USDT', side: 'buy' });
      expect(filled.data!.price as number).toBeGreaterThan(30_000);
      expect(got.some((m) => m.topic === 'order.placed' && m.botId === 'r1')).toBe(true);
      expect(got.some((m) => m.topic === 'bot.state' && m.botId === 'r1' && m.data?.status === 'running')).toBe(true);
      const fills = (await api('GET', '/api/fills?botId=r1', 'viewer')).json() as { items: { clientId: string; price: number }[] };
      expect(fills.items.some((f) => f.clientId === filled.data!.clientId && f.price === filled.data!.price)).toBe(true);
      expect(((await api('GET', '/api/orders?botId=r1', 'viewer')).json() as { items: unknown[] }).items.length).toBeGreaterThan(0);

      // Marks: price.update carries the close of the bar the bot just stepped (stamped at the bar's close), with the
      // position's unrealised P&L; positions, open lots and the bot page value the position at the same mark.
      const closes = new Map<number, number>();
      const candles = (await loadCandles({ file: FILE, exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' }, { from: FROM - 40 * HOUR, to: TO, warmupBars: 0 }, 'report')).frame;
      for (let i = 0; i < candles.length; i++) closes.set(candles.ts[i] + HOUR, candles.close[i]);
      const price = await until(() => got.find((m) => m.topic === 'price.update' && m.botId === 'r1'), 'a price.update event') as { ts: number; data: Record<string, number | string> };
      expect(price.data.symbol).toBe('BTC/USDT');
      expect(price.data.price).toBe(closes.get(price.ts));
      const pnl = await until(() => got.find((m) => m.topic === 'pnl.update' && m.botId === 'r1'), 'a pnl.update event') as { ts: number; data: Record<string, number> };
      expect(closes.has(pnl.ts)).toBe(true);
      const series = (await api('GET', '/api/pnl/series?botId=r1&bucket=raw', 'viewer')).json() as { points: { ts: number; equity: number }[] };
      expect(series.points.length).toBeGreaterThan(0);
      expect(series.points.every((p) => closes.has(p.ts) && p.equity > 0)).toBe(true);
      // Hold a position: pause while a lot is open (sma-cross holds for many bars; try again if it sold meanwhile).
      const openBase = () => (s.store.db.prepare("SELECT COALESCE(SUM(base), 0) AS b FROM positions WHERE bot_id = 'r1'").get() as { b: number }).b;
      for (let tries = 0; ; tries++) {
        await until(() => openBase() > 0, 'an open position');
        expect((await api('POST', '/api/bots/r1/pause', 'operator')).json().status).toBe('paused');
        if (openBase() > 0 || tries === 5) break;
        expect((await api('POST', '/api/bots/r1/start', 'operator')).json().status).toBe('running');
      }
      const mark = s.runtime!.markPrice('r1', 'BTC/USDT')!;
      expect(closes.get(s.store.bots.getState<number>('r1', '', 'cursor')! + HOUR)).toBe(mark);
      const positions = (await api('GET', '/api/positions?botId=r1', 'viewer')).json() as { base: number; openCost: number; markPrice: number; unrealised: number }[];
      expect(positions[0].base).toBeGreaterThan(0);
      expect(positions[0].markPrice).toBe(mark);
      expectRelClose(positions[0].unrealised, positions[0].base * mark - positions[0].openCost);
      const lots = (await api('GET', '/api/lots?botId=r1&status=open', 'viewer')).json() as { items: { entryPrice: number; remaining: number; unrealised: number; markPrice: number }[] };
      expect(lots.items.length).toBeGreaterThan(0);
      for (const l of lots.items) { expect(l.markPrice).toBe(mark); expectRelClose(l.unrealised, (mark - l.entryPrice) * l.remaining); }
      const detail = (await api('GET', '/api/bots/r1', 'viewer')).json() as { positions: { markPrice: number; unrealised: number }[] };
      expect(detail.positions[0].markPrice).toBe(mark);
      expectRelClose(detail.positions[0].unrealised, positions[0].unrealised);
      expect((await api('POST', '/api/bots/r1/start', 'operator')).json().status).toBe('running');

      // Config changes only while paused/stopped.
      expect((await api('PATCH', '/api/bots/r1', 'operator', { budget: 2000 })).json().error.code).toBe('BOT_RUNNING');

      // TradingView: sell pauses the bot of BTCUSDT, buy resumes it; a wrong secret is refused.
      const tv = (action: string, secret = SECRET) => s.app.inject({ method: 'POST', url: '/api/webhooks/tradingview', payload: { symbol: 'BINANCE:BTCUSDT', action, secret, timestamp: Date.now() } });
      expect((await tv('sell', 'wrong')).statusCode).toBe(401);
      const paused = await tv('sell');
      expect([paused.statusCode, paused.json().status, paused.json().bots]).toEqual([200, 'applied', [{ botId: 'r1', ok: true }]]);
      expect(s.store.bots.require('r1').status).toBe('paused');
      await until(() => got.find((m) => m.topic === 'bot.state' && m.botId === 'r1' && m.data?.status === 'paused'), 'bot.state paused');
      expect((await tv('buy')).json().status).toBe('applied');
      expect(s.store.bots.require('r1').status).toBe('running');

      // Pause by an operator (not a viewer), then the kill switch: emergency-stopped, an alert toast on /ws.
      expect((await api('POST', '/api/bots/r1/pause', 'viewer')).statusCode).toBe(403);
      expect((await api('POST', '/api/bots/r1/pause', 'operator')).json().status).toBe('paused');
      expect((await api('PATCH', '/api/bots/r1', 'operator', { budget: 2000 })).json().budget).toBe(2000);
      expect((await api('POST', '/api/bots/r1/kill', 'viewer')).statusCode).toBe(403);
      const killed = await api('POST', '/api/bots/r1/kill', 'operator');
      expect([killed.statusCode, killed.json().botId]).toEqual([200, 'r1']);
      expect(s.store.bots.require('r1').status).toBe('emergency-stopped');
      expect(s.runtime!.runningTasks).not.toContain('r1');
      const toast = await until(() => got.find((m) => m.topic === 'alert' && m.botId === 'r1'), 'the kill-switch toast');
      expect(toast.data).toMatchObject({ trigger: 'kill-switch', severity: 'critical' });
      // A webhook never resumes an emergency-stopped bot.
      expect((await tv('long')).statusCode).toBe(409);

      // Global kill switch over two running bots; stop with orders: cancel.
      for (const n of ['r2', 'r3']) {
        expect((await api('POST', '/api/bots', 'operator', bot(n))).statusCode).toBe(201);
        expect((await api('POST', `/api/bots/${n}/start`, 'operator')).json().status).toBe('running');
      }
      const stopped = await api('POST', '/api/bots/r3/stop', 'operator', { orders: 'cancel' });
      expect([stopped.statusCode, stopped.json().status]).toEqual([200, 'stopped']);
      expect((await api('POST', '/api/kill-all', 'viewer')).statusCode).toBe(403);
      const all = await api('POST', '/api/kill-all', 'operator');
      expect(all.statusCode).toBe(200);
      expect((all.json() as { botId: string }[]).map((r) => r.botId)).toEqual(['r2']);
      expect(s.store.bots.require('r2').status).toBe('emergency-stopped');
      expect(s.runtime!.runningTasks).toEqual([]);
      ws.terminate();

      // Over real HTTP; copy and delete (a bot with orders is kept).
      const res = await fetch(`${s.url}/api/bots/r1`, { headers: basic('viewer') });
      expect([res.status, ((await res.json()) as { status: string }).status]).toEqual([200, 'emergency-stopped']);
      expect((await api('POST', '/api/bots/r1/copy', 'operator', { name: 'r1-copy' })).statusCode).toBe(201);
      expect((await api('DELETE', '/api/bots/r1', 'operator')).json().error.code).toBe('BOT_DELETE_CONFLICT');
      expect((await api('DELETE', '/api/bots/r1-copy', 'operator')).json().id).toBe('r1-copy');
      // Going live: admin only, and refused while LIVE_TRADING_ENABLED is off.
      expect((await api('POST', '/api/bots/r1/promote', 'operator', { inPlace: true })).statusCode).toBe(403);
      const promote = await api('POST', '/api/bots/r1/promote', 'admin', { inPlace: true });
      expect([promote.statusCode, promote.json().error.code]).toEqual([409, 'LIVE_TRADING_DISABLED']);
      // A replay bot whose candles are missing does not start, and says why.
      expect((await api('POST', '/api/bots', 'operator', { ...bot('nodata'), settings: { timeframe: '1h', data: { file: join(home, 'missing.csv') } } })).statusCode).toBe(201);
      const failed = await api('POST', '/api/bots/nodata/start', 'operator');
      expect([failed.statusCode, failed.json().error.code]).toEqual([404, 'CANDLE_FILE_NOT_FOUND']);
      expect(s.store.bots.require('nodata').status).toBe('created');

      // One audit row per state change, with the user as actor: never a second 'cli' row, the runner's start is the user's.
      const r1Rows = s.store.journal.listAudit({ entity: 'bot', entityId: 'r1' });
      expect(r1Rows.filter((r) => r.action === 'bot.create').map((r) => r.actor)).toEqual(['operator']);
      expect(r1Rows.filter((r) => r.action === 'api.bot.create').map((r) => r.actor)).toEqual(['operator']);
      expect(r1Rows.find((r) => r.action === 'bot.status' && (r.after as { status: string }).status === 'running')!.actor).toBe('operator');
      expect(r1Rows.filter((r) => r.actor === 'cli' || r.actor === 'runner')).toEqual([]);
      expect(s.store.journal.listAudit({ entity: 'bot', entityId: 'r1-copy' }).filter((r) => r.action !== 'api.bot.copy' && r.action !== 'api.bot.delete').map((r) => `${r.actor} ${r.action}`)).toEqual(['operator bot.create']);

      // Auto-resume: a bot running when the server stops has its task back after a restart.
      expect((await api('POST', '/api/bots', 'operator', bot('r4'))).statusCode).toBe(201);
      expect((await api('POST', '/api/bots/r4/start', 'operator')).json().status).toBe('running');
      const r1Fills = (s.store.db.prepare("SELECT COUNT(*) AS n FROM fills WHERE bot_id = 'r1'").get() as { n: number }).n;
      const r1Gains = taxCsv(taxReport(s.store.db, { botId: 'r1', from: Date.UTC(2022, 0, 1), to: Date.UTC(2023, 0, 1) }).rows);
      await s.close();
      // Fiscal logs of r1 (stopped before the restart): every fill in the trades file, gains as the tax export.
      const fiscal = join(home, 'logs', 'r1');
      expect(readFileSync(join(fiscal, 'fiscal-2022-trades.csv'), 'utf8').trim().split('\n')).toHaveLength(1 + r1Fills);
      expect(readFileSync(join(fiscal, 'fiscal-2022-gains.csv'), 'utf8')).toBe(r1Gains);
      s = await serve(home);
      await login();
      // The last mark of a bot that no longer runs survives the restart (bot_state).
      const after = (await api('GET', '/api/positions?botId=r1', 'viewer')).json() as { markPrice: number | null }[];
      expect(after[0].markPrice).toBe(s.store.bots.getState<{ price: number }>('r1', 'BTC/USDT', 'mark')!.price);
      expect(closes.has(s.store.bots.getState<{ ts: number }>('r1', 'BTC/USDT', 'mark')!.ts)).toBe(true);
      expect(s.store.bots.require('r4').status).toBe('running');
      expect(s.runtime!.runningTasks).toEqual(['r4']);
      const cursor = () => s.store.bots.getState<number>('r4', '', 'cursor');
      const c0 = cursor() ?? 0;
      await until(() => (cursor() ?? 0) > c0, 'r4 to advance after the restart');
      expect((await api('POST', '/api/bots/r4/stop', 'operator', { orders: 'keep' })).json().status).toBe('stopped');
    } finally {
      await s.close();
    }
  }, 60_000);

  it('an order strategy: single orders are cancelled through the running task, consistently with its venue; 409 only while it starts', async () => {
    const home = mkdtempSync(join(tmpdir(), 'tl-runtime-grid-'));
    homes.push(home);
    // A replay venue that can be held back, to catch the bot while its task starts.
    let gate: Promise<void> | undefined;
    const venues = { replay: async (b: Parameters<VenueFactory>[0], st: Parameters<VenueFactory>[1], h: Parameters<VenueFactory>[2]) => { if (gate) await gate; return h.replayVenue(b, st); } };
    const s = await serve(home, { venues });
    try {
      // No user: on loopback the anonymous caller is admin.
      const api = (method: 'GET' | 'POST', url: string, payload?: unknown) => s.app.inject({ method, url, ...(payload !== undefined ? { payload: payload as object } : {}) });
      expect((await api('POST', '/api/bots', { ...bot('g1'), strategy: 'grid', params: {} })).statusCode).toBe(201);
      const ws = await s.app.injectWS('/ws');
      const got: { topic?: string; botId?: string | null; data?: Record<string, unknown> }[] = [];
      ws.on('message', (d: Buffer) => got.push(JSON.parse(d.toString()) as (typeof got)[number]));
      ws.send(JSON.stringify({ op: 'subscribe', topics: ['order.cancelled', 'log.line'], botIds: ['g1'] }));
      await until(() => got.length > 0, 'the subscription');
      expect((await api('POST', '/api/bots/g1/start')).json().status).toBe('running');
      await until(() => s.store.orders.unsettledOrders('g1').length > 1, 'resting grid orders');
      await until(() => got.find((m) => m.topic === 'log.line'), 'a log line');
      const needs = await api('POST', '/api/bots/g1/stop', {});
      expect([needs.statusCode, needs.json().error.code]).toEqual([409, 'STOP_NEEDS_CHOICE']);

      // While it runs: the cancel goes through the task's own order manager and venue, between two bars.
      const busy = s.store.orders.unsettledOrders('g1')[0];
      const cursorAt = s.store.bots.getState<number>('g1', '', 'cursor') ?? 0;
      const live = await api('POST', `/api/orders/${busy.clientId}/cancel`);
      expect([live.statusCode, live.json()]).toEqual([200, { clientId: busy.clientId, status: 'cancelled' }]);
      expect(s.store.orders.byClientId(busy.clientId)!.status).toBe('cancelled');
      expect(s.runtime!.runningTasks).toEqual(['g1']);
      expect(s.store.bots.require('g1').status).toBe('running');
      // The venue recorded the cancel in its journal (a restart rebuilds it cancelled) and the bot carries on.
      const journal = s.store.db.prepare("SELECT command FROM venue_journal WHERE venue = 'g1'").all() as { command: string }[];
      expect(journal.some((r) => r.command.includes('"cancel"') && r.command.includes(busy.clientId))).toBe(true);
      await until(() => (s.store.bots.getState<number>('g1', '', 'cursor') ?? 0) > cursorAt, 'g1 to step on after the cancel');
      expect(s.store.checkInvariants('g1')).toEqual([]);
      await until(() => got.find((m) => m.topic === 'order.cancelled' && m.data?.clientId === busy.clientId), 'order.cancelled on /ws');
      const again = await api('POST', `/api/orders/${busy.clientId}/cancel`);
      expect([again.statusCode, again.json().error.code]).toEqual([409, 'ORDER_ALREADY_SETTLED']);

      expect((await api('POST', '/api/bots/g1/stop', { orders: 'keep' })).json().status).toBe('stopped');
      const resting = s.store.orders.unsettledOrders('g1');
      expect(resting.length).toBeGreaterThan(1);
      // A stopped bot: through a venue rebuilt from the store.
      const one = resting[0];
      const res = await api('POST', `/api/orders/${one.clientId}/cancel`);
      expect([res.statusCode, res.json().status]).toEqual([200, 'cancelled']);
      expect(s.store.orders.unsettledOrders('g1').length).toBe(resting.length - 1);
      // The venue rebuilt from its journal agrees with the store: reconciliation finds every resting order open there and
      // nothing to repair (an order cancelled in the store but open on the venue would be cancelled here).
      const before = s.store.orders.unsettledOrders('g1').map((o) => o.clientId);
      const rec = await (await s.runtime!.host.orderPathFor('g1')).reconcile(['BTC/USDT']);
      expect([rec.violations, rec.cancelled, rec.resolved, rec.fillsApplied.length]).toEqual([[], 0, before.length, 0]);
      expect(s.store.orders.unsettledOrders('g1').map((o) => o.clientId)).toEqual(before);

      // While its task starts (venue loading), a cancel is refused with why and what to do.
      let release!: () => void;
      gate = new Promise<void>((r) => { release = r; });
      const starting = api('POST', '/api/bots/g1/start');
      await until(() => s.runtime!.runningTasks.includes('g1'), 'the task to start');
      const early = await api('POST', `/api/orders/${s.store.orders.unsettledOrders('g1')[0].clientId}/cancel`);
      expect([early.statusCode, early.json().error.code]).toEqual([409, 'BOT_STARTING_CONFLICT']);
      expect(early.json().error.message).toMatch(/starting.*again in a few seconds/);
      gate = undefined;
      release();
      expect((await starting).json().status).toBe('running');
      const later = s.store.orders.unsettledOrders('g1')[0];
      expect((await api('POST', `/api/orders/${later.clientId}/cancel`)).json().status).toBe('cancelled');
      const killed = await api('POST', '/api/bots/g1/kill');
      expect(killed.json().failed).toEqual([]);
      expect(s.store.orders.unsettledOrders('g1')).toEqual([]);
      expect(s.store.checkInvariants('g1')).toEqual([]);
      // One audit row per cancel, with the user.
      const cancels = s.store.journal.listAudit({ entity: 'order' }).filter((r) => r.action === 'order.cancel');
      expect(cancels.map((r) => r.entityId)).toEqual([busy.clientId, one.clientId, later.clientId]);
      ws.terminate();
    } finally {
      await s.close();
    }
  }, 60_000);
});
