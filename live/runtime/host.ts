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
import type { BotService, RunnerSettings } from '../bots/service.ts';
import { ACTIVE_STATUSES } from '../bots/lifecycle.ts';
import { BotRunner, type BarClock, type RunOutcome } from './bot-runner.ts';
import { fileLogger, type LogFn } from './logger.ts';
import type { OrderPath } from './order-path.ts';
import type { ExchangePort } from '../exchange/port.ts';
import { execReplay } from './exec-replay.ts';
import { runFeedBot, type FeedVenue } from './feed-runner.ts';

export interface BotVenue {
  readonly venue: ExchangePort;
  readonly clock: BarClock;
  readonly frame: CandleFrame;
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
}

export interface BotTaskResult {
  readonly botId: string;
  readonly outcome?: RunOutcome;
  readonly error?: string;
}

export class BotHost {
  private readonly abort = new AbortController();
  readonly now: () => number;

  constructor(readonly store: StateStore, readonly service: BotService, readonly deps: BotHostDeps) {
    this.now = deps.now ?? Date.now;
  }

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
    const warmupBars = Math.max(0, Math.ceil(strategy.warmup(params)));
    const symbol = bot.symbols[0];
    const source = s.data?.file
      ? { file: s.data.file, exchange: bot.exchange, symbol, timeframe: s.timeframe }
      : { cacheDir: this.deps.cacheDir, exchange: bot.exchange, symbol, timeframe: s.timeframe };
    const gaps: GapPolicy = 'report';
    const loaded = await loadCandles(source, { from: s.data?.from, to: s.data?.to, warmupBars }, gaps);
    if (loaded.startIndex >= loaded.frame.length - 1) {
      throw usageError('NOT_ENOUGH_DATA', `bot '${bot.id}': only ${loaded.frame.length} candles in its range and ${warmupBars} are needed for warm-up; widen --from/--to or check the data's range`);
    }
    const botId = bot.id;
    const x = execReplay(this.store, bot, strategy.id, { ...loaded.frame, symbol }, loaded.startIndex, loaded.frame.length, { feeRate: s.feeRate, slippageBps: s.slippageBps }, {
      journal: true, onCreate: this.deps.onCreateOrder ? () => this.deps.onCreateOrder?.(botId) : undefined,
    });
    return { venue: x.adapter, clock: x.clock, frame: loaded.frame, startIndex: loaded.startIndex, path: x.path, placeAt: 'close' };
  }

  /**
   * Runs one bot in the foreground of this task until its data ends, its running time ends, it is stopped, or the
   * host shuts down. A created/stopped bot is moved to running first. Errors mark it emergency-stopped with an alert.
   */
  /** Whether bots of this mode can run here (replay always; paper and live need a venue factory). */
  hasVenue(mode: BotRow['mode']): boolean {
    return mode === 'replay' || this.deps.venues?.[mode] !== undefined;
  }

  async runBot(botId: string): Promise<RunOutcome> {
    let bot = this.service.get(botId);
    if (!this.hasVenue(bot.mode)) {
      throw new TradelabError('VENUE_UNAVAILABLE', 'config', `bot '${botId}' is a ${bot.mode} bot and this tradelab has no ${bot.mode} venue wired in (replay bots run here; paper and live bots need the exchange adapters of live/exchange)`);
    }
    if (bot.status !== 'created' && bot.status !== 'stopped' && !ACTIVE_STATUSES.includes(bot.status)) {
      throw usageError('BOT_NOT_RUNNABLE', `bot '${botId}' is ${bot.status}; resume it by hand (tradelab bot start ${botId} --resume) after checking why`);
    }
    const settings = this.service.settings(botId);
    const factory = this.deps.venues?.[bot.mode] ?? (bot.mode === 'replay' ? (b: BotRow, s: RunnerSettings) => this.replayVenue(b, s) : undefined);
    if (!factory) throw new TradelabError('VENUE_UNAVAILABLE', 'config', `no ${bot.mode} venue for bot '${botId}'`);
    // The venue (and its candles) first: a bot that cannot run keeps its status.
    const v = await factory(bot, settings, this);
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
    const runner = feed ? {
      run: () => runFeedBot({
        store: this.store, bot, strategy, settings, venue: feed, path, log, now: this.now, signal: this.abort.signal,
        pause: (reason) => { this.service.transition(botId, 'paused', 'feed', reason); },
        onStep: this.deps.onStep ? (k) => this.deps.onStep?.(botId, k) : undefined,
      }),
    } : new BotRunner({
      store: this.store, bot, strategy, settings, frame: v.frame, startIndex: v.startIndex, path, clock, log, placeAt: v.placeAt,
      signal: this.abort.signal, sleep: this.deps.sleep, onStep: this.deps.onStep ? (k) => this.deps.onStep?.(botId, k) : undefined,
    });
    log({ event: 'start', bot: botId, mode: bot.mode, strategy: bot.strategy, symbols: bot.symbols });
    try {
      const out = await runner.run();
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
      throw e;
    }
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
    const ids = this.service.list().filter((b) => ACTIVE_STATUSES.includes(b.status)).map((b) => b.id);
    return this.runMany(ids);
  }

  /** An order path for admin actions on a bot (kill switch, stop with --cancel-orders). */
  async orderPathFor(botId: string): Promise<OrderPath> {
    const bot = this.service.get(botId);
    const factory = this.deps.venues?.[bot.mode] ?? (bot.mode === 'replay' ? (b: BotRow, s: RunnerSettings) => this.replayVenue(b, s) : undefined);
    if (!factory) throw new TradelabError('VENUE_UNAVAILABLE', 'config', `no ${bot.mode} venue wired in to cancel the orders of bot '${botId}'`);
    const v = await factory(bot, this.service.settings(botId), this);
    if (bot.mode === 'replay') {
      // The rebuilt venue comes up to the bot's last decided bar (its fills there are in the store already).
      const cursor = this.store.bots.getState<number>(botId, '', 'cursor');
      if (cursor !== undefined) v.clock.setBar(lowerBound(v.frame.ts, cursor));
    }
    return v.path;
  }

  /** Kill switch of one bot: cancel every resting order (never liquidate), then emergency-stopped. */
  async kill(botId: string, reason = 'kill switch'): Promise<{ botId: string; cancelled: string[]; failed: { clientId: string; error: string }[] }> {
    const path = await this.orderPathFor(botId);
    const bot = this.service.get(botId);
    // A bot that is not trading (created, stopped) stays stopped; a trading one is emergency-stopped.
    const target = bot.status === 'created' || bot.status === 'stopped' ? 'stopped' : 'emergency-stopped';
    if (bot.status !== target) this.service.transition(botId, target, 'kill', reason);
    const r = await path.cancelAll();
    this.store.journal.raiseAlert({ botId, ts: this.now(), level: 'critical', code: 'KILL_SWITCH', message: `${reason}: ${r.cancelled.length} orders cancelled, ${r.failed.length} failed; positions kept` });
    return { botId, ...r };
  }

  /** Global kill switch: every bot that has unsettled orders or is active. Each bot independently. */
  async killAll(reason = 'global kill switch'): Promise<{ botId: string; cancelled: string[]; failed: { clientId: string; error: string }[] }[]> {
    const out = [];
    for (const b of this.service.list()) {
      if (!ACTIVE_STATUSES.includes(b.status) && this.store.orders.unsettledOrders(b.id).length === 0) continue;
      try {
        out.push(await this.kill(b.id, reason));
      } catch (e) {
        out.push({ botId: b.id, cancelled: [], failed: [{ clientId: '*', error: e instanceof Error ? e.message : String(e) }] });
      }
    }
    return out;
  }

  /** Stop a bot; with resting orders the caller must choose to cancel or keep them. */
  async stop(botId: string, orders: 'cancel' | 'keep' | undefined): Promise<{ cancelled: string[] }> {
    const resting = this.store.orders.unsettledOrders(botId);
    if (resting.length > 0 && orders === undefined) {
      throw usageError('STOP_NEEDS_CHOICE', `bot '${botId}' has ${resting.length} resting orders; say --cancel-orders or --keep-orders`);
    }
    this.service.transition(botId, 'stopped');
    if (orders === 'cancel' && resting.length > 0) {
      const r = await (await this.orderPathFor(botId)).cancelAll();
      return { cancelled: r.cancelled };
    }
    return { cancelled: [] };
  }
}
