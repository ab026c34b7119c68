// Warm-up check on real BTC/USDT 1h: SMA needs exactly its period, EMA and Wilder RSI need many more bars than
// their period; strategies whose declared warm-up is shorter are flagged.
import { readFileSync } from 'node:fs';
import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { BTC_1H, sharedFile } from '../../test-support/shared-data.ts';
import { frameFromRows } from '../frame.ts';
import { ema } from '../indicators/ema.ts';
import { sma } from '../indicators/sma.ts';
import { defineStrategy, type AnyStrategy } from '../strategy.ts';
import { emaCross, rsiReversion, smaCross, breakout } from '../strategies/index.ts';
import { checkWarmup, historyNeeded } from './warmup.ts';

const btc = frameFromRows({ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' }, JSON.parse(readFileSync(sharedFile(BTC_1H), 'utf8')) as number[][]);

const probe = defineStrategy({
  id: 'warmup-probe', version: '1.0.0', description: 'columns with known warm-up behaviour',
  params: Type.Object({ period: Type.Integer({ default: 20, minimum: 2, maximum: 500 }) }),
  warmup: (p) => p.period,
  indicators: (f, p) => {
    const cum = new Float64Array(f.length);
    let s = 0;
    for (let i = 0; i < f.length; i++) { s += f.volume[i]; cum[i] = s; } // cumulative: never settles
    return { sma: sma(f.close, p.period), ema: ema(f.close, p.period), close: f.close.slice(), cum };
  },
  decide: () => undefined,
});

describe('historyNeeded', () => {
  it('is one past the last disagreeing bar, counted from the start', () => {
    const full = Float64Array.from([1, 2, 3, 4, 5, 6]);
    expect(historyNeeded(full, Float64Array.from([NaN, NaN, 4, 5, 6]), 1, 1e-6, 0).needed).toBe(3);
    expect(historyNeeded(full, Float64Array.from([2, 3.5, 4, 5, 6]), 1, 1e-6, 0).needed).toBe(3);
    expect(historyNeeded(full, Float64Array.from([2, 3, 4, 5, 6]), 1, 1e-6, 0).needed).toBe(1);
    expect(historyNeeded(full, Float64Array.from([2, 3, 4, 5, 7]), 1, 1e-6, 0).needed).toBeNull();
    // within tolerance: 5 vs 5.000001 is a relative difference of 2e-7
    expect(historyNeeded(full, Float64Array.from([2, 3, 4, 5.000001, 6]), 1, 1e-6, 0).needed).toBe(1);
    expect(historyNeeded(full, Float64Array.from([2, 3, 4, 5.0001, 6]), 1, 1e-6, 0).needed).toBe(5); // bad at bar 4: from bar 5 on, 5 bars (1..5)
  });
});

describe('checkWarmup on BTC/USDT 1h', () => {
  it('SMA needs exactly its period, EMA many times more, the close itself 1 bar, a cumulative sum never settles', () => {
    const r = checkWarmup(probe, btc, { period: 20 });
    const by = Object.fromEntries(r.indicators.map((x) => [x.name, x]));
    expect(by.sma.needed).toBe(20);
    expect(by.close.needed).toBe(1);
    expect(by.ema.needed).toBeGreaterThan(3 * 20);
    expect(by.cum.needed).toBeNull();
    expect(r.longest).toBeNull();
    expect(r.ok).toBe(false);
    expect(r.starts.length).toBe(8);
  });

  it('a looser tolerance needs fewer EMA bars', () => {
    const tight = checkWarmup(emaCross, btc, emaCross.resolveParams(), { tolerance: 1e-8 });
    const loose = checkWarmup(emaCross, btc, emaCross.resolveParams(), { tolerance: 1e-3 });
    expect(tight.longest!).toBeGreaterThan(loose.longest!);
    expect(loose.longest!).toBeGreaterThanOrEqual(26);
  });

  it('passes sma-cross and breakout (windows: their declared warm-up covers them)', () => {
    for (const s of [smaCross, breakout] as AnyStrategy[]) {
      const r = checkWarmup(s, btc, s.resolveParams());
      expect(r.ok, s.id).toBe(true);
      expect(r.longest).toBe(s.warmup(s.resolveParams()));
    }
  });

  it('every built-in strategy declares enough warm-up (EMA and Wilder RSI wait for their seeds to fade)', () => {
    for (const s of [emaCross, rsiReversion, smaCross, breakout] as AnyStrategy[]) {
      const r = checkWarmup(s, btc, s.resolveParams());
      expect(r.ok, s.id).toBe(true);
    }
  });

  it('flags a strategy whose EMAs need more than its declared warm-up', () => {
    const short = defineStrategy({
      id: 'short-warmup', version: '1.0.0', description: 'EMA columns, warm-up = period',
      params: Type.Object({ period: Type.Integer({ default: 26, minimum: 2, maximum: 500 }) }),
      warmup: (p) => p.period,
      indicators: (f, p) => ({ ema: ema(f.close, p.period) }),
      decide: () => undefined,
    }) as AnyStrategy;
    const r = checkWarmup(short, btc, short.resolveParams());
    expect(r.ok).toBe(false);
    expect(r.longest!).toBeGreaterThan(r.declared);
  });

  it('rejects bad options', () => {
    expect(() => checkWarmup(smaCross, btc, smaCross.resolveParams(), { tolerance: -1 })).toThrow(/--tolerance/);
    expect(() => checkWarmup(smaCross, btc, smaCross.resolveParams(), { starts: 0 })).toThrow(/--starts/);
  });
});
