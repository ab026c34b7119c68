// Marks in the server's runtime. A paper bot on a live candle feed (ccxt binance offline, virtual clock): every closed
// bar marks its market (price.update with the bar's close at its close time), a P&L snapshot per bar, positions valued
// at the mark, the fiscal logs written from its fills. A replay bot of two markets: each market marked by its own close.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCandles } from '../../data/load-candles.ts';
import { BTC_1H, ETH_1H, sharedFile } from '../../test-support/shared-data.ts';
import { expectRelClose } from '../../test-support/approx.ts';
import type { Candle } from '../exchange/port.ts';
import { openMemoryStateStore } from '../state/store.ts';
import { liveVenues } from '../runtime/venues.ts';
import { scriptedBinance } from '../runtime/testing/feed-exchange.ts';
import { RuntimeBotService } from './runtime-bot-service.ts';
import type { LiveEvent } from './bot-service.ts';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
const HOUR = 3_600_000;
const START = 60;
const NEVER = 140; // the venue never publishes this candle: the feed pauses the bot there

describe('marks in the server runtime', () => {
  it('a paper bot: each closed bar marks its market: price.update, P&L snapshots, unrealised P&L, fiscal logs', async () => {
    const l = await loadCandles({ file: sharedFile(BTC_1H), exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' }, { from: Date.UTC(2022, 0, 1), to: Date.UTC(2022, 0, 20), warmupBars: 0 }, 'report');
    const f = l.frame;
    const truth: Candle[] = [];
    for (let i = 0; i < f.length; i++) truth.push([f.ts[i], f.open[i], f.high[i], f.low[i], f.close[i], f.volume[i]]);
    const closeAt = new Map(truth.map((c) => [c[0] + HOUR, c[4]]));
    const sb = scriptedBinance(truth, truth[START][0] + 1000);
    sb.hide.set(truth[NEVER][0], Infinity);
    const home = mkdtempSync(join(tmpdir(), 'tl-rt-paper-'));
    dirs.push(home);
    const store = openMemoryStateStore();
    const rt = new RuntimeBotService({
      store, home, cacheDir: join(home, 'cache'), cwd: home, liveTradingEnabled: false, now: sb.clock.now, pollMs: 10,
      venues: liveVenues({
        liveTradingEnabled: false, env: {}, exchange: () => sb.off.ex, deps: { now: sb.clock.now, sleep: sb.clock.sleep, random: () => 0.5 },
        pollIntervalMs: 20 * 60_000, feed: { gapRetries: 2, gapRetryDelayMs: 10_000 },
      }),
    });
    const events: LiveEvent[] = [];
    rt.subscribe((e) => events.push(e));
    try {
      await rt.create({ name: 'p1', strategy: 'sma-cross', params: { fast: 5, slow: 20 }, symbols: ['BTC/USDT'], exchange: 'binance', mode: 'paper', budget: 10_000,
        settings: { timeframe: '1h', feeRate: 0.001, slippageBps: 5, fraction: 1 } }, 'alice');
      expect((await sb.clock.drive(rt.start('p1', 'alice'))).status).toBe('running');
      await sb.clock.drive((async () => { while (store.bots.require('p1').status !== 'paused' || rt.runningTasks.length > 0) await new Promise((r) => setTimeout(r, 5)); })());
      rt.poll();

      // A snapshot per decided bar, stamped at the bar's close; its equity values the position at that close.
      const snaps = store.orders.pnlHistory('p1');
      expect(snaps.length).toBe(NEVER - START);
      expect(snaps.every((s) => closeAt.has(s.ts))).toBe(true);
      const fills = store.orders.fillsFor('p1');
      expect(fills.length).toBeGreaterThan(0);
      // price.update: the close of the bar just stepped (throttled per poll, so a subset, the last one included).
      const prices = events.filter((e) => e.topic === 'price.update' && e.botId === 'p1');
      expect(prices.length).toBeGreaterThan(0);
      for (const p of prices) expect(p.data.price).toBe(closeAt.get(p.ts));
      const lastBarClose = truth[NEVER - 1][0] + HOUR;
      expect(prices.at(-1)!.ts).toBe(lastBarClose);
      expect(rt.markPrice('p1', 'BTC/USDT')).toBe(truth[NEVER - 1][4]);
      expect(store.bots.getState('p1', 'BTC/USDT', 'mark')).toEqual({ price: truth[NEVER - 1][4], ts: lastBarClose });
      const pos = store.orders.positionsFor('p1')[0];
      const last = snaps.at(-1)!;
      expectRelClose(last.unrealised, pos.base > 0 ? pos.base * truth[NEVER - 1][4] - pos.openCost : 0, 1e-9, 1e-9);
      // The start is audited with the user (not 'runner').
      expect(store.journal.listAudit({ entity: 'bot', entityId: 'p1' }).filter((r) => r.action === 'bot.status').map((r) => r.actor)).toContain('alice');
    } finally {
      await rt.close();
    }
    const trades = join(home, 'logs', 'p1', 'fiscal-2022-trades.csv');
    expect(existsSync(trades)).toBe(true);
    expect(readFileSync(trades, 'utf8').trim().split('\n')).toHaveLength(1 + store.orders.fillsFor('p1').length);
    store.close();
  }, 60_000);
  it('a replay bot of two markets: each market marked at its own close, one snapshot per bar valuing both', async () => {
    const FROM = Date.UTC(2022, 0, 1), TO = Date.UTC(2022, 0, 8);
    const home = mkdtempSync(join(tmpdir(), 'tl-rt-multi-'));
    dirs.push(home);
    const store = openMemoryStateStore();
    const rt = new RuntimeBotService({ store, home, cacheDir: join(home, 'cache'), cwd: home, liveTradingEnabled: false, pollMs: 10, fiscalLogs: false });
    const events: LiveEvent[] = [];
    rt.subscribe((e) => events.push(e));
    const closes = new Map<string, Map<number, number>>();
    for (const [sym, file] of [['BTC/USDT', BTC_1H], ['ETH/USDT', ETH_1H]] as const) {
      const fr = (await loadCandles({ file: sharedFile(file), exchange: 'binance', symbol: sym, timeframe: '1h' }, { from: FROM - 100 * HOUR, to: TO, warmupBars: 0 }, 'report')).frame;
      closes.set(sym, new Map(Array.from(fr.ts, (t, i) => [t + HOUR, fr.close[i]])));
    }
    try {
      await rt.create({ name: 'm2', strategy: 'grid', symbols: ['BTC/USDT', 'ETH/USDT'], exchange: 'binance', mode: 'replay', budget: 10_000, risk: { openOrders: { maxTotal: 1_000_000 } },
        settings: { timeframe: '1h', feeRate: 0.001, slippageBps: 0, data: { files: [sharedFile(BTC_1H), sharedFile(ETH_1H)], from: FROM, to: TO } } }, 'alice');
      await rt.start('m2', 'alice');
      while (rt.runningTasks.length > 0) await new Promise((r) => setTimeout(r, 5));
      rt.poll();
      for (const sym of ['BTC/USDT', 'ETH/USDT']) {
        const mark = store.bots.getState<{ price: number; ts: number }>('m2', sym, 'mark')!;
        expect(mark.price).toBe(closes.get(sym)!.get(mark.ts));
        expect(rt.markPrice('m2', sym)).toBe(mark.price);
        const ev = events.filter((e) => e.topic === 'price.update' && e.data.symbol === sym);
        expect(ev.length).toBeGreaterThan(0);
        for (const e of ev) expect(e.data.price).toBe(closes.get(sym)!.get(e.ts));
      }
      expect(rt.markPrice('m2', 'BTC/USDT')).not.toBe(rt.markPrice('m2', 'ETH/USDT'));
      // The last snapshot values both positions at their own marks.
      const last = store.orders.pnlHistory('m2').at(-1)!;
      let unrealised = 0;
      for (const p of store.orders.positionsFor('m2')) if (p.base > 0) unrealised += p.base * rt.markPrice('m2', p.symbol)! - p.openCost;
      expectRelClose(last.unrealised, unrealised, 1e-9, 1e-9);
      expect(store.orders.positionsFor('m2').filter((p) => p.base > 0).length).toBeGreaterThan(0);
    } finally {
      await rt.close();
      store.close();
    }
  }, 60_000);
});
