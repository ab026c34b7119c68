/**
 * The bot-level side of the risk rules (docs/risk.md "In the runtime"): what a denial's effect does to the bot, and
 * the consecutive-loss rotation. One per bot task, shared by the runners of a bot of several symbols; the same in
 * replay, paper and live (the runner calls it at each bar's close and after every denied order).
 *
 * Effects of a denial (the order itself is refused and recorded by the order manager before any adapter call):
 *  - emergency-stop (drawdown): the bot becomes emergency-stopped (lifecycle transition, audited with the reason),
 *    a critical RISK_EMERGENCY_STOP alert is raised, and every resting order is cancelled — never a sell: positions
 *    are kept. Manual resume only; the drawdown is then measured from the resume on (bot_state `risk.equitySince`).
 *  - pause-entries with an end (daily / weekly loss: the next UTC day / ISO week): running → hold (sells only) until
 *    that time, then back to running. Without an end (volatility) the denial stays per order: the rule is checked
 *    again on the next entry.
 *  - pause-orders (API error breaker): running / hold → paused until the cool-down ends, then back to running.
 *  - deny: nothing more.
 * A trip is carried out once: the effect in force is kept in bot_state (`risk.effect`); a person moving the bot
 * (resume, pause, stop) clears it.
 *
 * Rotation (engine/risk/rotation.ts, bot risk setting `rotation`): at each bar's close the lots closed since the last
 * look (lot_closes, in order) are fed to `onTradeClosed`, net of fees. rotate: a strategy_rotations row, a
 * LOSS_STREAK_ROTATION alert, every resting order cancelled, and the runners swap their strategy instance before they
 * decide (a fresh strategy state); pause: a row, paused with the reason, a LOSS_STREAK_PAUSE alert. The state lives in
 * bot_state (`rotation`), written in the bar's transaction. A manual resume (running again after the pause) resets it
 * (`resumeRotation`, a 'resume' row).
 */
import { initialRotationState, onTradeClosed, resumeRotation, type RiskConfig, type RiskDenial, type RotationSettings, type RotationState } from '../../engine/risk/index.ts';
import type { AnyStrategy } from '../../engine/strategy.ts';
import { prep } from '../state/db.ts';
import type { StateStore } from '../state/store.ts';
import type { BotRow, BotStatus } from '../state/types.ts';
import type { LogFn } from './logger.ts';

export const K_RISK_EFFECT = 'risk.effect';
export const K_ROTATION = 'rotation';
export const K_EQUITY_SINCE = 'risk.equitySince';

/** A denial's effect in force (bot_state `risk.effect`). */
export interface RiskEffectState {
  readonly rule: string;
  readonly effect: RiskDenial['effect'];
  /** The status the effect put the bot in. */
  readonly status: BotStatus;
  /** When it ends by itself (epoch ms); absent: manual resume. */
  readonly until?: number;
  readonly reason: string;
  readonly ts: number;
  /** emergency-stop: the resting orders were cancelled. */
  readonly cancelled?: boolean;
}

/** Bot state `rotation`: the state machine, the last lot_closes row seen, and a cancel still owed by a rotation. */
export interface StoredRotationState {
  readonly state: RotationState;
  readonly cursor: number;
  readonly pendingCancel: boolean;
}

export interface RiskSupervisorDeps {
  readonly store: StateStore;
  readonly bot: BotRow;
  /** A lifecycle transition of the bot, audited with the reason (the host's BotService.transition, actor 'risk'). */
  readonly transition: (to: BotStatus, reason: string) => void;
  /** Resolves a strategy reference ('id' or 'id@version') as the bot's own is resolved. */
  readonly resolve: (ref: string) => AnyStrategy;
  /** Bar length (ms): a bar's decision is at its open time + barMs (its close). */
  readonly barMs: number;
  readonly log: LogFn;
}

interface Choice { readonly strategy: AnyStrategy; readonly params: Readonly<Record<string, unknown>> }

/** The label of a rotation candidate: its `id@version`, with its params when it has any. */
export function candidateLabel(strategy: AnyStrategy, params: Readonly<Record<string, unknown>> | undefined): string {
  return params && Object.keys(params).length > 0 ? `${strategy.ref} ${JSON.stringify(params)}` : strategy.ref;
}

/**
 * The longest warm-up (bars) among the bot's rotation candidates (0 without a rotation): a bot's candles (replay) or
 * feed window (paper, live) cover it too, so that a strategy rotated to decides on warm indicators.
 */
export function rotationWarmupBars(bot: BotRow, resolve: (ref: string) => AnyStrategy): number {
  let w = 0;
  for (const c of (bot.risk as RiskConfig).rotation?.candidates ?? []) {
    const s = resolve(c.strategy);
    w = Math.max(w, Math.ceil(s.warmup(s.resolveParams(c.params ?? {}))));
  }
  return w;
}

/** Cancels every resting order of the bot (never sells). */
export type CancelAll = () => Promise<{ cancelled: string[]; failed: { clientId: string; error: string }[] }>;

export class RiskSupervisor {
  private readonly store: StateStore;
  private readonly botId: string;
  private readonly rotation: RotationSettings | undefined;
  private readonly choices = new Map<string, Choice>();
  private readonly candidates: string[] = [];
  private readonly snapshots: boolean;
  private readonly marks: Record<string, number> = {};
  /** Bumped at each rotation: a runner whose generation differs swaps its strategy before deciding. */
  generation = 0;
  private lastCloseTs = -Infinity;
  private killOwed = false;

  constructor(private readonly d: RiskSupervisorDeps) {
    this.store = d.store;
    this.botId = d.bot.id;
    const risk = d.bot.risk as RiskConfig;
    this.rotation = risk.rotation;
    this.snapshots = risk.drawdown !== undefined;
    const own = d.resolve(d.bot.strategy);
    this.choices.set(own.ref, { strategy: own, params: d.bot.params });
    for (const c of this.rotation?.candidates ?? []) {
      const s = d.resolve(c.strategy);
      s.resolveParams(c.params ?? {}); // validated again here: a candidate that no longer resolves is a usage error
      const label = candidateLabel(s, c.params);
      if (!this.choices.has(label)) this.choices.set(label, { strategy: s, params: c.params ?? {} });
      this.candidates.push(label);
    }
    this.noticeManualMoves(this.closeTsNow());
    const eff = this.effect();
    this.killOwed = eff?.effect === 'emergency-stop' && eff.cancelled !== true;
  }

  /** Resolves a strategy reference as the bot's own is resolved. */
  resolve(ref: string): AnyStrategy { return this.d.resolve(ref); }

  /** The strategy in use and its params: the rotation's current one, else the bot's own. */
  current(): Choice & { readonly label: string } {
    const label = this.rotationState()?.state.current ?? this.d.resolve(this.d.bot.strategy).ref;
    const c = this.choices.get(label);
    if (!c) {
      // the bot's settings no longer name it (edited): back to the bot's own strategy
      const own = this.d.resolve(this.d.bot.strategy);
      return { label: own.ref, strategy: own, params: this.d.bot.params };
    }
    return { label, ...c };
  }

  /** The market's price at the bar's close (equity snapshots for the drawdown limit). */
  mark(symbol: string, price: number): void {
    if (Number.isFinite(price)) this.marks[symbol] = price;
  }

  /** True while a risk effect holds the bot in hold (a strategy's own 'hold' series must not release it). */
  holdsStatus(): boolean {
    const e = this.effect();
    return e !== undefined && e.status === 'hold';
  }

  /**
   * At the close of the bar opened at `barTs`, before any decision (inside the bar's transaction on a simulated
   * venue). Once per bar for the bot, whichever runner calls first: manual moves noticed, timed effects ended, an
   * equity snapshot (drawdown limit), closed trades fed to the rotation.
   */
  atClose(barTs: number): void {
    const ts = barTs + this.d.barMs;
    if (ts <= this.lastCloseTs) return;
    this.lastCloseTs = ts;
    this.noticeManualMoves(ts);
    const eff = this.effect();
    if (eff && eff.until !== undefined && ts >= eff.until && this.status() === eff.status) {
      this.store.bots.deleteState(this.botId, '', K_RISK_EFFECT);
      // a hold the strategy asked for itself (a grid's capital cap: series.hold = 1) outlives the risk hold
      if (!(eff.status === 'hold' && this.strategyHolds())) this.d.transition('running', `risk: ${eff.rule} ${eff.effect} ended at ${new Date(eff.until).toISOString()}`);
      this.d.log({ event: 'risk.effect.end', bot: this.botId, rule: eff.rule, effect: eff.effect, until: eff.until });
    }
    if (this.snapshots) {
      this.store.orders.snapshotPnl(this.botId, this.d.bot.budget, ts, this.marks);
    }
    if (this.rotation) this.feedRotation(ts);
  }

  /** A denied order's effect (after the order manager recorded the denial). Synchronous; cancels are owed to `settle`. */
  onDenial(d: RiskDenial, ts: number): void {
    if (d.effect === 'deny') return;
    const st = this.status();
    if (d.effect === 'emergency-stop') {
      if (st === 'emergency-stopped' || st === 'stopped' || st === 'created') return;
      const reason = `risk: ${d.rule}: ${d.reason}`;
      this.store.db.transaction(() => {
        this.setEffect({ rule: d.rule, effect: d.effect, status: 'emergency-stopped', reason: d.reason, ts, cancelled: false });
        this.d.transition('emergency-stopped', reason);
        this.store.journal.raiseAlert({ botId: this.botId, ts, level: 'critical', code: 'RISK_EMERGENCY_STOP', message: `${reason}; resting orders cancelled, positions kept; manual resume only`, details: { rule: d.rule } });
      }).immediate();
      this.killOwed = true;
      this.d.log({ event: 'risk.emergency-stop', bot: this.botId, rule: d.rule, reason: d.reason });
      return;
    }
    if (d.until === undefined) return; // lasts as long as the condition: the rule is checked again on every order
    if (this.effect() !== undefined) return; // already in force
    const to: BotStatus | undefined = d.effect === 'pause-entries'
      ? (st === 'running' || st === 'hold' ? 'hold' : undefined)
      : (st === 'running' || st === 'hold' ? 'paused' : undefined);
    if (!to) return;
    const until = new Date(d.until).toISOString();
    this.store.db.transaction(() => {
      this.setEffect({ rule: d.rule, effect: d.effect, status: to, until: d.until, reason: d.reason, ts });
      if (st !== to) this.d.transition(to, `risk: ${d.rule}: ${d.reason}; ${d.effect === 'pause-entries' ? 'no new entries' : 'no new orders'} until ${until}`);
    }).immediate();
    this.d.log({ event: 'risk.effect', bot: this.botId, rule: d.rule, effect: d.effect, until: d.until });
  }

  /** Cancels owed by an emergency stop or a rotation (never a sell). Called after each bar and at startup. */
  async settle(cancelAll: CancelAll): Promise<void> {
    const rot = this.rotationState();
    if (!this.killOwed && !rot?.pendingCancel) return;
    const r = await cancelAll();
    const ts = this.lastCloseTs === -Infinity ? this.closeTsNow() : this.lastCloseTs;
    this.d.log({ event: 'risk.cancel-all', bot: this.botId, cancelled: r.cancelled.length, failed: r.failed.length });
    if (this.killOwed) {
      const eff = this.effect();
      if (eff) this.setEffect({ ...eff, cancelled: r.failed.length === 0 });
      this.killOwed = false; // (cancels that failed every round are alerts of their own: CANCEL_FAILED, CANCEL_ALL_INCOMPLETE)
    }
    if (rot?.pendingCancel) this.store.bots.setState(this.botId, '', K_ROTATION, { ...rot, pendingCancel: false }, ts);
  }

  // ---------- internals ----------

  private status(): BotStatus {
    const r = prep(this.store.db, 'SELECT status FROM bots WHERE id = ?').get(this.botId) as { status: BotStatus } | undefined;
    return r ? r.status : 'stopped';
  }

  private strategyHolds(): boolean {
    return prep(this.store.db, "SELECT 1 FROM bot_state WHERE bot_id = ? AND key = 'series.hold' AND CAST(value AS REAL) = 1 LIMIT 1").get(this.botId) !== undefined;
  }

  private effect(): RiskEffectState | undefined {
    return this.store.bots.getState<RiskEffectState>(this.botId, '', K_RISK_EFFECT);
  }

  private setEffect(e: RiskEffectState): void {
    this.store.bots.setState(this.botId, '', K_RISK_EFFECT, e, e.ts);
  }

  private rotationState(): StoredRotationState | undefined {
    return this.rotation ? this.store.bots.getState<StoredRotationState>(this.botId, '', K_ROTATION) : undefined;
  }

  /** Close time of the newest bar decided (or the bot's last update): the clock of a startup check. */
  private closeTsNow(): number {
    const r = prep(this.store.db, "SELECT MAX(CAST(value AS REAL)) AS v FROM bot_state WHERE bot_id = ? AND key = 'cursor'").get(this.botId) as { v: number | null };
    return r.v !== null ? r.v + this.d.barMs : this.d.bot.updatedAt;
  }

  /**
   * A person moved the bot since the effect or the pause was set: the effect is over. Back to running from an
   * emergency stop: the drawdown is measured from now on. Running again after a rotation pause: the rotation resets.
   */
  private noticeManualMoves(ts: number): void {
    const st = this.status();
    const eff = this.effect();
    if (eff && st !== eff.status) {
      this.store.bots.deleteState(this.botId, '', K_RISK_EFFECT);
      if (eff.effect === 'emergency-stop' && (st === 'running' || st === 'hold')) this.store.bots.setState(this.botId, '', K_EQUITY_SINCE, ts, ts);
      this.d.log({ event: 'risk.effect.cleared', bot: this.botId, rule: eff.rule, effect: eff.effect, status: st });
    }
    const rot = this.rotationState();
    if (rot?.state.paused && (st === 'running' || st === 'hold')) {
      const next = resumeRotation(rot.state);
      this.store.db.transaction(() => {
        this.store.bots.setState(this.botId, '', K_ROTATION, { ...rot, state: next }, ts);
        this.store.journal.recordRotation({ botId: this.botId, ts, from: rot.state.current, to: null, action: 'resume', reason: 'manual resume: streak, rotations and abandoned strategies cleared', consecutiveLosses: rot.state.consecutiveLosses, rotation: rot.state.rotations });
      }).immediate();
    }
  }

  /** Lots closed since the last look, in close order, through the rotation state machine. */
  private feedRotation(ts: number): void {
    const cfg = this.rotation as RotationSettings;
    const saved = this.rotationState();
    let rot: StoredRotationState = saved ?? { state: initialRotationState(this.current().label), cursor: 0, pendingCancel: false };
    const rows = prep(this.store.db, `SELECT l.id AS id, l.realised - l.sell_fees - l.buy_fee AS pnl, MAX(c.id) AS cid FROM lot_closes c JOIN lots l ON l.id = c.lot_id
      WHERE c.bot_id = ? AND c.id > ? AND l.status = 'closed' GROUP BY l.id ORDER BY cid`).all(this.botId, rot.cursor) as { id: number; pnl: number; cid: number }[];
    const max = (prep(this.store.db, 'SELECT COALESCE(MAX(id), 0) AS m FROM lot_closes WHERE bot_id = ?').get(this.botId) as { m: number }).m;
    if (rows.length === 0 && saved && max === rot.cursor) return;
    let state = rot.state;
    let rotated = false;
    for (const r of rows) {
      const losses = r.pnl < 0 ? state.consecutiveLosses + 1 : r.pnl > 0 ? 0 : state.consecutiveLosses;
      const dec = onTradeClosed(state, { pnl: r.pnl }, this.candidates, cfg);
      if (dec.action === 'rotate') {
        this.store.journal.recordRotation({ botId: this.botId, ts, from: dec.from, to: dec.to, action: 'rotate', reason: dec.reason, consecutiveLosses: losses, rotation: dec.next.rotations });
        this.store.journal.raiseAlert({ botId: this.botId, ts, level: 'info', code: 'LOSS_STREAK_ROTATION', message: `${dec.reason}: rotated from ${dec.from} to ${dec.to} (rotation ${dec.next.rotations} of ${cfg.maxRotations}); resting orders cancelled`, details: { consecutiveLosses: losses, from: dec.from, to: dec.to } });
        this.d.log({ event: 'risk.rotate', bot: this.botId, from: dec.from, to: dec.to, reason: dec.reason });
        rotated = true;
      } else if (dec.action === 'pause') {
        this.store.journal.recordRotation({ botId: this.botId, ts, from: state.current, to: null, action: 'pause', reason: dec.reason, consecutiveLosses: losses, rotation: dec.next.rotations });
        const st = this.status();
        if (st === 'running' || st === 'hold') this.d.transition('paused', `risk: loss streak: ${dec.reason}`);
        this.store.journal.raiseAlert({ botId: this.botId, ts, level: 'warning', code: 'LOSS_STREAK_PAUSE', message: `${dec.reason}: bot paused; resume it by hand`, details: { consecutiveLosses: losses, strategy: state.current } });
        this.d.log({ event: 'risk.loss-streak-pause', bot: this.botId, strategy: state.current, reason: dec.reason });
      }
      state = dec.next;
    }
    rot = { state, cursor: max, pendingCancel: rot.pendingCancel || rotated };
    this.store.bots.setState(this.botId, '', K_ROTATION, rot, ts);
    if (rotated) this.generation++;
  }
}
