/**
 * A paper or live bot on a growing candle feed (feed.ts): backfill the window, startup reconciliation (BotRunner
 * .startLive: every unsettled order settled by client id, orders decided at the last saved close and never placed
 * go out), then per closed bar: (paper) the bar is played into the simulated venue — orders entered at its open
 * fill there, exactly like the backtest's next-open fills — then the runner's decide path on the rolling window,
 * the decision's orders out at once through the order manager (placeAt 'close').
 *
 * - A bar at or before the saved cursor is never decided again (restart).
 * - A stale bar (its successor had closed too when it arrived: catching up) is not decided: its fills are applied
 *   and the cursor moves; a 'bar.stale' journal entry says so.
 * - A gap the feed cannot fill pauses the bot (status paused, a critical FEED_GAP alert) and ends the task.
 * - The status is read every bar: stopped / emergency-stopped end the task; paused and hold are the runner's.
 * - Graceful shutdown: the abort signal ends the feed between bars; the venue is closed.
 */
import type { AnyStrategy } from '../../engine/strategy.ts';
import { lowerBound, sliceFrame, type CandleFrame } from '../../engine/frame.ts';
import type { ExchangePort, Candle } from '../exchange/port.ts';
import type { StateStore } from '../state/store.ts';
import type { BotRow, BotStatus } from '../state/types.ts';
import type { RunnerSettings } from '../bots/service.ts';
import { BotRunner, type RunOutcome } from './bot-runner.ts';
import type { CandleFeed, FeedGap } from './feed.ts';
import type { LogFn } from './logger.ts';
import type { OrderPath } from './order-path.ts';
import { rotationWarmupBars, type RiskSupervisor } from './risk-supervisor.ts';

/** What a paper / live venue factory gives the host besides the order path. */
export interface FeedVenue {
  readonly port: ExchangePort;
  /** The candle feed of the bot's (first) symbol. */
  readonly feed: CandleFeed;
  /** A bot of several symbols: the feed of each (one strategy instance per symbol, one venue, one order path). */
  readonly feeds?: ReadonlyMap<string, CandleFeed>;
  /**
   * Paper: plays one closed bar into the simulated venue. The runner calls it inside its step (stepLive), so that the
   * bar's fills reach `onFill` inside the bar and its orders join the rest of the bar, as in the backtest.
   */
  readonly playCandle?: (c: Candle, symbol?: string) => void;
  /** Paper: a bar the venue must not match (before the first decision, or matched by the previous process's venue). */
  readonly seedCandle?: (c: Candle, symbol?: string) => void;
  readonly close: () => Promise<void>;
}

export interface FeedRunArgs {
  readonly store: StateStore;
  readonly bot: BotRow;
  readonly strategy: AnyStrategy;
  readonly settings: RunnerSettings;
  readonly venue: FeedVenue;
  readonly path: OrderPath;
  readonly log: LogFn;
  /** Moves the bot to paused (the host's BotService, audited). */
  readonly pause: (reason: string) => void;
  readonly now: () => number;
  readonly signal?: AbortSignal;
  /** After each decided or stale bar: its 0-based count in this task. */
  readonly onStep?: (k: number) => void;
  /** Called when the task ends, before the venue closes (the host's kill or stop commands cancel through it). */
  readonly beforeClose?: () => Promise<void>;
  /** A bot of several symbols runs one loop per symbol: this one's market (default the bot's first symbol). */
  readonly symbol?: string;
  /** bot_state market of this loop's cursor, outbox and strategy state (BotRunnerDeps.stateKey; default ''). */
  readonly stateKey?: string;
  /** false: reconciliation was done for the whole bot before the loops started. Default true. */
  readonly reconcile?: boolean;
  /** false: the caller closes the venue when every loop of the bot has ended. Default true. */
  readonly closeVenue?: boolean;
  /** The loops of a bot of several symbols share one fill counter (BotRunnerDeps.fillCounter). */
  readonly fillCounter?: { n: number };
  /** The bot's risk supervisor (shared by the loops of a bot of several symbols): denials' effects and the rotation. */
  readonly risk?: RiskSupervisor;
}

/**
 * A paper or live bot of several symbols: reconciliation once, then one feed loop per symbol (its own feed, runner and
 * strategy instance) over the shared venue and order path, concurrently. A gap in one market pauses the bot and ends
 * every loop; the venue closes when all have ended.
 */
export async function runFeedBots(a: FeedRunArgs): Promise<RunOutcome> {
  const symbols = a.bot.symbols;
  const all = new AbortController();
  const onAbort = (): void => all.abort();
  a.signal?.addEventListener('abort', onAbort, { once: true });
  if (a.signal?.aborted) all.abort();
  try {
    const rec = await a.path.reconcile(symbols);
    a.log({ event: 'reconcile', bot: a.bot.id, resolved: rec.resolved, cancelled: rec.cancelled, fills: rec.fillsApplied.length, violations: rec.violations });
    if (rec.violations.length) {
      a.store.journal.raiseAlert({ botId: a.bot.id, ts: a.now(), level: 'critical', code: 'STATE_INVARIANT', message: rec.violations.join('; ') });
    }
    let steps = 0;
    const fillCounter = { n: 0 };
    const outs = await Promise.allSettled(symbols.map((symbol) => runFeedBot({
      ...a, symbol, stateKey: symbol, reconcile: false, closeVenue: false, signal: all.signal, fillCounter,
      onStep: () => { a.onStep?.(steps++); },
      pause: (reason) => { a.pause(`${symbol}: ${reason}`); all.abort(); },
    }).finally(() => all.abort())));
    const failed = outs.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
    const res = outs.map((o) => (o as PromiseFulfilledResult<RunOutcome>).value);
    const end = res.find((r) => r.end === 'gap')?.end ?? (a.signal?.aborted ? 'aborted' : res.find((r) => r.end !== 'aborted')?.end ?? 'aborted');
    return { end, lastBar: steps - 1, steps };
  } finally {
    a.signal?.removeEventListener('abort', onAbort);
    try {
      await a.beforeClose?.();
    } finally {
      await a.venue.close().catch(() => undefined);
    }
  }
}

export async function runFeedBot(a: FeedRunArgs): Promise<RunOutcome> {
  const { store, bot, strategy, venue, log } = a;
  const botId = bot.id;
  const symbol = a.symbol ?? bot.symbols[0];
  const feed = venue.feeds?.get(symbol) ?? venue.feed;
  const readStatus = (): BotStatus => {
    const r = store.db.prepare('SELECT status FROM bots WHERE id = ?').get(botId) as { status: BotStatus } | undefined;
    return r ? r.status : 'stopped';
  };
  const onGap = (g: FeedGap, steps: number): RunOutcome => {
    log({ event: 'feed.gap', bot: botId, from: g.from, missing: g.missing.length, message: g.message });
    store.journal.raiseAlert({ botId, ts: a.now(), level: 'critical', code: 'FEED_GAP', message: `${g.message}; bot paused` });
    const st = readStatus();
    if (st === 'running' || st === 'hold') a.pause(g.message);
    return { end: 'gap', lastBar: steps - 1, steps };
  };
  try {
    const params = strategy.resolveParams(bot.params);
    const gap0 = await feed.backfill(Math.max(0, Math.ceil(strategy.warmup(params)), rotationWarmupBars(bot, (ref) => a.risk?.resolve(ref) ?? strategy)) + 1);
    if (gap0) return onGap(gap0, 0);
    const frame0 = feed.frame();
    log({ event: 'feed.backfill', bot: botId, bars: frame0.length, from: frame0.ts[0], to: frame0.ts[frame0.length - 1] });
    const runner = new BotRunner({
      store, bot, strategy, settings: a.settings, frame: frame0, startIndex: 0, path: a.path, clock: { setBar: () => {} },
      log, placeAt: 'close', signal: a.signal, symbol, stateKey: a.stateKey, fillCounter: a.fillCounter, risk: a.risk,
    });
    // the bot's other markets are marked at the newest close their own feeds have (one bar older while a feed lags)
    if (venue.feeds && venue.feeds.size > 1) runner.setPeerMarks((s) => venue.feeds?.get(s)?.lastClose ?? NaN);
    const candleAt = (f: CandleFrame, j: number): Candle => [f.ts[j], f.open[j], f.high[j], f.low[j], f.close[j], f.volume[j]];
    // The simulated venue's price of the moment (market orders of the outbox): the newest bar it must not match — a
    // fresh bot's last backfilled bar (nothing rests yet), or a restarted bot's last decided bar (the previous
    // process's venue matched it and every bar before).
    const saved = runner.savedCursor();
    const seedAt = saved === undefined ? frame0.length - 1 : lowerBound(frame0.ts, saved + 1) - 1;
    if (seedAt >= 0) venue.seedCandle?.(candleAt(frame0, seedAt), symbol);
    const playIn = venue.playCandle;
    const play = playIn && ((c: Candle) => playIn(c, symbol));
    const cursor = await runner.startLive(frame0, { reconcile: a.reconcile });
    let steps = 0;
    if (cursor !== undefined) {
      // Bars that closed while the bot was down: played (resting orders fill, fills applied), never decided.
      for (let j = seedAt + 1; j < frame0.length; j++) {
        const ts = frame0.ts[j];
        log({ event: 'bar.stale', bot: botId, ts, now: a.now() });
        store.journal.audit({ ts: a.now(), actor: 'runner', action: 'bar.stale', entity: 'bot', entityId: botId, after: { bar: ts } });
        const c = candleAt(frame0, j);
        await runner.stepLive(sliceFrame(frame0, 0, j + 1), false, play && (() => play(c)));
        a.onStep?.(steps);
        steps++;
      }
    }
    for await (const ev of feed.follow(a.signal)) {
      if (ev.kind === 'gap') return onGap(ev, steps);
      const ts = ev.candle[0];
      if (bot.runUntil !== null && ts >= bot.runUntil) return { end: 'run-until', lastBar: steps - 1, steps };
      const st = readStatus();
      if (st === 'stopped' || st === 'emergency-stopped') return { end: 'stopped', lastBar: steps - 1, steps };
      if (cursor !== undefined && ts <= cursor) { venue.seedCandle?.(ev.candle, symbol); continue; }
      if (ev.stale) {
        log({ event: 'bar.stale', bot: botId, ts, now: a.now() });
        store.journal.audit({ ts: a.now(), actor: 'runner', action: 'bar.stale', entity: 'bot', entityId: botId, after: { bar: ts } });
      }
      const c = ev.candle;
      await runner.stepLive(ev.frame, !ev.stale, play && (() => play(c)));
      a.onStep?.(steps);
      steps++;
    }
    return { end: a.signal?.aborted ? 'aborted' : 'stopped', lastBar: steps - 1, steps };
  } finally {
    if (a.closeVenue !== false) {
      try {
        await a.beforeClose?.();
      } finally {
        await venue.close().catch(() => undefined);
      }
    }
  }
}
