import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { TradelabError } from '../../../engine/errors.ts';
import { Secret } from '../../secrets/index.ts';
import { openMemoryStateStore, type StateStore } from '../../state/index.ts';
import {
  parseAlertTimestamp, secretMatches, symbolCandidates, webhooksRoutes, SECRET_HEADER, TIMESTAMP_HEADER,
  type TradingViewSettings, type WebhookBotControl,
} from './webhooks.ts';
import { WebhookAlertsRepo } from './webhooks-store.ts';

const SECRET = 'tv-shared-secret-0123456789';
const NOW = Date.UTC(2026, 10, 21, 6, 40, 0);
const URL = '/api/webhooks/tradingview';

/** Test-only bot runtime: bots with a symbol and a status; transitions follow the lifecycle's main rules. */
class MemoryBots implements WebhookBotControl {
  calls: string[] = [];
  constructor(public bots: { id: string; symbol: string; status: string }[]) {}
  findBotsBySymbol(symbol: string) {
    return this.bots.filter((b) => b.symbol === symbol).map((b) => ({ id: b.id, status: b.status }));
  }
  #move(id: string, actor: string, to: string, from: readonly string[]) {
    this.calls.push(`${to}:${id}:${actor}`);
    const b = this.bots.find((x) => x.id === id)!;
    if (!from.includes(b.status)) throw new TradelabError('BOT_TRANSITION_REFUSED', 'usage', `bot '${id}' cannot go from ${b.status} to ${to}`);
    b.status = to;
  }
  resume(id: string, actor: string) { this.#move(id, actor, 'running', ['paused', 'created', 'hold']); }
  pause(id: string, actor: string) { this.#move(id, actor, 'paused', ['running', 'hold']); }
  stop(id: string, actor: string) { this.#move(id, actor, 'stopped', ['running', 'paused', 'hold', 'emergency-stopped']); }
}

let open: { app: FastifyInstance; store: StateStore }[] = [];
afterEach(async () => {
  for (const o of open) { await o.app.close(); o.store.close(); }
  open = [];
});

async function setup(opts: { tradingview?: TradingViewSettings; secret?: Secret | null; bots?: MemoryBots; clock?: { t: number } } = {}) {
  const store = openMemoryStateStore();
  const bots = opts.bots ?? new MemoryBots([
    { id: 'grid-btc', symbol: 'BTC/USDT', status: 'paused' },
    { id: 'dca-btc', symbol: 'BTC/USDT', status: 'running' },
    { id: 'grid-eth', symbol: 'ETH/USDT', status: 'running' },
  ]);
  const clock = opts.clock ?? { t: NOW };
  // The ajv options of buildApp (extra fields are refused, not silently removed); the 503 test below uses Fastify's defaults.
  const app = Fastify({ ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: true } } });
  await app.register(webhooksRoutes, { secret: opts.secret === null ? undefined : opts.secret ?? new Secret(SECRET), control: bots, store, tradingview: opts.tradingview, now: () => clock.t });
  open.push({ app, store });
  const post = (payload: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: URL, headers: { 'content-type': 'application/json', ...headers }, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });
  return { app, store, bots, clock, post, repo: new WebhookAlertsRepo(store.db) };
}

const body = (extra: Record<string, unknown> = {}) => ({ symbol: 'BTC/USDT', action: 'buy', secret: SECRET, timestamp: NOW, ...extra });

describe('POST /api/webhooks/tradingview', () => {
  it('buy resumes the bots of the symbol; the alert is stored and audited', async () => {
    const { post, bots, repo, store } = await setup();
    const r = await post(body({ price: '43000.5', zone: 2 }));
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ id: 1, status: 'applied', symbol: 'BTC/USDT', action: 'buy', command: 'resume', bots: [{ botId: 'grid-btc', ok: true }, { botId: 'dca-btc', ok: true, note: 'already running' }] });
    expect(bots.bots.find((b) => b.id === 'grid-btc')!.status).toBe('running');
    expect(bots.calls).toEqual(['running:grid-btc:webhook:tradingview']);
    const [row] = repo.list();
    expect(row).toMatchObject({ id: 1, source: 'tradingview', alertTs: NOW, symbol: 'BTC/USDT', action: 'buy', command: 'resume', price: 43000.5, zone: '2', status: 'applied' });
    expect(row.bodyHash).toMatch(/^[0-9a-f]{64}$/);
    const audit = store.journal.listAudit({ entity: 'webhook' });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: 'webhook:tradingview', action: 'webhook.tradingview', entityId: '1' });
    expect(JSON.stringify(audit)).not.toContain(SECRET);
    expect(JSON.stringify(repo.list())).not.toContain(SECRET);
  });

  it('sell/short pause, close stops, with the default mapping; a TradingView ticker finds the ccxt symbol', async () => {
    const { post, bots } = await setup();
    const r1 = await post(body({ symbol: 'BINANCE:ETHUSDT', action: 'SHORT' }));
    expect(r1.statusCode).toBe(200);
    expect(r1.json()).toMatchObject({ symbol: 'ETH/USDT', command: 'pause', bots: [{ botId: 'grid-eth', ok: true }] });
    const r2 = await post(body({ symbol: 'btcusdt', action: 'close', timestamp: NOW - 1000 }));
    expect(r2.json()).toMatchObject({ status: 'applied', command: 'stop' });
    expect(bots.bots.map((b) => b.status)).toEqual(['stopped', 'stopped', 'paused']);
    const r3 = await post(body({ symbol: 'ETH/USDT', action: 'sell', timestamp: NOW - 2000 }));
    expect(r3.json()).toMatchObject({ status: 'applied', command: 'pause', bots: [{ botId: 'grid-eth', ok: true, note: 'already paused' }] });
  });

  it('a bot that refuses the command is reported; all refusing is a 409 and is stored as failed', async () => {
    const { post, repo } = await setup({ bots: new MemoryBots([{ id: 's1', symbol: 'SOL/USDT', status: 'stopped' }, { id: 's2', symbol: 'SOL/USDT', status: 'paused' }]) });
    const r = await post(body({ symbol: 'SOL/USDT', action: 'sell' }));
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ status: 'partial', bots: [{ botId: 's1', ok: false, error: "bot 's1' cannot go from stopped to paused" }, { botId: 's2', ok: true, note: 'already paused' }] });
    const r2 = await post(body({ symbol: 'SOL/USDT', action: 'buy' }));
    expect(r2.statusCode).toBe(200); // s2 resumes
    const r3 = await post(body({ symbol: 'SOL/USDT', action: 'long', timestamp: NOW + 1 }));
    expect(r3.json()).toMatchObject({ status: 'partial' });
    const only = await setup({ bots: new MemoryBots([{ id: 'x', symbol: 'XRP/USDT', status: 'stopped' }]) });
    const r4 = await only.post(body({ symbol: 'XRP/USDT', action: 'sell' }));
    expect(r4.statusCode).toBe(409);
    expect(r4.json().error.code).toBe('WEBHOOK_ACTION_FAILED');
    expect(only.repo.list()[0].status).toBe('failed');
    expect(repo.list().map((x) => x.status)).toEqual(['partial', 'partial', 'partial']);
  });

  it('never resumes an emergency-stopped bot (manual resume only)', async () => {
    const { post, bots } = await setup({ bots: new MemoryBots([{ id: 'e1', symbol: 'BTC/USDT', status: 'emergency-stopped' }]) });
    const r = await post(body({ action: 'long' }));
    expect(r.statusCode).toBe(409);
    expect(r.json().error.message).toContain("bot 'e1' is emergency-stopped: only a person resumes it");
    expect(bots.calls).toEqual([]);
    expect(bots.bots[0].status).toBe('emergency-stopped');
  });

  it('the mapping is configurable (ignore, custom actions) and the route can be disabled', async () => {
    const { post, bots } = await setup({ tradingview: { actions: { buy: 'ignore', flat: 'stop' } } });
    const r = await post(body());
    expect(r.json()).toMatchObject({ status: 'ignored', command: 'ignore' });
    expect(bots.calls).toEqual([]);
    const r2 = await post(body({ action: 'flat' }));
    expect(r2.json()).toMatchObject({ command: 'stop', status: 'applied' });
    const off = await setup({ tradingview: { enabled: false } });
    expect((await off.post(body())).statusCode).toBe(404);
    expect((await off.post(body())).json().error.code).toBe('WEBHOOK_DISABLED');
  });

  it('wrong, missing or header secrets: 401 unless right, compared on digests', async () => {
    const { post, repo, bots } = await setup();
    for (const s of ['wrong', `${SECRET}x`, SECRET.slice(0, -1), '']) {
      const r = await post(body({ secret: s || undefined }));
      expect(r.statusCode, s).toBe(401);
      expect(r.json().error.code).toBe('WEBHOOK_AUTH_FAILED');
    }
    expect(repo.list()).toEqual([]);
    expect(bots.calls).toEqual([]);
    const { secret: _s, ...noSecret } = body();
    const viaHeader = await post(noSecret, { [SECRET_HEADER]: SECRET });
    expect(viaHeader.statusCode).toBe(200);
    const wrongHeader = await post(body({ timestamp: NOW + 5 }), { [SECRET_HEADER]: 'nope' });
    expect(wrongHeader.statusCode).toBe(401); // the header wins over the body
    expect(secretMatches(SECRET, new Secret(SECRET))).toBe(true);
    expect(secretMatches('a', new Secret(SECRET))).toBe(false);
  });

  it('no secret configured: 503, nothing applied', async () => {
    const { post, bots } = await setup({ secret: null });
    const r = await post(body());
    expect(r.statusCode).toBe(503);
    expect(r.json().error.code).toBe('WEBHOOK_NOT_CONFIGURED');
    expect(bots.calls).toEqual([]);
  });

  it('replays: too old or too new → 401, the same timestamp and payload again → 409', async () => {
    const { post, repo, clock } = await setup({ tradingview: { maxSkewSeconds: 60 } });
    expect((await post(body({ timestamp: NOW - 61_000 }))).json().error.code).toBe('WEBHOOK_STALE');
    expect((await post(body({ timestamp: NOW + 61_000 }))).statusCode).toBe(401);
    expect((await post(body({ timestamp: (NOW - 59_000) / 1000 }))).statusCode).toBe(200); // epoch seconds
    const iso = new Date(NOW).toISOString().replace('.000', '');
    expect((await post(body({ timestamp: iso }))).statusCode).toBe(200); // {{timenow}}
    const again = await post(body({ timestamp: String(NOW) }));
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('WEBHOOK_REPLAY');
    expect((await post(body({ timestamp: NOW, price: 1 }))).statusCode).toBe(200); // a different payload
    const viaHeader = await post({ symbol: 'BTC/USDT', action: 'buy', secret: SECRET }, { [TIMESTAMP_HEADER]: String(NOW + 7) });
    expect(viaHeader.statusCode).toBe(200);
    clock.t = NOW + 30_000;
    expect((await post({ symbol: 'BTC/USDT', action: 'buy', secret: SECRET }, { [TIMESTAMP_HEADER]: String(NOW + 7) })).statusCode).toBe(409);
    expect(repo.list()).toHaveLength(4);
  });

  it('malformed bodies and timestamps → 400 naming the problem; nothing stored or applied', async () => {
    const { post, repo, bots } = await setup();
    const cases: [unknown, string][] = [
      ['{not json', ''],
      [[], 'body'],
      [{ action: 'buy', secret: SECRET, timestamp: NOW }, 'body.symbol'],
      [body({ symbol: '' }), 'body.symbol'],
      [body({ symbol: 'BTC USDT' }), 'body.symbol'],
      [body({ action: 7 }), 'body.action'],
      [body({ price: 'cheap' }), 'body.price'],
      [body({ price: -1 }), 'body.price'],
      [body({ zone: { a: 1 } }), 'body.zone'],
      [body({ extra: 1 }), 'body.extra'],
      [body({ timestamp: undefined }), 'WEBHOOK_TIMESTAMP_REQUIRED'],
      [body({ timestamp: 'yesterday' }), 'WEBHOOK_TIMESTAMP_INVALID'],
      [body({ timestamp: -5 }), 'WEBHOOK_TIMESTAMP_INVALID'],
      [body({ action: 'moon' }), 'WEBHOOK_UNKNOWN_ACTION'],
    ];
    for (const [payload, want] of cases) {
      const r = await post(payload as object);
      expect(r.statusCode, JSON.stringify(payload)).toBe(400);
      if (want) expect(r.body, JSON.stringify(payload)).toContain(want);
    }
    expect(repo.list()).toEqual([]);
    expect(bots.calls).toEqual([]);
  });

  it('TradingView text/plain bodies are parsed as JSON', async () => {
    const { app } = await setup();
    const ok = await app.inject({ method: 'POST', url: URL, headers: { 'content-type': 'text/plain; charset=utf-8' }, payload: JSON.stringify(body()) });
    expect(ok.statusCode).toBe(200);
    const bad = await app.inject({ method: 'POST', url: URL, headers: { 'content-type': 'text/plain' }, payload: 'BTCUSDT crossing up' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('not valid JSON');
  });

  it('an unknown symbol → 404; the alert is still stored (so its replay is refused too)', async () => {
    const { post, repo, bots } = await setup();
    const r = await post(body({ symbol: 'DOGE/USDT' }));
    expect(r.statusCode).toBe(404);
    expect(r.json().error).toMatchObject({ code: 'WEBHOOK_UNKNOWN_SYMBOL', details: { id: 1 } });
    expect(repo.list()[0]).toMatchObject({ symbol: 'DOGE/USDT', status: 'unknown-symbol' });
    expect((await post(body({ symbol: 'DOGE/USDT' }))).statusCode).toBe(409);
    expect(bots.calls).toEqual([]);
  });

  it('a runtime that cannot list bots → 503, stored as failed, never a crash', async () => {
    const control: WebhookBotControl = { findBotsBySymbol: () => { throw new Error('runtime not started'); }, resume: () => {}, pause: () => {}, stop: () => {} };
    const store = openMemoryStateStore();
    const app = Fastify();
    await webhooksRoutes(app, { secret: new Secret(SECRET), control, store, now: () => NOW });
    open.push({ app, store });
    const r = await app.inject({ method: 'POST', url: URL, payload: body() });
    expect(r.statusCode).toBe(503);
    expect(r.json().error.message).toContain('runtime not started');
    expect(new WebhookAlertsRepo(store.db).list()[0].status).toBe('failed');
  });
});

describe('helpers', () => {
  it('symbol candidates', () => {
    expect(symbolCandidates('BTC/USDT')).toEqual(['BTC/USDT']);
    expect(symbolCandidates('BINANCE:BTCUSDT')).toEqual(['BINANCE:BTCUSDT', 'BTCUSDT', 'BTC/USDT']);
    expect(symbolCandidates('ethfdusd')).toEqual(['ethfdusd', 'ETHFDUSD', 'ETH/FDUSD']);
    expect(symbolCandidates('BTC/USDT:USDT')).toEqual(['BTC/USDT:USDT']);
    expect(symbolCandidates('USDT')).toEqual(['USDT']);
  });

  it('timestamps: seconds, milliseconds, numeric text, ISO 8601', () => {
    expect(parseAlertTimestamp(1_763_700_000)).toBe(1_763_700_000_000);
    expect(parseAlertTimestamp(1_763_700_000_123)).toBe(1_763_700_000_123);
    expect(parseAlertTimestamp('1763700000')).toBe(1_763_700_000_000);
    expect(parseAlertTimestamp('2026-11-21T06:40:00Z')).toBe(NOW);
    expect(parseAlertTimestamp('soon')).toBeUndefined();
    expect(parseAlertTimestamp(0)).toBeUndefined();
    expect(parseAlertTimestamp(Number.NaN)).toBeUndefined();
  });
});
