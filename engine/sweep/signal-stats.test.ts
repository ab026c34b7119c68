import { describe, expect, it } from 'vitest';
import { syntheticFrame } from '../../bench/synthetic.ts';
import { importCandles } from '../../data/index.ts';
import { BTC_1H, sharedFile } from '../../test-support/shared-data.ts';
import { computeStats, statsInputFromSim } from '../metrics/index.ts';
import { DEFAULT_FILL_CONFIG, runSignalBacktest, validateFillConfig, type FillConfig } from '../sim/index.ts';
import { builtinStrategies, smaCross } from '../strategies/index.ts';
import { sliceFrame, type CandleFrame } from '../frame.ts';
import type { ParamValues } from '../params.ts';
import type { AnyStrategy } from '../strategy.ts';
import { createMemo } from './memo.ts';
import { createScratch, runComboStats } from './run-combo.ts';
import { signalRunStats } from './signal-stats.ts';
import { seededRandom } from '../random.ts';

const reference = (s: AnyStrategy, f: CandleFrame, p: ParamValues, cfg: FillConfig, start: number, end?: number) =>
  computeStats(statsInputFromSim(runSignalBacktest(s, f, p, cfg, { startIndex: start, endIndex: end }), f, cfg));

/** Every field identical, NaN equal to NaN (Object.is semantics except +0/-0). */
function expectSameStats(a: object, b: object) {
  const ra = a as Record<string, number>, rb = b as Record<string, number>;
  expect(Object.keys(ra).sort()).toEqual(Object.keys(rb).sort());
  for (const k of Object.keys(rb)) {
    if (!(ra[k] === rb[k] || (ra[k] !== ra[k] && rb[k] !== rb[k]))) expect.fail(`${k}: ${ra[k]} vs ${rb[k]}`);
  }
}

describe('signalRunStats: identical to runSignalBacktest + computeStats', () => {
  const f = syntheticFrame(20_000, 7, '1h', 3_600_000);
  const configs: FillConfig[] = [
    { ...DEFAULT_FILL_CONFIG },
    { ...DEFAULT_FILL_CONFIG, allowShort: true, closeAtEnd: true, slippageBps: 5 },
    { ...DEFAULT_FILL_CONFIG, lotSize: 0.01, minNotional: 100, fraction: 0.5, feeRate: 0.002 },
    { ...DEFAULT_FILL_CONFIG, initialCash: 100, lotSize: 0.01, minNotional: 10, allowShort: true }, // entries skipped
    { ...DEFAULT_FILL_CONFIG, closeAtEnd: true },
  ];
  it('sma-cross over grids of periods and every fill option', () => {
    for (const cfg of configs) {
      for (const [fast, slow] of [[3, 7], [5, 20], [10, 30], [20, 100], [2, 3]]) {
        const p = smaCross.resolveParams({ fast, slow });
        const sig = smaCross.signals!(f, smaCross.indicators(f, p), p);
        for (const [start, end] of [[slow, f.length], [500, 800], [slow, slow + 1], [slow, slow + 2]]) {
          expectSameStats(signalRunStats(f, sig, validateFillConfig(cfg), start, end), reference(smaCross, f, p, cfg, start, end));
        }
      }
    }
  });
  it('random signals (long, short, flat, NaN) with every fill option', () => {
    const rnd = seededRandom(3);
    for (let trial = 0; trial < 20; trial++) {
      const sig = new Float64Array(f.length);
      const pNaN = rnd();
      for (let i = 0; i < f.length; i++) { const u = rnd(); sig[i] = u < pNaN ? NaN : u < pNaN + (1 - pNaN) / 3 ? 1 : u < pNaN + 2 * (1 - pNaN) / 3 ? 0 : -1; }
      const strat = { ...smaCross, indicators: () => ({}), signals: () => sig };
      for (const cfg of configs) {
        expectSameStats(signalRunStats(f, sig, validateFillConfig(cfg), 10, f.length - trial), reference(strat as AnyStrategy, f, {}, cfg, 10, f.length - trial));
      }
    }
  });
  it('every built-in strategy on real BTC 1h through runComboStats (fast kernel or simulator)', async () => {
    const real = (await importCandles(sharedFile(BTC_1H), {})).frame;
    const scratch = createScratch(real.length);
    const memo = createMemo();
    for (const s of builtinStrategies) {
      const p = s.resolveParams();
      const start = Math.ceil(s.warmup(p));
      for (const cfg of configs.slice(0, 3)) {
        expectSameStats(runComboStats(s, real, p, validateFillConfig(cfg), start, real.length, memo, scratch), reference(s, real, p, cfg, start));
      }
    }
  });
});

describe('runCombosStats: blocks of bars, many combinations together', () => {
  it('gives the same Stats as one run per combination (tiny and default blocks, every fill option, sma- and ema-cross)', async () => {
    const { emaCross } = await import('../strategies/index.ts');
    const { runCombosStats } = await import('./run-combo.ts');
    const f = syntheticFrame(6_000, 11, '1h', 3_600_000);
    for (const s of [smaCross, emaCross]) {
      const ps = [[3, 7], [5, 20], [10, 30], [2, 3], [20, 100]].map(([fast, slow]) => s.resolveParams({ fast, slow }));
      for (const cfg of [{ ...DEFAULT_FILL_CONFIG }, { ...DEFAULT_FILL_CONFIG, allowShort: true, closeAtEnd: true, slippageBps: 5 }]) {
        const v = validateFillConfig(cfg);
        for (const [start, end, block] of [[100, 6_000, 7], [100, 6_000, 2048], [100, 103, 1], [0, 6_000, 64]]) {
          const got = runCombosStats(s, f, ps, v, start, end, createMemo(), createScratch(f.length), block);
          ps.forEach((p, c) => expectSameStats(got[c], reference(s, f, p, cfg, start, end)));
        }
      }
    }
  });
});

describe('signalsLookback: the promise a strategy makes to be computed in blocks', () => {
  it('holds for every built-in that makes it: targets over any slice equal the whole-column targets after the lookback', async () => {
    const real = (await importCandles(sharedFile(BTC_1H), {})).frame;
    const promised = builtinStrategies.filter((s) => s.signalsLookback !== undefined);
    expect(promised.map((s) => s.id)).toContain('sma-cross');
    const rnd = seededRandom(9);
    for (const s of promised) {
      const p = s.resolveParams();
      const ind = s.indicators(real, p) as Record<string, Float64Array>;
      const whole = s.signals!(real, ind, p);
      for (let t = 0; t < 50; t++) {
        const lo = Math.floor(rnd() * (real.length - 100)), hi = lo + 1 + Math.floor(rnd() * 3000);
        const cut = Math.min(hi, real.length);
        const sub: Record<string, Float64Array> = {};
        for (const k of Object.keys(ind)) sub[k] = ind[k].subarray(lo, cut);
        const part = s.signals!(sliceFrame(real, lo, cut), sub, p);
        for (let j = s.signalsLookback!; j < cut - lo; j++) {
          if (!Object.is(part[j], whole[lo + j])) expect.fail(`${s.id}: row ${lo + j}: ${part[j]} vs ${whole[lo + j]}`);
        }
      }
    }
  });
});
