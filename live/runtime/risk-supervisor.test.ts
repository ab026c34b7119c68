/**
 * The risk supervisor's effects on a bot's status, one denial at a time: the API error breaker's pause-orders (paused
 * until the cool-down ends, then running), an emergency stop carried out once and settled by one cancelAll, a person's
 * move ending the effect in force, and a volatility pause-entries (no end) left to the rule.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { riskDeny } from '../../engine/risk/index.ts';
import { openStateStore } from '../state/store.ts';
import { BotService } from '../bots/service.ts';
import { nullLogger } from './logger.ts';
import { K_EQUITY_SINCE, K_RISK_EFFECT, RiskSupervisor } from './risk-supervisor.ts';

const HOUR = 3_600_000;
const T0 = Date.parse('2024-03-04T10:00:00Z');
const homes: string[] = [];
afterEach(() => { for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true }); });

function setup() {
  const home = mkdtempSync(join(tmpdir(), 'tl-risk-sup-'));
  homes.push(home);
  const store = openStateStore(home);
  const service = new BotService(store, { liveTradingEnabled: false });
  service.create({ name: 'b', strategy: 'sma-cross', symbols: ['BTC/USDT'], exchange: 'binance', mode: 'replay', budget: 1000 });
  service.transition('b', 'running', 'cli');
  const sup = () => new RiskSupervisor({
    store, bot: service.get('b'), barMs: HOUR, log: nullLogger,
    transition: (to, reason) => { service.transition('b', to, 'risk', reason); }, resolve: (ref) => service.strategyOf({ ...service.get('b'), strategy: ref }),
  });
  return { store, service, sup };
}

describe('RiskSupervisor', () => {
  it('pause-orders: paused until the cool-down ends, then running again; a repeated denial does not trip it twice', () => {
    const { store, service, sup } = setup();
    const s = sup();
    const until = T0 + 3 * HOUR;
    const d = riskDeny('api-errors', 'more than 2 API errors within 60000 ms', 'pause-orders', until);
    s.onDenial(d, T0);
    s.onDenial(d, T0 + 1);
    expect(service.get('b').status).toBe('paused');
    const audit = store.journal.listAudit({ entityId: 'b' }).filter((a) => a.action === 'bot.paused');
    expect(audit.length).toBe(1);
    expect((audit[0].after as { reason: string }).reason).toBe('risk: api-errors: more than 2 API errors within 60000 ms; no new orders until 2024-03-04T13:00:00.000Z');
    s.atClose(T0 + HOUR); // closes at T0 + 2h: still paused
    expect(service.get('b').status).toBe('paused');
    s.atClose(T0 + 2 * HOUR); // closes at T0 + 3h = until
    expect(service.get('b').status).toBe('running');
    expect(store.bots.getState('b', '', K_RISK_EFFECT)).toBeUndefined();
  });

  it('emergency-stop: once, an alert, one cancelAll; a manual resume measures the drawdown from then on', async () => {
    const { store, service, sup } = setup();
    const s = sup();
    const d = riskDeny('drawdown', 'drawdown 100 quote (10 %) from the equity peak 1000 reached the limit of 10 %', 'emergency-stop');
    s.onDenial(d, T0);
    s.onDenial(d, T0 + 1);
    expect(service.get('b').status).toBe('emergency-stopped');
    expect(store.journal.listAlerts({ botId: 'b' }).map((a) => a.code)).toEqual(['RISK_EMERGENCY_STOP']);
    let calls = 0;
    const cancelAll = async () => { calls++; return { cancelled: ['x'], failed: [] }; };
    await s.settle(cancelAll);
    await s.settle(cancelAll);
    expect(calls).toBe(1);
    // a restarted supervisor owes nothing: the cancels were done
    await sup().settle(cancelAll);
    expect(calls).toBe(1);
    service.transition('b', 'running', 'cli', 'checked');
    sup().atClose(T0 + 5 * HOUR);
    expect(store.bots.getState('b', '', K_RISK_EFFECT)).toBeUndefined();
    expect(typeof store.bots.getState('b', '', K_EQUITY_SINCE)).toBe('number');
  });

  it('a person pausing the bot during a daily-loss hold ends the hold: the hold\'s end does not start it again', () => {
    const { service, sup } = setup();
    const s = sup();
    s.onDenial(riskDeny('daily-loss', 'realised loss 5 quote', 'pause-entries', T0 + 14 * HOUR), T0);
    expect(service.get('b').status).toBe('hold');
    service.transition('b', 'paused', 'cli');
    s.atClose(T0 + 20 * HOUR);
    expect(service.get('b').status).toBe('paused');
  });

  it('a daily-loss hold that ends while the grid holds for itself (series.hold = 1) leaves the bot in hold', () => {
    const { store, service, sup } = setup();
    const s = sup();
    s.onDenial(riskDeny('daily-loss', 'realised loss 5 quote', 'pause-entries', T0 + 14 * HOUR), T0);
    expect(s.holdsStatus()).toBe(true);
    store.bots.setState('b', 'BTC/USDT', 'series.hold', 1, T0);
    s.atClose(T0 + 13 * HOUR);
    expect(service.get('b').status).toBe('hold');
    expect(s.holdsStatus()).toBe(false);
    store.bots.setState('b', 'BTC/USDT', 'series.hold', 0, T0);
    s.onDenial(riskDeny('daily-loss', 'realised loss 6 quote', 'pause-entries', T0 + 38 * HOUR), T0 + 20 * HOUR);
    s.atClose(T0 + 37 * HOUR);
    expect(service.get('b').status).toBe('running');
  });

  it('volatility pause-entries has no end: the status stays, the rule decides order by order', () => {
    const { service, sup } = setup();
    sup().onDenial(riskDeny('volatility', 'BTC/USDT price deviates 9 %', 'pause-entries'), T0);
    expect(service.get('b').status).toBe('running');
  });
});
