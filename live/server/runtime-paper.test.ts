// A paper bot on a live candle feed (ccxt binance offline, virtual clock) run by the server's runtime: every closed bar
// marks its market (price.update with the bar's close at its close time), a P&L snapshot per bar, positions valued at
// the mark, the fiscal logs written from its fills.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCandles } from '../../data/load-candles.ts';
import { BTC_1H, sharedFile } from '../../test-support/shared-data.ts';
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

describe('a paper bot in the server runtime', () => {
  it('marks each closed bar: price.update, P&L snapshots, unrealised P&L, fiscal logs', async () => {
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
});
