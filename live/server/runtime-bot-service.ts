/**
 * The server's BotService (bot-service.ts) over the bot runtime: bot records and lifecycle from live/bots, bot tasks
 * from live/runtime's BotHost. A started bot runs as an async task inside the server process; pause/stop/kill change
 * the bot's status in the store, which the runner reads every bar. Stop and kill wait for the task to leave its bar
 * before cancelling orders through a venue rebuilt from the store (never two live venues of one bot at once).
 *
 * Events for `/ws`: `log.line` from the bots' loggers as they write; `bot.state`, `order.placed|filled|cancelled`,
 * `pnl.update` and (optionally) `alert` by polling the store (cursor on row ids, a few ms per poll), so events from
 * any writer of the store reach the websocket; `price.update` with the mark of each running bot's market (the close
 * of the bar it just stepped; at most one per bot and market per poll). Payloads are small: ids, prices, amounts.
 *
 * Marks and P&L: after every bar of a running bot the close marks its market (kept in memory and, once per poll, in
 * bot_state as `<symbol>/mark`), and a P&L snapshot (pnl_snapshots) is written at the bar's close time, so positions
 * and open lots have unrealised P&L (`markPrice`) and the charts have an equity series.
 *
 * A running bot's order path is shared with the server through a queue (serial-path.ts): a single order is cancelled
 * through the running task's own order manager and venue, between the runner's own calls, never through a second venue.
 *
 * Fiscal logs: `logs/<bot-id>/fiscal-<year>-{trades,gains}.csv` follow the fills (fiscal-log.ts), brought up to date
 * at start, about once a second while fills arrive, and at close.
 */
import { join } from 'node:path';
import { TradelabError, usageError } from '../../engine/errors.ts';
import { timeframeMs } from '../../engine/timeframe.ts';
import { validateRiskConfig, type RiskConfig } from '../../engine/risk/index.ts';
import type { AnyStrategy } from '../../engine/strategy.ts';
import { prep } from '../state/db.ts';
import type { StateStore } from '../state/store.ts';
import type { BotRow, BotStatus } from '../state/types.ts';
import { BotService as LiveBotService, validateSettings, type RunnerSettings } from '../bots/service.ts';
import { ACTIVE_STATUSES } from '../bots/lifecycle.ts';
import { BotHost, type BotHostDeps, type BotVenue, type VenueFactory } from '../runtime/host.ts';
import type { LogEvent, LogFn } from '../runtime/logger.ts';
import type { BotCreateInput, BotService, BotUpdateInput, CancelResult, LiveEvent } from './bot-service.ts';
import { FiscalLogWriter } from './fiscal-log.ts';
import { SerialPath } from './serial-path.ts';

export interface RuntimeBotServiceOptions {
  readonly store: StateStore;
  /** TRADELAB_HOME (logs), the candle cache of replay bots, the directory relative data files resolve from. */
  readonly home: string;
  readonly cacheDir: string;
  readonly cwd: string;
  readonly liveTradingEnabled: boolean;
  /** Environment for the paper/live venues (exchange keys); paper/live bots cannot start without `venues` or `env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Venue factories (default: replay built in; paper and live through runtime/venues.ts, loaded on first use). */
  readonly venues?: BotHostDeps['venues'];
  readonly strategies?: readonly AnyStrategy[];
  readonly now?: () => number;
  /** Store poll period for events (default 250 ms). */
  readonly pollMs?: number;
  /** Emit `alert` events from the alerts table (default true; serve turns it off when the alert bus feeds /ws). */
  readonly alertEvents?: boolean;
  /** Longest wait for a bot task to leave its bar on stop/kill (default 30 s). */
  readonly settleMs?: number;
  readonly onStep?: BotHostDeps['onStep'];
  /** Per-bot fiscal log files under <home>/logs/<bot-id>/ (default true). */
  readonly fiscalLogs?: boolean;
  /** Least wall-clock time between two fiscal log updates while fills arrive (default 1000 ms). */
  readonly fiscalMs?: number;
}

/** The host with its loggers tapped for `log.line` events. */
class ServerBotHost extends BotHost {
  constructor(store: StateStore, service: LiveBotService, deps: BotHostDeps, private readonly tap: (botId: string, e: LogEvent) => void) {
    super(store, service, deps);
  }

  override logger(botId: string): LogFn {
    const file = super.logger(botId);
    return (e) => { file(e); this.tap(botId, e); };
  }
}

/**
 * live/bots' service with the API user as the actor of a start: the runner moves a created or stopped bot to running
 * once its venue is up (actor 'runner'); when a person started it through the API, the audit row names that person.
 */
class ServerLiveBots extends LiveBotService {
  readonly starters = new Map<string, string>();

  override transition(id: string, to: BotStatus, actor?: string, reason?: string): BotRow {
    const starter = to === 'running' && actor === 'runner' ? this.starters.get(id) : undefined;
    return super.transition(id, to, starter ?? actor, reason);
  }
}

/** The venue of a bot's running task: its candles (replay) or feed (paper, live), and its shared order path. */
interface TaskVenue {
  readonly venue: BotVenue;
  readonly path: SerialPath;
  readonly barMs: number;
  /** The bot's markets, in the order of its frames. */
  readonly symbols: readonly string[];
}

function lazyVenue(mode: 'paper' | 'live', liveTradingEnabled: boolean, env: Readonly<Record<string, string | undefined>>): VenueFactory {
  return async (bot, settings, host) => {
    const { liveVenues } = await import('../runtime/venues.ts');
    return liveVenues({ liveTradingEnabled, env: env as Record<string, string | undefined> })[mode](bot, settings, host);
  };
}

const EDITABLE: readonly BotStatus[] = ['created', 'paused', 'stopped'];
const TERMINAL_ORDER = new Set(['filled', 'cancelled', 'rejected']);

interface OrderRow { id: number; bot_id: string; client_id: string; symbol: string; side: string; type: string; price: number | null; amount: number; filled: number; status: string; reason: string | null; created_at: number; updated_at: number }

export class RuntimeBotService implements BotService {
  readonly bots: ServerLiveBots;
  readonly host: BotHost;
  readonly #store: StateStore;
  readonly #now: () => number;
  readonly #settleMs: number;
  readonly #alertEvents: boolean;
  readonly #tasks = new Map<string, Promise<void>>();
  readonly #listeners = new Set<(e: LiveEvent) => void>();
  readonly #sleepers = new Set<() => void>();
  readonly #timer: NodeJS.Timeout;
  #closed = false;
  // Poll cursors.
  #status = new Map<string, BotStatus>();
  #orderCursor: number;
  #fillCursor: number;
  #pnlCursor: number;
  #alertCursor: number;
  #tracked = new Map<number, string>();
  /** Bots whose task is starting: the next venue made for them is the task's. */
  readonly #launching = new Set<string>();
  readonly #venues = new Map<string, TaskVenue>();
  /** Last mark per bot and market: price and the bar close time; `dirty` until emitted and saved by a poll. */
  readonly #marks = new Map<string, Map<string, { price: number; ts: number; dirty: boolean }>>();
  readonly #fiscal: FiscalLogWriter | undefined;
  readonly #fiscalMs: number;
  #fiscalAt = 0;
  /** New fills not yet in the fiscal logs. */
  #fiscalPending = false;

  constructor(opts: RuntimeBotServiceOptions) {
    this.#store = opts.store;
    this.#now = opts.now ?? Date.now;
    this.#settleMs = opts.settleMs ?? 30_000;
    this.#alertEvents = opts.alertEvents ?? true;
    this.bots = new ServerLiveBots(opts.store, { liveTradingEnabled: opts.liveTradingEnabled }, this.#now, opts.strategies ?? []);
    const env = opts.env ?? {};
    const given = opts.venues ?? { paper: lazyVenue('paper', opts.liveTradingEnabled, env), live: lazyVenue('live', opts.liveTradingEnabled, env) };
    const venues: Partial<Record<BotRow['mode'], VenueFactory>> = { replay: this.#taskVenue(given.replay ?? ((b, s, h) => h.replayVenue(b, s))) };
    if (given.paper) venues.paper = this.#taskVenue(given.paper);
    if (given.live) venues.live = this.#taskVenue(given.live);
    const onStep = opts.onStep;
    this.host = new ServerBotHost(opts.store, this.bots, {
      home: opts.home, cacheDir: opts.cacheDir, cwd: opts.cwd, now: opts.now,
      onStep: (botId, k) => { this.#onBar(botId, k); onStep?.(botId, k); },
      sleep: (ms) => this.#sleep(ms),
      venues,
    }, (botId, e) => this.#emitLog(botId, e));
    this.#fiscalMs = opts.fiscalMs ?? 1000;
    this.#fiscal = opts.fiscalLogs === false ? undefined : new FiscalLogWriter(opts.store.db, join(opts.home, 'logs'), this.#now);
    this.#syncFiscal(true);
    const max = (sql: string) => (prep(opts.store.db, sql).get() as { m: number | null }).m ?? 0;
    this.#orderCursor = max('SELECT MAX(id) AS m FROM orders');
    this.#fillCursor = max('SELECT MAX(id) AS m FROM fills');
    this.#pnlCursor = max('SELECT MAX(id) AS m FROM pnl_snapshots');
    this.#alertCursor = max('SELECT MAX(id) AS m FROM alerts');
    for (const b of this.bots.list()) this.#status.set(b.id, b.status);
    for (const o of prep(opts.store.db, "SELECT id, client_id FROM orders WHERE status IN ('pending','open','unknown')").all() as { id: number; client_id: string }[]) this.#tracked.set(o.id, o.client_id);
    this.#timer = setInterval(() => this.poll(), Math.max(10, opts.pollMs ?? 250));
    this.#timer.unref();
  }

  /** Ids of the bots whose task runs in this process. */
  get runningTasks(): string[] { return [...this.#tasks.keys()]; }

  // ---- control -------------------------------------------------------------------------------------------------

  async create(input: BotCreateInput, actor: string): Promise<BotRow> {
    // One state row (bot.create, actor = the user) beside the route's api.bot.create: never a second 'cli' row.
    const b = this.bots.create({ ...input, risk: input.risk as RiskConfig | undefined, settings: input.settings as Partial<RunnerSettings> | undefined }, actor);
    this.poll();
    return b;
  }

  async update(id: string, patch: BotUpdateInput, actor: string): Promise<BotRow> {
    const bot = this.bots.get(id);
    if (!EDITABLE.includes(bot.status)) {
      throw usageError(bot.status === 'emergency-stopped' ? 'BOT_UPDATE_CONFLICT' : 'BOT_RUNNING',
        `bot '${id}' is ${bot.status}; its config can change only while it is ${EDITABLE.join(', ')} (pause or stop it first)`);
    }
    const strategy = this.bots.strategyOf(bot);
    const params = patch.params ? strategy.resolveParams({ ...bot.params, ...patch.params }) : bot.params;
    const risk = (patch.risk ?? bot.risk) as RiskConfig;
    if (patch.risk) validateRiskConfig(risk);
    const settings = patch.settings ? validateSettings({ ...this.bots.settings(id), ...(patch.settings as Partial<RunnerSettings>) }) : undefined;
    const budget = patch.budget ?? bot.budget;
    if (!(budget > 0)) throw usageError('BAD_BUDGET', `budget ${budget} must be a positive amount of quote currency`);
    const ts = this.#now();
    this.#store.db.transaction(() => {
      prep(this.#store.db, 'UPDATE bots SET params = ?, budget = ?, risk = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(params), budget, JSON.stringify(risk), ts, id);
      if (settings) this.#store.bots.setState(id, '', 'runner', settings, ts);
    }).immediate();
    void actor; // audited once, by the route (api.bot.update: who, before, after)
    return this.bots.get(id);
  }

  async remove(id: string, actor: string): Promise<BotRow> {
    const bot = this.bots.get(id);
    if (this.#tasks.has(id) || ACTIVE_STATUSES.includes(bot.status)) {
      throw usageError('BOT_RUNNING', `bot '${id}' is ${bot.status}; stop it before deleting it`);
    }
    const orders = (prep(this.#store.db, 'SELECT COUNT(*) AS n FROM orders WHERE bot_id = ?').get(id) as { n: number }).n;
    if (orders > 0) {
      throw usageError('BOT_DELETE_CONFLICT', `bot '${id}' has ${orders} orders in its history (fills, lots and tax reports refer to them); a bot that traded is kept stopped, not deleted`);
    }
    const db = this.#store.db;
    db.transaction(() => {
      for (const t of ['bot_state', 'pnl_snapshots', 'positions', 'risk_denials', 'strategy_rotations']) prep(db, `DELETE FROM ${t} WHERE bot_id = ?`).run(id);
      prep(db, 'DELETE FROM venue_journal WHERE venue = ?').run(id);
      prep(db, 'UPDATE alerts SET bot_id = NULL WHERE bot_id = ?').run(id);
      prep(db, 'DELETE FROM bots WHERE id = ?').run(id);
    }).immediate();
    void actor; // audited once, by the route (api.bot.delete: who, before)
    this.#status.delete(id);
    return bot;
  }

  /**
   * Starts (or resumes) a bot: a paused/hold bot whose task runs here becomes running; otherwise its task starts.
   * Resolves once the bot is running (its venue and candles are loaded), or rejects with why it could not start.
   */
  async start(id: string, actor: string): Promise<BotRow> {
    this.#open();
    let bot = this.bots.get(id);
    if (this.#tasks.has(id)) {
      if (bot.status === 'running') throw usageError('BOT_RUNNING', `bot '${id}' is already running`);
      const row = this.bots.transition(id, 'running', actor);
      this.poll();
      return row;
    }
    if (!this.host.hasVenue(bot.mode)) {
      throw new TradelabError('VENUE_UNAVAILABLE', 'config', `bot '${id}' is a ${bot.mode} bot and this server has no ${bot.mode} venue`);
    }
    // A paused, held or emergency-stopped bot without a task: a person resumes it here (the runner then continues).
    // A running bot without a task was running when the server stopped: its task is simply started again.
    const before = bot.status;
    if (before === 'paused' || before === 'hold' || before === 'emergency-stopped') bot = this.bots.transition(id, 'running', actor);
    let settled = false;
    let failure: unknown;
    // The runner's move of a created/stopped bot to running is audited with this user as the actor.
    this.bots.starters.set(id, actor);
    const task = this.#launch(id);
    task.then(() => { settled = true; }, (e) => { settled = true; failure = e; });
    try {
      while (!settled && this.bots.get(id).status !== 'running') await new Promise((r) => setTimeout(r, 5));
    } finally {
      this.bots.starters.delete(id);
    }
    if (failure !== undefined && this.bots.get(id).status !== 'emergency-stopped') {
      // It never ran (venue or candles unavailable): a bot resumed here goes back to how it was.
      if (before !== bot.status && this.bots.get(id).status === 'running') this.bots.transition(id, before === 'emergency-stopped' ? 'emergency-stopped' : 'paused', actor, 'start failed');
      throw failure;
    }
    this.poll();
    return this.bots.get(id);
  }

  async pause(id: string, actor: string): Promise<BotRow> {
    const row = this.bots.transition(id, 'paused', actor);
    this.poll();
    return row;
  }

  async stop(id: string, orders: 'cancel' | 'keep' | undefined, actor: string): Promise<BotRow> {
    const bot = this.bots.get(id);
    const resting = this.#store.orders.unsettledOrders(id);
    if (resting.length > 0 && orders === undefined) {
      throw usageError('STOP_NEEDS_CHOICE', `bot '${id}' has ${resting.length} resting orders; say orders: 'cancel' or 'keep'`, { resting: resting.length });
    }
    if (bot.status !== 'stopped') this.bots.transition(id, 'stopped', actor);
    await this.#settle(id);
    if (orders === 'cancel' && resting.length > 0) await (await this.host.orderPathFor(id)).cancelAll();
    this.poll();
    return this.bots.get(id);
  }

  async kill(id: string, actor: string): Promise<CancelResult> {
    const bot = this.bots.get(id);
    const target: BotStatus = bot.status === 'created' || bot.status === 'stopped' ? 'stopped' : 'emergency-stopped';
    if (bot.status !== target) this.bots.transition(id, target, actor, 'kill switch');
    await this.#settle(id);
    const r = await this.host.kill(id, `kill switch by ${actor}`);
    this.poll();
    return r;
  }

  async killAll(actor: string): Promise<CancelResult[]> {
    const out: CancelResult[] = [];
    for (const b of this.bots.list()) {
      if (!ACTIVE_STATUSES.includes(b.status) && !this.#tasks.has(b.id) && this.#store.orders.unsettledOrders(b.id).length === 0) continue;
      try {
        out.push(await this.kill(b.id, actor));
      } catch (e) {
        out.push({ botId: b.id, cancelled: [], failed: [{ clientId: '*', error: e instanceof Error ? e.message : String(e) }] });
      }
    }
    return out;
  }

  async promote(id: string, opts: { readonly inPlace: boolean; readonly newName?: string; readonly exchange?: string }, actor: string): Promise<BotRow> {
    if (this.#tasks.has(id)) throw usageError('BOT_RUNNING', `bot '${id}' has a running task; stop it before promoting`);
    let row: BotRow;
    // live/bots writes the promotion's state rows with the user as actor (bot.promote, or bot.create + bot.promote-copy).
    if (opts.inPlace) row = this.bots.promote(id, { inPlace: true }, actor);
    else {
      if (!opts.newName) throw usageError('NEW_NAME_REQUIRED', 'promotion to a new bot needs newName (or inPlace: true)');
      row = this.bots.promote(id, { inPlace: false, newName: opts.newName, exchange: opts.exchange }, actor);
    }
    this.poll();
    return row;
  }

  async copy(id: string, opts: { readonly name: string; readonly mode?: BotRow['mode']; readonly budget?: number; readonly exchange?: string }, actor: string): Promise<BotRow> {
    const src = this.bots.get(id);
    const row = this.bots.create({
      name: opts.name, strategy: src.strategy, params: src.params, symbols: src.symbols, exchange: opts.exchange ?? src.exchange,
      mode: opts.mode ?? src.mode, budget: opts.budget ?? src.budget, risk: src.risk as RiskConfig, settings: this.bots.settings(id),
    }, actor);
    this.poll();
    return row;
  }

  /**
   * Cancels one resting order. A bot whose task runs here: through the task's own order path (its order manager and
   * venue), queued between the runner's own calls (serial-path.ts); on a simulated venue (replay, paper) the cancel is
   * the in-bar one, synchronous, so it lands between two bars exactly as a strategy's cancel would. A bot without a
   * task: through a venue rebuilt from the store. 409 only when it cannot be done: the order is settled, or the task
   * is still starting (loading its venue and reconciling; try again in a moment). A venue that does not confirm the
   * cancel is a 503 (the order keeps its status; try again, or kill the bot).
   */
  async cancelOrder(botId: string, clientId: string, actor: string): Promise<{ readonly clientId: string; readonly status: string }> {
    this.bots.get(botId);
    const o = this.#store.orders.byClientId(clientId);
    if (!o || o.botId !== botId) throw usageError('ORDER_NOT_FOUND', `bot '${botId}' has no order '${clientId}'`);
    if (TERMINAL_ORDER.has(o.status)) throw usageError('ORDER_ALREADY_SETTLED', `order '${clientId}' is ${o.status}; only pending, open or unknown orders can be cancelled`);
    if (this.#tasks.has(botId)) {
      const t = this.#venues.get(botId);
      if (!t || !t.path.reconciled) {
        throw usageError('BOT_STARTING_CONFLICT', `bot '${botId}' is starting (loading its venue and reconciling its orders); cancel order '${clientId}' again in a few seconds`);
      }
      await t.path.exclusive(async () => {
        const cur = this.#store.orders.byClientId(clientId)!;
        if (TERMINAL_ORDER.has(cur.status)) return;
        if (t.path.inBar) t.path.inBar.cancelNow(cur.symbol, cur.tag);
        else await t.path.inner.cancel(cur.symbol, cur.tag);
      });
    } else {
      await (await this.host.orderPathFor(botId)).cancel(o.symbol, o.tag);
    }
    const after = this.#store.orders.byClientId(clientId)!;
    this.poll();
    if (!TERMINAL_ORDER.has(after.status)) {
      throw new TradelabError('ORDER_CANCEL_UNCONFIRMED', 'venue-unavailable', `the exchange did not confirm the cancel of order '${clientId}' (it is still ${after.status}); try again, or kill bot '${botId}' to cancel all its orders`);
    }
    // The route audits the cancel with the user (order.cancel); the order's own row records the cancellation.
    void actor;
    return { clientId, status: after.status };
  }

  /**
   * The last mark of a bot's market: the close of the last bar its task stepped in this process, else the one saved in
   * bot_state by an earlier run. Undefined when the bot never ran here.
   */
  markPrice(botId: string, symbol: string): number | undefined {
    const m = this.#marks.get(botId)?.get(symbol);
    if (m) return m.price;
    const saved = this.#store.bots.getState<{ price: number }>(botId, symbol, 'mark');
    return saved && Number.isFinite(saved.price) ? saved.price : undefined;
  }

  subscribe(listener: (e: LiveEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => { this.#listeners.delete(listener); };
  }

  // ---- tasks ---------------------------------------------------------------------------------------------------

  /** Auto-resume: starts a task for every bot that was running, paused or on hold. Never throws (failures are logged). */
  resumeAll(): string[] {
    const ids = this.bots.list().filter((b) => ACTIVE_STATUSES.includes(b.status) && !this.#tasks.has(b.id)).map((b) => b.id);
    // a risk emergency stop whose cancels a previous process did not finish: done now (never a sell; failures are alerts)
    void this.host.settleRiskStops().catch(() => {});
    for (const id of ids) void this.#launch(id).catch(() => {});
    return ids;
  }

  /** Stops polling, asks every task to finish its bar and save, and waits for them (up to settleMs). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.host.shutdown();
    this.#wake();
    await this.#waitAll([...this.#tasks.values()]);
    this.#saveMarks();
    this.#syncFiscal(true);
    this.#listeners.clear();
  }

  #launch(id: string): Promise<void> {
    this.#launching.add(id);
    const task = this.host.runBot(id).then(() => {}, (e: unknown) => {
      this.#emitLog(id, { event: 'task-failed', message: e instanceof Error ? e.message : String(e) });
      throw e;
    }).finally(() => {
      if (this.#tasks.get(id) === task) {
        this.#tasks.delete(id);
        this.#venues.delete(id);
        this.#launching.delete(id);
      }
      if (!this.#closed) this.poll();
    });
    this.#tasks.set(id, task);
    return task;
  }

  /** Wraps a venue factory: the first venue made for a launching bot is its task's (kept, with a shared order path). */
  #taskVenue(factory: VenueFactory): VenueFactory {
    return async (bot, settings, host) => {
      const v = await factory(bot, settings, host);
      if (!this.#launching.delete(bot.id)) return v;
      const path = new SerialPath(v.path);
      const venue: BotVenue = { ...v, path };
      this.#venues.set(bot.id, { venue, path, barMs: timeframeMs(settings.timeframe), symbols: bot.symbols });
      return venue;
    };
  }

  /** After each bar of a running bot: its close marks the market, and a P&L snapshot is written at the close time. */
  #onBar(botId: string, k: number): void {
    const t = this.#venues.get(botId);
    if (!t) return;
    const v = t.venue;
    let m = this.#marks.get(botId);
    if (!m) this.#marks.set(botId, (m = new Map()));
    let ts = -Infinity;
    // Every market of the bot: replay frames share the bar index k; a feed's window ends at its newest closed bar.
    for (let j = 0; j < t.symbols.length; j++) {
      const symbol = t.symbols[j];
      const frame = v.feed ? (v.feed.feeds?.get(symbol) ?? (j === 0 ? v.feed.feed : undefined))?.frame() : (v.frames ?? [v.frame])[j];
      if (!frame) continue;
      const i = v.feed ? frame.length - 1 : k;
      if (i < 0 || i >= frame.length || !Number.isFinite(frame.close[i])) continue;
      const at = frame.ts[i] + t.barMs;
      m.set(symbol, { price: frame.close[i], ts: at, dirty: true });
      if (at > ts) ts = at;
    }
    if (ts === -Infinity) return;
    try {
      const budget = (prep(this.#store.db, 'SELECT budget FROM bots WHERE id = ?').get(botId) as { budget: number } | undefined)?.budget;
      if (budget !== undefined) {
        const marks: Record<string, number> = {};
        for (const [s, x] of m) marks[s] = x.price;
        this.#store.orders.snapshotPnl(botId, budget, ts, marks);
      }
    } catch {
      // a snapshot is derived data: a busy database skips one, the next bar writes the next
    }
  }

  /** Saves the marks that moved since the last save (bot_state `<symbol>/mark`), so they survive a restart. */
  #saveMarks(): { botId: string; symbol: string; price: number; ts: number }[] {
    const moved: { botId: string; symbol: string; price: number; ts: number }[] = [];
    for (const [botId, m] of this.#marks) {
      for (const [symbol, x] of m) {
        if (!x.dirty) continue;
        x.dirty = false;
        moved.push({ botId, symbol, price: x.price, ts: x.ts });
      }
    }
    if (moved.length === 0) return moved;
    try {
      this.#store.db.transaction(() => {
        for (const x of moved) if (this.#store.bots.get(x.botId)) this.#store.bots.setState(x.botId, x.symbol, 'mark', { price: x.price, ts: x.ts }, x.ts);
      }).immediate();
    } catch {
      for (const x of moved) { const cur = this.#marks.get(x.botId)?.get(x.symbol); if (cur) cur.dirty = true; }
      return [];
    }
    return moved;
  }

  #syncFiscal(force: boolean): void {
    if (!this.#fiscal) return;
    const wall = Date.now();
    if (!force && wall - this.#fiscalAt < this.#fiscalMs) return;
    this.#fiscalAt = wall;
    this.#fiscalPending = false;
    try {
      this.#fiscal.sync();
    } catch (e) {
      this.#emit({ topic: 'log.line', ts: this.#now(), data: { event: 'fiscal-log.error', text: e instanceof Error ? e.message : String(e) } });
    }
  }

  async #settle(id: string): Promise<void> {
    const t = this.#tasks.get(id);
    if (!t) return;
    this.#wake();
    await this.#waitAll([t]);
  }

  async #waitAll(tasks: Promise<void>[]): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((r) => { timer = setTimeout(r, this.#settleMs); });
    await Promise.race([Promise.allSettled(tasks), limit]);
    clearTimeout(timer);
  }

  /** Replay pacing: a sleep that a control action ends early, so a paced bot sees a new status at once. */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => { clearTimeout(t); this.#sleepers.delete(done); resolve(); };
      const t = setTimeout(done, ms);
      this.#sleepers.add(done);
    });
  }

  #wake(): void { for (const s of [...this.#sleepers]) s(); }

  #open(): void {
    if (this.#closed) throw new TradelabError('SERVER_CLOSING', 'venue-unavailable', 'the server is shutting down; bots cannot start now');
  }


  // ---- events --------------------------------------------------------------------------------------------------

  #emit(e: LiveEvent): void {
    for (const l of [...this.#listeners]) {
      try { l(e); } catch { /* a listener never throws back into the runtime */ }
    }
  }

  #emitLog(botId: string, e: LogEvent): void {
    if (this.#listeners.size === 0) return;
    const text = JSON.stringify(e);
    this.#emit({ topic: 'log.line', ts: this.#now(), botId, data: { event: e.event, text: text.length > 500 ? `${text.slice(0, 497)}...` : text } });
  }

  /** Reads what changed in the store since the last poll and emits it. Cheap: id cursors and one status scan. */
  poll(): void {
    if (this.#closed) return;
    const db = this.#store.db;
    try {
      const ts = this.#now();
      for (const b of prep(db, 'SELECT id, status FROM bots').all() as { id: string; status: BotStatus }[]) {
        const prev = this.#status.get(b.id);
        if (prev !== b.status) {
          this.#status.set(b.id, b.status);
          this.#emit({ topic: 'bot.state', ts, botId: b.id, data: { status: b.status, previous: prev ?? null } });
        }
      }
      const orders = prep(db, 'SELECT * FROM orders WHERE id > ? ORDER BY id LIMIT 1000').all(this.#orderCursor) as OrderRow[];
      for (const o of orders) {
        this.#orderCursor = o.id;
        this.#emit({ topic: 'order.placed', ts: o.created_at, botId: o.bot_id, data: { clientId: o.client_id, symbol: o.symbol, side: o.side, type: o.type, price: o.price, amount: o.amount, status: o.status } });
        this.#tracked.set(o.id, o.client_id);
      }
      const fills = prep(db, 'SELECT f.id, f.bot_id, f.symbol, f.side, f.price, f.amount, f.fee, f.ts, o.client_id FROM fills f JOIN orders o ON o.id = f.order_id WHERE f.id > ? ORDER BY f.id LIMIT 1000')
        .all(this.#fillCursor) as { id: number; bot_id: string; symbol: string; side: string; price: number; amount: number; fee: number; ts: number; client_id: string }[];
      for (const f of fills) {
        this.#fillCursor = f.id;
        this.#emit({ topic: 'order.filled', ts: f.ts, botId: f.bot_id, data: { clientId: f.client_id, symbol: f.symbol, side: f.side, price: f.price, amount: f.amount, fee: f.fee } });
      }
      if (this.#tracked.size > 0) {
        const done = prep(db, "SELECT id, bot_id, client_id, symbol, status, reason, updated_at FROM orders WHERE id IN (SELECT value FROM json_each(?)) AND status IN ('filled','cancelled','rejected')")
          .all(JSON.stringify([...this.#tracked.keys()])) as OrderRow[];
        for (const o of done) {
          this.#tracked.delete(o.id);
          if (o.status !== 'filled') this.#emit({ topic: 'order.cancelled', ts: o.updated_at, botId: o.bot_id, data: { clientId: o.client_id, symbol: o.symbol, status: o.status, reason: o.reason } });
        }
      }
      const pnl = prep(db, 'SELECT id, bot_id, ts, equity, realised, unrealised, fees, open_orders FROM pnl_snapshots WHERE id > ? ORDER BY id LIMIT 5000')
        .all(this.#pnlCursor) as { id: number; bot_id: string; ts: number; equity: number; realised: number; unrealised: number; fees: number; open_orders: number }[];
      const lastPerBot = new Map<string, (typeof pnl)[number]>();
      for (const p of pnl) { this.#pnlCursor = p.id; lastPerBot.set(p.bot_id, p); }
      for (const p of lastPerBot.values()) {
        this.#emit({ topic: 'pnl.update', ts: p.ts, botId: p.bot_id, data: { equity: p.equity, realised: p.realised, unrealised: p.unrealised, fees: p.fees, openOrders: p.open_orders } });
      }
      for (const x of this.#saveMarks()) {
        const p = prep(db, 'SELECT base, open_cost FROM positions WHERE bot_id = ? AND symbol = ?').get(x.botId, x.symbol) as { base: number; open_cost: number } | undefined;
        const base = p?.base ?? 0;
        this.#emit({ topic: 'price.update', ts: x.ts, botId: x.botId, data: { symbol: x.symbol, price: x.price, base, unrealised: base > 0 ? base * x.price - (p?.open_cost ?? 0) : 0 } });
      }
      if (fills.length > 0) this.#fiscalPending = true;
      if (this.#fiscalPending) this.#syncFiscal(false);
      const alerts = prep(db, 'SELECT id, bot_id, ts, level, code, message FROM alerts WHERE id > ? ORDER BY id LIMIT 100').all(this.#alertCursor) as
        { id: number; bot_id: string | null; ts: number; level: string; code: string; message: string }[];
      for (const a of alerts) {
        this.#alertCursor = a.id;
        if (this.#alertEvents) this.#emit({ topic: 'alert', ts: a.ts, botId: a.bot_id ?? undefined, data: { alertId: a.id, level: a.level, code: a.code, message: a.message.slice(0, 500) } });
      }
    } catch {
      // A poll that fails (database closing) is retried by the next one.
    }
  }
}
