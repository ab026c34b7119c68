// Look-ahead through the simulator on real candles: changing the future after bar c never changes what was
// decided and filled by then. Planted cheats prove the check catches look-ahead on either decision path.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import { BTC_1H, sharedFile } from '../../test-support/shared-data.ts';
import { frameFromRows, sliceFrame } from '../frame.ts';
import { sma } from '../indicators/index.ts';
import { defineStrategy, goFlat, goLong, goShort } from '../strategy.ts';
import { DEFAULT_FILL_CONFIG, findSimLookAhead, perturbAfter, runSignalBacktest, type FillConfig } from './index.ts';

const rows = JSON.parse(readFileSync(sharedFile(BTC_1H), 'utf8')) as number[][];
const full = frameFromRows({ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' }, rows);
const frame = sliceFrame(full, full.length - 3000);
const START = 60;

/** Cuts spread over the range plus the bars whose decisions were filled (where a peek would most likely show). */
function cutsFor(fills: readonly { bar: number }[], n: number): number[] {
  const even = Array.from({ length: 8 }, (_, k) => START + Math.floor(((n - START - 3) * (k + 1)) / 9));
  const decided = fills.map((f) => f.bar - 1).filter((c) => c >= START && c + 1 < n);
  const step = Math.max(1, Math.floor(decided.length / 12));
  return [...new Set([...even, ...decided.filter((_, j) => j % step === 0)])].sort((a, b) => a - b);
}

const P = Type.Object({ fast: Type.Integer({ default: 10, minimum: 1 }), slow: Type.Integer({ default: 40, minimum: 2 }) });

const honest = defineStrategy({
  id: 'honest-cross', version: '1.0.0', description: 'long above, short below the slow SMA', params: P,
  warmup: (p) => p.slow,
  indicators: (f, p) => ({ fast: sma(f.close, p.fast), slow: sma(f.close, p.slow) }),
  decide: ({ i, ind }) => (ind.fast[i] > ind.slow[i] ? goLong('fast above') : ind.fast[i] < ind.slow[i] ? goShort('fast below') : undefined),
  signals: (f, ind) => Float64Array.from({ length: f.length }, (_, i) => (ind.fast[i] > ind.slow[i] ? 1 : ind.fast[i] < ind.slow[i] ? -1 : NaN)),
});

/** Cheat 1: decides on the NEXT bar's close (both paths). */
const peekNextClose = defineStrategy({
  id: 'peek-next-close', version: '1.0.0', description: 'buys when the next close is higher', params: Type.Object({}),
  warmup: () => 0, indicators: () => ({}),
  decide: ({ i, frame: f }) => (f.close[i + 1] > f.close[i] ? goLong() : goFlat()),
  signals: (f) => Float64Array.from({ length: f.length }, (_, i) => (f.close[i + 1] > f.close[i] ? 1 : 0)),
});

/** Cheat 2: an indicator centred on the bar (uses 5 future closes); the decision itself looks honest. */
const centredAverage = defineStrategy({
  id: 'centred-average', version: '1.0.0', description: 'close above a centred average', params: Type.Object({}),
  warmup: () => 5,
  indicators: (f) => {
    const c = f.close, out = new Float64Array(f.length).fill(NaN);
    for (let i = 5; i + 5 < f.length; i++) { let s = 0; for (let k = i - 5; k <= i + 5; k++) s += c[k]; out[i] = s / 11; }
    return { mid: out };
  },
  decide: ({ i, frame: f, ind }) => (f.close[i] < ind.mid[i] ? goLong() : f.close[i] > ind.mid[i] ? goFlat() : undefined),
  signals: (f, ind) => Float64Array.from({ length: f.length }, (_, i) => (f.close[i] < ind.mid[i] ? 1 : f.close[i] > ind.mid[i] ? 0 : NaN)),
});

/** Cheat 3: only the vectorised fast path peeks (shifted by one bar); decide is honest. */
const fastPathPeeks = defineStrategy({
  id: 'fast-path-peeks', version: '1.0.0', description: 'honest decide, fast path shifted one bar into the future', params: P,
  warmup: (p) => p.slow,
  indicators: (f, p) => ({ fast: sma(f.close, p.fast), slow: sma(f.close, p.slow) }),
  decide: honest.decide,
  signals: (f, ind) => Float64Array.from({ length: f.length }, (_, i) => (ind.fast[i + 1] > ind.slow[i + 1] ? 1 : ind.fast[i + 1] < ind.slow[i + 1] ? -1 : NaN)),
});

const config = (over: Partial<FillConfig> = {}): FillConfig => ({ ...DEFAULT_FILL_CONFIG, slippageBps: 2, ...over });

describe('perturbAfter', () => {
  it('keeps rows <= cut and the next open, changes the rest, and keeps candles valid', () => {
    const cut = 100;
    for (const v of ['up', 'down', 'truncated'] as const) {
      const p = perturbAfter(frame, cut, v);
      expect(p.length).toBe(v === 'truncated' ? cut + 2 : frame.length);
      for (const col of ['ts', 'open', 'high', 'low', 'close', 'volume'] as const) {
        expect(Array.from(p[col].subarray(0, cut + 1))).toEqual(Array.from(frame[col].subarray(0, cut + 1)));
      }
      expect(p.open[cut + 1]).toBe(frame.open[cut + 1]);
      expect(p.close[cut + 1]).not.toBe(frame.close[cut + 1]);
      for (let i = cut + 1; i < p.length; i++) {
        expect(p.low[i] <= Math.min(p.open[i], p.close[i]) && p.high[i] >= Math.max(p.open[i], p.close[i])).toBe(true);
      }
    }
  });
});

describe('findSimLookAhead through the simulator', () => {
  for (const path of ['fast', 'per-bar'] as const) {
    for (const allowShort of [false, true]) {
      it(`passes an honest SMA cross (${path}, allowShort ${allowShort})`, () => {
        const params = honest.resolveParams();
        const base = runSignalBacktest(honest, frame, params, config({ allowShort }), { startIndex: START, path });
        expect(base.fills.length).toBeGreaterThan(20);
        const cuts = cutsFor(base.fills, frame.length);
        expect(findSimLookAhead(honest, frame, params, config({ allowShort }), { startIndex: START, cuts, path })).toBeNull();
      });
    }
  }

  const cheats = [
    { s: peekNextClose, paths: ['fast', 'per-bar'] as const },
    { s: centredAverage, paths: ['fast', 'per-bar'] as const },
    { s: fastPathPeeks, paths: ['fast'] as const },
  ];
  for (const { s, paths } of cheats) {
    for (const path of paths) {
      it(`catches the planted cheat '${s.id}' on the ${path} path`, () => {
        const params = s.resolveParams();
        const base = runSignalBacktest(s, frame, params, config(), { startIndex: START, path });
        const v = findSimLookAhead(s, frame, params, config(), { startIndex: START, cuts: cutsFor(base.fills, frame.length), path });
        expect(v, `no violation found for ${s.id}`).not.toBeNull();
        expect(v!.what).toMatch(/fill|trade|equity|position/);
      });
    }
  }

  it('the per-bar path of the fast-path cheat is honest (the check is path-specific)', () => {
    const params = fastPathPeeks.resolveParams();
    const base = runSignalBacktest(fastPathPeeks, frame, params, config(), { startIndex: START, path: 'per-bar' });
    expect(findSimLookAhead(fastPathPeeks, frame, params, config(), { startIndex: START, cuts: cutsFor(base.fills, frame.length), path: 'per-bar' })).toBeNull();
  });

  it('rejects cuts outside the range', () => {
    expect(() => findSimLookAhead(honest, frame, honest.resolveParams(), config(), { startIndex: START, cuts: [frame.length - 1] })).toThrow(/look-ahead cut/);
  });
});
