/**
 * Bots of several symbols: one strategy instance per symbol (its own cursor, outbox and strategy state), one venue
 * (the bot's virtual wallet), one order path (its risk caps) — replay and paper, against the order backtest of the
 * same markets; restart, kill switch and a shared open-order cap.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCandles } from '../../data/load-candles.ts';
import { sharedFile, BTC_1H, ETH_1H } from '../../test-support/shared-data.ts';
import type { CandleFrame } from '../../engine/frame.ts';
import { makeFrame } from '../../engine/frame.ts';
import { marketSpec, type MarketSpec } from '../../engine/orders/market-spec.ts';
import { runOrderBacktest } from '../../engine/orders/simulator.ts';
import { grid } from '../../engine/strategies-orders/grid.ts';
import type { ParamValues } from '../../engine/params.ts';
import type { Candle } from '../exchange/port.ts';
import { createCcxtAdapter, realAdapterDeps } from '../exchange/ccxt-adapter.ts';
import { openMemoryStateStore, type StateStore } from '../state/store.ts';
import { BotService } from '../bots/service.ts';
import { BotHost } from './host.ts';
import { liveVenues } from './venues.ts';
import { compareRows, type ParityRow } from './parity.ts';
import { scriptedBinance } from './testing/feed-exchange.ts';

const SYMBOLS = ['BTC/USDT', 'ETH/USDT'];
const FROM = Date.UTC(2022, 0, 1), TO = Date.UTC(2022, 0, 12);
const FEE = 0.001, BUDGET = 10_000;
let dirs: string[] = [];
afterEach(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); dirs = []; });
const tmp = (): string => { const d = mkdtempSync(join(tmpdir(), 'tl-multi-')); dirs.push(d); return d; };

async function frames(): Promise<CandleFrame[]> {
  return Promise.all([BTC_1H, ETH_1H].map(async (f, j) => {
    const l = await loadCandles({ file: sharedFile(f), exchange: 'binance', symbol: SYMBOLS[j], timeframe: '1h' }, { from: FROM, to: TO, warmupBars: 0 }, 'report');
    return { ...l.frame, symbol: SYMBOLS[j] };
  }));
}

function backtestRows(fs: readonly CandleFrame[], specs: readonly MarketSpec[], startTs: number, endTs?: number): ParityRow[] {
  const sim = runOrderBacktest(grid, fs.map((frame, j) => ({ frame, spec: specs[j], initialBase: 0 })), grid.resolveParams({}) as ParamValues,
    { initialCash: BUDGET, slippageBps: 0, startTs, endTs });
  return sim.fills.map((f) => ({ bar: Math.round((f.ts - fs[0].ts[0]) / 3_600_000), ts: f.ts, side: `${f.side} ${f.symbol}` as 'buy', price: f.price, size: f.amount, fee: f.fee }));
}

function storeRows(store: StateStore, botId: string, t0: number): ParityRow[] {
  return store.orders.fillsFor(botId).map((f) => ({ bar: Math.round((f.ts - t0) / 3_600_000), ts: f.ts, side: `${f.side} ${f.symbol}` as 'buy', price: f.price, size: f.amount, fee: f.fee }));
}

function replayWorld(risk: Record<string, unknown> = { openOrders: { maxTotal: 1_000_000 } }) {
  const home = tmp();
  const store = openMemoryStateStore();
  const service = new BotService(store, { liveTradingEnabled: false }, () => FROM);
  const bot = service.create({
    name: 'm2', strategy: 'grid', symbols: SYMBOLS, exchange: 'binance', mode: 'replay', budget: BUDGET, risk,
    settings: { timeframe: '1h', feeRate: FEE, slippageBps: 0, data: { files: [sharedFile(BTC_1H), sharedFile(ETH_1H)], from: FROM, to: TO } },
  });
  const hostOf = (onStep?: (id: string, k: number) => void) => new BotHost(store, service, { home, cacheDir: join(home, 'cache'), cwd: home, onStep });
  return { store, service, bot, hostOf };
}

describe('a replay bot of two symbols', () => {
  it('equals the order backtest of both markets fill by fill, with one strategy instance and one state per symbol', async () => {
    const w = replayWorld();
    const out = await w.hostOf().runBot(w.bot.id);
    expect(out.end).toBe('end-of-data');
    const fs = await frames();
    const specs = SYMBOLS.map((s) => marketSpec(s, { priceTick: 0, amountStep: 0, minAmount: 0, minNotional: 0, makerFee: FEE, takerFee: FEE }));
    const bt = backtestRows(fs, specs, fs[0].ts[0]);
    const rp = storeRows(w.store, w.bot.id, fs[0].ts[0]);
    expect(new Set(rp.map((r) => r.side))).toEqual(new Set(['buy BTC/USDT', 'sell BTC/USDT', 'buy ETH/USDT', 'sell ETH/USDT']));
    expect(rp.length).toBeGreaterThan(200);
    expect(compareRows('fill', bt, rp, 1e-9)).toEqual([]);
    expect(w.store.checkInvariants(w.bot.id)).toEqual([]);
    // one cursor, outbox and strategy state per symbol; nothing of the runner under the whole-bot key
    const state = w.store.bots.allState(w.bot.id);
    for (const s of SYMBOLS) expect(Object.keys(state[s]).sort()).toEqual(expect.arrayContaining(['cursor', 'outbox', 'strategy-state']));
    expect(state['']?.cursor).toBeUndefined();
    // one wallet: the quote spent on both markets' open lots never exceeds the one budget
    const wallet = w.store.orders.walletState(w.bot.id, BUDGET);
    expect(wallet.committed).toBeLessThanOrEqual(BUDGET + wallet.realisedNet);
  });

  it('restarts mid-run (both symbols at the same bar) and ends as the uninterrupted run; the kill switch cancels in both markets', async () => {
    const ref = replayWorld();
    await ref.hostOf().runBot(ref.bot.id);
    const w = replayWorld();
    let stopAt = -1;
    const first: BotHost = w.hostOf((_id, k) => { if (stopAt < 0) stopAt = k + 120; else if (k >= stopAt) first.shutdown(); });
    expect((await first.runBot(w.bot.id)).end).toBe('aborted');
    const cursors = SYMBOLS.map((s) => w.store.bots.getState<number>(w.bot.id, s, 'cursor'));
    expect(cursors[0]).toBeDefined();
    expect(cursors[1]).toBe(cursors[0]);
    const [r] = await w.hostOf().resumeAll();
    expect(r.outcome?.end).toBe('end-of-data');
    const strip = (st: StateStore, id: string) => ({
      fills: st.orders.fillsFor(id).map((f) => [f.symbol, f.ts, f.side, f.price, f.amount, f.fee]),
      orders: st.orders.ordersFor(id).map((o) => [o.symbol, o.tag, o.side, o.price, o.amount, o.filled, o.status]),
      state: SYMBOLS.map((s) => st.bots.allState(id)[s]),
    });
    expect(strip(w.store, w.bot.id)).toEqual(strip(ref.store, ref.bot.id));
    // kill: resting orders of both markets cancelled through the rebuilt venue
    const resting = w.store.orders.unsettledOrders(w.bot.id);
    expect(new Set(resting.map((o) => o.symbol))).toEqual(new Set(SYMBOLS));
    const k = await w.hostOf().kill(w.bot.id);
    expect(k.cancelled.length).toBe(resting.length);
    expect(w.store.orders.unsettledOrders(w.bot.id)).toEqual([]);
  });

  it('shares its risk caps: the open-order cap counts both markets, and denials are recorded', async () => {
    const w = replayWorld({ openOrders: { maxTotal: 12 } });
    let most = 0;
    const host = w.hostOf((id) => { most = Math.max(most, w.store.orders.unsettledOrders(id).length); });
    await host.runBot(w.bot.id);
    expect(most).toBe(12);
    const bySymbol = new Set(w.store.orders.ordersFor(w.bot.id).map((o) => o.symbol));
    expect(bySymbol).toEqual(new Set(SYMBOLS));
    const denials = w.store.db.prepare(`SELECT rule, intent FROM risk_denials WHERE bot_id = ?`).all(w.bot.id) as { rule: string; intent: string }[];
    expect(denials.length).toBeGreaterThan(0);
    expect(new Set(denials.map((d) => d.rule))).toEqual(new Set(['open-orders-global']));
  });

  it('refuses misaligned candles and a single file for two symbols', async () => {
    const store = openMemoryStateStore();
    const service = new BotService(store, { liveTradingEnabled: false });
    const home = tmp();
    const host = new BotHost(store, service, { home, cacheDir: join(home, 'cache'), cwd: home });
    const one = service.create({ name: 'x1', strategy: 'grid', symbols: SYMBOLS, exchange: 'binance', mode: 'replay', budget: BUDGET, settings: { data: { file: sharedFile(BTC_1H), from: FROM, to: TO } } });
    await expect(host.runBot(one.id)).rejects.toThrow(/one file per symbol in the same order/);
    expect(store.bots.require(one.id).status).toBe('created');
  });
});

describe('a paper bot of two symbols (ccxt binance offline, virtual clock)', () => {
  it('follows both feeds into one paper venue and fills as the order backtest of both markets', async () => {
    const fs = await frames();
    const rows = (f: CandleFrame): Candle[] => Array.from({ length: f.length }, (_, i) => [f.ts[i], f.open[i], f.high[i], f.low[i], f.close[i], f.volume[i]] as Candle);
    const [btc, eth] = fs.map(rows);
    const START = 60, NEVER = 240;
    const sb = scriptedBinance(btc, btc[START][0] + 1000, 3_600_000, { 'ETH/USDT': eth });
    sb.hide.set(btc[NEVER][0], Infinity);
    const store = openMemoryStateStore();
    const home = tmp();
    const service = new BotService(store, { liveTradingEnabled: false }, sb.clock.now);
    const bot = service.create({
      name: 'pm', strategy: 'grid', symbols: SYMBOLS, exchange: 'binance', mode: 'paper', budget: BUDGET,
      risk: { openOrders: { maxTotal: 1_000_000 } }, settings: { timeframe: '1h', feeRate: FEE, slippageBps: 0 },
    });
    const host = new BotHost(store, service, {
      home, cacheDir: join(home, 'cache'), cwd: home, now: sb.clock.now,
      venues: liveVenues({
        liveTradingEnabled: false, env: {}, exchange: () => sb.off.ex, deps: { now: sb.clock.now, sleep: sb.clock.sleep, random: () => 0.5 },
        pollIntervalMs: 20 * 60_000, feed: { gapRetries: 1, gapRetryDelayMs: 10_000 },
      }),
    });
    const out = await sb.clock.drive(host.runBot(bot.id));
    expect(out.end).toBe('gap');
    expect(store.bots.require(bot.id).status).toBe('paused');
    expect(sb.forbidden).toEqual([]);

    const port = createCcxtAdapter({ exchangeId: 'binance', liveTradingEnabled: false }, { ...realAdapterDeps, exchange: sb.off.ex });
    await port.loadMarkets();
    const specs = SYMBOLS.map((s) => ({ ...port.market(s).spec, makerFee: FEE, takerFee: FEE }));
    const cut = fs.map((f) => makeFrame({ exchange: 'binance', symbol: f.symbol, timeframe: '1h' }, {
      ts: f.ts.slice(0, NEVER), open: f.open.slice(0, NEVER), high: f.high.slice(0, NEVER), low: f.low.slice(0, NEVER), close: f.close.slice(0, NEVER), volume: f.volume.slice(0, NEVER),
    }));
    const bt = backtestRows(cut, specs, btc[START][0]);
    const paper = storeRows(store, bot.id, btc[0][0]);
    expect(new Set(paper.map((r) => r.side))).toEqual(new Set(['buy BTC/USDT', 'sell BTC/USDT', 'buy ETH/USDT', 'sell ETH/USDT']));
    // Per market: every fill at the backtest's bar, side and price exactly. Sizes follow equity, and a paper runner
    // marks the OTHER market at the newest close its own feed has (the two feeds step a bar in either order), where
    // the backtest marks it at that bar's close: sizes agree within 1 %, not to the last bit.
    const exact = (r: ParityRow): ParityRow => ({ ...r, size: 0, fee: 0 });
    for (const s of SYMBOLS) {
      const a = bt.filter((r) => r.side.endsWith(s)), b = paper.filter((r) => r.side.endsWith(s));
      expect(compareRows('fill', a.map(exact), b.map(exact), 0)).toEqual([]);
      expect(compareRows('fill', a, b, 1e-2)).toEqual([]);
    }
    expect(paper.length).toBe(bt.length);
    expect(store.checkInvariants(bot.id)).toEqual([]);
  });
});
