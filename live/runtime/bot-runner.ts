/**
 * The bot runner: feeds the SAME strategy definition the backtest runs, bar by bar, through an order path to a venue.
 *
 * One step per bar k of the candles (replay: as fast as possible or at a speed; the clock is the bar's time):
 *  1. the venue plays bar k: the orders resting there (those decided at bar k-1's close among them) fill along its
 *     path; each fill is applied to the store as it happens and, on a simulated venue, fed to `onFill` at once, whose
 *     orders join the rest of the bar (other venues: the bar's fills are synced and fed to `onFill` at the close);
 *  2. bar k closes: `decide` sees the true position, fills and orders; its intents (the "outbox"), the strategy state
 *     and the cursor are saved in ONE transaction (on a simulated venue the whole bar is that transaction), so a crash
 *     at any instant resumes exactly: a bar is decided once;
 *  3. the outbox goes out at once: a signal strategy's `target` becomes a market order — long from flat buys cost =
 *     fraction x cash / (1 + feeRate), sized by the venue at its fill price (the backtest's fee-inclusive sizing),
 *     flat from long sells the whole position; order strategies' intents go through as they are. An outbox intent
 *     whose order is already in the store (same tag, a row newer than the decision) is never placed again.
 * Startup: reconciliation of every unsettled order by client id before the first step.
 * Status is read from the store every bar: paused → no new orders (fills still applied), hold → sells only,
 * stopped / emergency-stopped → the runner returns.
 */
import { usageError } from '../../engine/errors.ts';
import { lowerBound, type CandleFrame } from '../../engine/frame.ts';
import { intentsOf, loadStrategyState, saveStrategyState, type AnyStrategy, type BarContext, type Indicators, type Intent, type PositionView, FLAT_POSITION } from '../../engine/strategy.ts';
import type { ParamValues } from '../../engine/params.ts';
import type { StateStore } from '../state/store.ts';
import type { BotRow, BotStatus } from '../state/types.ts';
import { mayPlace } from '../bots/lifecycle.ts';
import type { RunnerSettings } from '../bots/service.ts';
import type { LogFn } from './logger.ts';
import { NOT_ON_VENUE, type NewFill, type OrderPath } from './order-path.ts';
import { StoreViews } from './store-views.ts';
import type { FillView } from '../../engine/orders/views.ts';
import type { RiskDenial } from '../../engine/risk/types.ts';
import type { RiskSupervisor } from './risk-supervisor.ts';

/** True when `v` survives JSON (plain objects, arrays, numbers, strings, booleans, null). */
function isPlainJson(v: unknown, depth = 0): boolean {
  if (v === null || v === undefined || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return true;
  if (depth > 32 || typeof v !== 'object') return false;
  if (Array.isArray(v)) return v.every((x) => isPlainJson(x, depth + 1));
  if (Object.getPrototypeOf(v) !== Object.prototype) return false;
  return Object.values(v as Record<string, unknown>).every((x) => isPlainJson(x, depth + 1));
}

/** An intent decided at a bar's close and not yet placed. */
export interface OutboxEntry {
  readonly intent: Intent;
  /** Close time of the deciding bar (its open ts). */
  readonly decidedTs: number;
  readonly tag: string;
  /** The bot's highest order row id when it was decided: an order with this tag and a higher id was placed for it. */
  readonly afterId?: number;
  /** Cancel intents: the client id of the order the tag named when it was decided (nothing else is cancelled). */
  readonly target?: string;
}

export interface BarClock {
  /** Moves the venue's clock to bar k's open. */
  setBar(k: number): void;
}

export interface BotRunnerDeps {
  readonly store: StateStore;
  readonly bot: BotRow;
  readonly strategy: AnyStrategy;
  readonly settings: RunnerSettings;
  /** The market this runner trades (default the bot's first symbol): a bot of several symbols has one runner each. */
  readonly symbol?: string;
  /**
   * The bot_state market under which the cursor, outbox and strategy state are kept: '' (the whole bot) for a bot of
   * one symbol, the symbol for each runner of a bot of several (one strategy instance per symbol).
   */
  readonly stateKey?: string;
  /** The runners of a bot of several symbols share one fill counter (FillView.seq numbers the bot's fills). */
  readonly fillCounter?: { n: number };
  /** The candles of `symbol`. Replay: every bar; the runner reveals them one at a time. */
  readonly frame: CandleFrame;
  /** First bar decided (>= the strategy's warm-up); default the warm-up. */
  readonly startIndex?: number;
  /** End of the bars, exclusive (default frame.length). */
  readonly endIndex?: number;
  readonly path: OrderPath;
  readonly clock: BarClock;
  readonly log: LogFn;
  /** Graceful shutdown: the runner finishes the current step, saves and returns. */
  readonly signal?: AbortSignal;
  /** Wall-clock sleep between bars (replay at a speed); omitted or 'max' = none. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Called after each step (tests, progress). */
  readonly onStep?: (k: number) => void;
  /**
   * When decided orders go out: always at once, after the decision is saved ('close'; venues fill them when the next
   * bar is played). Accepted for the callers that say so; the 'next-open' mode of the former runtime venue is gone.
   */
  readonly placeAt?: 'close';
  /**
   * The bot's risk supervisor (risk-supervisor.ts; shared by the runners of a bot of several symbols): denials' effects,
   * equity snapshots for the drawdown limit, the consecutive-loss rotation (the strategy in use may differ from
   * `strategy`: the rotation's current one).
   */
  readonly risk?: RiskSupervisor;
}

/** 'gap': a live feed met a gap it could not fill; the bot was paused (feed-runner.ts). */
export type RunEnd = 'end-of-data' | 'stopped' | 'run-until' | 'aborted' | 'gap';

export interface RunOutcome {
  readonly end: RunEnd;
  /** Last bar stepped. */
  readonly lastBar: number;
  readonly steps: number;
}

const K_CURSOR = 'cursor';
const K_OUTBOX = 'outbox';
const K_STRATEGY = 'strategy-state';

export class BotRunner {
  private readonly store: StateStore;
  private readonly botId: string;
  readonly symbol: string;
  /** bot_state market of the cursor, outbox and strategy state ('' or the symbol). */
  private readonly key: string;
  private strategy: AnyStrategy;
  private params: ParamValues;
  /** The candles; a live feed replaces it by its rolling window every bar (stepLive). */
  private frame: CandleFrame;
  private ind!: Indicators;
  private state: unknown;
  private position: PositionView = FLAT_POSITION;
  private positionDirty = true;
  private status: BotStatus;
  private readonly ctx: {
    i: number; frame: CandleFrame; ind: Indicators; params: ParamValues; position: PositionView; state: unknown; symbol?: string; market?: number;
    fills?: readonly FillView[]; orders?: StoreViews['orders']; account?: StoreViews['account']; record?: (name: string, value: number) => void; fill?: FillView;
  };
  private views: StoreViews | undefined;
  /** False when the strategy keeps state JSON cannot hold (class instances, typed arrays): it cannot resume after a restart. */
  private stateSavable = true;
  /** The risk supervisor's rotation generation this runner's strategy belongs to. */
  private riskGen = 0;
  /** Fill numbers (FillView.seq): the bot's, shared by the runners of a bot of several symbols (the backtest numbers all markets' fills). */
  private readonly fillSeq: { n: number };
  /** In-bar paths (simulated venues): the fills of the bar in progress (and their views), handed over by the venue's hook. */
  private readonly barFills: NewFill[] = [];
  private readonly barFillViews: FillView[] = [];
  private barK = 0;
  /** Resuming: bars already decided are played again to bring the venue up; their fills are known. */
  private catchingUp = false;
  /** A bot of several symbols (replay): the other markets' candles, to mark their positions as the backtest does. */
  private peers: ReadonlyMap<string, CandleFrame> | undefined;
  private markBar = 0;
  private markPrev = false;
  private peerMarkOf: ((symbol: string) => number) | undefined;
  /** Live feed (paper): plays the bar being stepped into the simulated venue (instead of the replay clock). */
  private livePlay: (() => void) | undefined;

  constructor(private readonly d: BotRunnerDeps) {
    this.store = d.store;
    this.botId = d.bot.id;
    this.symbol = d.symbol ?? d.bot.symbols[0];
    this.key = d.stateKey ?? '';
    this.fillSeq = d.fillCounter ?? { n: 0 };
    this.frame = d.frame;
    this.status = d.bot.status;
    this.ctx = { i: 0, frame: d.frame, ind: {}, params: {}, position: FLAT_POSITION, state: undefined, symbol: this.symbol, market: 0 };
    const cur = d.risk?.current();
    this.riskGen = d.risk?.generation ?? 0;
    this.strategy = cur?.strategy ?? d.strategy;
    this.params = {} as ParamValues;
    this.useStrategy(this.strategy, cur?.params ?? d.bot.params, true);
    d.path.inBar?.setHandler((f) => this.onBarFill(f), d.bot.symbols.length > 1 ? this.symbol : undefined);
  }

  /**
   * Puts a strategy in use: its params, its state (the saved one when `restore`, else fresh), its views (order
   * strategies) and, once the candles are known, its indicators.
   */
  private useStrategy(strategy: AnyStrategy, rawParams: Readonly<Record<string, unknown>>, restore: boolean): void {
    const d = this.d;
    this.strategy = strategy;
    this.params = strategy.resolveParams(rawParams) as ParamValues;
    const saved = restore ? this.store.bots.getState<unknown>(this.botId, this.key, K_STRATEGY) : undefined;
    const initial = strategy.initState(this.params);
    // A strategy with saveState/loadState hooks (engine/strategy.ts) stores anything; others need plain JSON.
    this.stateSavable = strategy.saveState !== undefined || isPlainJson(initial);
    this.state = saved !== undefined && this.stateSavable ? loadStrategyState(strategy, saved, this.params) : initial;
    this.ctx.params = this.params;
    this.ctx.state = this.state;
    if (strategy.kind === 'orders' && !this.views) {
      this.views = new StoreViews(this.store, this.botId, this.symbol, d.bot.budget, d.settings.feeRate, (ts) => lowerBound(this.frame.ts, ts),
        (sym) => this.peerMark(sym));
      this.ctx.orders = this.views.orders;
      this.ctx.account = this.views.account;
      this.ctx.record = (name, value) => this.record(name, value);
    }
    if (this.ind !== undefined) {
      this.ind = strategy.indicators(this.frame, this.params);
      this.ctx.ind = this.ind;
    }
    this.positionDirty = true;
  }

  /**
   * At bar k's close, before deciding: the risk supervisor's look at the bar (timed effects end, equity snapshot,
   * closed trades through the rotation) and, after a rotation, the new strategy put in use (fresh state; the old
   * one's outbox was never decided, its resting orders are cancelled by `settleRisk` before anything goes out).
   */
  private riskAtClose(k: number): void {
    const risk = this.d.risk;
    if (!risk) return;
    risk.mark(this.symbol, this.frame.close[k]);
    risk.atClose(this.frame.ts[k]);
    if (risk.generation !== this.riskGen) {
      this.riskGen = risk.generation;
      const cur = risk.current();
      this.store.bots.deleteState(this.botId, this.key, K_STRATEGY);
      this.useStrategy(cur.strategy, cur.params, false);
      this.d.log({ event: 'strategy.swap', bot: this.botId, symbol: this.symbol, strategy: cur.label, bar: this.frame.ts[k] });
    }
    this.status = this.readStatus();
  }

  /** A denied order: its effect through the supervisor, and the runner's status refreshed (the bar goes on under it). */
  private onDenied(denial: RiskDenial | undefined, k: number): void {
    if (!denial || !this.d.risk) return;
    this.d.risk.onDenial(denial, this.frame.ts[k] + this.barMs());
    this.status = this.readStatus();
  }

  private barMs(): number {
    const f = this.frame;
    return f.length > 1 ? f.ts[f.length - 1] - f.ts[f.length - 2] : 0;
  }

  /** Cancels owed by an emergency stop or a rotation (never a sell). */
  private async settleRisk(): Promise<void> {
    if (this.d.risk) await this.d.risk.settle(() => this.d.path.cancelAll());
  }

  /** Bar index of the first decision. */
  get startIndex(): number {
    return this.d.startIndex ?? Math.max(0, Math.ceil(this.strategy.warmup(this.params)));
  }

  async run(): Promise<RunOutcome> {
    const { frame } = this;
    const end = this.d.endIndex ?? frame.length;
    const start = this.startIndex;
    if (start >= end) throw usageError('NOT_ENOUGH_DATA', `bot '${this.botId}': ${end} bars and ${start} are needed for warm-up; load more candles`);
    // Indicators over the candles (the backtest's vectorised computation; decide reads rows <= i only); fill numbers
    // (FillView.seq) continue from the bot's fills so far, as the backtest numbers its run's fills.
    this.prepare();
    const saved = this.store.bots.getState<number>(this.botId, this.key, K_CURSOR);
    if (saved !== undefined && this.d.path.inBar) {
      // A simulated venue rebuilt from its journal comes up to the last decided bar before reconciliation (the store
      // already has those bars' fills: the hook finds them known).
      this.catchingUp = true;
      try { this.d.clock.setBar(lowerBound(frame.ts, saved)); } finally { this.catchingUp = false; }
      this.barFills.length = 0;
      this.barFillViews.length = 0;
    }
    const rec = await this.d.path.reconcile([this.symbol]);
    this.d.log({ event: 'reconcile', bot: this.botId, resolved: rec.resolved, cancelled: rec.cancelled, fills: rec.fillsApplied.length, violations: rec.violations });
    if (rec.violations.length) {
      this.store.journal.raiseAlert({ botId: this.botId, ts: this.now(start), level: 'critical', code: 'STATE_INVARIANT', message: rec.violations.join('; ') });
    }

    const cursorTs = this.store.bots.getState<number>(this.botId, this.key, K_CURSOR);
    if (cursorTs !== undefined && !this.stateSavable) {
      throw usageError('STRATEGY_STATE_NOT_SAVABLE', `bot '${this.botId}': strategy '${this.strategy.id}' keeps state that cannot be saved (class instances or typed arrays), so it cannot resume after a restart; start a new bot`);
    }
    if (cursorTs !== undefined) {
      // Orders decided at the last saved close and not placed before the process ended go out now, before any bar.
      const k0 = lowerBound(frame.ts, cursorTs);
      await this.settleRisk();
      await this.flushOutbox(k0);
    }
    let k = cursorTs === undefined ? start : lowerBound(frame.ts, cursorTs) + 1;
    if (k < start) k = start;
    let steps = 0;
    const barMs = frame.length > 1 ? frame.ts[1] - frame.ts[0] : 0;
    const runUntil = this.d.bot.runUntil;
    for (; k < end; k++) {
      if (this.d.signal?.aborted) return { end: 'aborted', lastBar: k - 1, steps };
      if (runUntil !== null && frame.ts[k] >= runUntil) return { end: 'run-until', lastBar: k - 1, steps };
      this.status = this.readStatus();
      if (this.status === 'stopped' || this.status === 'emergency-stopped') return { end: 'stopped', lastBar: k - 1, steps };
      await this.step(k, end);
      steps++;
      this.d.onStep?.(k);
      const speed = this.d.settings.speed;
      if (this.d.sleep && speed !== undefined && speed !== 'max') await this.d.sleep(barMs / speed);
      // At full speed, let the event loop breathe every few bars: other bots' tasks, signals (graceful shutdown), I/O.
      else if ((steps & 31) === 0) await new Promise<void>((r) => setImmediate(r));
    }
    return { end: 'end-of-data', lastBar: end - 1, steps };
  }

  private now(k: number): number { return this.frame.ts[k]; }

  // ---------- live feed (paper and live bots; feed-runner.ts): the candles grow, the window rolls ----------

  /** A live feed's window (its last row is the newest closed bar): the backtest's indicators over it. */
  private useWindow(frame: CandleFrame): void {
    this.frame = frame;
    this.ctx.frame = frame;
    this.ind = this.strategy.indicators(frame, this.params);
    this.ctx.ind = this.ind;
    this.positionDirty = true;
  }

  /**
   * Live startup, before the first bar of the feed: reconciliation, then the orders decided at the last saved close
   * and never placed go out. Returns the saved cursor (open time of the last bar decided), if any.
   */
  async startLive(frame: CandleFrame, opts: { reconcile?: boolean } = {}): Promise<number | undefined> {
    this.useWindow(frame);
    const k = frame.length - 1;
    // Fill numbers (FillView.seq) continue from the bot's fills so far, as in run().
    this.fillSeq.n = (this.store.db.prepare('SELECT COUNT(*) AS n FROM fills WHERE bot_id = ?').get(this.botId) as { n: number }).n;
    // (a bot of several symbols reconciles once, before its runners start: opts.reconcile false)
    if (opts.reconcile !== false) {
      const rec = await this.d.path.reconcile([this.symbol]);
      this.d.log({ event: 'reconcile', bot: this.botId, resolved: rec.resolved, cancelled: rec.cancelled, fills: rec.fillsApplied.length, violations: rec.violations });
      if (rec.violations.length) {
        this.store.journal.raiseAlert({ botId: this.botId, ts: this.now(k), level: 'critical', code: 'STATE_INVARIANT', message: rec.violations.join('; ') });
      }
    }
    const cursorTs = this.store.bots.getState<number>(this.botId, this.key, K_CURSOR);
    if (cursorTs !== undefined && !this.stateSavable) {
      throw usageError('STRATEGY_STATE_NOT_SAVABLE', `bot '${this.botId}': strategy '${this.strategy.id}' keeps state that cannot be saved (class instances or typed arrays), so it cannot resume after a restart; start a new bot`);
    }
    this.status = this.readStatus();
    if (cursorTs !== undefined) { await this.settleRisk(); await this.flushOutbox(k); }
    return cursorTs;
  }

  /** Open time of the last bar decided (saved), if any. */
  savedCursor(): number | undefined {
    return this.store.bots.getState<number>(this.botId, this.key, K_CURSOR);
  }

  /**
   * Live: the window's last bar has closed. `play` (paper): plays it into the simulated venue, inside the step, so
   * that its fills reach `onFill` inside the bar (in-bar paths). `decide` true: the bar is stepped as in a replay
   * (fills applied, decide, save, orders out at once: placeAt 'close'); false (a stale bar, whose decision moment has
   * passed): its fills are applied and the cursor moves, nothing is decided and no strategy hook runs.
   */
  async stepLive(frame: CandleFrame, decide: boolean, play?: () => void): Promise<void> {
    this.useWindow(frame);
    this.status = this.readStatus();
    const k = frame.length - 1;
    this.livePlay = play;
    try {
      if (decide) { await this.step(k, Infinity); return; }
      if (play && this.d.path.inBar) {
        // the venue's hook applies the fills; the runner's handler ignores them (no onFill for a stale bar)
        this.catchingUp = true;
        try {
          this.store.db.transaction(() => {
            play();
            this.store.bots.setState(this.botId, this.key, K_CURSOR, frame.ts[k], frame.ts[k]);
          }).immediate();
        } finally { this.catchingUp = false; }
        this.positionDirty = true;
        return;
      }
      play?.();
      const fills = await this.d.path.syncFills([this.symbol]);
      if (fills.length) this.positionDirty = true;
      this.store.bots.setState(this.botId, this.key, K_CURSOR, frame.ts[k], frame.ts[k]);
    } finally {
      this.livePlay = undefined;
    }
  }

  private readStatus(): BotStatus {
    const r = this.store.db.prepare('SELECT status FROM bots WHERE id = ?').get(this.botId) as { status: BotStatus } | undefined;
    return r ? r.status : 'stopped';
  }

  /** One bar: open → place the outbox → apply fills → close → decide and save. */
  async step(k: number, end: number): Promise<void> {
    if (this.d.path.inBar) return this.stepInBar(k, end);
    this.playBar(k);
    const fills: NewFill[] = [];
    fills.push(...await this.d.path.syncFills([this.symbol]));
    if (fills.length) this.positionDirty = true;
    if (k >= end - 1) {
      // The last bar: no next bar to fill a decision (the backtest does not decide here either).
      this.store.bots.setState(this.botId, this.key, K_CURSOR, this.frame.ts[k], this.now(k));
      return;
    }
    this.riskAtClose(k);
    const intents = this.strategy.kind === 'orders' ? this.decideOrders(k, fills) : this.decide(k);
    const ts = this.frame.ts[k];
    const entries = this.outboxEntries(intents, ts);
    this.store.db.transaction(() => {
      this.store.bots.setState(this.botId, this.key, K_OUTBOX, entries, ts);
      this.saveStrategyState(ts);
      this.store.bots.setState(this.botId, this.key, K_CURSOR, ts, ts);
    }).immediate();
    await this.settleRisk();
    if (entries.length) await this.flushOutbox(k);
    await this.settleRisk();
  }

  /** The other markets of the bot (same timestamps), whose positions the account views value at their marks. */
  setPeers(frames: ReadonlyMap<string, CandleFrame>): void { this.peers = frames; }

  /** Live feeds: the other markets' marks (their newest closed bar's close) from their own feeds. */
  setPeerMarks(markOf: (symbol: string) => number): void { this.peerMarkOf = markOf; }

  /**
   * Another market's mark, as the order simulator marks it: during a bar's fills the last close before the bar (the
   * first bar: its open), at the close the bar's close. NaN when unknown (the position is then valued at cost).
   */
  private peerMark(symbol: string): number {
    if (this.peerMarkOf) return this.peerMarkOf(symbol);
    const f = this.peers?.get(symbol);
    const k = this.markBar;
    if (!f || k >= f.length) return NaN;
    return this.markPrev ? (k > this.startIndex ? f.close[k - 1] : f.open[k]) : f.close[k];
  }

  /** Plays bar k into the venue: the live feed's bar (paper), else the replay clock. */
  private playBar(k: number): void {
    if (this.livePlay) this.livePlay();
    else this.d.clock.setBar(k);
  }

  private saveStrategyState(ts: number): void {
    if (this.state !== undefined && this.stateSavable) this.store.bots.setState(this.botId, this.key, K_STRATEGY, saveStrategyState(this.strategy, this.state), ts);
  }

  /**
   * One bar on an in-bar path (simulated venue): the bar is played — each fill applied to the store as it happens and,
   * for order strategies, fed to `onFill` at once, whose orders join the rest of the bar's path (the order
   * simulator's semantics) — then `decide` at the close, and the strategy state, outbox and cursor saved: ALL in one
   * transaction (with the venue journal in the same database), so that a crash leaves the bar wholly done or not at
   * all. Then the decided orders go out (placeAt 'close').
   */
  private async stepInBar(k: number, end: number): Promise<void> {
    let entries: OutboxEntry[] = [];
    this.store.db.transaction(() => {
      this.beginBar(k);
      this.playBar(k);
      entries = this.finishBar(k, end);
    }).immediate();
    await this.afterBar(k, entries, true);
  }

  // ---------- the phases of an in-bar step (a bot of several symbols runs them for every runner: multi-runner.ts) ----------

  /** Before bar k is played: fills from the venue's hook now belong to bar k. */
  beginBar(k: number): void {
    this.barK = k;
  }

  /** After bar k was played (inside the caller's transaction): `decide` at its close; outbox, strategy state, cursor saved. */
  finishBar(k: number, end: number): OutboxEntry[] {
    let entries: OutboxEntry[] = [];
    const fills = this.barFills.splice(0);
    if (fills.length) this.positionDirty = true;
    const ts = this.frame.ts[k];
    this.riskAtClose(k);
    if (k < end - 1) {
      // (the last bar: no next bar to fill a decision; the backtest does not decide there either)
      const intents = this.strategy.kind === 'orders' ? this.decideOrders(k, fills, true) : this.decide(k);
      entries = this.outboxEntries(intents, ts);
      this.store.bots.setState(this.botId, this.key, K_OUTBOX, entries, ts);
    }
    this.barFillViews.length = 0;
    this.saveStrategyState(ts);
    this.store.bots.setState(this.botId, this.key, K_CURSOR, ts, ts);
    return entries;
  }

  /**
   * After the bar's transaction: the decided orders go out at once (the decision saw every fill of the bar: the venue's
   * hook delivers them inside the bar), then a fill sync catches anything the hook did not see (none on a simulated
   * venue; a safety net that no longer sits between the close and the orders: bar-to-intent latency).
   */
  async afterBar(k: number, entries: readonly OutboxEntry[], sync: boolean): Promise<void> {
    await this.settleRisk();
    if (entries.length) await this.flushOutbox(k);
    await this.settleRisk();
    if (sync) {
      const late = await this.d.path.syncFills([this.symbol]);
      if (late.length) {
        this.positionDirty = true;
        this.d.log({ event: 'fills.late', bot: this.botId, bar: k, fills: late.length });
      }
    }
  }

  /** Resuming: bars up to the last decided one are played again to bring the venue up; their fills are known. */
  set catchUp(on: boolean) {
    this.catchingUp = on;
    if (!on) { this.barFills.length = 0; this.barFillViews.length = 0; }
  }

  /** Indicators over the whole frame and the fill numbering (replay), before the first bar. */
  prepare(): void {
    this.ind = this.strategy.indicators(this.frame, this.params);
    this.ctx.ind = this.ind;
    this.fillSeq.n = (this.store.db.prepare('SELECT COUNT(*) AS n FROM fills WHERE bot_id = ?').get(this.botId) as { n: number }).n;
  }

  /** Throws STRATEGY_STATE_NOT_SAVABLE when resuming a strategy whose state cannot be saved. */
  assertResumable(): void {
    if (this.savedCursor() !== undefined && !this.stateSavable) {
      throw usageError('STRATEGY_STATE_NOT_SAVABLE', `bot '${this.botId}': strategy '${this.strategy.id}' keeps state that cannot be saved (class instances or typed arrays), so it cannot resume after a restart; start a new bot`);
    }
  }

  /** The orders decided at the last saved close and never placed go out (bar k: the bar of that close). */
  async resumeOutbox(k: number): Promise<void> {
    await this.settleRisk();
    await this.flushOutbox(k);
  }

  /** Reads the bot's status (the runner's copy is refreshed every bar). */
  refreshStatus(): BotStatus {
    this.status = this.readStatus();
    return this.status;
  }

  /** The venue's hook: a fill of the bar in progress, already in the store. Order strategies react at once. */
  private onBarFill(f: NewFill): void {
    this.positionDirty = true;
    if (this.catchingUp) return;
    this.barFills.push(f);
    const onFill = this.strategy.onFill;
    if (this.strategy.kind !== 'orders' || !onFill) return;
    const k = this.barK;
    const fv = this.fillView(f, k);
    this.barFillViews.push(fv);
    const views = this.views as StoreViews;
    // As the simulator: equity is marked at the last close before this bar (the first bar: its open).
    this.markPrev = true;
    this.markBar = k;
    views.refresh(k > this.startIndex ? this.frame.close[k - 1] : this.frame.open[k]);
    const ctx = this.ctx;
    ctx.i = k;
    ctx.state = this.state;
    this.position = this.readPosition();
    this.positionDirty = false;
    ctx.position = this.position;
    ctx.fill = fv;
    ctx.fills = this.barFillViews;
    const r = onFill(ctx as unknown as Parameters<NonNullable<AnyStrategy['onFill']>>[0]);
    ctx.fill = undefined;
    // As the simulator's apply: the result is read as it is (a strategy may reuse its array).
    const many = Array.isArray(r);
    const n = many ? (r as readonly Intent[]).length : r === undefined ? 0 : 1;
    const inBar = this.d.path.inBar as NonNullable<OrderPath['inBar']>;
    const ts = this.frame.ts[k];
    for (let j = 0; j < n; j++) {
      const it = many ? (r as readonly Intent[])[j] : (r as Intent);
      if (it.type === 'target') throw usageError('TARGET_INTENT_IN_ORDER_RUN', `strategy '${this.strategy.id}' returned a 'target' intent from onFill; order strategies return limit, market and cancel intents`);
      if (it.type === 'cancel') { inBar.cancelNow(this.symbol, it.tag); continue; }
      if (!mayPlace(this.status, it.side)) continue;
      const out = inBar.placeNow({
        symbol: this.symbol, side: it.side, type: it.type, amount: it.amount, price: it.type === 'limit' ? it.price : undefined,
        tag: it.tag || `f${ts}:${fv.seq}:${j}`, lot: it.lot ?? null,
      }, f.fill.price);
      if (out.kind === 'denied') this.onDenied(out.denial, k);
    }
  }

  /** Places the saved outbox (bar k: the bar at whose open, or close, they go out) and empties it. */
  private async flushOutbox(k: number): Promise<NewFill[]> {
    const outbox = this.store.bots.getState<OutboxEntry[]>(this.botId, this.key, K_OUTBOX) ?? [];
    if (!outbox.length) return [];
    const fills: NewFill[] = [];
    for (const e of outbox) fills.push(...await this.placeEntry(e, k));
    this.store.bots.setState(this.botId, this.key, K_OUTBOX, [], this.now(k));
    if (fills.length) this.positionDirty = true;
    return fills;
  }

  private decide(k: number): Intent[] {
    if (this.positionDirty) { this.position = this.readPosition(); this.positionDirty = false; }
    const ctx = this.ctx;
    ctx.i = k;
    ctx.position = this.position;
    ctx.state = this.state;
    const out = intentsOf(this.strategy.decide(ctx as unknown as BarContext<ParamValues>));
    if (this.strategy.kind === 'signal') {
      // As the backtest: the last target of the bar wins.
      let last: Intent | undefined;
      for (const it of out) {
        if (it.type !== 'target') throw usageError('UNSUPPORTED_INTENT', `strategy '${this.strategy.id}' returned a '${it.type}' intent at bar ${k}; signal strategies return target intents only`);
        last = it;
      }
      return last ? [last] : [];
    }
    return [...out];
  }

  /** Order strategies: `onFill` for each fill of the bar, in order, then `decide` at the close; their intents as they are. */
  private decideOrders(k: number, fills: readonly NewFill[], onFillDone = false): Intent[] {
    const views = this.views as StoreViews;
    const ctx = this.ctx;
    ctx.i = k;
    ctx.state = this.state;
    const out: Intent[] = [];
    const fv = onFillDone && this.strategy.onFill ? this.barFillViews.slice() : fills.map((f) => this.fillView(f, k));
    if (this.strategy.onFill && !onFillDone) {
      for (const f of fv) {
        this.markPrev = false;
        this.markBar = k;
        views.refresh(this.frame.close[k]);
        ctx.fill = f;
        ctx.fills = fv;
        out.push(...intentsOf(this.strategy.onFill(ctx as unknown as Parameters<NonNullable<AnyStrategy['onFill']>>[0])));
      }
      ctx.fill = undefined;
    }
    this.markPrev = false;
    this.markBar = k;
    views.refresh(this.frame.close[k]);
    ctx.fills = fv;
    if (this.positionDirty) { this.position = this.readPosition(); this.positionDirty = false; }
    ctx.position = this.position;
    // The strategy may reuse its returned array on the next call: copy.
    out.push(...intentsOf(this.strategy.decide(ctx as unknown as BarContext<ParamValues>)));
    return out;
  }

  private fillView(f: NewFill, k: number): FillView {
    const o = f.order;
    return {
      seq: this.fillSeq.n++, market: 0, symbol: this.symbol, bar: k, ts: f.fill.timestamp, tag: o.tag, orderId: o.id, side: o.side, type: o.type,
      price: f.fill.price, amount: f.fill.amount, fee: f.fill.fee?.cost ?? 0, liquidity: f.fill.takerOrMaker ?? 'taker',
      remaining: Math.max(0, o.amount - o.filled), lotId: f.openedLot ?? o.lotId ?? -1, pathLeg: 0,
    };
  }

  /** A strategy's recorded series value (e.g. anchorHigh); 'hold' also moves the bot between running and hold. */
  private record(name: string, value: number): void {
    const ts = this.frame.ts[this.ctx.i];
    this.store.bots.setState(this.botId, this.symbol, `series.${name}`, value, ts);
    if (name === 'hold') {
      const st = this.readStatus();
      if (value === 1 && st === 'running') this.store.bots.setStatus(this.botId, 'hold', 'runner', ts);
      else if (value === 0 && st === 'hold' && !this.d.risk?.holdsStatus()) this.store.bots.setStatus(this.botId, 'running', 'runner', ts);
    }
  }

  private readPosition(): PositionView {
    const lots = this.store.orders.openLotsFor(this.botId, this.symbol);
    if (lots.length === 0) return FLAT_POSITION;
    let size = 0, cost = 0;
    for (const l of lots) { size += l.remaining; cost += l.remaining * l.entryPrice; }
    return Object.freeze({ size, entryPrice: cost / size, entryBar: lowerBound(this.frame.ts, lots[0].openTs) });
  }

  /** Quote cash of the virtual wallet: budget − open cost + realised − fees. */
  private cash(): number {
    let c = this.d.bot.budget;
    for (const p of this.store.orders.positionsFor(this.botId)) c += p.realised - p.fees - p.openCost;
    return c;
  }

  /** The outbox of a decision: each intent with its tag, the order rows known then, and a cancel's target. */
  private outboxEntries(intents: readonly Intent[], ts: number): OutboxEntry[] {
    const afterId = (this.store.db.prepare('SELECT COALESCE(MAX(id), 0) AS m FROM orders WHERE bot_id = ?').get(this.botId) as { m: number }).m;
    let open: Map<string, string> | undefined;
    return intents.map((it, j) => {
      const tag = tagOf(it, ts, j);
      if (it.type !== 'cancel') return { intent: it, decidedTs: ts, tag, afterId };
      open ??= new Map(this.store.orders.unsettledOrders(this.botId).filter((o) => o.symbol === this.symbol).map((o) => [o.tag, o.clientId]));
      return { intent: it, decidedTs: ts, tag, afterId, target: open.get(it.tag) };
    });
  }

  /** True when an order for this outbox entry is already in the store (placed before a crash). */
  private alreadyPlaced(e: OutboxEntry): boolean {
    const r = e.afterId !== undefined
      ? this.store.db.prepare(`SELECT 1 FROM orders WHERE bot_id = ? AND symbol = ? AND tag = ? AND id > ?
        AND NOT (status = 'cancelled' AND filled = 0 AND reason = ?) LIMIT 1`).get(this.botId, this.symbol, e.tag, e.afterId, NOT_ON_VENUE)
      : this.store.db.prepare(`SELECT 1 FROM orders WHERE bot_id = ? AND symbol = ? AND tag = ? AND created_at >= ?
        AND NOT (status = 'cancelled' AND filled = 0 AND reason = ?) LIMIT 1`).get(this.botId, this.symbol, e.tag, e.decidedTs, NOT_ON_VENUE);
    return r !== undefined;
  }

  private async placeEntry(e: OutboxEntry, k: number): Promise<NewFill[]> {
    const it = e.intent;
    if (it.type === 'cancel') {
      // Cancels the order the tag named at the decision, if it is still open (a cancel done before a crash is not
      // repeated on a later order with the same tag).
      if (e.afterId !== undefined) {
        const o = this.store.orders.unsettledByTag(this.botId, this.symbol, it.tag);
        if (!o || o.clientId !== e.target) return [];
      }
      await this.d.path.cancel(this.symbol, it.tag);
      return [];
    }
    if (this.alreadyPlaced(e)) return [];
    const frame = this.frame;
    if (it.type === 'target') {
      if (this.positionDirty) { this.position = this.readPosition(); this.positionDirty = false; }
      const pos = this.position.size;
      const want = it.side === 'long' ? 1 : 0; // long-only: short means flat
      if (want === 0 && pos > 0) {
        const r = await this.d.path.place({ symbol: this.symbol, side: 'sell', type: 'market', amount: pos, tag: e.tag });
        if (r.kind === 'denied') this.onDenied(r.denial, k);
        this.positionDirty = true;
        return [...r.fills];
      }
      if (want === 1 && pos <= 0) {
        if (!mayPlace(this.status, 'buy')) return [];
        const s = this.d.settings;
        const cost = (s.fraction * this.cash()) / (1 + s.feeRate);
        if (!(cost > 0)) return [];
        let r;
        if (this.d.path.buyByCost) {
          r = await this.d.path.place({ symbol: this.symbol, side: 'buy', type: 'market', cost, tag: e.tag });
        } else {
          // Sized at the price of the moment: the open the venue fills at (replay), +/- slippage.
          const amount = cost / (frame.open[k] * (1 + s.slippageBps / 1e4));
          r = await this.d.path.place({ symbol: this.symbol, side: 'buy', type: 'market', amount, tag: e.tag });
        }
        if (r.kind === 'denied') this.onDenied(r.denial, k);
        this.positionDirty = true;
        return [...r.fills];
      }
      return [];
    }
    if (!mayPlace(this.status, it.side)) return [];
    const r = await this.d.path.place({
      symbol: this.symbol, side: it.side, type: it.type, amount: it.amount, price: it.type === 'limit' ? it.price : undefined, tag: e.tag, lot: it.lot ?? null,
    });
    if (r.kind === 'denied') this.onDenied(r.denial, k);
    this.positionDirty = true;
    return [...r.fills];
  }
}

/** The stored tag of an outbox entry: the strategy's tag (order intents), or the decision's bar and side (targets). */
function tagOf(it: Intent, ts: number, j: number): string {
  if (it.type === 'target') return `t${ts}:${it.side}`;
  return it.tag || `i${ts}:${j}`;
}
