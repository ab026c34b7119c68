import { describe, expect, it } from 'vitest';
import { expectRelClose } from '../../../test-support/approx.ts';
import { dayMs, emptyConfigForm, formFromBot, riskFromForm, settingsFromForm, validateConfigForm } from './bot-config.ts';

const HOUR = 3_600_000;

describe('bot-config', () => {
  it('round-trips a bot: risk limits, running time, settings and replay data', () => {
    const bot = {
      budget: 2500,
      risk: { stopLoss: { pct: 5 }, drawdown: { pct: 20 }, kelly: { fraction: 0.5, cap: 0.2, lookback: 50, minTrades: 10 }, openOrders: { maxTotal: 100, maxPerMarket: 40 }, wallet: { compound: true } },
      settings: { timeframe: '4h', feeRate: 0.00075, slippageBps: 3, runningMs: 36 * HOUR, speed: 3600, data: { file: '/d/BTC.json', from: Date.UTC(2022, 0, 1), to: Date.UTC(2022, 1, 15) } },
    };
    const f = formFromBot(bot);
    expect(f).toMatchObject({ budget: 2500, runningHours: 36, stopLossPct: 5, drawdownPct: 20, dailyLossPct: null, maxOpenOrders: 100, compound: true,
      timeframe: '4h', slippageBps: 3, dataFile: '/d/BTC.json', from: '2022-01-01', to: '2022-02-15', speed: '3600' });
    expectRelClose(f.feePct!, 0.075);
    // Unchanged form → the same risk, with the keys the form does not show kept.
    expect(riskFromForm(f, bot.risk)).toEqual(bot.risk);
    const s = settingsFromForm(f, 'replay');
    expect(s).toMatchObject({ timeframe: '4h', slippageBps: 3, runningMs: 36 * HOUR, speed: 3600, data: bot.settings.data });
    expectRelClose(s.feeRate as number, 0.00075);
  });

  it('removes emptied limits and keeps other keys', () => {
    const base = { stopLoss: { pct: 5 }, openOrders: { maxTotal: 100, maxPerMarket: 40 }, volatility: { window: 20, maxDeviationPct: 8 } };
    const f = { ...formFromBot({ budget: 1, risk: base, settings: null }), stopLossPct: null, maxOpenOrders: null, dailyLossPct: 3 };
    expect(riskFromForm(f, base)).toEqual({ openOrders: { maxPerMarket: 40 }, volatility: { window: 20, maxDeviationPct: 8 }, dailyLoss: { pct: 3 } });
    expect(riskFromForm(emptyConfigForm())).toEqual({});
  });

  it('sends replay data and speed only for replay bots; max speed; until stopped', () => {
    const f = { ...emptyConfigForm(1000), speed: 'max', from: '2022-01-01' };
    expect(settingsFromForm(f, 'replay')).toMatchObject({ speed: 'max', runningMs: null, data: { from: Date.UTC(2022, 0, 1) } });
    const paper = settingsFromForm(f, 'paper');
    expect('data' in paper || 'speed' in paper).toBe(false);
  });

  it('says what is wrong and what is allowed', () => {
    const ok = emptyConfigForm(1000);
    expect(validateConfigForm(ok, 'replay')).toEqual({});
    const bad = { ...ok, budget: 0, runningHours: -1, stopLossPct: 150, maxOpenOrders: 2.5, feePct: -1, speed: 'fast', from: '2022-02-01', to: '2022-01-01' };
    const e = validateConfigForm(bad, 'replay');
    expect(Object.keys(e).sort()).toEqual(['budget', 'feePct', 'maxOpenOrders', 'runningHours', 'speed', 'stopLossPct', 'to']);
    expect(e.speed).toMatch(/'max' or a positive multiple/);
    expect(validateConfigForm({ ...ok, speed: 'fast' }, 'paper')).toEqual({});
    expect(dayMs('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
    expect(dayMs(' ')).toBeUndefined();
  });
});
