import { afterEach, describe, expect, it } from 'vitest';
import { openMemoryStateStore, type StateStore } from '../state/index.ts';
import { AlertDeliveryLog } from './delivery-log.ts';
import { AlertDispatcher } from './dispatcher.ts';
import { ALERT_CODE_TRIGGERS, eventFromStoredAlert, LOSS_LIMIT_RULES, watchJournalAlerts } from './journal-source.ts';
import type { AlertChannel, RenderedAlert } from './types.ts';

const T0 = Date.UTC(2026, 10, 21, 6, 0, 0);
let st: StateStore | undefined;
afterEach(() => { st?.close(); st = undefined; });

function setup() {
  st = openMemoryStateStore();
  st.bots.create({ name: 'b1', strategy: 'sma-cross@1', symbols: ['BTC/USDT'], exchange: 'binance', mode: 'paper', budget: 1000 }, 'test', T0);
  const got: RenderedAlert[] = [];
  const ch: AlertChannel = { name: 'toast', recipient: 'bus', send: async (a) => { got.push(a); } };
  const log = new AlertDeliveryLog(st.db);
  const dispatcher = new AlertDispatcher({ channels: [{ channel: ch, filter: { enabled: true, triggers: [], minSeverity: 'info' } }], log, dedupWindowMs: 0 });
  return { store: st, got, log, dispatcher };
}

describe('journal alerts', () => {
  it('maps the runtime codes to triggers, carrying severity, id and the details it knows', () => {
    expect(ALERT_CODE_TRIGGERS.KILL_SWITCH).toBe('kill-switch');
    expect(ALERT_CODE_TRIGGERS.BOT_FAILED).toBe('bot-crash');
    expect(ALERT_CODE_TRIGGERS.RECONCILE_INCOMPLETE).toBe('reconcile-mismatch');
    const e = eventFromStoredAlert({ id: 4, botId: 'b1', ts: T0, level: 'warning', code: 'LOSS_STREAK_ROTATION', message: 'rotated', details: { consecutiveLosses: 4, from: 'a@1', to: 'b@1' }, acknowledgedAt: null });
    expect(e).toEqual({ trigger: 'loss-streak-rotation', botId: 'b1', ts: T0, severity: 'warning', alertId: 4, details: { code: 'LOSS_STREAK_ROTATION' }, consecutiveLosses: 4, from: 'a@1', to: 'b@1' });
    expect(eventFromStoredAlert({ id: 5, botId: null, ts: T0, level: 'info', code: 'INTENT_UNKNOWN_TAG', message: 'x', details: null, acknowledgedAt: null })).toBeUndefined();
  });

  it('the watcher dispatches new trigger alerts once, skips other codes and old history, and resumes after a restart', async () => {
    const { store, got, log, dispatcher } = setup();
    store.journal.raiseAlert({ botId: 'b1', ts: T0, level: 'critical', code: 'BOT_FAILED', message: 'old, before the server started' });
    const w = watchJournalAlerts(store.db, dispatcher, { intervalMs: 60_000, log });
    expect(await w.poll()).toBe(0);
    const id = store.journal.raiseAlert({ botId: 'b1', ts: T0 + 1, level: 'critical', code: 'KILL_SWITCH', message: 'kill switch: 2 orders cancelled' });
    store.journal.raiseAlert({ botId: 'b1', ts: T0 + 2, level: 'warning', code: 'INTENT_UNKNOWN_TAG', message: 'not an alert trigger' });
    store.journal.raiseAlert({ botId: null, ts: T0 + 3, level: 'critical', code: 'RECONCILE_INCOMPLETE', message: 'reconciliation of b1: not complete' });
    expect(await w.poll()).toBe(2);
    expect(await w.poll()).toBe(0);
    expect(got.map((a) => [a.trigger, a.botId, a.alertId, a.summary])).toEqual([
      ['kill-switch', 'b1', id, 'Kill switch on bot b1: kill switch: 2 orders cancelled'],
      ['reconcile-mismatch', null, id + 2, 'Reconciliation mismatch on all bots: reconciliation of b1: not complete'],
    ]);
    expect(log.lastAlertId()).toBe(id + 2);
    await w.stop();
    const late = store.journal.raiseAlert({ botId: 'b1', ts: T0 + 4, level: 'critical', code: 'BOT_FAILED', message: 'raised while the server was down' });
    const w2 = watchJournalAlerts(store.db, dispatcher, { intervalMs: 60_000, log });
    expect(w2.cursor).toBe(id + 2);
    expect(await w2.poll()).toBe(1);
    expect(got.at(-1)!.alertId).toBe(late);
    await w2.stop();
  });

  it('polls on its own interval', async () => {
    const { store, got, dispatcher } = setup();
    const w = watchJournalAlerts(store.db, dispatcher, { intervalMs: 20 });
    store.journal.raiseAlert({ botId: 'b1', ts: T0, level: 'critical', code: 'EMERGENCY_STOP', message: 'drawdown 31% > 30%' });
    for (let i = 0; i < 100 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await w.stop();
    expect(got.map((a) => a.trigger)).toEqual(['emergency-stop']);
  });
  it('a loss limit hit (the order manager\'s risk denial of drawdown, daily or weekly loss) is a loss-limit alert; other denials are not', async () => {
    const { store, got, log, dispatcher } = setup();
    const intent = { symbol: 'BTC/USDT', side: 'buy', type: 'market', price: 100, amount: 1, tag: 't', feeRate: 0.001 };
    store.journal.recordRiskDenial({ botId: 'b1', ts: T0, rule: 'daily-loss', effect: 'pause-entries', reason: 'old, before the server started', intent });
    const w = watchJournalAlerts(store.db, dispatcher, { intervalMs: 60_000, log });
    expect(await w.poll()).toBe(0);
    store.journal.recordRiskDenial({ botId: 'b1', ts: T0 + 1, rule: 'wallet', effect: 'deny', reason: 'not enough quote', intent });
    store.journal.recordRiskDenial({ botId: 'b1', ts: T0 + 2, rule: 'daily-loss', effect: 'pause-entries', reason: 'realised loss 55 quote in UTC day 2026-11-21 reached the limit of 50 quote', intent });
    store.journal.recordRiskDenial({ botId: 'b1', ts: T0 + 3, rule: 'drawdown', effect: 'emergency-stop', reason: 'drawdown 310 quote (31 %) from the equity peak 1000 reached the limit of 30 %', intent });
    expect(await w.poll()).toBe(2);
    expect(got.map((a) => [a.trigger, a.botId, a.severity])).toEqual([['loss-limit', 'b1', 'warning'], ['loss-limit', 'b1', 'critical']]);
    expect(got[0].text).toContain('reached the limit of 50 quote');
    expect(got[1].text).toContain('emergency-stop');
    expect(log.list().filter((d) => d.trigger === 'loss-limit' && d.status === 'sent')).toHaveLength(2);
    expect(LOSS_LIMIT_RULES).toEqual(['drawdown', 'daily-loss', 'weekly-loss']);
    await w.stop();
  });
});
