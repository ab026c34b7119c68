/**
 * Alerts the runtime raises in the journal (`store.journal.raiseAlert`, table `alerts`) become typed events by
 * their code, and a watcher polls the table for new rows and dispatches them. The runtime therefore needs no
 * reference to the dispatcher: it raises alerts with the codes below, and the server runs `watchJournalAlerts`.
 *
 * Loss limits are seen where the runtime records them: a risk denial (table `risk_denials`, written by the order
 * manager before any adapter call) of a loss-limit rule — drawdown, daily loss, weekly loss — is a `loss-limit` alert
 * (the dispatcher keeps one per bot in a burst: a limit denies every order until it clears).
 */
import type { StoredAlert } from '../state/types.ts';
import { prep, type StateDb } from '../state/db.ts';
import type { AlertDeliveryLog } from './delivery-log.ts';
import type { AlertDispatcher } from './dispatcher.ts';
import type { AlertEvent, AlertTrigger } from './types.ts';

/** Journal alert codes and the trigger each one is. Codes not listed stay in the journal and are not sent. */
export const ALERT_CODE_TRIGGERS: Readonly<Record<string, AlertTrigger>> = {
  KILL_SWITCH: 'kill-switch',
  KILL_ALL: 'kill-switch',
  CANCEL_ALL_INCOMPLETE: 'kill-switch',
  EMERGENCY_STOP: 'emergency-stop',
  RISK_EMERGENCY_STOP: 'emergency-stop',
  LOSS_LIMIT: 'loss-limit',
  DAILY_LOSS_LIMIT: 'loss-limit',
  WEEKLY_LOSS_LIMIT: 'loss-limit',
  DRAWDOWN_LIMIT: 'loss-limit',
  LOSS_STREAK_PAUSE: 'loss-streak-pause',
  LOSS_STREAK_ROTATION: 'loss-streak-rotation',
  RECONCILE_MISMATCH: 'reconcile-mismatch',
  RECONCILE_INCOMPLETE: 'reconcile-mismatch',
  RECONCILE_FOREIGN_ORDERS: 'reconcile-mismatch',
  STATE_INVARIANT: 'reconcile-mismatch',
  BOT_FAILED: 'bot-crash',
  BOT_CRASHED: 'bot-crash',
};

const num = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
const str = (v: unknown, fallback: string): string => (typeof v === 'string' && v !== '' ? v : fallback);

/** The typed event for a journal alert, or undefined when its code is not an alert trigger. */
export function eventFromStoredAlert(a: StoredAlert): AlertEvent | undefined {
  const trigger = ALERT_CODE_TRIGGERS[a.code];
  if (!trigger) return undefined;
  const d = a.details ?? {};
  const base = { botId: a.botId, ts: a.ts, severity: a.level, alertId: a.id, details: { code: a.code } };
  switch (trigger) {
    case 'kill-switch': return { ...base, trigger, reason: a.message };
    case 'emergency-stop': return { ...base, trigger, reason: a.message };
    case 'loss-limit': return { ...base, trigger, rule: str(d.rule, a.code.toLowerCase()), reason: a.message };
    case 'loss-streak-pause': return { ...base, trigger, consecutiveLosses: num(d.consecutiveLosses, 0), strategy: str(d.strategy, '?'), reason: a.message };
    case 'loss-streak-rotation': return { ...base, trigger, consecutiveLosses: num(d.consecutiveLosses, 0), from: str(d.from, '?'), to: str(d.to, '?') };
    case 'reconcile-mismatch': return { ...base, trigger, message: a.message };
    case 'bot-crash': return { ...base, trigger, error: a.message };
  }
}

/** Risk rules whose denial means a loss limit was hit. */
export const LOSS_LIMIT_RULES: readonly string[] = ['drawdown', 'daily-loss', 'weekly-loss'];

interface DenialRow { id: number; bot_id: string; ts: number; rule: string; effect: string; reason: string }

/** The `loss-limit` event of a risk denial, or undefined when its rule is not a loss limit. */
export function eventFromRiskDenial(d: { botId: string; ts: number; rule: string; effect: string; reason: string }): AlertEvent | undefined {
  if (!LOSS_LIMIT_RULES.includes(d.rule)) return undefined;
  return {
    trigger: 'loss-limit', botId: d.botId, ts: d.ts, severity: d.effect === 'emergency-stop' ? 'critical' : 'warning', rule: d.rule,
    reason: `${d.reason} (${d.effect})`, details: { code: 'RISK_DENIAL', effect: d.effect },
  };
}

interface AlertRow { id: number; bot_id: string | null; ts: number; level: StoredAlert['level']; code: string; message: string; details: string | null; acknowledged_at: number | null }

export interface JournalWatcherOptions {
  /** Poll period (default 1000 ms). */
  readonly intervalMs?: number;
  /**
   * Dispatch journal alerts with an id above this. Default: the last alert id in the delivery log (so a restart
   * sends what was raised while the server was down), else the newest alert now (old history is not re-sent).
   */
  readonly afterId?: number;
  /** Dispatch loss-limit risk denials with an id above this (default: the newest denial now). */
  readonly afterDenialId?: number;
  readonly log?: AlertDeliveryLog;
}

export interface JournalWatcher {
  /** Dispatches every new alert now; resolves with how many were dispatched. */
  poll(): Promise<number>;
  /** Stops polling and waits for a poll in progress. */
  stop(): Promise<void>;
  readonly cursor: number;
}

export function watchJournalAlerts(db: StateDb, dispatcher: AlertDispatcher, opts: JournalWatcherOptions = {}): JournalWatcher {
  let cursor = opts.afterId ?? opts.log?.lastAlertId() ?? (prep(db, 'SELECT MAX(id) AS id FROM alerts').get() as { id: number | null }).id ?? 0;
  let denialCursor = opts.afterDenialId ?? (prep(db, 'SELECT MAX(id) AS id FROM risk_denials').get() as { id: number | null }).id ?? 0;
  let running: Promise<number> | undefined;
  const pollOnce = async (): Promise<number> => {
    let n = 0;
    for (;;) {
      const rows = prep(db, 'SELECT id, bot_id, ts, rule, effect, reason FROM risk_denials WHERE id > ? ORDER BY id LIMIT 100').all(denialCursor) as DenialRow[];
      if (rows.length === 0) break;
      for (const r of rows) {
        denialCursor = r.id;
        const ev = eventFromRiskDenial({ botId: r.bot_id, ts: r.ts, rule: r.rule, effect: r.effect, reason: r.reason });
        if (ev) { await dispatcher.dispatch(ev); n++; }
      }
    }
    for (;;) {
      const rows = prep(db, 'SELECT * FROM alerts WHERE id > ? ORDER BY id LIMIT 100').all(cursor) as AlertRow[];
      if (rows.length === 0) return n;
      for (const r of rows) {
        cursor = r.id;
        const ev = eventFromStoredAlert({
          id: r.id, botId: r.bot_id, ts: r.ts, level: r.level, code: r.code, message: r.message,
          details: r.details === null ? null : (JSON.parse(r.details) as Record<string, unknown>), acknowledgedAt: r.acknowledged_at,
        });
        if (ev) { await dispatcher.dispatch(ev); n++; }
      }
    }
  };
  const poll = (): Promise<number> => {
    if (running) return running.then(() => poll());
    running = pollOnce().finally(() => { running = undefined; });
    return running;
  };
  const timer = setInterval(() => { if (!running) void poll().catch(() => {}); }, Math.max(10, opts.intervalMs ?? 1000));
  timer.unref();
  return {
    poll,
    async stop() {
      clearInterval(timer);
      if (running) await running.catch(() => {});
    },
    get cursor() { return cursor; },
  };
}
