/**
 * The runtime carries out a risk denial's effect and the consecutive-loss rotation (risk-supervisor.ts), on replay bots
 * over real candles: a drawdown limit emergency-stops the bot (orders cancelled, nothing sold, an alert), a daily loss
 * limit holds entries until the next UTC day, a losing streak rotates the strategy once and then pauses the bot, and a
 * restart in the middle keeps the rotation where it was.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sharedFile, BTC_1H, ETH_1H } from '../../test-support/shared-data.ts';
import { openStateStore } from '../state/store.ts';
import { BotService, type CreateBotInput } from '../bots/service.ts';
import { BotHost } from './host.ts';
import { K_RISK_EFFECT, K_ROTATION, type RiskEffectState, type StoredRotationState } from './risk-supervisor.ts';
import { loadCandles } from '../../data/load-candles.ts';
import { openMemoryStateStore } from '../state/store.ts';
import type { Candle } from '../exchange/port.ts';
import { liveVenues } from './venues.ts';
import { scriptedBinance } from './testing/feed-exchange.ts';

const FILE = sharedFile(BTC_1H);
const FROM = Date.parse('2021-01-01T00:00:00Z');
const DAY = 86_400_000;
const homes: string[] = [];
afterEach(() => { for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true }); });

function setup(onStep?: (host: BotHost, botId: string, k: number) => void) {
  const home = mkdtempSync(join(tmpdir(), 'tl-risk-fx-'));
  homes.push(home);
  const store = openStateStore(home);
  const service = new BotService(store, { liveTradingEnabled: false });
  const mk = (): BotHost => {
    const host: BotHost = new BotHost(store, service, { home, cacheDir: join(home, 'cache'), cwd: home, onStep: onStep && ((id, k) => onStep(host, id, k)) });
    return host;
  };
  return { home, store, service, host: mk(), mk };
}

const bot = (name: string, days: number, over: Partial<CreateBotInput>): CreateBotInput => ({
  name, strategy: 'grid', params: {}, symbols: ['BTC/USDT'], exchange: 'binance', mode: 'replay', budget: 10_000,
  settings: { timeframe: '1h', speed: 'max', data: { file: FILE, from: FROM, to: FROM + days * DAY } }, ...over,
});

const ROTATION = { maxConsecutiveLosses: 2, maxRotations: 1, candidates: [{ strategy: 'sma-cross', params: { fast: 5, slow: 20 } }] };
const rotating = (name: string): CreateBotInput => bot(name, 30, { strategy: 'sma-cross', params: { fast: 3, slow: 8 }, risk: { rotation: ROTATION } });
const rows = (store: ReturnType<typeof openStateStore>, id: string) => store.journal.listRotations(id).map(({ id: _i, botId: _b, ...r }) => r);
const fills = (store: ReturnType<typeof openStateStore>, id: string) => store.orders.fillsFor(id).map((f) => [f.ts, f.side, f.price, f.amount]);

describe('risk effects in the runtime', () => {
  it('a drawdown limit that trips emergency-stops a grid bot: resting orders cancelled, nothing sold, an alert; a looser one leaves it trading', async () => {
    const { store, service, host } = setup();
    service.create(bot('tight', 30, { risk: { drawdown: { pct: 3 } } }));
    service.create(bot('loose', 30, { risk: { drawdown: { pct: 50 } } }));
    const out = await host.runBot('tight');
    expect(out.end).toBe('stopped');
    expect(store.bots.require('tight').status).toBe('emergency-stopped');
    const denials = store.journal.listRiskDenials('tight');
    expect(denials.map((d) => [d.rule, d.effect])).toEqual([['drawdown', 'emergency-stop']]); // once per trip
    const trip = denials[0].ts;
    const alerts = store.journal.listAlerts({ botId: 'tight' });
    expect(alerts.map((a) => [a.code, a.level])).toEqual([['RISK_EMERGENCY_STOP', 'critical']]);
    expect(alerts[0].message).toMatch(/drawdown .* reached the limit of 3 %/);
    const audit = store.journal.listAudit({ entityId: 'tight' });
    expect(audit.find((a) => a.action === 'bot.emergency-stopped')?.after).toMatchObject({ reason: expect.stringMatching(/^risk: drawdown: /) });
    expect(audit.find((a) => a.action === 'orders.cancel-all')?.after).toMatchObject({ stillOpen: 0 });
    // kill semantics: every resting order cancelled, no order placed and nothing filled after the trip, lots kept
    const orders = store.orders.ordersFor('tight');
    expect(store.orders.unsettledOrders('tight')).toEqual([]);
    expect(orders.filter((o) => o.status === 'cancelled' && o.updatedAt >= trip).length).toBeGreaterThan(0);
    expect(orders.filter((o) => o.createdAt > trip)).toEqual([]);
    expect(store.orders.fillsFor('tight').filter((f) => f.ts > trip)).toEqual([]);
    expect(store.orders.openLotsFor('tight').length).toBeGreaterThan(0);
    expect(store.checkInvariants('tight')).toEqual([]);
    // the bot stays stopped: the host refuses to run it until a person resumes it
    await expect(host.runBot('tight')).rejects.toThrow(/emergency-stopped; resume it by hand/);

    expect((await host.runBot('loose')).end).toBe('end-of-data');
    expect(store.journal.listRiskDenials('loose')).toEqual([]);
    expect(store.journal.listAlerts({ botId: 'loose' })).toEqual([]);
    expect(store.journal.listAudit({ entityId: 'loose' }).some((a) => a.action === 'bot.emergency-stopped')).toBe(false);
    expect(store.orders.fillsFor('loose').filter((f) => f.ts > trip).length).toBeGreaterThan(0);
  }, 120_000);

  it('a daily loss limit holds entries (status hold: sells only) until the next UTC day, once per trip', async () => {
    const { store, service, host } = setup();
    service.create(bot('daily', 60, { strategy: 'sma-cross', params: { fast: 3, slow: 8 }, risk: { dailyLoss: { abs: 1 } } }));
    await host.runBot('daily');
    const denials = store.journal.listRiskDenials('daily');
    expect(denials.length).toBeGreaterThan(1);
    expect(denials.every((d) => d.rule === 'daily-loss' && d.effect === 'pause-entries')).toBe(true);
    // one trip per UTC day at most: the hold blocks further entries that day
    const days = denials.map((d) => Math.floor(d.ts / DAY));
    expect(new Set(days).size).toBe(days.length);
    const audit = store.journal.listAudit({ entityId: 'daily' });
    const holds = audit.filter((a) => a.action === 'bot.hold');
    const ends = audit.filter((a) => a.action === 'bot.running' && /ended at/.test(String((a.after as { reason?: string }).reason)));
    expect(holds.length).toBe(denials.length);
    expect((holds[0].after as { reason: string }).reason).toMatch(/^risk: daily-loss: .*no new entries until \d{4}-\d\d-\d\dT00:00:00.000Z$/);
    expect(ends.length).toBeGreaterThanOrEqual(denials.length - 1);
    for (const e of ends) expect((e.after as { reason: string }).reason).toMatch(/T00:00:00.000Z$/);
    // after each trip, no buy fills until the next UTC day; sells (exits) went on
    const fl = store.orders.fillsFor('daily');
    for (const d of denials) {
      const nextDay = (Math.floor(d.ts / DAY) + 1) * DAY;
      expect(fl.filter((f) => f.side === 'buy' && f.ts > d.ts && f.ts < nextDay)).toEqual([]);
    }
    expect(store.checkInvariants('daily')).toEqual([]);
  }, 120_000);

  it('a losing streak rotates the strategy once (rotations row, alert, new strategy in use), then pauses the bot with an alert; a manual resume resets it', async () => {
    let resumed = false;
    const { home, store, service, host } = setup((h, id, _k) => {
      // a person resumes the bot the bar after the rotation paused it
      if (id === 'resumed' && !resumed && h.store.bots.require(id).status === 'paused') { resumed = true; h.service.transition(id, 'running', 'cli'); }
    });
    service.create(rotating('rot'));
    expect((await host.runBot('rot')).end).toBe('end-of-data');
    const r = rows(store, 'rot');
    expect(r.map((x) => [x.action, x.from, x.to, x.consecutiveLosses, x.rotation])).toEqual([
      ['rotate', 'sma-cross@1.0.0', 'sma-cross@1.0.0 {"fast":5,"slow":20}', 2, 1],
      ['pause', 'sma-cross@1.0.0 {"fast":5,"slow":20}', null, 2, 1],
    ]);
    expect(r[1].reason).toMatch(/1 of 1 rotations used/);
    const alerts = store.journal.listAlerts({ botId: 'rot' });
    expect(alerts.map((a) => a.code)).toEqual(['LOSS_STREAK_ROTATION', 'LOSS_STREAK_PAUSE']);
    expect(alerts[0].details).toEqual({ consecutiveLosses: 2, from: 'sma-cross@1.0.0', to: 'sma-cross@1.0.0 {"fast":5,"slow":20}' });
    expect(alerts[1].details).toEqual({ consecutiveLosses: 2, strategy: 'sma-cross@1.0.0 {"fast":5,"slow":20}' });
    const paused = store.journal.listAudit({ entityId: 'rot' }).find((a) => a.action === 'bot.paused');
    expect((paused?.after as { reason: string }).reason).toMatch(/^risk: loss streak: 2 losing trades in a row/);
    // the rotated-to strategy was put in use, and the paused bot placed no order after the pause
    const log = readFileSync(join(home, 'logs', 'rot.jsonl'), 'utf8');
    expect(log).toMatch(/"event":"strategy.swap".*"strategy":"sma-cross@1.0.0 \{\\"fast\\":5,\\"slow\\":20\}"/);
    expect(store.orders.ordersFor('rot').filter((o) => o.createdAt > r[1].ts)).toEqual([]);
    const st = store.bots.getState<StoredRotationState>('rot', '', K_ROTATION);
    expect(st?.state).toMatchObject({ current: 'sma-cross@1.0.0 {"fast":5,"slow":20}', rotations: 1, paused: true, abandoned: ['sma-cross@1.0.0'] });
    // the rotated bot trades differently from a twin that never rotates
    service.create(bot('fixed', 30, { strategy: 'sma-cross', params: { fast: 3, slow: 8 } }));
    await host.runBot('fixed');
    expect(fills(store, 'fixed').filter((f) => (f[0] as number) > r[0].ts)).not.toEqual(fills(store, 'rot').filter((f) => (f[0] as number) > r[0].ts));

    service.create(rotating('resumed'));
    await host.runBot('resumed');
    const rr = rows(store, 'resumed');
    expect(rr.slice(0, 2).map((x) => x.action)).toEqual(['rotate', 'pause']);
    expect(rr[2]).toMatchObject({ action: 'resume', from: 'sma-cross@1.0.0 {"fast":5,"slow":20}', to: null });
    // after the reset the streak counts again from 0; with the only candidate in use, the next streak pauses
    expect(rr[3]).toMatchObject({ action: 'pause', reason: expect.stringMatching(/no candidate strategy left/) });
    expect(store.orders.ordersFor('resumed').some((o) => o.createdAt > rr[2].ts)).toBe(true);
  }, 180_000);

  it('a restart between the rotation and the pause keeps the rotation state: the same rows and fills as an uninterrupted run', async () => {
    const { store, service, host } = setup();
    service.create(rotating('whole'));
    await host.runBot('whole');
    const whole = rows(store, 'whole');
    expect(whole.map((x) => x.action)).toEqual(['rotate', 'pause']);

    let stopped = false;
    const s2 = setup((h, id) => {
      // the first process ends (graceful shutdown) at the bar after the rotation
      if (!stopped && h.store.journal.listRotations(id).length === 1) { stopped = true; h.shutdown(); }
    });
    s2.service.create(rotating('split'));
    const first = await s2.host.runBot('split');
    expect(first.end).toBe('aborted');
    expect(rows(s2.store, 'split').map((x) => x.action)).toEqual(['rotate']);
    expect(s2.store.bots.getState<StoredRotationState>('split', '', K_ROTATION)?.state).toMatchObject({ rotations: 1, paused: false });
    // a new process (host) resumes the bot: the rotated-to strategy and the streak carry on
    const again = s2.mk();
    expect((await again.runBot('split')).end).toBe('end-of-data');
    expect(rows(s2.store, 'split')).toEqual(whole);
    expect(fills(s2.store, 'split')).toEqual(fills(store, 'whole'));
  }, 180_000);

  it('a bot of several symbols (one strategy instance each): the drawdown stop and the rotation act on the whole bot', async () => {
    const { home, store, service, host } = setup();
    const data = { files: [sharedFile(BTC_1H), sharedFile(ETH_1H)], from: FROM, to: FROM + 30 * DAY };
    service.create(bot('mg', 30, { symbols: ['BTC/USDT', 'ETH/USDT'], risk: { drawdown: { pct: 3 } }, settings: { timeframe: '1h', speed: 'max', data } }));
    expect((await host.runBot('mg')).end).toBe('stopped');
    expect(store.bots.require('mg').status).toBe('emergency-stopped');
    expect(store.journal.listAlerts({ botId: 'mg' }).map((a) => a.code)).toEqual(['RISK_EMERGENCY_STOP']);
    expect(store.orders.unsettledOrders('mg')).toEqual([]);
    const trip = store.journal.listRiskDenials('mg')[0].ts;
    expect(store.orders.fillsFor('mg').filter((f) => f.ts > trip)).toEqual([]);
    expect(new Set(store.orders.openLotsFor('mg').map((l) => l.symbol)).size).toBeGreaterThan(0);

    service.create({ ...rotating('mr'), symbols: ['BTC/USDT', 'ETH/USDT'], settings: { timeframe: '1h', speed: 'max', data } });
    expect((await host.runBot('mr')).end).toBe('end-of-data');
    const r = rows(store, 'mr');
    expect(r.map((x) => x.action)).toEqual(['rotate', 'pause']);
    // both markets' runners swapped to the new strategy (one log line each)
    const swaps = readFileSync(join(home, 'logs', 'mr.jsonl'), 'utf8').split('\n').filter((x) => x.includes('"strategy.swap"'));
    expect(swaps.map((x) => JSON.parse(x).symbol).sort()).toEqual(['BTC/USDT', 'ETH/USDT']);
    expect(store.orders.ordersFor('mr').filter((o) => o.createdAt > r[1].ts)).toEqual([]);
  }, 180_000);

  it('a process that ended between a drawdown stop and its cancels: the next start (auto-resume) cancels the resting orders, sells nothing', async () => {
    let steps = 0;
    const { store, service, mk } = setup((h) => { if (++steps === 100) h.shutdown(); });
    service.create(bot('cut', 30, {}));
    expect((await mk().runBot('cut')).end).toBe('aborted');
    const resting = store.orders.unsettledOrders('cut').length;
    expect(resting).toBeGreaterThan(0);
    // the state the trip leaves before its cancels (one transaction: status, effect, alert), then the process is gone
    service.transition('cut', 'emergency-stopped', 'risk', 'risk: drawdown: test');
    store.bots.setState('cut', '', K_RISK_EFFECT, { rule: 'drawdown', effect: 'emergency-stop', status: 'emergency-stopped', reason: 'test', ts: FROM, cancelled: false } satisfies RiskEffectState, FROM);
    const lots = store.orders.openLotsFor('cut').map((l) => [l.id, l.remaining]);
    const fillsBefore = store.orders.fillsFor('cut').length;
    const next = mk();
    expect(await next.resumeAll()).toEqual([]); // nothing to run: the bot stays emergency-stopped
    expect(store.bots.require('cut').status).toBe('emergency-stopped');
    expect(store.orders.unsettledOrders('cut')).toEqual([]);
    expect(store.bots.getState<RiskEffectState>('cut', '', K_RISK_EFFECT)?.cancelled).toBe(true);
    expect(store.orders.fillsFor('cut').length).toBe(fillsBefore);
    expect(store.orders.openLotsFor('cut').map((l) => [l.id, l.remaining])).toEqual(lots);
    expect(await next.settleRiskStops()).toEqual([]); // once
  }, 120_000);

  it('a rotation setting is validated when the bot is created', () => {
    const { service } = setup();
    expect(() => service.create(bot('bad1', 30, { risk: { rotation: { ...ROTATION, maxConsecutiveLosses: 0 } } }))).toThrow(/maxConsecutiveLosses must be an integer >= 1/);
    expect(() => service.create(bot('bad2', 30, { risk: { rotation: { ...ROTATION, candidates: [{ strategy: 'nope' }] } } }))).toThrow(/candidates\[0\] \(nope\): unknown strategy 'nope'/);
    expect(() => service.create(bot('bad3', 30, { risk: { rotation: { ...ROTATION, candidates: [{ strategy: 'sma-cross', params: { fast: 'x' } }] } } }))).toThrow(/candidates\[0\]/);
    expect(() => service.create(bot('bad4', 30, { risk: { rotation: { ...ROTATION, extra: 1 } as never } }))).toThrow(/unknown rotation setting 'extra'/);
  });

  it('paper: the same drawdown stop on a live candle feed (a grid bot, the simulated venue): emergency-stopped, orders cancelled, nothing sold', async () => {
    const { store, service, host, sb } = await paperWorld();
    service.create({ name: 'pg', strategy: 'grid', symbols: ['BTC/USDT'], exchange: 'binance', mode: 'paper', budget: 10_000, risk: { drawdown: { pct: 1 } }, settings: { timeframe: '1h', feeRate: 0.001, slippageBps: 5 } });
    const out = await sb.clock.drive(host.runBot('pg'));
    expect(out.end).toBe('stopped');
    expect(sb.forbidden).toEqual([]);
    expect(store.bots.require('pg').status).toBe('emergency-stopped');
    const denials = store.journal.listRiskDenials('pg');
    expect(denials.map((d) => d.effect)).toEqual(['emergency-stop']);
    expect(store.journal.listAlerts({ botId: 'pg' }).map((a) => a.code)).toEqual(['RISK_EMERGENCY_STOP']);
    expect(store.orders.unsettledOrders('pg')).toEqual([]);
    const trip = denials[0].ts;
    expect(store.orders.ordersFor('pg').filter((o) => o.createdAt > trip)).toEqual([]);
    expect(store.orders.fillsFor('pg').filter((f) => f.ts > trip)).toEqual([]);
    expect(store.orders.openLotsFor('pg').length).toBeGreaterThan(0);
    expect(store.checkInvariants('pg')).toEqual([]);
  }, 120_000);

  it('paper: the rotation on a live candle feed: rotates once, then pauses with an alert; the rotated-to strategy trades (its warm-up is in the feed window)', async () => {
    const { store, service, host, sb } = await paperWorld(1500);
    service.create({ ...rotating('pr'), mode: 'paper', settings: { timeframe: '1h', feeRate: 0.001, slippageBps: 5 } });
    const out = await sb.clock.drive(host.runBot('pr'));
    expect(out.end).toBe('gap');
    expect(sb.forbidden).toEqual([]);
    const r = rows(store, 'pr');
    expect(r.map((x) => [x.action, x.from, x.to])).toEqual([
      ['rotate', 'sma-cross@1.0.0', 'sma-cross@1.0.0 {"fast":5,"slow":20}'],
      ['pause', 'sma-cross@1.0.0 {"fast":5,"slow":20}', null],
    ]);
    // (the feed's end is a gap: FEED_GAP)
    expect(store.journal.listAlerts({ botId: 'pr' }).map((a) => a.code)).toEqual(['LOSS_STREAK_ROTATION', 'LOSS_STREAK_PAUSE', 'FEED_GAP']);
    expect(store.orders.ordersFor('pr').filter((o) => o.createdAt > r[1].ts)).toEqual([]);
    expect(store.orders.fillsFor('pr').filter((f) => f.ts > r[0].ts && f.ts < r[1].ts).length).toBeGreaterThanOrEqual(4);
    expect(store.checkInvariants('pr')).toEqual([]);
  }, 120_000);
});

/** A paper world: the scripted binance feed of 2022 from ../shared/data (bots start at bar 60, the feed ends at bar `end`). */
async function paperWorld(end = 500) {
  const l = await loadCandles({ file: FILE, exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' }, { from: Date.UTC(2022, 0, 1), to: Date.UTC(2022, 0, 1) + (end + 20) * 3_600_000, warmupBars: 0 }, 'report');
  const truth: Candle[] = [];
  for (let i = 0; i < l.frame.length; i++) truth.push([l.frame.ts[i], l.frame.open[i], l.frame.high[i], l.frame.low[i], l.frame.close[i], l.frame.volume[i]]);
  const home = mkdtempSync(join(tmpdir(), 'tl-risk-fx-paper-'));
  homes.push(home);
  const sb = scriptedBinance(truth, truth[60][0] + 1000);
  sb.hide.set(truth[end][0], Infinity); // the feed ends there (a gap pauses a bot still running)
  const store = openMemoryStateStore();
  const service = new BotService(store, { liveTradingEnabled: false }, sb.clock.now);
  const host = new BotHost(store, service, {
    home, cacheDir: join(home, 'cache'), cwd: home, now: sb.clock.now,
    venues: liveVenues({ liveTradingEnabled: false, env: {}, exchange: () => sb.off.ex, deps: { now: sb.clock.now, sleep: sb.clock.sleep, random: () => 0.5 }, pollIntervalMs: 20 * 60_000, feed: { gapRetries: 2, gapRetryDelayMs: 10_000 } }),
  });
  return { store, service, host, sb };
}
