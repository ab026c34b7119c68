// tradelab serve with the bot runtime wired in: a replay bot on real candles started through the API, its fills on
// the REST routes and the websocket, pause/stop/kill/kill-all with roles enforced, the TradingView webhook pausing and
// resuming the bot of its symbol, a kill reaching /ws as an alert toast, and auto-resume after a restart.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BTC_1H, sharedFile } from '../../test-support/shared-data.ts';
import { startServer, type RunningServer } from './serve.ts';
import { UsersRepo } from './users.ts';
import { FAST_SCRYPT, PASSWORD, REPO_CONFIG } from './server-harness.test-util.ts';

const FILE = sharedFile(BTC_1H);
const FROM = Date.parse('2022-01-01T00:00:00Z');
const TO = Date.parse('2022-02-15T00:00:00Z');
const SECRET = 'tv-shared-secret-0123456789';
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

async function serve(home: string): Promise<RunningServer> {
  return startServer({
    env: { TRADELAB_HOME: home, TRADELAB_WEBHOOK_SECRET: SECRET }, cwd: tmpdir(), configDir: configDir(), logger: false, scrypt: FAST_SCRYPT,
    probeExchange: async () => ({ ok: true, detail: 'test' }), host: '127.0.0.1', port: 0, alertPollMs: 20, runtime: { pollMs: 20 },
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
      ws.send(JSON.stringify({ op: 'subscribe', topics: ['order.*', 'bot.state', 'alert', 'pnl.update'] }));
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

      // Auto-resume: a bot running when the server stops has its task back after a restart.
      expect((await api('POST', '/api/bots', 'operator', bot('r4'))).statusCode).toBe(201);
      expect((await api('POST', '/api/bots/r4/start', 'operator')).json().status).toBe('running');
      await s.close();
      s = await serve(home);
      await login();
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

  it('an order strategy: stop needs a choice for resting orders, keeps them, then one is cancelled through the API', async () => {
    const home = mkdtempSync(join(tmpdir(), 'tl-runtime-grid-'));
    homes.push(home);
    const s = await serve(home);
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
      await until(() => s.store.orders.unsettledOrders('g1').length > 0, 'resting grid orders');
      await until(() => got.find((m) => m.topic === 'log.line'), 'a log line');
      const needs = await api('POST', '/api/bots/g1/stop', {});
      expect([needs.statusCode, needs.json().error.code]).toEqual([409, 'STOP_NEEDS_CHOICE']);
      // A running task owns the venue: single cancels wait until it is stopped.
      const busy = s.store.orders.unsettledOrders('g1')[0];
      expect((await api('POST', `/api/orders/${busy.clientId}/cancel`)).json().error.code).toBe('BOT_RUNNING');
      expect((await api('POST', '/api/bots/g1/stop', { orders: 'keep' })).json().status).toBe('stopped');
      const resting = s.store.orders.unsettledOrders('g1');
      expect(resting.length).toBeGreaterThan(0);
      const one = resting[0];
      const res = await api('POST', `/api/orders/${one.clientId}/cancel`);
      expect(res.statusCode).toBe(200);
      expect(s.store.orders.byClientId(one.clientId)!.status).toBe('cancelled');
      expect(s.store.orders.unsettledOrders('g1').length).toBe(resting.length - 1);
      await until(() => got.find((m) => m.topic === 'order.cancelled' && m.data?.clientId === one.clientId), 'order.cancelled on /ws');
      expect((await api('POST', `/api/orders/${one.clientId}/cancel`)).statusCode).toBe(409);
      ws.terminate();
    } finally {
      await s.close();
    }
  }, 60_000);
});
