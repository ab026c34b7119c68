/**
 * Test harness of the API server (tests only): an in-memory state store seeded with bots, orders, fills and lots
 * through the real repositories; a small in-memory BotService over that store; users of each role with session
 * tokens; a results folder with two runs. Not used outside *.test.ts.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { usageError, TradelabError } from '../../engine/errors.ts';
import { assertTransition } from '../bots/lifecycle.ts';
import { resolveBotStrategy } from '../bots/strategies.ts';
import { openMemoryStateStore, type StateStore } from '../state/store.ts';
import type { BotRow } from '../state/types.ts';
import { ConfigService } from '../config/service.ts';
import { buildApp } from './app.ts';
import type { BotService, CancelResult, LiveEvent } from './bot-service.ts';
import type { AppDeps, ExchangeProbeResult } from './context.ts';
import { UsersRepo, type Role } from './users.ts';

export const REPO_CONFIG = resolve(import.meta.dirname, '../../config');
export const FAST_SCRYPT = { N: 1024, r: 8, p: 1 };
export const PASSWORD = 'correct horse battery';
export const T0 = Date.UTC(2024, 0, 1);

/** In-memory bot control over the state store (what the runtime's implementation does, minus the exchange). */
export class MemoryBotService implements BotService {
  readonly listeners = new Set<(e: LiveEvent) => void>();
  constructor(readonly store: StateStore, readonly now: () => number, readonly liveTradingEnabled = false) {}

  emit(e: LiveEvent): void { for (const l of this.listeners) l(e); }
  subscribe(l: (e: LiveEvent) => void): () => void { this.listeners.add(l); return () => this.listeners.delete(l); }

  private gate(mode: string, what: string): void {
    if (mode === 'live' && !this.liveTradingEnabled) throw new TradelabError('LIVE_TRADING_DISABLED', 'config', `${what}: LIVE_TRADING_ENABLED is false`);
  }
  private move(id: string, to: BotRow['status'], actor: string): BotRow {
    const b = this.store.bots.require(id);
    assertTransition(id, b.status, to);
    const row = this.store.bots.setStatus(id, to, actor, this.now());
    this.emit({ topic: 'bot.state', ts: this.now(), botId: id, data: { from: b.status, to } });
    return row;
  }
  private resting(id: string) { return this.store.orders.ordersFor(id, ['pending', 'open', 'unknown']); }
  private cancelAll(id: string): CancelResult {
    const cancelled: string[] = [];
    for (const o of this.resting(id)) { this.store.orders.markOrderCancelled(o.clientId, this.now(), 'kill'); cancelled.push(o.clientId); }
    return { botId: id, cancelled, failed: [] };
  }

  async create(input: Parameters<BotService['create']>[0], actor: string): Promise<BotRow> {
    this.gate(input.mode, `bot '${input.name}'`);
    const s = resolveBotStrategy(input.strategy);
    const params = s.resolveParams(input.params ?? {});
    return this.store.bots.create({ name: input.name, strategy: s.ref, params, symbols: input.symbols, exchange: input.exchange, mode: input.mode, budget: input.budget, risk: input.risk ?? {} }, actor, this.now());
  }
  async update(id: string, patch: Parameters<BotService['update']>[1], _actor: string): Promise<BotRow> {
    const b = this.store.bots.require(id);
    if (!['created', 'paused', 'stopped'].includes(b.status)) throw usageError('BOT_RUNNING', `bot '${id}' is ${b.status}; pause or stop it before changing its config`);
    const params = patch.params ? resolveBotStrategy(b.strategy).resolveParams(patch.params) : b.params;
    this.store.db.prepare('UPDATE bots SET params = ?, budget = ?, risk = ?, updated_at = ? WHERE id = ?')
      .run(JSON.stringify(params), patch.budget ?? b.budget, JSON.stringify(patch.risk ?? b.risk), this.now(), id);
    return this.store.bots.require(id);
  }
  async remove(id: string, _actor: string): Promise<BotRow> {
    const b = this.store.bots.require(id);
    if (b.status === 'running' || b.status === 'hold') throw usageError('BOT_RUNNING', `bot '${id}' is ${b.status}; stop it first`);
    if (this.resting(id).length) throw usageError('BOT_HAS_ORDERS_CONFLICT', `bot '${id}' has resting orders`);
    if (this.store.db.prepare('SELECT 1 FROM orders WHERE bot_id = ?').get(id)) throw usageError('BOT_HAS_HISTORY_CONFLICT', `bot '${id}' has order history; it is kept`);
    this.store.db.prepare('DELETE FROM bot_state WHERE bot_id = ?').run(id);
    this.store.db.prepare('DELETE FROM bots WHERE id = ?').run(id);
    return b;
  }
  async start(id: string, actor: string): Promise<BotRow> { this.gate(this.store.bots.require(id).mode, `bot '${id}'`); return this.move(id, 'running', actor); }
  async pause(id: string, actor: string): Promise<BotRow> { return this.move(id, 'paused', actor); }
  async stop(id: string, orders: 'cancel' | 'keep' | undefined, actor: string): Promise<BotRow> {
    if (this.resting(id).length && orders === undefined) throw usageError('STOP_NEEDS_CHOICE', `bot '${id}' has resting orders: say orders=cancel or orders=keep`);
    if (orders === 'cancel') this.cancelAll(id);
    return this.move(id, 'stopped', actor);
  }
  async kill(id: string, actor: string): Promise<CancelResult> {
    this.store.bots.require(id);
    const r = this.cancelAll(id);
    this.store.bots.setStatus(id, 'emergency-stopped', actor, this.now());
    return r;
  }
  async killAll(actor: string): Promise<CancelResult[]> {
    const out: CancelResult[] = [];
    for (const b of this.store.bots.list()) out.push(await this.kill(b.id, actor));
    return out;
  }
  async promote(id: string, opts: { inPlace: boolean; newName?: string }, actor: string): Promise<BotRow> {
    this.gate('live', `promote '${id}'`);
    const b = this.store.bots.require(id);
    if (opts.inPlace) {
      this.store.db.prepare("UPDATE bots SET mode = 'live', updated_at = ? WHERE id = ?").run(this.now(), id);
      return this.store.bots.require(id);
    }
    return this.store.bots.create({ name: opts.newName!, strategy: b.strategy, params: b.params, symbols: b.symbols, exchange: b.exchange, mode: 'live', budget: b.budget, risk: b.risk }, actor, this.now());
  }
  async copy(id: string, opts: { name: string; mode?: BotRow['mode']; budget?: number; exchange?: string }, actor: string): Promise<BotRow> {
    const b = this.store.bots.require(id);
    this.gate(opts.mode ?? b.mode, `copy '${id}'`);
    return this.store.bots.create({ name: opts.name, strategy: b.strategy, params: b.params, symbols: b.symbols, exchange: opts.exchange ?? b.exchange, mode: opts.mode ?? b.mode, budget: opts.budget ?? b.budget, risk: b.risk }, actor, this.now());
  }
  async cancelOrder(botId: string, clientId: string, _actor: string): Promise<{ clientId: string; status: string }> {
    const o = this.store.orders.byClientId(clientId);
    if (!o || o.botId !== botId) throw usageError('ORDER_NOT_FOUND', `no order '${clientId}' of bot '${botId}'`);
    if (!['pending', 'open', 'unknown'].includes(o.status)) throw usageError('ORDER_NOT_RESTING_CONFLICT', `order '${clientId}' is ${o.status}`);
    const r = this.store.orders.markOrderCancelled(clientId, this.now(), 'api');
    this.emit({ topic: 'order.cancelled', ts: this.now(), botId, data: { clientId } });
    return { clientId, status: r.status };
  }
}

/** Seeds two bots with orders, fills (a profitable and a losing round trip), lots and P&L snapshots. */
export function seedStore(store: StateStore): void {
  const a = store.bots.create({ name: 'alpha', strategy: 'sma-cross@1.0.0', params: { fast: 10, slow: 30 }, symbols: ['BTC/USDT'], exchange: 'binance', mode: 'paper', budget: 10_000 }, 'test', T0);
  store.bots.create({ name: 'beta', strategy: 'grid@1.0.0', symbols: ['ETH/USDT'], exchange: 'binance', mode: 'replay', budget: 5_000 }, 'test', T0);
  const trade = (clientId: string, side: 'buy' | 'sell', price: number, amount: number, ts: number, fee: number, symbol = 'BTC/USDT', botId = a.id) => {
    store.orders.recordOrderIntent({ botId, clientId, symbol, side, type: 'limit', price, amount, ts });
    store.orders.markOrderPlaced(clientId, `x-${clientId}`, ts);
    store.orders.applyFill({ botId, clientId, tradeId: `t-${clientId}`, ts: ts + 1000, price, amount, fee });
  };
  const DAY = 86_400_000;
  trade('a-1', 'buy', 100, 2, T0, 0.2);
  trade('a-2', 'sell', 110, 1, T0 + DAY, 0.11);
  trade('a-3', 'sell', 90, 1, T0 + 40 * DAY, 0.09);
  trade('b-1', 'buy', 2000, 1, T0 + 2 * DAY, 2, 'ETH/USDT', 'beta');
  store.orders.recordOrderIntent({ botId: a.id, clientId: 'a-4', symbol: 'BTC/USDT', side: 'buy', type: 'limit', price: 80, amount: 1, ts: T0 + 41 * DAY });
  store.orders.markOrderPlaced('a-4', 'x-a-4', T0 + 41 * DAY);
  store.orders.snapshotPnl(a.id, 10_000, T0 + DAY * 2, { 'BTC/USDT': 105 });
  store.orders.snapshotPnl('beta', 5_000, T0 + DAY * 2 + 60_000, { 'ETH/USDT': 2100 });
  store.orders.snapshotPnl(a.id, 10_000, T0 + DAY * 41, { 'BTC/USDT': 85 });
}

/** A results folder with a backtest (manifest, stats, a file) and a sweep, plus a secret outside it. */
export function seedResults(): string {
  const root = mkdtempSync(join(tmpdir(), 'tradelab-results-'));
  const run = join(root, '20240101T000000Z-sma-cross-btcusdt-1h-aaaa0001');
  mkdirSync(run);
  writeFileSync(join(run, 'manifest.json'), JSON.stringify({ kind: 'backtest', runId: 'x', createdAt: '2024-01-01T00:00:00.000Z', strategy: { ref: 'sma-cross@1.0.0' }, data: { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' } }));
  writeFileSync(join(run, 'stats.json'), JSON.stringify({ sharpe: 1.5, returnPct: 12, trades: 10 }));
  writeFileSync(join(run, 'trades.csv'), 'a,b\n1,2\n');
  const sweep = join(root, '20240102T000000Z-sweep-ema-cross-ethusdt-1h-bbbb0002');
  mkdirSync(sweep);
  writeFileSync(join(sweep, 'manifest.json'), JSON.stringify({ kind: 'sweep', createdAt: '2024-01-02T00:00:00.000Z', strategy: { ref: 'ema-cross@1.1.0' }, data: { exchange: 'binance', symbol: 'ETH/USDT', timeframe: '1h' } }));
  writeFileSync(join(root, 'secret.txt'), 'top secret');
  return root;
}

export interface Harness {
  app: FastifyInstance;
  store: StateStore;
  bots: MemoryBotService;
  users: UsersRepo;
  config: ConfigService;
  resultsDir: string;
  tokens: Record<Role, string>;
  clock: { now: number };
  probe: { result: ExchangeProbeResult };
  auth(role: Role): { authorization: string };
  basic(user: string, password: string): { authorization: string };
  close(): Promise<void>;
}

export async function makeHarness(opts: { env?: Record<string, string>; seed?: boolean; deps?: Partial<AppDeps> } = {}): Promise<Harness> {
  const store = openMemoryStateStore();
  if (opts.seed !== false) seedStore(store);
  const resultsDir = seedResults();
  const clock = { now: T0 + 50 * 86_400_000 };
  const now = () => clock.now;
  const home = mkdtempSync(join(tmpdir(), 'tradelab-home-'));
  const config = new ConfigService({ configDir: REPO_CONFIG, env: { TRADELAB_HOME: home, TRADELAB_RESULTS: resultsDir, ...opts.env }, cwd: home }, store.journal);
  const bots = new MemoryBotService(store, now, config.config.liveTradingEnabled);
  const probe = { result: { ok: true, detail: 'binance reachable' } as ExchangeProbeResult };
  const app = await buildApp({ store, config, bots, probeExchange: async () => probe.result, clock: now, scrypt: FAST_SCRYPT,
    exchangeMarkets: async (id) => {
      if (id === 'coinbase') throw new TradelabError('EXCHANGE_UNREACHABLE', 'venue-unavailable', 'cannot load the markets of coinbase: timeout');
      return [{ symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', active: true, type: 'spot' }, { symbol: 'ETH/BTC', base: 'ETH', quote: 'BTC', active: true, type: 'spot' }, { symbol: 'OLD/USDT', base: 'OLD', quote: 'USDT', active: false, type: 'spot' }];
    },
    ...opts.deps });
  await app.ready();
  const users = new UsersRepo(store.db, FAST_SCRYPT);
  const tokens = {} as Record<Role, string>;
  for (const role of ['viewer', 'operator', 'admin'] as const) {
    await users.create(role, PASSWORD, role, 'test', T0);
    tokens[role] = users.createSession(role, clock.now, 3_600_000).token;
  }
  return {
    app, store, bots, users, config, resultsDir, tokens, clock, probe,
    auth: (role) => ({ authorization: `Bearer ${tokens[role]}` }),
    basic: (user, password) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` }),
    close: async () => { await app.close(); store.close(); },
  };
}
