import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import { defineStrategy, goFlat, goLong, type CandleFrame } from '../../engine/index.ts';
import { sharedFile, BTC_1H } from '../../test-support/shared-data.ts';
import { marketSpec } from '../../engine/orders/market-spec.ts';
import { createReplayAdapter } from '../exchange/replay-adapter.ts';
import { createOrderManager } from '../execution/order-manager.ts';
import { ExecOrderPath } from './exec-path.ts';
import { openStateStore, type StateStore } from '../state/store.ts';
import { BotService, type CreateBotInput } from '../bots/service.ts';
import { TRANSITIONS, canTransition } from '../bots/lifecycle.ts';
import { BotHost, type BotHostDeps } from './host.ts';

const FILE = sharedFile(BTC_1H);
const FROM = Date.parse('2022-01-01T00:00:00Z');
const TO = Date.parse('2022-02-15T00:00:00Z');
const homes: string[] = [];
afterEach(() => { for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true }); });

/** Throws at its 50th decision: a broken strategy. */
const explodes = defineStrategy({
  id: 'explodes', version: '1.0.0', description: 'throws after a while', params: Type.Object({}), warmup: () => 1,
  indicators: () => ({}), initState: () => ({ n: 0 }),
  decide: (ctx) => {
    if (++(ctx.state as { n: number }).n === 50) throw new Error('strategy bug at bar ' + ctx.i);
    return ctx.i % 2 ? goLong() : goFlat();
  },
});

function setup(deps: Partial<BotHostDeps> = {}, live = false) {
  const home = mkdtempSync(join(tmpdir(), 'tl-host-'));
  homes.push(home);
  const store = openStateStore(home);
  const service = new BotService(store, { liveTradingEnabled: live }, Date.now, [explodes]);
  const host = new BotHost(store, service, { home, cacheDir: join(home, 'cache'), cwd: home, ...deps });
  return { home, store, service, host };
}

function bot(name: string, over: Partial<CreateBotInput> = {}): CreateBotInput {
  return {
    name, strategy: 'sma-cross', params: { fast: 5, slow: 15 }, symbols: ['BTC/USDT'], exchange: 'binance', mode: 'replay', budget: 1000,
    settings: { timeframe: '1h', speed: 'max', data: { file: FILE, from: FROM, to: TO } }, ...over,
  };
}

describe('bot lifecycle', () => {
  it('allows exactly the transitions of the table and refuses the others with the allowed list', () => {
    const { service } = setup();
    const statuses = Object.keys(TRANSITIONS) as (keyof typeof TRANSITIONS)[];
    for (const from of statuses) for (const to of statuses) expect(canTransition(from, to)).toBe(TRANSITIONS[from].includes(to));
    service.create(bot('a'));
    expect(() => service.transition('a', 'paused')).toThrow(/cannot become paused \(allowed from created: running, stopped\)/);
    expect(service.transition('a', 'running').status).toBe('running');
    expect(service.transition('a', 'paused').status).toBe('paused');
    expect(service.transition('a', 'running').status).toBe('running');
    expect(service.transition('a', 'hold').status).toBe('hold');
    expect(service.transition('a', 'emergency-stopped').status).toBe('emergency-stopped');
    expect(() => service.transition('a', 'paused')).toThrow(/BOT_TRANSITION_INVALID|cannot become paused/);
    expect(service.transition('a', 'running').status).toBe('running');
    expect(service.transition('a', 'stopped').status).toBe('stopped');
    const audit = service.store.journal.listAudit({ entity: 'bot', entityId: 'a' }).filter((x) => x.action === 'bot.status');
    expect(audit.map((x) => (x.after as { status: string }).status)).toEqual(['running', 'paused', 'running', 'hold', 'emergency-stopped', 'running', 'stopped']);
  });

  it('an emergency-stopped bot is resumed by hand only', async () => {
    const { service, host } = setup();
    service.create(bot('a'));
    service.transition('a', 'running');
    service.transition('a', 'emergency-stopped');
    await expect(host.runBot('a')).rejects.toThrow(/emergency-stopped; resume it by hand/);
    expect((await host.resumeAll()).length).toBe(0);
  });

  it('paused: no new orders while paused; a paused bot trades again once running', async () => {
    const { store, service, host } = setup({ onStep: (_id, k) => { if (k === 200) service.transition('a', 'paused'); if (k === 400) service.transition('a', 'running'); } });
    service.create(bot('a'));
    await host.runBot('a');
    const ts = (k: number) => store.orders.ordersFor('a').filter((o) => o.createdAt > k);
    const orders = store.orders.ordersFor('a');
    expect(orders.length).toBeGreaterThan(4);
    const frameTs = (i: number) => FROM + (i - 15) * 3_600_000; // startIndex 15 = FROM (hourly, gap-free here)
    // No order placed while paused (bars 201..400 decided nothing that was placed; allow the outbox of bar 200).
    expect(orders.filter((o) => o.createdAt > frameTs(202) && o.createdAt <= frameTs(400))).toEqual([]);
    expect(ts(frameTs(401)).length).toBeGreaterThan(0);
  });

  it('running time: the bot stops when it is over', async () => {
    const { store, service, host } = setup({ now: () => FROM - 15 * 3_600_000 });
    service.create(bot('a', { settings: { timeframe: '1h', runningMs: 24 * 3_600_000, speed: 'max', data: { file: FILE, from: FROM, to: TO } } }));
    const out = await host.runBot('a');
    expect(out.end).toBe('run-until');
    expect(store.bots.require('a').status).toBe('stopped');
  });
});

describe('bot host', () => {
  it('one failing bot never stops the others', async () => {
    const { store, host, service } = setup();
    service.create(bot('bad', { strategy: 'explodes', params: {} }));
    service.create(bot('good'));
    const res = await host.runMany(['bad', 'good']);
    expect(res[0].error).toMatch(/strategy bug at bar/);
    expect(res[1].outcome?.end).toBe('end-of-data');
    expect(store.bots.require('bad').status).toBe('emergency-stopped');
    expect(store.journal.listAlerts({ botId: 'bad' }).map((a) => a.code)).toContain('BOT_FAILED');
    expect(store.bots.require('good').status).toBe('stopped');
    expect(store.orders.fillsFor('good').length).toBeGreaterThan(10);
    // The good bot kept trading after the bad one died (it has fills later than the failure).
    const badLast = Math.max(...store.orders.fillsFor('bad').map((f) => f.ts));
    expect(Math.max(...store.orders.fillsFor('good').map((f) => f.ts))).toBeGreaterThan(badLast);
  });

  it('graceful shutdown saves state; auto-resume continues every running bot to the uninterrupted result', async () => {
    const ref = setup();
    ref.service.create(bot('a'));
    ref.service.create(bot('b', { params: { fast: 8, slow: 21 } }));
    await ref.host.runMany(['a', 'b']);

    let stepsA = 0;
    const s = setup({ onStep: (id) => { if (id === 'a' && ++stepsA === 300) s.host.shutdown(); } });
    s.service.create(bot('a'));
    s.service.create(bot('b', { params: { fast: 8, slow: 21 } }));
    s.service.create(bot('idle')); // created, never started: not resumed
    s.service.transition('a', 'running');
    s.service.transition('b', 'running');
    const first = await s.host.resumeAll();
    expect(first.map((r) => r.outcome?.end)).toEqual(['aborted', 'aborted']);
    expect(s.store.bots.require('a').status).toBe('running');
    s.store.close();
    // A new process: reopen, auto-resume.
    const store2 = openStateStore(s.home);
    const service2 = new BotService(store2, { liveTradingEnabled: false });
    const host2 = new BotHost(store2, service2, { home: s.home, cacheDir: join(s.home, 'cache'), cwd: s.home });
    const second = await host2.resumeAll();
    expect(second.map((r) => [r.botId, r.outcome?.end])).toEqual([['a', 'end-of-data'], ['b', 'end-of-data']]);
    expect(store2.bots.require('idle').status).toBe('created');
    const strip = (st: StateStore, id: string) => st.orders.fillsFor(id).map(({ ts, side, price, amount, fee }) => ({ ts, side, price, amount, fee }));
    expect(strip(store2, 'a')).toEqual(strip(ref.store, 'a'));
    expect(strip(store2, 'b')).toEqual(strip(ref.store, 'b'));
    store2.close();
  });

  it('kill switch (per bot and kill-all) cancels every resting order and never liquidates; stop asks about resting orders', async () => {
    const venue = restingVenue();
    const { store, service, host } = setup({
      venues: {
        paper: async (b, _s, h) => ({
          venue: venue.port, clock: { setBar: () => {} }, frame: EMPTY, startIndex: 0,
          path: new ExecOrderPath(createOrderManager({ store: h.store, port: venue.port, botId: b.id, deps: { now: () => 0 } })),
        }),
      },
    });
    service.create(bot('p', { mode: 'paper' }));
    service.create(bot('q', { mode: 'paper' }));
    service.transition('p', 'running');
    service.transition('q', 'running');
    const path = await host.orderPathFor('p');
    await path.place({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.01, price: 20_000, tag: 'b1' });
    await path.place({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.01, price: 19_000, tag: 'b2' });
    const pathQ = await host.orderPathFor('q');
    await pathQ.place({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: 0.02, price: 18_000, tag: 'b1' });
    expect(store.orders.unsettledOrders('p').length).toBe(2);

    await expect(host.stop('p', undefined)).rejects.toThrow(/2 resting orders; say --cancel-orders or --keep-orders/);
    const k = await host.kill('p');
    expect(k.cancelled.length).toBe(2);
    expect(store.bots.require('p').status).toBe('emergency-stopped');
    expect(store.orders.unsettledOrders('p')).toEqual([]);
    expect(venue.sells).toBe(0); // never liquidates

    const all = await host.killAll();
    expect(all.map((r) => [r.botId, r.cancelled.length])).toEqual([['q', 1]]); // p: already killed, nothing left
    expect(store.orders.unsettledOrders('q')).toEqual([]);
    expect(store.journal.listAlerts().filter((a) => a.code === 'KILL_SWITCH').length).toBe(2);
    expect(store.bots.require('q').status).toBe('emergency-stopped');
  });

  it('an order strategy (grid) replays on the execution core: fills fed to onFill, lots consistent, hold tracked, restartable; kill cancels what rests', async () => {
    const { store, service, host } = setup();
    service.create(bot('g', { strategy: 'grid', params: {}, settings: { timeframe: '1h', speed: 'max', data: { file: FILE, from: FROM, to: FROM + 10 * 86_400_000 } } }));
    const out = await host.runBot('g');
    expect(out.end).toBe('end-of-data');
    const fills = store.orders.fillsFor('g');
    expect(fills.filter((f) => f.side === 'buy').length).toBeGreaterThan(5);
    expect(fills.filter((f) => f.side === 'sell').length).toBeGreaterThan(5); // paired sells placed by onFill filled
    expect(store.checkInvariants('g')).toEqual([]);
    expect(store.bots.allState('g')['BTC/USDT']).toHaveProperty('series.anchorHigh');
    const resting = store.orders.unsettledOrders('g').length;
    expect(resting).toBeGreaterThan(0);
    // Restartable: the strategy state (saveState) and the venue (its journal) come back; nothing is left to play.
    const again = await host.runBot('g');
    expect([again.end, again.steps]).toEqual(['end-of-data', 0]);
    expect(store.orders.unsettledOrders('g').length).toBe(resting);
    expect(store.checkInvariants('g')).toEqual([]);
    expect(store.bots.require('g').status).toBe('stopped');
    const k = await host.kill('g');
    expect(k.cancelled.length).toBe(resting);
    expect(store.orders.unsettledOrders('g')).toEqual([]);
  });

  it('promotion needs LIVE_TRADING_ENABLED; in place keeps the history, a copy gets the strategy state', async () => {
    const off = setup();
    off.service.create(bot('r'));
    await off.host.runBot('r');
    expect(() => off.service.promote('r', { inPlace: true })).toThrow(/LIVE_TRADING_ENABLED=true/);
    expect(() => off.service.create(bot('l', { mode: 'live' }))).toThrow(/LIVE_TRADING_ENABLED=true/);

    const on = setup({}, true);
    on.service.create(bot('r'));
    await on.host.runBot('r');
    const fills = on.store.orders.fillsFor('r').length;
    const copy = on.service.promote('r', { inPlace: false, newName: 'r-live' });
    expect(copy.mode).toBe('live');
    expect(on.store.bots.allState('r-live')).toEqual(on.store.bots.allState('r'));
    const inPlace = on.service.promote('r', { inPlace: true });
    expect([inPlace.mode, inPlace.status]).toEqual(['live', 'stopped']);
    expect(on.store.orders.fillsFor('r').length).toBe(fills);
    expect(() => on.service.promote('r', { inPlace: true })).toThrow(/already live/);
  });
});

const EMPTY = { ts: new Float64Array(1), open: new Float64Array(1), high: new Float64Array(1), low: new Float64Array(1), close: new Float64Array(1), volume: new Float64Array(1), length: 1, exchange: 'x', symbol: 'BTC/USDT', timeframe: '1h' } as unknown as CandleFrame;

/** A simulated venue (the replay adapter, no bar played) whose limit orders rest until cancelled (kill-switch tests). */
function restingVenue() {
  const frame = { ...EMPTY, ts: Float64Array.of(0), open: Float64Array.of(30_000), high: Float64Array.of(30_000), low: Float64Array.of(30_000), close: Float64Array.of(30_000), volume: Float64Array.of(1) };
  const port = createReplayAdapter({
    markets: [{ frame, spec: marketSpec('BTC/USDT', { priceTick: 0, amountStep: 0, minAmount: 0, minNotional: 0, makerFee: 0.001, takerFee: 0.001 }) }], balances: { USDT: 1e6 },
  });
  const v = {
    port,
    /** Sell orders the venue ever received. */
    get sells(): number { let n = 0; for (let id = 0; id < port.venue.store.n; id++) if (port.venue.store.isSell(id)) n++; return n; },
  };
  return v;
}
