import { beforeEach, describe, expect, it } from 'vitest';
import { isTradelabError } from '../../engine/errors.ts';
import { openMemoryStateStore, type StateStore } from './store.ts';

let store: StateStore;
beforeEach(() => { store = openMemoryStateStore(); });
const code = (f: () => unknown) => { try { f(); } catch (e) { return isTradelabError(e) ? e.code : String(e); } return 'no error'; };
const mk = (name: string, over: Record<string, unknown> = {}) =>
  store.bots.create({ name, strategy: 'sma-cross@1', params: { fast: 5 }, symbols: ['BTC/USDT'], exchange: 'binance', mode: 'paper', budget: 500, risk: { drawdown: { pct: 10 } }, ...over }, 'cli', 100);

describe('bots', () => {
  it('create, get, list, status changes audited with before and after', () => {
    const b = mk('alpha');
    expect(b).toMatchObject({ id: 'alpha', status: 'created', params: { fast: 5 }, symbols: ['BTC/USDT'], risk: { drawdown: { pct: 10 } }, runUntil: null, orderSeq: 0 });
    mk('beta', { id: 'b-2' });
    store.bots.setStatus('alpha', 'running', 'cli', 200);
    expect(store.bots.list({ status: 'running' }).map((x) => x.id)).toEqual(['alpha']);
    expect(store.bots.list().map((x) => x.id)).toEqual(['alpha', 'b-2']);
    const audit = store.journal.listAudit({ entityId: 'alpha' });
    expect(audit.map((a) => a.action)).toEqual(['bot.create', 'bot.status']);
    expect(audit[1]).toMatchObject({ actor: 'cli', ts: 200, before: { status: 'created' }, after: { status: 'running' } });
  });
  it('refuses duplicates, unknown bots, bad modes, statuses and budgets', () => {
    mk('alpha');
    expect(code(() => mk('alpha'))).toBe('BOT_EXISTS');
    expect(code(() => store.bots.require('alfa'))).toBe('BOT_NOT_FOUND');
    expect(code(() => mk('x', { mode: 'real' }))).toBe('BOT_MODE_INVALID');
    expect(code(() => mk('y', { budget: 0 }))).toBe('BOT_BUDGET_INVALID');
    expect(code(() => mk('bad name'))).toBe('BOT_ID_INVALID');
    expect(code(() => store.bots.setStatus('alpha', 'sleeping' as never, 'cli', 1))).toBe('BOT_STATUS_INVALID');
  });
  it('order sequence numbers never repeat', () => {
    mk('alpha');
    expect([1, 2, 3].map(() => store.bots.nextOrderSeq('alpha'))).toEqual([1, 2, 3]);
    expect(store.bots.get('alpha')!.orderSeq).toBe(3);
  });
  it('key/value state per bot and market', () => {
    mk('alpha');
    store.bots.setState('alpha', 'BTC/USDT', 'anchorHigh', 101.5, 1);
    store.bots.setState('alpha', 'BTC/USDT', 'anchorHigh', 102, 2);
    store.bots.setState('alpha', '', 'rotation', { current: 'a@1', rotations: 1 }, 2);
    expect(store.bots.getState('alpha', 'BTC/USDT', 'anchorHigh')).toBe(102);
    expect(store.bots.allState('alpha')).toEqual({ '': { rotation: { current: 'a@1', rotations: 1 } }, 'BTC/USDT': { anchorHigh: 102 } });
    store.bots.deleteState('alpha', 'BTC/USDT', 'anchorHigh');
    expect(store.bots.getState('alpha', 'BTC/USDT', 'anchorHigh')).toBeUndefined();
  });
});

describe('journal', () => {
  beforeEach(() => { mk('alpha'); });
  it('alerts, acknowledged once', () => {
    const id = store.journal.raiseAlert({ botId: 'alpha', ts: 5, level: 'critical', code: 'RISK_DRAWDOWN', message: 'drawdown 11 %', details: { pct: 11 } });
    store.journal.raiseAlert({ ts: 6, level: 'info', code: 'STARTED', message: 'process started' });
    expect(store.journal.listAlerts({ unacknowledged: true })).toHaveLength(2);
    expect(store.journal.acknowledgeAlert(id, 7)).toBe(true);
    expect(store.journal.acknowledgeAlert(id, 8)).toBe(false);
    expect(store.journal.listAlerts({ botId: 'alpha' })[0]).toMatchObject({ code: 'RISK_DRAWDOWN', details: { pct: 11 }, acknowledgedAt: 7 });
    expect(store.journal.listAlerts({ unacknowledged: true }).map((a) => a.code)).toEqual(['STARTED']);
  });
  it('rotations and risk denials', () => {
    store.journal.recordRotation({ botId: 'alpha', ts: 1, from: 'a@1', to: 'b@1', action: 'rotate', reason: '3 losses', consecutiveLosses: 3, rotation: 1 });
    store.journal.recordRotation({ botId: 'alpha', ts: 2, from: 'b@1', to: null, action: 'pause', reason: 'no rotations left', consecutiveLosses: 3, rotation: 1 });
    expect(store.journal.listRotations('alpha').map((r) => [r.action, r.to])).toEqual([['rotate', 'b@1'], ['pause', null]]);
    store.journal.recordRiskDenial({ botId: 'alpha', ts: 3, rule: 'wallet', effect: 'deny', reason: 'needs 101', intent: { symbol: 'BTC/USDT', side: 'buy', price: 101, amount: 1 } });
    store.journal.recordRiskDenial({ botId: 'alpha', ts: 9, rule: 'volatility', effect: 'pause-entries', reason: 'x', intent: {} });
    expect(store.journal.listRiskDenials('alpha', 5).map((d) => d.rule)).toEqual(['volatility']);
    expect(store.journal.listRiskDenials('alpha')[0].intent).toEqual({ symbol: 'BTC/USDT', side: 'buy', price: 101, amount: 1 });
  });
  it('config overrides: bot over global, every change audited', () => {
    store.journal.setOverride({ botId: '', key: 'risk.maxOpenOrders', value: 300, setBy: 'api', setAt: 1 });
    store.journal.setOverride({ botId: 'alpha', key: 'risk.maxOpenOrders', value: 50, setBy: 'api', setAt: 2 });
    store.journal.setOverride({ botId: '', key: 'reconcile.policy', value: 'import', setBy: 'api', setAt: 3 });
    expect(store.journal.overridesFor('alpha')).toEqual({ 'risk.maxOpenOrders': 50, 'reconcile.policy': 'import' });
    expect(store.journal.overridesFor('other')).toEqual({ 'risk.maxOpenOrders': 300, 'reconcile.policy': 'import' });
    expect(store.journal.clearOverride('alpha', 'risk.maxOpenOrders', 'api', 4)).toBe(true);
    expect(store.journal.clearOverride('alpha', 'risk.maxOpenOrders', 'api', 5)).toBe(false);
    expect(store.journal.overridesFor('alpha')['risk.maxOpenOrders']).toBe(300);
    const audit = store.journal.listAudit({ entity: 'bot', entityId: 'alpha' }).filter((a) => a.action.startsWith('config'));
    expect(audit.map((a) => [a.action, a.before, a.after])).toEqual([
      ['config.override', { 'risk.maxOpenOrders': null }, { 'risk.maxOpenOrders': 50 }],
      ['config.override.clear', { 'risk.maxOpenOrders': 50 }, null],
    ]);
  });
});
