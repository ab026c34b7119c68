/**
 * Faults through the whole runner: 10 % of the replay adapter's calls (order writes included) fail with
 * NetworkError, RateLimitExceeded or RequestTimeout, half the write timeouts after the write took effect. The bot
 * converges to the fault-free run with no order placed twice.
 */
import { describe, expect, it } from 'vitest';
import { importCandles } from '../../data/index.ts';
import { sharedFile, BTC_1H } from '../../test-support/shared-data.ts';
import { smaCross, type CandleFrame } from '../../engine/index.ts';
import type { FaultConfig } from '../exchange/faults.ts';
import { openMemoryStateStore } from '../state/store.ts';
import { BotService } from '../bots/service.ts';
import { BotRunner } from './bot-runner.ts';
import { execReplay } from './exec-replay.ts';
import { nullLogger } from './logger.ts';

async function run(frame: CandleFrame, faults?: FaultConfig) {
  const store = openMemoryStateStore();
  const service = new BotService(store, { liveTradingEnabled: false }, () => frame.ts[30]);
  const bot = service.create({ name: 'f', strategy: 'sma-cross', params: { fast: 5, slow: 15 }, symbols: ['BTC/USDT'], exchange: 'replay', mode: 'replay', budget: 10_000, settings: { timeframe: '1h', slippageBps: 2 } });
  service.transition('f', 'running');
  const x = execReplay(store, service.get('f'), smaCross.id, frame, 30, frame.length, { feeRate: 0.001, slippageBps: 2 }, { faults });
  await new BotRunner({ store, bot: service.get('f'), strategy: smaCross, settings: service.settings('f'), frame, startIndex: 30, path: x.path, clock: x.clock, log: nullLogger, placeAt: 'close' }).run();
  // Settle anything a fault left unknown, as the host does after unknown outcomes.
  await x.path.reconcile();
  const fills = store.orders.fillsFor(bot.id).map(({ ts, side, price, amount, fee }) => ({ ts, side, price, amount, fee }));
  const orders = store.orders.ordersFor(bot.id);
  const res = { fills, orders, violations: store.checkInvariants(bot.id), stats: x.adapter.faultStats };
  store.close();
  return res;
}

describe('faults: 10 % of exchange calls fail', () => {
  it('the bot converges to the fault-free run, no order twice', async () => {
    const { frame } = await importCandles(sharedFile(BTC_1H), {});
    const s = (a: Float64Array) => a.slice(40_000, 40_700);
    const f = { ...frame, symbol: 'BTC/USDT', ts: s(frame.ts), open: s(frame.open), high: s(frame.high), low: s(frame.low), close: s(frame.close), volume: s(frame.volume), length: 700 } as CandleFrame;
    const clean = await run(f);
    const faulty = await run(f, { rate: 0.1, seed: 7 });
    expect(faulty.stats.injected).toBeGreaterThan(20);
    expect(faulty.stats.byMethod.createOrder ?? 0).toBeGreaterThan(0);
    expect(clean.fills.length).toBeGreaterThan(30);
    expect(faulty.violations).toEqual([]);
    expect(faulty.fills).toEqual(clean.fills);
    // One order per decision: the same tags, each once.
    const tags = (o: typeof clean.orders) => o.filter((x) => x.filled > 0).map((x) => x.tag);
    expect(tags(faulty.orders)).toEqual(tags(clean.orders));
    expect(new Set(tags(faulty.orders)).size).toBe(tags(faulty.orders).length);
  }, 60_000);
});
