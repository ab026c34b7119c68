import { describe, expect, it } from 'vitest';
import { syntheticFrame } from '../../bench/synthetic.ts';
import { importCandles } from '../../data/index.ts';
import { BTC_1H, sharedFile } from '../../test-support/shared-data.ts';
import { makeFrame, type CandleFrame } from '../frame.ts';
import { computeStats, statsInputFromSim } from '../metrics/index.ts';
import type { ParamValues } from '../params.ts';
import { DEFAULT_FILL_CONFIG, runSignalBacktest, validateFillConfig, type FillConfig } from '../sim/index.ts';
import { crossTargets } from '../strategies/ma-cross.ts';
import { builtinStrategies, emaCross, smaCross } from '../strategies/index.ts';
import type { AnyStrategy } from '../strategy.ts';
import { CrossRun, crossTargetAt, markHeldUntilCross, nextCross, nextCrossBelow } from './cross-run.ts';
import { Marks } from './signal-stats.ts';
import { createMemo } from './memo.ts';
import { createScratch, runCombosStats } from './run-combo.ts';
import { seededRandom } from '../random.ts';

const reference = (s: AnyStrategy, f: CandleFrame, p: ParamValues, cfg: FillConfig, start: number, end?: number) =>
  computeStats(statsInputFromSim(runSignalBacktest(s, f, p, cfg, { startIndex: start, endIndex: end }), f, cfg));

function expectSameStats(a: object, b: object, what: string) {
  const ra = a as Record<string, number>, rb = b as Record<string, number>;
  expect(Object.keys(ra).sort()).toEqual(Object.keys(rb).sort());
  for (const k of Object.keys(rb)) {
    if (!(ra[k] === rb[k] || (ra[k] !== ra[k] && rb[k] !== rb[k]))) expect.fail(`${what}: ${k}: ${ra[k]} vs ${rb[k]}`);
  }
}

/** Prices rounded to a coarse tick: moving averages are often EQUAL, so crosses through equality (no target) abound. */
function tickFrame(n: number, seed: number, tick: number): CandleFrame {
  const f = syntheticFrame(n, seed, '1h', 3_600_000);
  const r = (a: Float64Array) => a.map((x) => Math.round(x / tick) * tick);
  const open = r(f.open), close = r(f.close);
  const high = r(f.high).map((x, i) => Math.max(x, open[i], close[i])), low = r(f.low).map((x, i) => Math.min(x, open[i], close[i]));
  return makeFrame({ exchange: 'test', symbol: 'BTC/USDT', timeframe: '1h' }, { ts: f.ts, open, high, low, close, volume: f.volume });
}

const configs: FillConfig[] = [
  { ...DEFAULT_FILL_CONFIG },
  { ...DEFAULT_FILL_CONFIG, allowShort: true, closeAtEnd: true, slippageBps: 5 },
  { ...DEFAULT_FILL_CONFIG, lotSize: 0.01, minNotional: 100, fraction: 0.5, feeRate: 0.002 },
  { ...DEFAULT_FILL_CONFIG, initialCash: 100, lotSize: 0.01, minNotional: 10, allowShort: true }, // entries skipped
];

describe('crossSignals: the declaration matches signals()', () => {
  it('holds for every built-in that makes it, on real BTC 1h and on tick-rounded prices', async () => {
    const real = (await importCandles(sharedFile(BTC_1H), {})).frame;
    const declared = builtinStrategies.filter((s) => s.crossSignals !== undefined);
    expect(declared.map((s) => s.id).sort()).toEqual(['ema-cross', 'sma-cross']);
    for (const f of [real, tickFrame(5_000, 3, 50)]) {
      for (const s of declared) {
        for (const [fast, slow] of [[2, 3], [5, 20], [12, 26]]) {
          const p = s.resolveParams({ fast, slow });
          const ind = s.indicators(f, p) as Record<string, Float64Array>;
          const cs = s.crossSignals!;
          const want = crossTargets(ind[cs.fast], ind[cs.slow]).fill(NaN, 0, Math.max(0, cs.from?.(p) ?? 0));
          const got = s.signals!(f, ind, p);
          const from = Math.max(1, cs.from?.(p) ?? 0);
          for (let j = 0; j < f.length; j++) {
            if (!Object.is(got[j], want[j])) expect.fail(`${s.id} ${fast}/${slow} bar ${j}: signals ${got[j]} vs declared ${want[j]}`);
            if (j >= 1 && !Object.is(crossTargetAt(ind[cs.fast], ind[cs.slow], from, j), want[j])) expect.fail(`crossTargetAt ${j}`);
          }
        }
      }
    }
  });
});

describe('cross scans', () => {
  it('find the first cross (strict, through equality and NaN) exactly as crossTargets marks it', () => {
    const rnd = seededRandom(5);
    for (let t = 0; t < 200; t++) {
      const n = 5 + Math.floor(rnd() * 60);
      const pick = () => { const u = rnd(); return u < 0.1 ? NaN : Math.floor(u * 4); }; // many ties
      const a = Float64Array.from({ length: n }, pick), b = Float64Array.from({ length: n }, pick);
      const tg = crossTargets(a, b);
      const j0 = 1 + Math.floor(rnd() * (n - 2)), j1 = j0 + Math.floor(rnd() * (n - j0));
      const firstDown = (() => { for (let j = j0; j < j1; j++) if (tg[j] === -1) return j; return j1; })();
      const firstUp = (() => { for (let j = j0; j < j1; j++) if (tg[j] === 1) return j; return j1; })();
      const firstAny = (() => { for (let j = j0; j < j1; j++) if (tg[j] === tg[j]) return j; return j1; })();
      expect(nextCrossBelow(a, b, j0, j1)).toBe(firstDown);
      expect(nextCrossBelow(b, a, j0, j1)).toBe(firstUp);
      expect(nextCross(a, b, j0, j1)).toBe(firstAny);
      // held long from bar i0: marks until the bar after the first cross down at or after bar i0 - 1
      const i0 = Math.max(2, j0), st = new Marks(100, Float64Array.from({ length: n }, (_, i) => i * 60_000), 0, 60_000);
      const close = Float64Array.from({ length: n }, () => 1 + rnd());
      const exitBar = (() => { for (let i = i0; i < j1; i++) if (tg[i - 1] === -1) return i; return j1; })();
      if (i0 < j1) {
        st.cash = 50; st.pos = 10;
        expect(markHeldUntilCross(st, close, a, b, i0, j1, 0)).toBe(exitBar);
        expect(st.exposed).toBe(exitBar - i0);
      }
    }
  });
});

describe('CrossRun: identical to runSignalBacktest + computeStats', () => {
  it('sma- and ema-cross, every fill option, tick-rounded and smooth prices, several ranges and block sizes', () => {
    for (const f of [tickFrame(6_000, 11, 25), syntheticFrame(6_000, 12, '1h', 3_600_000)]) {
      for (const s of [smaCross, emaCross]) {
        const ps = [[1, 2], [2, 3], [3, 7], [5, 20], [10, 30]].map(([fast, slow]) => s.resolveParams({ fast, slow }));
        for (const cfg of configs) {
          const v = validateFillConfig(cfg);
          for (const [start, end, block] of [[100, 6_000, 7], [100, 6_000, 2048], [100, 103, 1], [0, 6_000, 64], [300, 5_000, 333]]) {
            const got = runCombosStats(s, f, ps, v, start, end, createMemo(), createScratch(f.length), block);
            ps.forEach((p, c) => expectSameStats(got[c], reference(s, f, p, cfg, start, end), `${s.id} ${p.fast}/${p.slow} [${start},${end}) block ${block}`));
          }
        }
      }
    }
  });

  it('an equity of exactly 0 held over several bars (an unchanged mark of 0: no return) matches the reference', () => {
    // Short 1 unit at 100 with 100 of cash and no fee: cash 200, position -1; closes of 200 mark the equity at exactly 0.
    const close = Float64Array.from([100, 100, 100, 100, 200, 200, 200, 150, 100, 100, 100, 100]);
    const n = close.length;
    const open = Float64Array.from(close, (c, i) => (i === 0 ? c : close[i - 1]));
    const frame = makeFrame({ exchange: 'test', symbol: 'X/Y', timeframe: '1h' }, {
      ts: Float64Array.from({ length: n }, (_, i) => i * 3_600_000), open, close, high: Float64Array.from(close, (c, i) => Math.max(c, open[i])),
      low: Float64Array.from(close, (c, i) => Math.min(c, open[i])), volume: new Float64Array(n).fill(1),
    });
    const fast = Float64Array.from([2, 2, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2]), slow = new Float64Array(n).fill(1); // cross down at 2, up at 9
    const strat = { ...smaCross, indicators: () => ({ fast, slow }), signals: () => crossTargets(fast, slow) } as unknown as AnyStrategy;
    const cfg = { ...DEFAULT_FILL_CONFIG, initialCash: 100, feeRate: 0, allowShort: true };
    const got = runCombosStats(strat, frame, [{}, {}], validateFillConfig(cfg), 1, n, createMemo(), createScratch(n));
    const want = reference(strat, frame, {}, cfg, 1, n);
    expect(want.trades).toBe(1);
    expectSameStats(got[0], want, 'equity 0');
  });

  it('reuses its trade columns across groups without carrying anything over', () => {
    const f = syntheticFrame(4_000, 13, '1h', 3_600_000);
    const scratch = createScratch(f.length);
    const ps = [[2, 3], [5, 20]].map(([fast, slow]) => smaCross.resolveParams({ fast, slow }));
    const cfg = validateFillConfig({ ...DEFAULT_FILL_CONFIG });
    const a = runCombosStats(smaCross, f, ps, cfg, 50, f.length, createMemo(), scratch);
    const b = runCombosStats(smaCross, f, [...ps].reverse(), cfg, 50, f.length, createMemo(), scratch);
    expectSameStats(b[0], a[1], 'reversed 0');
    expectSameStats(b[1], a[0], 'reversed 1');
    expect(scratch.trades.length).toBe(2);
  });

  it('refuses columns of the wrong length', () => {
    const f = syntheticFrame(100, 1, '1h', 3_600_000);
    expect(() => new CrossRun(f, validateFillConfig({ ...DEFAULT_FILL_CONFIG }), 10, 100, new Float64Array(99), new Float64Array(100))).toThrow(/one value per bar/);
  });
});
