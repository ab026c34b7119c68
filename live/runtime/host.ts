/**
 * The bot host: runs bots of one TRADELAB_HOME, each as its own async task (a failing bot is marked and alerted;
 * the others keep trading), auto-resumes every bot that was running, saves state on shutdown (an AbortSignal the
 * entry point wires to SIGINT/SIGTERM), and offers the kill switch per bot and for all bots.
 *
 * Venues: replay bots — signal and order strategies alike — run on the replay adapter of live/exchange and the
 * execution core's order manager (exec-replay.ts) over cached or file candles; the venue's writes are journaled in the
 * state store (venue_journal under TRADELAB_HOME), so a restarted process finds the venue as it was. Paper and live
 * bots need a venue factory (venues.ts); without one, starting them is a config error.
 */
import { join } from 'node:path';
import { TradelabError, usageError } from '../../engine/errors.ts';
import { lowerBound, type CandleFrame } from '../../engine/frame.ts';
// Direct module imports: data/index.ts also loads ccxt (seconds of start-up for every bot process).
import { loadCandles } from '../../data/load-candles.ts';
import type { GapPolicy } from '../../data/gaps.ts';
import type { StateStore } from '../state/store.ts';
import type { BotRow } from '../state/types.ts';
import { thisProcess, type BotCommand, type BotCommandKind } from '../state/bot-commands.ts';
import type { BotService, RunnerSettings } from '../bots/service.ts';
import { ACTIVE_STATUSES } from '../bots/lifecycle.ts';
import { BotRunner, type BarClock, type RunOutcome } from './bot-runner.ts';
import { fileLogger, type LogFn } from './logger.ts';
import type { OrderPath } from './order-path.ts';
import type { ExchangePort } from '../exchange/port.ts';
import { execReplay } from './exec-replay.ts';
import { MultiRunner } from './multi-runner.ts';
import { runFeedBot, runFeedBots, type FeedVenue } from './feed-runner.ts';
import { K_RISK_EFFECT, RiskSupervisor, rotationWarmupBars, type RiskEffectState } from './risk-supervisor.ts';
import { timeframeMs } from '../../engine/timeframe.ts';

export interface BotVenue {
  readonly venue: ExchangePort;
  readonly clock: BarClock;
  readonly frame: CandleFrame;
  /** A bot of several symbols (replay): one frame per symbol, in its symbol order, with the same timestamps. */
  readonly frames?: readonly CandleFrame[];
  readonly startIndex: number;
  /** The order path over the venue (the execution core's order manager: ExecOrderPath). */
  readonly path: OrderPath;
  /** When decided orders go out (see BotRunnerDeps.placeAt). */
  readonly placeAt?: 'close';
  /** Paper and live bots: a growing candle feed instead of fixed candles (venues.ts, feed-runner.ts). */
  readonly feed?: FeedVenue;
}

export type VenueFactory = (bot: BotRow, settings: RunnerSettings, host: BotHost) => Promise<BotVenue>;

export interface BotHostDeps {
  readonly home: string;
  /** Candle cache of `tradelab data` (replay bots without a file). */
  readonly cacheDir: string;
  readonly cwd: string;
  readonly now?: () => number;
  /** Venues for paper and live bots (and replay, to override the default). */
  readonly venues?: Partial<Record<BotRow['mode'], VenueFactory>>;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Called after every bar of every bot (tests). */
  readonly onStep?: (botId: string, k: number) => void;
  /** Fault injection for tests: called when a venue receives an order. */
  readonly onCreateOrder?: (botId: string) => void;
  /** How often a running bot's task looks for commands from other processes and beats its heartbeat (default 1000 ms, wall clock). */
  readonly commandPollMs?: number;
  /** How long a kill/stop sent to a bot running in another process may take before it is reported as unanswered (default 30 s). */
  readonly commandTimeoutMs?: number;
}

/** What the kill switch did for one bot. */
export interface KillResult {
  readonly botId: string;
  readonly cancelled: string[];
  readonly failed: { clientId: string; error: string }[];
}

/** A bot's task in this process: its own abort (a command ends it), its order path, the command that ends it. */
interface Task {
  readonly abort: AbortController;
  path?: OrderPath;
  /** A kill or stop claimed for this task: carried out when the runner has stopped, before the venue closes. */
  ending?: { readonly cmd: BotCommand; readonly cancel: boolean; readonly kill: boolean; done: boolean };
}

export interface BotTaskResult {
  readonly botId: string;
  readonly outcome?: RunOutcome;
  readonly error?: string;
}

export class BotHost {
  private readonly abort = new AbortController();
  readonly now: () => number;
  private readonly tasks = new Map<string, Task>();
  private poller: ReturnType<typeof setInterval> | undefined;
  /** In-process waiters of commands, by command id. */
  private readonly waiters = new Map<number, (c: BotCommand) => void>();

  constructor(readonly store: StateStore, readonly service: BotService, readonly deps: BotHostDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Ids of the bots whose task runs in this host now. */
  running(): string[] { return [...this.tasks.keys()]; }

  /** Asks every running bot to finish its current bar, save and return. */
  shutdown(): void { this.abort.abort(); }
  get signal(): AbortSignal { return this.abort.signal; }

  logger(botId: string): LogFn {
    return fileLogger(join(this.deps.home, 'logs', `${botId}.jsonl`), this.now);
  }

  /**
   * Default replay venue: the bot's candles (file or cache), the replay adapter with its writes journaled in the store
   * (rebuilt from the journal after a restart) and the order manager — for signal and order strategies alike.
   */
  async replayVenue(bot: BotRow, s: RunnerSettings): Promise<BotVenue> {
    const strategy = this.service.strategyOf(bot);
    const params = strategy.resolveParams(bot.params);
    // (a strategy the bot may rotate to needs its warm-up in the candles too)
    const warmupBars = Math.max(0, Math.ceil(strategy.warmup(params)), rotationWarmupBars(bot, (ref) => this.service.strategyOf({ ...bot, strategy: ref })));
    const files = s.data?.files ?? (s.data?.file !== undefined ? [s.data.file] : undefined);
    if (files && files.length !== bot.symbols.length) {
      throw usageError('REPLAY_DATA_PER_SYMBOL', `bot '${bot.id}' trades ${bot.symbols.length} symbols (${bot.symbols.join(', ')}) and has ${files.length} candle file(s): give one file per symbol in the same order (--data a.json,b.json), or none to use the candle cache`);
    }
    const gaps: GapPolicy = 'report';
    const loadedAll = await Promise.all(bot.symbols.map((symbol, j) => loadCandles(files
      ? { file: files[j], exchange: bot.exchange, symbol, timeframe: s.timeframe }
      : { cacheDir: this.deps.cacheDir, exchange: bot.exchange, symbol, timeframe: s.timeframe }, { from: s.data?.from, to: s.data?.to, warmupBars }, gaps)));
    const loaded = loadedAll[0];
    if (loaded.startIndex >= loaded.frame.length - 1) {
      throw usageError('NOT_ENOUGH_DATA', `bot '${bot.id}': only ${loaded.frame.length} candles in its range and ${warmupBars} are needed for warm-up; widen --from/--to or check the data's range`);
    }
    // Several symbols: one timeline, bar k of every market at the same time (the runner steps them together).
    for (let j = 1; j < loadedAll.length; j++) {
      const a = loaded.frame.ts, b = loadedAll[j].frame.ts;
      let k = 0;
      while (k < a.length && k < b.length && a[k] === b[k]) k++;
      if (k < a.length || k < b.length || loadedAll[j].startIndex !== loaded.startIndex) {
        const at = k < a.length ? a[k] : b[k];
        throw usageError('REPLAY_SYMBOLS_MISALIGNED', `bot '${bot.id}': the candles of ${bot.symbols[j]} and ${bot.symbols[0]} differ from ${new Date(at).toISOString()} on (${b.length} vs ${a.length} bars in the range): a bot of several symbols replays bars with the same times; pick a range both cover without gaps`);
      }
    }
    const frames = loadedAll.map((l, j) => ({ ...l.frame, symbol: bot.symbols[j] }));
    const botId = bot.id;
    const x = execReplay(this.store, bot, strategy.id, frames, loaded.startIndex, loaded.frame.length, {
      feeRate: s.feeRate, slippageBps: s.slippageBps, intrabarPath: s.intrabarPath, fillOn: s.fillOn, maxVolumeShare: s.maxVolumeShare,
    }, {
      journal: true, onCreate: this.deps.onCreateOrder ? () => this.deps.onCreateOrder?.(botId) : undefined,
    });
    return { venue: x.adapter, clock: x.clock, frame: frames[0], frames, startIndex: loaded.startIndex, path: x.path, placeAt: 'close' };
  }

  /** Whether bots of this mode can run here (replay always; paper and live need a venue factory). */
  hasVenue(mode: BotRow['mode']): boolean {
    return mode === 'replay' || this.deps.venues?.[mode] !== undefined;
  }

  /**
   * Runs one bot in the foreground of this task until its data ends, its running time ends, it is stopped (here, or
   * by a command from another process), or the host shuts down. A created/stopped bot is moved to running first.
   * Errors mark it emergency-stopped with an alert. Refused (BOT_ALREADY_RUNNING) when a live task runs it already.
   */
  async runBot(botId: string): Promise<RunOutcome> {
    const bot = this.service.get(botId);
    if (!this.hasVenue(bot.mode)) {
      throw new TradelabError('VENUE_UNAVAILABLE', 'config', `bot '${botId}' is a ${bot.mode} bot and this tradelab has no ${bot.mode} venue wired in (replay bots run here; paper and live bots need the exchange adapters of live/exchange)`);
    }
    if (bot.status !== 'created' && bot.status !== 'stopped' && !ACTIVE_STATUSES.includes(bot.status)) {
      throw usageError('BOT_NOT_RUNNABLE', `bot '${botId}' is ${bot.status}; resume it by hand (tradelab bot start ${botId} --resume) after checking why`);
    }
    if (this.tasks.has(botId)) throw new TradelabError('BOT_ALREADY_RUNNING', 'config', `bot '${botId}' is already running in this process`);
    // One task per bot across processes (bot_tasks): a second process refuses, a row left by a crash is taken over.
    this.store.commands.claimTask(botId);
    const task: Task = { abort: new AbortController() };
    const onHostAbort = (): void => task.abort.abort();
    this.abort.signal.addEventListener('abort', onHostAbort, { once: true });
    if (this.abort.signal.aborted) task.abort.abort();
    this.tasks.set(botId, task);
    this.startPoller();
    try {
      return await this.runTask(botId, bot, task);
    } finally {
      this.abort.signal.removeEventListener('abort', onHostAbort);
      this.tasks.delete(botId);
      this.store.commands.releaseTask(botId);
      if (this.tasks.size === 0) this.stopPoller();
    }
  }

  private async runTask(botId: string, bot: BotRow, task: Task): Promise<RunOutcome> {
    const settings = this.service.settings(botId);
    const factory = this.deps.venues?.[bot.mode] ?? (bot.mode === 'replay' ? (b: BotRow, s: RunnerSettings) => this.replayVenue(b, s) : undefined);
    if (!factory) throw new TradelabError('VENUE_UNAVAILABLE', 'config', `no ${bot.mode} venue for bot '${botId}'`);
    // The venue (and its candles) first: a bot that cannot run keeps its status.
    const v = await factory(bot, settings, this);
    task.path = v.path;
    if (bot.status === 'created' || bot.status === 'stopped') bot = this.service.transition(botId, 'running', 'runner');
    if (bot.runUntil === null && settings.runningMs !== null) {
      this.service.setRunUntil(botId, this.now() + settings.runningMs);
      bot = this.service.get(botId);
    }
    const log = this.logger(botId);
    const strategy = this.service.strategyOf(bot);
    const clock: BarClock = v.clock;
    const path = v.path;
    const feed = v.feed;
    const signal = task.abort.signal;
    // Risk effects and the consecutive-loss rotation: one supervisor per bot task, shared by its runners.
    const risk = new RiskSupervisor({
      store: this.store, bot, log, barMs: timeframeMs(settings.timeframe),
      transition: (to, reason) => { this.service.transition(botId, to, 'risk', reason); },
      resolve: (ref) => this.service.strategyOf({ ...bot, strategy: ref }),
    });
    const runner = feed ? {
      run: () => (bot.symbols.length > 1 ? runFeedBots : runFeedBot)({
        store: this.store, bot, strategy, settings, venue: feed, path, log, now: this.now, signal, risk,
        pause: (reason) => { this.service.transition(botId, 'paused', 'feed', reason); },
        onStep: this.deps.onStep ? (k) => this.deps.onStep?.(botId, k) : undefined,
        beforeClose: () => this.finishEnding(botId, task),
      }),
    } : bot.symbols.length > 1 ? new MultiRunner({
      store: this.store, bot, settings, timestamps: v.frame.ts, startIndex: v.startIndex, path, clock, log, signal, sleep: this.deps.sleep,
      frames: new Map(bot.symbols.map((sym, j) => [sym, (v.frames ?? [v.frame])[j]])),
      onStep: this.deps.onStep ? (k) => this.deps.onStep?.(botId, k) : undefined,
      // one strategy instance per symbol: its own cursor, outbox and state under bot_state market = the symbol
      runners: ((fillCounter) => bot.symbols.map((symbol, j) => new BotRunner({
        store: this.store, bot, strategy, settings, symbol, stateKey: symbol, frame: (v.frames ?? [v.frame])[j], startIndex: v.startIndex, path, clock, log, placeAt: v.placeAt,
        fillCounter, risk,
      })))({ n: 0 }),
    }) : new BotRunner({
      store: this.store, bot, strategy, settings, frame: v.frame, startIndex: v.startIndex, path, clock, log, placeAt: v.placeAt, risk,
      signal, sleep: this.deps.sleep, onStep: this.deps.onStep ? (k) => this.deps.onStep?.(botId, k) : undefined,
    });
    log({ event: 'start', bot: botId, mode: bot.mode, strategy: bot.strategy, symbols: bot.symbols });
    try {
      let out = await runner.run();
      await this.finishEnding(botId, task);
      if (task.ending && out.end === 'aborted') out = { ...out, end: 'stopped' };
      log({ event: 'end', bot: botId, end: out.end, lastBar: out.lastBar, steps: out.steps });
      if (out.end === 'end-of-data' || out.end === 'run-until') {
        const now = this.service.get(botId).status;
        if (now !== 'stopped' && now !== 'emergency-stopped') this.service.transition(botId, 'stopped', 'runner', out.end);
      }
      return out;
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      log({ event: 'error', bot: botId, message: msg });
      this.store.journal.raiseAlert({ botId, ts: this.now(), level: 'critical', code: 'BOT_FAILED', message: `bot '${botId}' stopped on an error: ${msg}` });
      const now = this.service.get(botId).status;
      if (now !== 'emergency-stopped' && now !== 'stopped') this.service.transition(botId, 'emergency-stopped', 'runner', msg);
      if (task.ending && !task.ending.done) this.completeCommand(task.ending.cmd, { error: `the bot's task failed: ${msg}` });
      throw e;
    }
  }

  // ---------- commands from other processes (bot_commands) ----------

  private startPoller(): void {
    if (this.poller) return;
    this.poller = setInterval(() => { this.pollCommands(); }, this.deps.commandPollMs ?? 1000);
    this.poller.unref?.();
  }

  private stopPoller(): void {
    if (this.poller) clearInterval(this.poller);
    this.poller = undefined;
  }

  /**
   * Every second (and when this process sends one itself): the heartbeat of each task here, and the commands other
   * processes wrote for its bots. pause: the status (the runner reads it before every bar and every order); stop and
   * kill: the status at once, then the task is ended (its runner returns after the current bar) and the orders are
   * cancelled through the task's own venue before it closes.
   */
  pollCommands(): void {
    const me = thisProcess().label;
    for (const [botId, task] of this.tasks) {
      try {
        this.store.commands.heartbeat(botId);
        for (const cmd of this.store.commands.pending(botId)) {
          if (!this.store.commands.take(cmd.id, me, this.now())) continue;
          this.handleCommand(botId, task, cmd);
        }
      } catch (e) {
        // a busy database (another writer) is tried again at the next poll
        this.logger(botId)({ event: 'commands.error', bot: botId, message: e instanceof Error ? e.message : String(e) });
      }
    }
  }

  private handleCommand(botId: string, task: Task, cmd: BotCommand): void {
    const reason = typeof cmd.args.reason === 'string' ? cmd.args.reason : cmd.command === 'kill' ? 'kill switch' : undefined;
    try {
      const st = this.service.get(botId).status;
      if (cmd.command === 'pause') {
        const row = st === 'paused' ? this.service.get(botId) : this.service.transition(botId, 'paused', cmd.actor, reason);
        this.completeCommand(cmd, { status: row.status });
        return;
      }
      if (task.ending) { this.completeCommand(cmd, { error: `bot '${botId}' is already ending (${task.ending.cmd.command})` }); return; }
      if (cmd.command === 'stop') {
        if (st !== 'stopped') this.service.transition(botId, 'stopped', cmd.actor, reason);
        task.ending = { cmd, cancel: cmd.args.orders === 'cancel', kill: false, done: false };
      } else {
        if (st !== 'emergency-stopped') this.service.transition(botId, 'emergency-stopped', cmd.actor, reason);
        task.ending = { cmd, cancel: true, kill: true, done: false };
      }
      task.abort.abort();
    } catch (e) {
      this.completeCommand(cmd, { error: e instanceof Error ? e.message : String(e) });
    }
  }

  /** After the runner of an ending task returned (before its venue closes): the kill's or stop's cancels, then the answer. */
  private async finishEnding(botId: string, task: Task): Promise<void> {
    const e = task.ending;
    if (!e || e.done) return;
    e.done = true;
    let result: KillResult = { botId, cancelled: [], failed: [] };
    if (e.cancel && task.path) {
      const r = await task.path.cancelAll();
      result = { botId, cancelled: r.cancelled, failed: r.failed };
    }
    if (e.kill) {
      const reason = typeof e.cmd.args.reason === 'string' ? e.cmd.args.reason : 'kill switch';
      this.store.journal.raiseAlert({ botId, ts: this.now(), level: 'critical', code: 'KILL_SWITCH', message: `${reason}: ${result.cancelled.length} orders cancelled, ${result.failed.length} failed; positions kept` });
    }
    this.completeCommand(e.cmd, result);
  }

  private completeCommand(cmd: BotCommand, result: unknown): void {
    this.store.commands.complete(cmd.id, result, this.now());
    const w = this.waiters.get(cmd.id);
    if (w) { this.waiters.delete(cmd.id); w(this.store.commands.get(cmd.id) as BotCommand); }
  }

  /**
   * Sends a command to the process running the bot (this one or another) and waits for its answer. Returns undefined
   * when no process runs the bot (the caller then acts itself).
   */
  private async sendCommand(botId: string, command: BotCommandKind, args: Record<string, unknown>, actor: string): Promise<BotCommand | undefined> {
    const local = this.tasks.get(botId);
    if (!local && !this.store.commands.liveTask(botId)) return undefined;
    const cmd = this.store.commands.enqueue(botId, command, args, actor, this.now());
    if (local) {
      const done = new Promise<BotCommand>((r) => this.waiters.set(cmd.id, r));
      this.pollCommands();
      return done;
    }
    const limit = this.deps.commandTimeoutMs ?? 30_000;
    const t0 = Date.now();
    for (;;) {
      await new Promise((r) => setTimeout(r, 50));
      const cur = this.store.commands.get(cmd.id) as BotCommand;
      if (cur.doneAt !== null) return cur;
      if (cur.takenAt === null && !this.store.commands.liveTask(botId)) {
        // the process running the bot ended before it read the command: nobody runs it now, act here
        if (this.store.commands.take(cmd.id, thisProcess().label, this.now())) {
          this.store.commands.complete(cmd.id, { error: 'no process ran the bot any more; done by the sender' }, this.now());
          return undefined;
        }
      }
      if (Date.now() - t0 > limit) {
        const task = this.store.commands.task(botId);
        throw new TradelabError('BOT_COMMAND_TIMEOUT', 'venue-unavailable', `bot '${botId}': the process running it (${task ? `pid ${task.pid} on ${task.host}` : 'gone'}) did not answer the ${command} command #${cmd.id} within ${Math.round(limit / 1000)} s; it stays queued and is carried out when that process reads it`);
      }
    }
  }

  private static answer(botId: string, cmd: BotCommand): KillResult {
    const r = (cmd.result ?? {}) as { cancelled?: string[]; failed?: { clientId: string; error: string }[]; error?: string };
    if (r.error) throw new TradelabError('BOT_COMMAND_FAILED', 'config', `bot '${botId}': ${cmd.command} failed in the process running it: ${r.error}`);
    return { botId, cancelled: r.cancelled ?? [], failed: r.failed ?? [] };
  }

  /** Runs several bots at once, each its own task; one failing never stops the others. */
  async runMany(ids: readonly string[]): Promise<BotTaskResult[]> {
    const settled = await Promise.allSettled(ids.map((id) => this.runBot(id)));
    return settled.map((r, j) => r.status === 'fulfilled'
      ? { botId: ids[j], outcome: r.value }
      : { botId: ids[j], error: r.reason instanceof Error ? r.reason.message : String(r.reason) });
  }

  /** Auto-resume: every bot whose status is running, hold or paused (it was running when the process ended). */
  async resumeAll(): Promise<BotTaskResult[]> {
    await this.settleRiskStops();
    const ids = this.service.list().filter((b) => ACTIVE_STATUSES.includes(b.status)).map((b) => b.id);
    return this.runMany(ids);
  }

  /**
   * A risk emergency stop whose cancels the process ending did not finish (bot_state `risk.effect` with cancelled
   * false): its resting orders are cancelled now, through a venue rebuilt for the purpose (never a sell). Returns the
   * bots settled. A failure is an alert; the bot stays emergency-stopped either way.
   */
  async settleRiskStops(): Promise<string[]> {
    const done: string[] = [];
    for (const b of this.service.list('emergency-stopped')) {
      const eff = this.store.bots.getState<RiskEffectState>(b.id, '', K_RISK_EFFECT);
      if (!eff || eff.effect !== 'emergency-stop' || eff.cancelled !== false || this.tasks.has(b.id) || this.store.commands.liveTask(b.id)) continue;
      try {
        const r = await (await this.orderPathFor(b.id)).cancelAll();
        this.store.bots.setState(b.id, '', K_RISK_EFFECT, { ...eff, cancelled: r.failed.length === 0 }, this.now());
        this.logger(b.id)({ event: 'risk.cancel-all', bot: b.id, cancelled: r.cancelled.length, failed: r.failed.length, after: 'restart' });
        done.push(b.id);
      } catch (e) {
        this.store.journal.raiseAlert({ botId: b.id, ts: this.now(), level: 'critical', code: 'CANCEL_ALL_INCOMPLETE', message: `risk emergency stop: the resting orders could not be cancelled after a restart: ${e instanceof Error ? e.message : String(e)}` });
      }
    }
    return done;
  }

  /** An order path for admin actions on a bot (kill switch, stop with --cancel-orders). */
  async orderPathFor(botId: string): Promise<OrderPath> {
    const bot = this.service.get(botId);
    const factory = this.deps.venues?.[bot.mode] ?? (bot.mode === 'replay' ? (b: BotRow, s: RunnerSettings) => this.replayVenue(b, s) : undefined);
    if (!factory) throw new TradelabError('VENUE_UNAVAILABLE', 'config', `no ${bot.mode} venue wired in to cancel the orders of bot '${botId}'`);
    const v = await factory(bot, this.service.settings(botId), this);
    if (bot.mode === 'replay') {
      // The rebuilt venue comes up to the bot's last decided bar (its fills there are in the store already).
      const cursor = this.store.bots.getState<number>(botId, stateKeyOf(bot, 0), 'cursor');
      if (cursor !== undefined) v.clock.setBar(lowerBound(v.frame.ts, cursor));
    }
    return v.path;
  }

  /**
   * Kill switch of one bot: cancel every resting order (never liquidate), then emergency-stopped. A bot running in this
   * process or another one (bot_tasks) is killed by its own task, through its own venue (a command in bot_commands);
   * otherwise here, through a venue rebuilt for the purpose.
   */
  async kill(botId: string, reason = 'kill switch', actor = 'kill'): Promise<KillResult> {
    const sent = await this.sendCommand(botId, 'kill', { reason }, actor);
    if (sent) return BotHost.answer(botId, sent);
    const path = await this.orderPathFor(botId);
    const bot = this.service.get(botId);
    // A bot that is not trading (created, stopped) stays stopped; a trading one is emergency-stopped.
    const target = bot.status === 'created' || bot.status === 'stopped' ? 'stopped' : 'emergency-stopped';
    if (bot.status !== target) this.service.transition(botId, target, actor, reason);
    const r = await path.cancelAll();
    this.store.journal.raiseAlert({ botId, ts: this.now(), level: 'critical', code: 'KILL_SWITCH', message: `${reason}: ${r.cancelled.length} orders cancelled, ${r.failed.length} failed; positions kept` });
    return { botId, ...r };
  }

  /** Global kill switch: every bot that has unsettled orders or is active. Each bot independently. */
  async killAll(reason = 'global kill switch', actor = 'kill'): Promise<KillResult[]> {
    const bots = this.service.list().filter((b) => ACTIVE_STATUSES.includes(b.status) || this.store.orders.unsettledOrders(b.id).length > 0);
    // every bot at once: a bot's task in another process answers within a poll, not one bot after the other
    const settled = await Promise.allSettled(bots.map((b) => this.kill(b.id, reason, actor)));
    return settled.map((r, j) => r.status === 'fulfilled' ? r.value
      : { botId: bots[j].id, cancelled: [], failed: [{ clientId: '*', error: r.reason instanceof Error ? r.reason.message : String(r.reason) }] });
  }

  /**
   * Stop a bot; with resting orders the caller must choose to cancel or keep them. A bot running here or in another
   * process is stopped by its own task (a command), which cancels through its own venue.
   */
  async stop(botId: string, orders: 'cancel' | 'keep' | undefined, actor = 'cli'): Promise<{ cancelled: string[] }> {
    const resting = this.store.orders.unsettledOrders(botId);
    if (resting.length > 0 && orders === undefined) {
      throw usageError('STOP_NEEDS_CHOICE', `bot '${botId}' has ${resting.length} resting orders; say --cancel-orders or --keep-orders`);
    }
    const sent = await this.sendCommand(botId, 'stop', { orders: orders ?? 'keep' }, actor);
    if (sent) return { cancelled: BotHost.answer(botId, sent).cancelled };
    this.service.transition(botId, 'stopped', actor);
    if (orders === 'cancel' && resting.length > 0) {
      const r = await (await this.orderPathFor(botId)).cancelAll();
      return { cancelled: r.cancelled };
    }
    return { cancelled: [] };
  }
}

/** The bot_state market of the runner of the bot's j-th symbol: '' for a bot of one symbol, else the symbol. */
export function stateKeyOf(bot: BotRow, j: number): string {
  return bot.symbols.length > 1 ? bot.symbols[j] : '';
}
