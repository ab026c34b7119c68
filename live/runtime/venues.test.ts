import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCandles } from '../../data/load-candles.ts';
import { sharedFile, BTC_1H } from '../../test-support/shared-data.ts';
import { makeFrame } from '../../engine/frame.ts';
import { runOrderBacktest } from '../../engine/orders/simulator.ts';
import { grid } from '../../engine/strategies-orders/grid.ts';
import { createCcxtAdapter, realAdapterDeps } from '../exchange/ccxt-adapter.ts';
import { runSignalBacktest } from '../../engine/sim/signal-backtest.ts';
import { DEFAULT_FILL_CONFIG } from '../../engine/sim/fill-config.ts';
import { smaCross } from '../../engine/strategies/sma-cross.ts';
import type { ParamValues } from '../../engine/params.ts';
import { expectRelClose } from '../../test-support/approx.ts';
import { FAKE_API_KEY, FAKE_SECRET } from '../exchange/testing/offline-exchange.ts';
import type { Candle } from '../exchange/port.ts';
import { openMemoryStateStore, type StateStore } from '../state/store.ts';
import { BotService } from '../bots/service.ts';
import { BotHost } from './host.ts';
import { liveVenues } from './venues.ts';
import { compareRows, type ParityRow } from './parity.ts';
import { scriptedBinance, type ScriptedBinance } from './testing/feed-exchange.ts';

const PARAMS = { fast: 5, slow: 20 };
const FEE = 0.001, SLIP = 5, BUDGET = 10_000;

let dirs: string[] = [];
afterEach(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); dirs = []; });

async function truthRows(): Promise<Candle[]> {
  const l = await loadCandles({ file: sharedFile(BTC_1H), exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' }, { from: Date.UTC(2022, 0, 1), to: Date.UTC(2022, 0, 20), warmupBars: 0 }, 'report');
  const f = l.frame;
  const rows: Candle[] = [];
  for (let i = 0; i < f.length; i++) rows.push([f.ts[i], f.open[i], f.high[i], f.low[i], f.close[i], f.volume[i]]);
  return rows;
}

interface World { sb: ScriptedBinance; store: StateStore; home: string }

function world(truth: Candle[], startBar: number): World {
  const home = mkdtempSync(join(tmpdir(), 'tl-venues-'));
  dirs.push(home);
  return { sb: scriptedBinance(truth, truth[startBar][0] + 1000), store: openMemoryStateStore(), home };
}

/** A host as an entry point builds one (one "process"): service, venues, clock. */
function hostOf(w: World, live: boolean, env: Record<string, string> = {}, onStep?: (botId: string, k: number) => void): BotHost {
  const service = new BotService(w.store, { liveTradingEnabled: live }, w.sb.clock.now);
  return new BotHost(w.store, service, {
    home: w.home, cacheDir: join(w.home, 'cache'), cwd: w.home, now: w.sb.clock.now, onStep,
    venues: liveVenues({
      liveTradingEnabled: live, env, exchange: () => w.sb.off.ex,
      deps: { now: w.sb.clock.now, sleep: w.sb.clock.sleep, random: () => 0.5 },
      pollIntervalMs: 20 * 60_000, feed: { gapRetries: 2, gapRetryDelayMs: 10_000 },
    }),
  });
}

function createBot(w: World, mode: 'paper' | 'live', name = 'p1') {
  const service = new BotService(w.store, { liveTradingEnabled: mode === 'live' }, w.sb.clock.now);
  return service.create({
    name, strategy: 'sma-cross', params: PARAMS, symbols: ['BTC/USDT'], exchange: 'binance', mode, budget: BUDGET,
    settings: { timeframe: '1h', feeRate: FEE, slippageBps: SLIP, fraction: 1 },
  });
}

/** The backtest of the same candles: decisions from `startBar`, up to (excluding) `endBar`. */
function backtest(truth: Candle[], startBar: number, endBar: number): ParityRow[] {
  const cols = ['ts', 'open', 'high', 'low', 'close', 'volume'] as const;
  const frame = makeFrame({ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' },
    Object.fromEntries(cols.map((c, j) => [c, Float64Array.from(truth.slice(0, endBar), (r) => r[j])])) as Record<(typeof cols)[number], Float64Array>);
  const params = smaCross.resolveParams(PARAMS) as ParamValues;
  const sim = runSignalBacktest(smaCross, frame, params, { ...DEFAULT_FILL_CONFIG, initialCash: BUDGET, feeRate: FEE, slippageBps: SLIP, fraction: 1 },
    { startIndex: startBar, endIndex: endBar, path: 'auto' });
  return sim.fills.map((f) => ({ bar: f.bar, ts: f.ts, side: f.side, price: f.price, size: f.size, fee: f.fee }));
}

function paperRows(w: World, botId: string, truth: Candle[]): ParityRow[] {
  return w.store.orders.fillsFor(botId).map((f) => ({ bar: truth.findIndex((c) => c[0] === f.ts), ts: f.ts, side: f.side, price: f.price, size: f.amount, fee: f.fee }));
}

const START = 60; // bars 0..59 are closed when the bot starts
const NEVER = 300; // the venue never publishes this candle

describe('paper bot on a live candle feed (ccxt binance offline, virtual clock)', () => {
  it('decides and fills as the backtest does, sends nothing to an order endpoint, re-fetches a late candle, pauses on a gap', async () => {
    const truth = await truthRows();
    const w = world(truth, START);
    w.sb.hide.set(truth[120][0], 5); // late: appears on a re-fetch
    w.sb.hide.set(truth[NEVER][0], Infinity);
    const bot = createBot(w, 'paper');
    const host = hostOf(w, false);
    const out = await w.sb.clock.drive(host.runBot(bot.id));
    expect(out.end).toBe('gap');
    expect(out.steps).toBe(NEVER - START); // bars 60 .. 299, each decided once

    // (b) the wrapped exchange saw market data requests only
    expect(w.sb.forbidden).toEqual([]);
    const paths = new Set(w.sb.off.requests.map((r) => new URL(r.url).pathname));
    expect([...paths].sort()).toEqual(['/api/v3/klines', '/api/v3/ticker/24hr']);

    // (a) parity with the backtest over the same candles: every fill (bar, side, price, size, fee)
    const bt = backtest(truth, START, NEVER);
    const paper = paperRows(w, bot.id, truth);
    expect(bt.length).toBeGreaterThanOrEqual(6);
    expect(compareRows('fill', bt, paper, 1e-6)).toEqual([]);
    // the late candle was fetched again by its open time
    expect(w.sb.off.requests.some((r) => new URL(r.url).searchParams.get('startTime') === String(truth[120][0]))).toBe(true);

    // the gap paused the bot with a critical alert
    expect(w.store.bots.get(bot.id)?.status).toBe('paused');
    const alerts = w.store.db.prepare(`SELECT code, message FROM alerts WHERE bot_id = ?`).all(bot.id) as { code: string; message: string }[];
    expect(alerts.map((a) => a.code)).toContain('FEED_GAP');
    expect(alerts.find((a) => a.code === 'FEED_GAP')?.message).toContain(new Date(truth[NEVER][0]).toISOString());
  });

  it.each([
    ['with no order open', false],
    ['between a decision and its fill (the order open in the old simulated venue)', true],
  ])('a restart mid-run %s (graceful shutdown, new process: new host, venue and feed) resumes without a duplicate order and ends as the uninterrupted run', async (_label, withOpen) => {
    const truth = await truthRows();
    const w = world(truth, START);
    w.sb.hide.set(truth[NEVER][0], Infinity);
    const bot = createBot(w, 'paper');
    // first process: shut down at the first bar after a completed round trip with no order open
    let host: BotHost;
    const first = hostOf(w, false, {}, (id) => {
      const fills = w.store.orders.fillsFor(id).length;
      const open = w.store.orders.unsettledOrders(id).length;
      if (fills >= 2 && (withOpen ? open === 1 : open === 0) && w.store.bots.getState(id, '', 'cursor') !== undefined) first.shutdown();
    });
    host = first;
    const a = await w.sb.clock.drive(host.runBot(bot.id));
    expect(a.end).toBe('aborted');
    const before = w.store.orders.ordersFor(bot.id).length;
    expect(before).toBeGreaterThanOrEqual(withOpen ? 3 : 2);
    expect(w.store.orders.unsettledOrders(bot.id).length).toBe(withOpen ? 1 : 0);
    // down for a while (less than a bar), then a new process resumes every running bot
    w.sb.clock.t += 10 * 60_000;
    host = hostOf(w, false);
    const [r] = await w.sb.clock.drive(host.resumeAll());
    expect(r.error).toBeUndefined();
    expect(r.outcome?.end).toBe('gap');

    const orders = w.store.orders.ordersFor(bot.id);
    expect(new Set(orders.map((o) => o.clientId)).size).toBe(orders.length);
    // one order per backtest fill, plus at most the last decision's order that no bar filled
    const bt = backtest(truth, START, NEVER);
    expect(compareRows('fill', bt, paperRows(w, bot.id, truth), 1e-6)).toEqual([]);
    expect(orders.filter((o) => o.filled > 0).length).toBe(bt.length);
    // no bar was decided twice: one decision tag per bar at most
    const tags = orders.map((o) => o.tag);
    expect(new Set(tags).size).toBe(tags.length);
    expect(w.sb.forbidden).toEqual([]);
  });
});

describe('paper bot of an order strategy (grid) on the feed', () => {
  it('rests limit orders in the simulated venue, fills them from played bars, keeps the store consistent, never calls an order endpoint', async () => {
    const truth = await truthRows();
    const w = world(truth, START);
    w.sb.hide.set(truth[NEVER][0], Infinity);
    const service = new BotService(w.store, { liveTradingEnabled: false }, w.sb.clock.now);
    const bot = service.create({
      name: 'g1', strategy: 'grid', symbols: ['BTC/USDT'], exchange: 'binance', mode: 'paper', budget: BUDGET,
      settings: { timeframe: '1h', feeRate: FEE, slippageBps: SLIP },
    });
    const out = await w.sb.clock.drive(hostOf(w, false).runBot(bot.id));
    expect(out.end).toBe('gap');
    expect(w.sb.forbidden).toEqual([]);
    const fills = w.store.orders.fillsFor(bot.id);
    const sells = fills.filter((f) => f.side === 'sell');
    expect(fills.length).toBeGreaterThan(10);
    expect(sells.length).toBeGreaterThan(2);
    expect(w.store.orders.ordersFor(bot.id).some((o) => o.type === 'limit')).toBe(true);
    expect(w.store.checkInvariants(bot.id)).toEqual([]);
    // every fill happened inside its bar's range, at or after the order was written (no fill from the past)
    for (const f of fills) {
      const c = truth.find((x) => x[0] <= f.ts && f.ts < x[0] + 3_600_000)!;
      expect(f.price).toBeGreaterThanOrEqual(c[3] * (1 - 1e-3));
      expect(f.price).toBeLessThanOrEqual(c[2] * (1 + 1e-3));
      const o = w.store.orders.ordersFor(bot.id).find((x) => x.id === f.orderId)!;
      expect(f.ts).toBeGreaterThanOrEqual(Math.floor(o.createdAt / 3_600_000) * 3_600_000);
    }
  });
});

describe('live bot behind LIVE_TRADING_ENABLED', () => {
  it('refuses to start when LIVE_TRADING_ENABLED is not true (status unchanged, nothing sent)', async () => {
    const truth = await truthRows();
    const w = world(truth, START);
    const bot = createBot(w, 'live');
    const host = hostOf(w, false, { TRADELAB_BINANCE_API_KEY: FAKE_API_KEY, TRADELAB_BINANCE_SECRET: FAKE_SECRET });
    await expect(w.sb.clock.drive(host.runBot(bot.id))).rejects.toThrow(/LIVE_TRADING_ENABLED is not true/);
    expect(w.store.bots.get(bot.id)?.status).toBe('created');
    expect(w.sb.off.requests).toEqual([]);
  });

  it('with LIVE_TRADING_ENABLED=true and keys in the environment, places its orders through the ccxt adapter under their client ids', async () => {
    const truth = await truthRows();
    const w = world(truth, START);
    const bot = createBot(w, 'live');
    const posted: URLSearchParams[] = [];
    w.sb.orderHandler = (req) => {
      const u = new URL(req.url);
      if (u.pathname === '/api/v3/openOrders') return [];
      if (u.pathname === '/api/v3/myTrades') return [];
      if (u.pathname === '/api/v3/order' && req.method === 'POST') {
        const p = new URLSearchParams(req.body ?? u.search);
        posted.push(p);
        return {
          symbol: 'BTCUSDT', orderId: String(1000 + posted.length), orderListId: '-1', clientOrderId: p.get('newClientOrderId'), price: '0', origQty: p.get('quantity'),
          executedQty: '0', cummulativeQuoteQty: '0', status: 'NEW', timeInForce: 'GTC', type: p.get('type'), side: p.get('side'), transactTime: String(w.sb.clock.now()),
        };
      }
      throw new Error(`unexpected ${req.method} ${u.pathname}`);
    };
    const host = hostOf(w, true, { TRADELAB_BINANCE_API_KEY: FAKE_API_KEY, TRADELAB_BINANCE_SECRET: FAKE_SECRET }, () => { if (posted.length > 0) host.shutdown(); });
    const out = await w.sb.clock.drive(host.runBot(bot.id));
    expect(out.end).toBe('aborted');
    expect(posted.length).toBe(1);
    const [o] = w.store.orders.ordersFor(bot.id);
    expect(o.clientId).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(posted[0].get('newClientOrderId')).toBe(o.clientId);
    expect(posted[0].get('side')).toBe('BUY');
    expect(posted[0].get('type')).toBe('MARKET');
    // the recorded request carried the key header and a signature, never the secret
    const post = w.sb.off.requests.find((r) => r.method === 'POST')!;
    expect(post.headers?.['X-MBX-APIKEY']).toBe(FAKE_API_KEY);
    expect(JSON.stringify(w.sb.off.requests)).not.toContain(FAKE_SECRET);
    // the first decision came from the same bar the backtest buys at
    const bt = backtest(truth, START, truth.length);
    expect(o.createdAt).toBe(truth[bt[0].bar][0] + 1000);
    // secrets: neither the key nor the secret is in the database (every page of it) or in any file the run wrote
    const db = w.store.db.serialize().toString('latin1');
    expect(db.includes(FAKE_API_KEY)).toBe(false);
    expect(db.includes(FAKE_SECRET)).toBe(false);
    const files = (function walk(d: string): string[] { return readdirSync(d).flatMap((n) => { const p = join(d, n); return statSync(p).isDirectory() ? walk(p) : [p]; }); })(w.home);
    expect(files.some((f) => f.endsWith('.jsonl'))).toBe(true);
    for (const f of files) {
      const text = readFileSync(f, 'latin1');
      expect(text.includes(FAKE_API_KEY), f).toBe(false);
      expect(text.includes(FAKE_SECRET), f).toBe(false);
    }
  });
});

describe('paper parity of an order strategy (grid): onFill inside the bar, as the backtest', () => {
  it('a paper grid bot on the recorded candles places the same orders and gets the same fills as runOrderBacktest', async () => {
    const truth = await truthRows();
    const w = world(truth, START);
    w.sb.hide.set(truth[NEVER][0], Infinity);
    const service = new BotService(w.store, { liveTradingEnabled: false }, w.sb.clock.now);
    const bot = service.create({
      name: 'gp', strategy: 'grid', symbols: ['BTC/USDT'], exchange: 'binance', mode: 'paper', budget: BUDGET,
      risk: { openOrders: { maxTotal: 1_000_000 } }, settings: { timeframe: '1h', feeRate: FEE, slippageBps: SLIP },
    });
    const out = await w.sb.clock.drive(hostOf(w, false).runBot(bot.id));
    expect(out.end).toBe('gap');
    expect(w.sb.forbidden).toEqual([]);

    // the backtest on the same candles and the same market (binance's tick and step, the bot's fees)
    const port = createCcxtAdapter({ exchangeId: 'binance', liveTradingEnabled: false }, { ...realAdapterDeps, exchange: w.sb.off.ex });
    await port.loadMarkets();
    const spec = { ...port.market('BTC/USDT').spec, makerFee: FEE, takerFee: FEE };
    const cols = ['ts', 'open', 'high', 'low', 'close', 'volume'] as const;
    const frame = makeFrame({ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' },
      Object.fromEntries(cols.map((c, j) => [c, Float64Array.from(truth.slice(0, NEVER), (r) => r[j])])) as Record<(typeof cols)[number], Float64Array>);
    const sim = runOrderBacktest(grid, [{ frame, spec, initialBase: 0 }], grid.resolveParams({}) as ParamValues, {
      initialCash: BUDGET, slippageBps: SLIP, startTs: truth[START][0], endTs: truth[NEVER][0],
    });
    const ts = frame.ts;
    const barOf = (t: number): number => Math.floor((t - truth[0][0]) / 3_600_000); // the bar whose hour holds t
    const btFills: ParityRow[] = sim.fills.map((f) => ({ bar: barOf(f.ts), ts: f.ts, side: f.side, price: f.price, size: f.amount, fee: f.fee }));
    const paperFills = paperRows(w, bot.id, truth);
    expect(btFills.length).toBeGreaterThan(20);
    // onFill orders were placed inside bars: some fill in the very bar of the fill that made them
    const fromFill = sim.orders.filter((o) => o.origin === 'fill');
    expect(fromFill.length).toBeGreaterThan(5);
    expect(compareRows('fill', btFills, paperFills, 1e-9)).toEqual([]);

    // orders, each at the first bar it could fill in (decide: the next bar; onFill: its own bar), within the data
    const btOrders: ParityRow[] = sim.orders
      .map((o) => ({ bar: o.origin === 'fill' ? o.placedBar : o.placedBar + 1, o }))
      .filter((x) => x.bar < NEVER)
      .map(({ bar, o }) => ({ bar, ts: ts[bar], side: o.side, price: o.type === 'limit' ? o.price : o.avgPrice, size: o.amount, fee: o.fees }));
    const paperOrders: ParityRow[] = w.store.orders.ordersFor(bot.id)
      .filter((o) => !(o.status === 'rejected' && o.filled === 0))
      .map((o) => ({ bar: barOf(o.createdAt), o }))
      .filter((x) => x.bar < NEVER)
      .map(({ bar, o }) => ({ bar, ts: ts[bar], side: o.side, price: o.type === 'limit' ? (o.price as number) : (o.avgPrice ?? NaN), size: o.amount, fee: o.fees }));
    expect(compareRows('order', btOrders, paperOrders, 1e-9)).toEqual([]);
    expect(w.store.checkInvariants(bot.id)).toEqual([]);
  });
});

describe('paper restart with a partly filled order', () => {
  /** A grid whose limit orders fill a sliver of each bar's volume: they rest partly filled across bars. */
  function gridBot(w: World) {
    const service = new BotService(w.store, { liveTradingEnabled: false }, w.sb.clock.now);
    return service.create({
      name: 'gpart', strategy: 'grid', symbols: ['BTC/USDT'], exchange: 'binance', mode: 'paper', budget: BUDGET,
      risk: { openOrders: { maxTotal: 1_000_000 } }, settings: { timeframe: '1h', feeRate: FEE, slippageBps: SLIP, maxVolumeShare: 1e-7 },
    });
  }
  const rows = (w: World, id: string) => ({
    fills: w.store.orders.fillsFor(id).map((f) => [f.ts, f.side, f.price, f.amount, f.fee]),
    orders: w.store.orders.ordersFor(id).map((o) => [o.tag, o.side, o.price, o.amount, o.filled, o.status]),
  });

  it('re-enters what remains of it into the new venue: it fills there, nothing is counted twice, the run ends as the uninterrupted one', async () => {
    const truth = await truthRows();
    const ref = world(truth, START);
    ref.sb.hide.set(truth[NEVER][0], Infinity);
    const refBot = gridBot(ref);
    expect((await ref.sb.clock.drive(hostOf(ref, false).runBot(refBot.id))).end).toBe('gap');
    const want = rows(ref, refBot.id);
    expect(ref.store.orders.fillsFor(refBot.id).length).toBeGreaterThan(20);

    const w = world(truth, START);
    w.sb.hide.set(truth[NEVER][0], Infinity);
    const bot = gridBot(w);
    let partial: { clientId: string; filled: number; amount: number } | undefined;
    const first: BotHost = hostOf(w, false, {}, (id) => {
      const o = w.store.orders.unsettledOrders(id).find((x) => x.type === 'limit' && x.filled > 0 && x.filled < x.amount);
      if (o && !partial) { partial = { clientId: o.clientId, filled: o.filled, amount: o.amount }; first.shutdown(); }
    });
    expect((await w.sb.clock.drive(first.runBot(bot.id))).end).toBe('aborted');
    expect(partial).toBeDefined();
    const p = partial as { clientId: string; filled: number; amount: number };
    const fillsBefore = w.store.orders.fillsFor(bot.id).filter((f) => f.orderId === w.store.orders.byClientId(p.clientId)!.id).length;
    expect(fillsBefore).toBeGreaterThan(0);

    // a new process (down less than a bar): the order rests again for what remains, and fills there
    w.sb.clock.t += 10 * 60_000;
    const [r] = await w.sb.clock.drive(hostOf(w, false).resumeAll());
    expect(r.error).toBeUndefined();
    expect(r.outcome?.end).toBe('gap');
    const after = w.store.orders.byClientId(p.clientId)!;
    expect(after.reason ?? '').not.toMatch(/not found|never reached/);
    expect(after.filled).toBeGreaterThan(p.filled);
    expect(after.filled).toBeLessThanOrEqual(after.amount * (1 + 1e-12));
    const its = w.store.orders.fillsFor(bot.id).filter((f) => f.orderId === after.id);
    expect(its.length).toBeGreaterThan(fillsBefore);
    expectRelClose(its.reduce((a, f) => a + f.amount, 0), after.filled);
    expect(w.store.checkInvariants(bot.id)).toEqual([]);
    // the whole run equals the uninterrupted one, fill by fill and order by order
    expect(rows(w, bot.id)).toEqual(want);
    expect(w.sb.forbidden).toEqual([]);
  });
});

describe('paper restart after being down for several bars', () => {
  it('plays the bars that closed while it was down into the new venue (resting orders fill there), without deciding them', async () => {
    const truth = await truthRows();
    const mk = (w: World) => new BotService(w.store, { liveTradingEnabled: false }, w.sb.clock.now).create({
      name: 'gdown', strategy: 'grid', symbols: ['BTC/USDT'], exchange: 'binance', mode: 'paper', budget: BUDGET,
      risk: { openOrders: { maxTotal: 1_000_000 } }, settings: { timeframe: '1h', feeRate: FEE, slippageBps: SLIP },
    });
    const ref = world(truth, START);
    ref.sb.hide.set(truth[NEVER][0], Infinity);
    const refBot = mk(ref);
    await ref.sb.clock.drive(hostOf(ref, false).runBot(refBot.id));

    const w = world(truth, START);
    w.sb.hide.set(truth[NEVER][0], Infinity);
    const bot = mk(w);
    const first: BotHost = hostOf(w, false, {}, (id) => {
      if (w.store.orders.fillsFor(id).length >= 10 && w.store.orders.unsettledOrders(id).length > 0) first.shutdown();
    });
    expect((await w.sb.clock.drive(first.runBot(bot.id))).end).toBe('aborted');
    const cursor = w.store.bots.getState<number>(bot.id, '', 'cursor') as number;
    const fillsBefore = w.store.orders.fillsFor(bot.id).length;
    // down for 12 bars (the grid's own window is 2 bars), then a new process
    w.sb.clock.t += 12 * 3_600_000;
    const [r] = await w.sb.clock.drive(hostOf(w, false).resumeAll());
    expect(r.error).toBeUndefined();
    const stale = w.store.db.prepare(`SELECT COUNT(*) AS n FROM audit_log WHERE action = 'bar.stale' AND entity_id = ?`).get(bot.id) as { n: number };
    expect(stale.n).toBeGreaterThanOrEqual(11);
    const down = (f: { ts: number }) => f.ts > cursor && f.ts <= cursor + 12 * 3_600_000;
    const inDown = w.store.orders.fillsFor(bot.id).filter(down);
    expect(inDown.length).toBeGreaterThan(0);
    // the first bar after the last decided one: the same book met the same candle in both runs
    const firstBar = (rows: { ts: number; side: string; price: number; amount: number }[]) => rows.filter((f) => f.ts === cursor + 3_600_000).map((f) => [f.side, f.price, f.amount]);
    expect(firstBar(w.store.orders.fillsFor(bot.id))).toEqual(firstBar(ref.store.orders.fillsFor(refBot.id)));
    expect(w.store.orders.fillsFor(bot.id).length).toBeGreaterThan(fillsBefore);
    expect(w.store.checkInvariants(bot.id)).toEqual([]);
    expect(w.sb.forbidden).toEqual([]);
  });
});
