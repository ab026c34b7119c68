/**
 * Risk rules apply on the one replay path: a replay bot's orders go through the order manager's risk checks, and a
 * denial is recorded in the bot's journal (risk_denials) before any adapter call — for an order strategy (the global
 * cap of open orders) and a signal strategy (a daily loss limit).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sharedFile, BTC_1H } from '../../test-support/shared-data.ts';
import { openStateStore } from '../state/store.ts';
import { BotService, type CreateBotInput } from '../bots/service.ts';
import { BotHost } from './host.ts';

const FILE = sharedFile(BTC_1H);
const FROM = Date.parse('2021-01-01T00:00:00Z');
const homes: string[] = [];
afterEach(() => { for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true }); });

function setup() {
  const home = mkdtempSync(join(tmpdir(), 'tl-risk-'));
  homes.push(home);
  const store = openStateStore(home);
  const service = new BotService(store, { liveTradingEnabled: false });
  const host = new BotHost(store, service, { home, cacheDir: join(home, 'cache'), cwd: home });
  return { store, service, host };
}

const bot = (name: string, over: Partial<CreateBotInput>): CreateBotInput => ({
  name, strategy: 'grid', params: {}, symbols: ['BTC/USDT'], exchange: 'binance', mode: 'replay', budget: 10_000,
  settings: { timeframe: '1h', speed: 'max', data: { file: FILE, from: FROM, to: FROM + 10 * 86_400_000 } }, ...over,
});

describe('risk rules on the replay path', () => {
  it('the global cap of open orders: a grid wanting more resting orders is denied, the denial is in the journal, no order exceeds the cap', async () => {
    const { store, service, host } = setup();
    service.create(bot('capped', { risk: { openOrders: { maxTotal: 12 } } }));
    service.create(bot('free', { risk: { openOrders: { maxTotal: 1_000 } } }));
    expect((await host.runBot('capped')).end).toBe('end-of-data');
    expect((await host.runBot('free')).end).toBe('end-of-data');
    const denials = store.journal.listRiskDenials('capped');
    expect(denials.length).toBeGreaterThan(0);
    expect(denials[0]).toMatchObject({ botId: 'capped', rule: 'open-orders-global' });
    expect(denials[0].reason).toMatch(/12/);
    // Denied before any adapter call: never more than 12 orders open at once in the store.
    const orders = store.orders.ordersFor('capped');
    const events = orders.flatMap((o) => [[o.createdAt, 1], ...(o.status === 'open' ? [] : [[o.updatedAt, -1]])] as [number, number][]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let open = 0, max = 0;
    for (const [, d] of events) { open += d; max = Math.max(max, open); }
    expect(max).toBeLessThanOrEqual(12);
    // The same grid without the tight cap: nothing denied, and more orders at once.
    expect(store.journal.listRiskDenials('free')).toEqual([]);
    expect(store.orders.ordersFor('free').length).toBeGreaterThan(orders.length);
    expect(store.checkInvariants('capped')).toEqual([]);
  }, 60_000);

  it('a daily loss limit pauses a signal bot\'s entries after losing days, recorded in its journal', async () => {
    const { store, service, host } = setup();
    const data = { file: FILE, from: FROM, to: FROM + 60 * 86_400_000 };
    service.create(bot('limited', { strategy: 'sma-cross', params: { fast: 3, slow: 8 }, risk: { dailyLoss: { abs: 1 } }, settings: { timeframe: '1h', speed: 'max', data } }));
    service.create(bot('unlimited', { strategy: 'sma-cross', params: { fast: 3, slow: 8 }, settings: { timeframe: '1h', speed: 'max', data } }));
    await host.runBot('limited');
    await host.runBot('unlimited');
    const denials = store.journal.listRiskDenials('limited');
    expect(denials.length).toBeGreaterThan(0);
    expect(denials.every((d) => d.rule === 'daily-loss')).toBe(true);
    expect(store.journal.listRiskDenials('unlimited')).toEqual([]);
    // Entries were skipped: fewer buys than the unlimited twin.
    const buys = (id: string) => store.orders.fillsFor(id).filter((f) => f.side === 'buy').length;
    expect(buys('limited')).toBeLessThan(buys('unlimited'));
  }, 60_000);
});
