import { describe, expect, it } from 'vitest';
import { applyBotEvent, botPnl, capped, controlReasons, editReason, gridFigures, isGridStrategy, lotUnrealised, marksOf, totalPnl, type Bot, type BotDetail } from './bots.ts';

const bot = (id: string, status: Bot['status'], budget: number, equity: number | null): Pick<Bot, 'id' | 'status' | 'pnl' | 'budget'> => ({
  id, status, budget, pnl: equity === null ? null : { ts: 1000, equity, realised: 0, unrealised: 0, fees: 0, openOrders: 0 },
});

describe('bots logic', () => {
  it('P&L per bot and in total counts only bots with a snapshot', () => {
    const list = [bot('a', 'running', 1000, 1100), bot('b', 'paused', 500, 450), bot('c', 'created', 200, null)];
    expect(botPnl(list[0])).toBe(100);
    expect(botPnl(list[2])).toBeNull();
    expect(totalPnl(list)).toEqual({ pnl: 50, equity: 1550, budget: 1500, counted: 2 });
  });

  it('applies bot.state (runtime and memory payloads) and pnl.update; unknown bots ask for a refetch', () => {
    const list = [bot('a', 'running', 1000, 1000), bot('b', 'running', 500, null)];
    const s1 = applyBotEvent(list, { topic: 'bot.state', ts: 5, botId: 'a', data: { status: 'emergency-stopped', previous: 'running' } });
    expect(s1.bots[0].status).toBe('emergency-stopped');
    expect(s1.bots[1]).toBe(list[1]);
    expect(list[0].status).toBe('running'); // not mutated
    expect(applyBotEvent(s1.bots, { topic: 'bot.state', ts: 6, botId: 'b', data: { from: 'running', to: 'paused' } }).bots[1].status).toBe('paused');
    const p = applyBotEvent(list, { topic: 'pnl.update', ts: 2000, botId: 'b', data: { equity: 520, realised: 15, unrealised: 5, fees: 1, openOrders: 3 } });
    expect(p.bots[1].pnl).toEqual({ ts: 2000, equity: 520, realised: 15, unrealised: 5, fees: 1, openOrders: 3 });
    // An older snapshot does not replace a newer one.
    expect(applyBotEvent(p.bots, { topic: 'pnl.update', ts: 1500, botId: 'b', data: { equity: 1 } }).bots).toBe(p.bots);
    expect(applyBotEvent(list, { topic: 'bot.state', ts: 1, botId: 'z', data: { status: 'running' } })).toEqual({ bots: list, unknown: true });
    expect(applyBotEvent(list, { topic: 'order.filled', ts: 1, botId: 'a', data: {} }).bots).toBe(list);
  });

  it('offers the controls a status allows, with reasons', () => {
    expect(controlReasons('running')).toEqual({ start: 'the bot is already running', pause: undefined, stop: undefined, kill: undefined });
    const stopped = controlReasons('stopped');
    expect([stopped.start, stopped.kill]).toEqual([undefined, undefined]);
    expect(stopped.pause).toMatch(/only a running bot/);
    expect(stopped.stop).toMatch(/already stopped/);
    expect(controlReasons('created').kill).toMatch(/never ran/);
    expect(controlReasons('hold').pause).toBeUndefined();
    expect(editReason('paused')).toBeUndefined();
    expect(editReason('created')).toBeUndefined();
    expect(editReason('running')).toMatch(/only while the bot is paused or stopped; it is running/);
    expect(editReason('emergency-stopped')).toBeDefined();
  });

  it('unrealised P&L of lots at a mark, and marks from state', () => {
    expect(lotUnrealised({ entryPrice: 100, remaining: 2 }, 110)).toBe(20);
    expect(lotUnrealised({ entryPrice: 100, remaining: 2 }, null)).toBeNull();
    expect(marksOf({ '': { runner: {} }, 'BTC/USDT': { mark: { price: 42000, ts: 1 } }, 'ETH/USDT': {} })).toEqual({ 'BTC/USDT': 42000 });
  });

  it('grid figures from the recorded state, lots and resting buys', () => {
    const d: Pick<BotDetail, 'state' | 'params' | 'budget' | 'pnl' | 'status' | 'symbols'> = {
      symbols: ['BTC/USDT'], budget: 1000, status: 'running', params: { maxCapitalPct: 70 },
      pnl: { ts: 1, equity: 1200, realised: 0, unrealised: 0, fees: 0, openOrders: 2 },
      state: { 'BTC/USDT': { 'series.anchorHigh': 48000, 'series.gridTop': 47520, 'series.hold': 0, mark: { price: 47000, ts: 1 } } },
    };
    const lots = [
      { status: 'open' as const, symbol: 'BTC/USDT', entryPrice: 46000, remaining: 0.005 },
      { status: 'closed' as const, symbol: 'BTC/USDT', entryPrice: 45000, remaining: 0 },
    ];
    const orders = [
      { status: 'open' as const, symbol: 'BTC/USDT', side: 'buy' as const, price: 46500, amount: 0.004, filled: 0.001 },
      { status: 'open' as const, symbol: 'BTC/USDT', side: 'sell' as const, price: 47000, amount: 0.005, filled: 0 },
      { status: 'filled' as const, symbol: 'BTC/USDT', side: 'buy' as const, price: 46000, amount: 0.005, filled: 0.005 },
    ];
    const g = gridFigures(d, lots, orders);
    expect(g).toMatchObject({ symbol: 'BTC/USDT', anchorHigh: 48000, gridTop: 47520, mark: 47000, hold: false, cap: 840, equity: 1200, lower: null });
    expect(g.capitalInUse).toBe(230);
    expect(g.openBuys).toBe(139.5);
    expect(gridFigures({ ...d, state: { 'BTC/USDT': { 'series.hold': 1 } } }, [], []).hold).toBe(true);
    expect(gridFigures({ ...d, status: 'hold', state: {} }, [], []).hold).toBe(true);
    expect(gridFigures({ ...d, params: {}, pnl: null }, [], []).cap).toBeNull();
    expect([isGridStrategy('grid@1.0.0'), isGridStrategy('range-grid'), isGridStrategy('sma-cross@1.0.0')]).toEqual([true, true, false]);
  });

  it('capped keeps the newest', () => {
    expect(capped([1, 2, 3], [4, 5], 4)).toEqual([2, 3, 4, 5]);
    expect(capped([], [1], 4)).toEqual([1]);
  });
});
