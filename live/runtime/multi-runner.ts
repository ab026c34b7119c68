/**
 * A replay bot of several symbols: one BotRunner (one strategy instance, its own cursor, outbox and strategy state
 * under bot_state market = its symbol) per symbol, over ONE venue (the bot's virtual wallet, shared by its markets)
 * and ONE order path (the order manager: the bot's risk caps and budget across markets).
 *
 * Each bar k, in one transaction: every runner begins bar k, the venue plays bar k of every market in the bot's symbol
 * order (fills reach the runner of their market inside the bar, its onFill orders join the rest of that market's
 * bar), then every runner decides at the close and saves; then each runner's decided orders go out. This is the
 * order backtest's "markets in input order within one timestamp", and a crash leaves a bar wholly done for every
 * market or not at all. Startup: catch-up of the venue to the last decided bar, one reconciliation, the saved outboxes.
 */
import { usageError } from '../../engine/errors.ts';
import { lowerBound, type CandleFrame } from '../../engine/frame.ts';
import type { StateStore } from '../state/store.ts';
import type { BotRow } from '../state/types.ts';
import type { RunnerSettings } from '../bots/service.ts';
import type { BarClock, BotRunner, OutboxEntry, RunOutcome } from './bot-runner.ts';
import type { LogFn } from './logger.ts';
import type { OrderPath } from './order-path.ts';

export interface MultiRunnerDeps {
  readonly store: StateStore;
  readonly bot: BotRow;
  readonly settings: RunnerSettings;
  /** One per symbol, in the bot's symbol order, over frames with the same timestamps. */
  readonly runners: readonly BotRunner[];
  readonly timestamps: Float64Array;
  /** The candles of every symbol (positions of the other markets are marked as the backtest marks them). */
  readonly frames: ReadonlyMap<string, CandleFrame>;
  readonly startIndex: number;
  readonly endIndex?: number;
  readonly path: OrderPath;
  readonly clock: BarClock;
  readonly log: LogFn;
  readonly signal?: AbortSignal;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly onStep?: (k: number) => void;
}

export class MultiRunner {
  constructor(private readonly d: MultiRunnerDeps) {
    if (d.runners.length < 2) throw usageError('MULTI_RUNNER_ONE_SYMBOL', 'a multi-symbol runner needs two runners or more');
  }

  async run(): Promise<RunOutcome> {
    const { runners: rs, store, bot, timestamps: ts } = this.d;
    const end = this.d.endIndex ?? ts.length;
    const start = this.d.startIndex;
    if (start >= end) throw usageError('NOT_ENOUGH_DATA', `bot '${bot.id}': ${end} bars and ${start} are needed for warm-up; load more candles`);
    for (const r of rs) r.prepare();
    for (const r of rs) r.setPeers(this.d.frames);
    const saved = rs[0].savedCursor();
    if (saved !== undefined) {
      for (const r of rs) r.catchUp = true;
      try { this.d.clock.setBar(lowerBound(ts, saved)); } finally { for (const r of rs) r.catchUp = false; }
    }
    const rec = await this.d.path.reconcile(bot.symbols);
    this.d.log({ event: 'reconcile', bot: bot.id, resolved: rec.resolved, cancelled: rec.cancelled, fills: rec.fillsApplied.length, violations: rec.violations });
    if (rec.violations.length) {
      store.journal.raiseAlert({ botId: bot.id, ts: ts[start], level: 'critical', code: 'STATE_INVARIANT', message: rec.violations.join('; ') });
    }
    for (const r of rs) r.assertResumable();
    let k = start;
    if (saved !== undefined) {
      const k0 = lowerBound(ts, saved);
      for (const r of rs) { r.refreshStatus(); await r.resumeOutbox(k0); }
      k = Math.max(start, k0 + 1);
    }
    let steps = 0;
    const barMs = ts.length > 1 ? ts[1] - ts[0] : 0;
    for (; k < end; k++) {
      if (this.d.signal?.aborted) return { end: 'aborted', lastBar: k - 1, steps };
      if (bot.runUntil !== null && ts[k] >= bot.runUntil) return { end: 'run-until', lastBar: k - 1, steps };
      let status = rs[0].refreshStatus();
      for (let j = 1; j < rs.length; j++) status = rs[j].refreshStatus();
      if (status === 'stopped' || status === 'emergency-stopped') return { end: 'stopped', lastBar: k - 1, steps };
      let entries: OutboxEntry[][] = [];
      store.db.transaction(() => {
        for (const r of rs) r.beginBar(k);
        this.d.clock.setBar(k);
        entries = rs.map((r) => r.finishBar(k, end));
      }).immediate();
      // each runner's orders go out, then each syncs its own market's late fills
      for (let j = 0; j < rs.length; j++) await rs[j].afterBar(k, entries[j], true);
      steps++;
      this.d.onStep?.(k);
      const speed = this.d.settings.speed;
      if (this.d.sleep && speed !== undefined && speed !== 'max') await this.d.sleep(barMs / speed);
      else if ((steps & 31) === 0) await new Promise<void>((r) => setImmediate(r));
    }
    return { end: 'end-of-data', lastBar: end - 1, steps };
  }
}
