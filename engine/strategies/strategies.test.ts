// Built-in strategies: the per-bar decide path equals the signals fast path on real data, warm-ups are exact,
// and each rule fires where a hand-built series says it must.
import { seededRandom } from '../random.ts';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BTC_1H, ETH_1H, sharedFile } from '../../test-support/shared-data.ts';
import { frameFromRows, makeFrame, type CandleFrame } from '../frame.ts';
import type { AnyStrategy } from '../strategy.ts';
import { builtinStrategies, decisionsOf, findBuiltinStrategy, signalsOf } from './index.ts';

const load = (rel: string) => frameFromRows({ exchange: 'binance', symbol: 'X/USDT', timeframe: '1h' }, JSON.parse(readFileSync(sharedFile(rel), 'utf8')) as number[][]);
const btc = load(BTC_1H);
const eth = load(ETH_1H);

/** Params sets per strategy: defaults plus a few others inside the bounds. */
const PARAMS: Record<string, Record<string, unknown>[]> = {
  'sma-cross': [{}, { fast: 5, slow: 50 }, { fast: 1, slow: 2 }],
  'ema-cross': [{}, { fast: 9, slow: 21 }, { fast: 50, slow: 200 }],
  'bollinger-reversion': [{}, { period: 50, mult: 2.5 }, { period: 5, mult: 1 }],
  breakout: [{}, { period: 55, volPeriod: 10, volFactor: 1 }, { period: 5, volPeriod: 30, volFactor: 0 }],
  'rsi-reversion': [{}, { period: 2, oversold: 10, overbought: 90 }, { period: 30, oversold: 45, overbought: 55 }],
};

function sameCodes(name: string, a: Float64Array, b: Float64Array): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    if (!(a[i] === b[i] || (Number.isNaN(a[i]) && Number.isNaN(b[i])))) expect.fail(`${name}: bar ${i}: decide ${a[i]} vs signals ${b[i]}`);
  }
}

function count(codes: Float64Array, v: number): number {
  let k = 0;
  for (const c of codes) if (c === v) k++;
  return k;
}

describe('built-in strategy registry', () => {
  it('lists five strategies with kebab-case ids, a semver version, a one-line description and full parameter metadata', () => {
    expect(builtinStrategies.map((s) => s.id)).toEqual(['sma-cross', 'ema-cross', 'bollinger-reversion', 'breakout', 'rsi-reversion']);
    for (const s of builtinStrategies) {
      expect(s.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(s.kind).toBe('signal');
      expect(s.description).not.toMatch(/\n/);
      expect(typeof s.signals).toBe('function');
      for (const [name, schema] of Object.entries(s.params.properties as Record<string, Record<string, unknown>>)) {
        for (const key of ['default', 'minimum', 'maximum', 'description']) expect(schema[key], `${s.id}.${name}.${key}`).toBeDefined();
      }
      expect(findBuiltinStrategy(s.id)).toBe(s);
    }
    expect(findBuiltinStrategy('sma-crossover')).toBeUndefined();
  });
});

describe('decide (per bar) equals signals (vectorised), bar for bar, on real 1h data', () => {
  for (const s of builtinStrategies) {
    for (const overrides of PARAMS[s.id]) {
      it(`${s.id} ${JSON.stringify(overrides)}`, () => {
        const p = s.resolveParams(overrides);
        for (const f of [btc, eth]) {
          const ind = s.indicators(f, p);
          const d = decisionsOf(s, f, p, ind);
          const v = s.signals!(f, ind, p);
          sameCodes(s.id, d, v);
          sameCodes(`${s.id} signalsOf`, signalsOf(s, f, p), v);
          // The comparison is not vacuous: the strategy really trades in both directions.
          expect(count(d, 1), 'long decisions').toBeGreaterThan(5);
          expect(count(d, -1) + count(d, 0), 'exit/short decisions').toBeGreaterThan(5);
          // Nothing before the warm-up.
          const w = s.warmup(p);
          for (let i = 0; i < Math.min(w, f.length); i++) if (!Number.isNaN(d[i])) expect.fail(`${s.id}: decision at bar ${i} before warm-up ${w}`);
        }
      });
    }
  }
});

const rng = seededRandom;

function randomFrame(n: number, rnd: () => number): CandleFrame {
  const ts = new Float64Array(n), open = new Float64Array(n), high = new Float64Array(n), low = new Float64Array(n), close = new Float64Array(n), volume = new Float64Array(n);
  let p = 100;
  for (let i = 0; i < n; i++) {
    const o = p, c = o * (1 + 0.2 * (rnd() - 0.5));
    ts[i] = i * 3_600_000; open[i] = o; close[i] = c;
    high[i] = Math.max(o, c) * (1 + 0.05 * rnd()); low[i] = Math.min(o, c) * (1 - 0.05 * rnd());
    volume[i] = 10 * rnd() ** 3;
    p = c;
  }
  return makeFrame({ exchange: 'test', symbol: 'T/USD', timeframe: '1h' }, { ts, open, high, low, close, volume });
}

describe('warmup(p) is exact: no decision before it, and a decision AT it is possible', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['sma-cross', { fast: 2, slow: 4 }], ['ema-cross', { fast: 2, slow: 3 }], ['bollinger-reversion', { period: 3, mult: 0.5 }],
    ['breakout', { period: 3, volPeriod: 2, volFactor: 1 }], ['breakout', { period: 2, volPeriod: 4, volFactor: 0.5 }],
    ['rsi-reversion', { period: 2, oversold: 40, overbought: 60 }],
  ];
  for (const [id, overrides] of cases) {
    it(`${id} ${JSON.stringify(overrides)}`, () => {
      const s = findBuiltinStrategy(id) as AnyStrategy;
      const p = s.resolveParams(overrides);
      const w = s.warmup(p);
      const rnd = rng(99);
      let hitsAtWarmup = 0;
      for (let k = 0; k < 3000; k++) {
        const d = decisionsOf(s, randomFrame(w + 1, rnd), p);
        for (let i = 0; i < w; i++) expect(d[i]).toBeNaN();
        if (!Number.isNaN(d[w])) hitsAtWarmup++;
      }
      expect(hitsAtWarmup).toBeGreaterThan(0);
    });
  }
});

/** A frame from closes (open = previous close, high/low = max/min of open and close), optional volumes. */
function fromCloses(closes: number[], volumes?: number[], highs?: number[], lows?: number[]): CandleFrame {
  const n = closes.length;
  const close = Float64Array.from(closes);
  const open = Float64Array.from(closes.map((c, i) => (i === 0 ? c : closes[i - 1])));
  const high = highs ? Float64Array.from(highs) : Float64Array.from(closes.map((c, i) => Math.max(c, open[i])));
  const low = lows ? Float64Array.from(lows) : Float64Array.from(closes.map((c, i) => Math.min(c, open[i])));
  const volume = Float64Array.from(volumes ?? closes.map(() => 1));
  const ts = Float64Array.from({ length: n }, (_, i) => i * 60_000);
  return makeFrame({ exchange: 'test', symbol: 'T/USD', timeframe: '1m' }, { ts, open, high, low, close, volume });
}

const codes = (d: Float64Array) => [...d].map((x) => (Number.isNaN(x) ? null : x));

describe('rules on hand-built series', () => {
  it('sma-cross: one long at the up-cross, one short at the down-cross (the cross, not the state)', () => {
    const s = findBuiltinStrategy('sma-cross')!;
    // fast 2, slow 3.
    const f = fromCloses([3, 3, 3, 2, 6, 6, 6, 0, 0, 0]);
    // sma2: -,3,3,2.5,4,6,6,3,0,0   sma3: -,-,3,8/3,11/3,14/3,6,4,2,0
    // i=3: 2.5 < 8/3; i=4: 4 > 11/3 -> long at 4. i=6: 6 == 6 (touch); i=7: 3 < 4 but i=6 was equal -> no cross.
    expect(codes(decisionsOf(s, f, s.resolveParams({ fast: 2, slow: 3 })))).toEqual([null, null, null, null, 1, null, null, null, null, null]);
    const g = fromCloses([3, 3, 3, 2, 6, 7, 8, 0, 0, 0]);
    // sma2: ..,4,6.5,7.5,4,0,0   sma3: ..,11/3,5,7,5,8/3,0 -> i=7: 7.5 > 7 before, 4 < 5 now -> short at 7
    expect(codes(decisionsOf(s, g, s.resolveParams({ fast: 2, slow: 3 })))).toEqual([null, null, null, null, 1, null, null, -1, null, null]);
  });

  it('bollinger-reversion: long below the lower band, flat back over the middle, short above the upper', () => {
    const s = findBuiltinStrategy('bollinger-reversion')!;
    // period 3, mult 1. closes 10,10,10,10,7,...: window 10,10,7 -> mean 9, std sqrt(2) -> lower 7.586: 7 < lower, prev 10 > 10 (lower of a flat window is 10: 10 > 10 false!)
    // So start from a slightly noisy window: 10,11,10,11 then 7.
    const f = fromCloses([10, 11, 10, 11, 7, 8, 12, 10.5, 14]);
    const p = s.resolveParams({ period: 3, mult: 1 });
    const ind = s.indicators(f, p);
    const d = decisionsOf(s, f, p, ind);
    // i=4: window 10,11,7: mean 9.333, std 1.700 -> lower 7.633; prev close 11 > prev lower (10.195) and 7 < 7.633 -> long
    expect(d[4]).toBe(1);
    // i=6: window 7,8,12: mean 9, std 2.160; 8 < prev middle (8.667 for 11,7,8) and 12 > 9 -> crossed the middle; 12 > upper 11.16 as well -> short wins
    expect(ind.upper[6]).toBeLessThan(12);
    expect(d[6]).toBe(-1);
    // i=7: window 8,12,10.5 mean 10.167: 12 > 9 before, 10.5 > 10.167 now -> no cross of the middle; 12 > upper before, 10.5 < upper -> nothing
    expect(d[7]).toBeNaN();
  });

  it('breakout: needs the previous channel AND volume; the bar itself is not in its own channel', () => {
    const s = findBuiltinStrategy('breakout')!;
    const p = s.resolveParams({ period: 3, volPeriod: 3, volFactor: 2 });
    // highs of bars 0..2 are 10; bar 3 closes at 11 (> 10) with volume 7 > 2 * 3 -> long.
    // bar 4 closes at 12 > max(10,10,11)... volume 1 -> no long. bar 5 closes 5 < min low of bars 2..4 -> short.
    const closes = [10, 10, 10, 11, 12, 5];
    const f = fromCloses(closes, [3, 3, 3, 7, 1, 1], [10, 10, 10, 11, 12, 12], [9, 9, 9, 10, 11, 5]);
    expect(codes(decisionsOf(s, f, p))).toEqual([null, null, null, 1, null, -1]);
    // The same breakout without the volume: no decision.
    const g = fromCloses(closes, [3, 3, 3, 5, 1, 1], [10, 10, 10, 11, 12, 12], [9, 9, 9, 10, 11, 5]);
    expect(codes(decisionsOf(s, g, p))).toEqual([null, null, null, null, null, -1]);
  });

  it('rsi-reversion: long when RSI crosses back above oversold, short when it crosses back below overbought', () => {
    const s = findBuiltinStrategy('rsi-reversion')!;
    const p = s.resolveParams({ period: 2, oversold: 30, overbought: 70 });
    expect(s.warmup(p)).toBe(23); // period + 1 + wilderSettlingBars(2) = 3 + 20
    // 24 flat closes (RSI 50: no movement), then 9,8,9,10,11,10: changes -1,-1,+1,+1,+1,-1 at bars 24..29.
    // Wilder (period 2) from g = l = 0: i24 g 0 l .5 -> 0; i25 g 0 l .75 -> 0; i26 g .5 l .375 -> 57.1 (crossed above 30 -> long);
    // i27 g .75 l .1875 -> 80; i28 g .875 l .09375 -> 90.3; i29 g .4375 l .546875 -> 44.4 (crossed below 70 -> short)
    const closes = [...new Array(24).fill(10), 9, 8, 9, 10, 11, 10];
    const expected = closes.map((_, i) => (i === 26 ? 1 : i === 29 ? -1 : null));
    expect(codes(decisionsOf(s, fromCloses(closes), p))).toEqual(expected);
  });
  it('ema-cross and rsi-reversion wait until their smoothers forget the seed (decisions independent of the start)', () => {
    const ema = findBuiltinStrategy('ema-cross')!, r = findBuiltinStrategy('rsi-reversion')!;
    expect(ema.warmup(ema.resolveParams({}))).toBe(26 + 180) // ceil(ln 1e-6 / ln(1 - 2/27));
    expect(r.warmup(r.resolveParams({}))).toBe(15 + 187) // ceil(ln 1e-6 / ln(1 - 1/14));
  });
});
