// The look-ahead check with blame, on real BTC/USDT 1h: every built-in passes; planted cheaters (a centred
// indicator, a decide rule reading the next bar, a fast path reading the next bar, a leaking unused column) are
// caught and named correctly.
import { readFileSync } from 'node:fs';
import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { BTC_1H, sharedFile } from '../../test-support/shared-data.ts';
import { frameFromRows, sliceFrame } from '../frame.ts';
import { sma } from '../indicators/sma.ts';
import { crossedAbove, crossedBelow } from '../indicators/cross.ts';
import { defineStrategy, goFlat, goLong, goShort } from '../strategy.ts';
import { DEFAULT_FILL_CONFIG } from '../sim/fill-config.ts';
import { builtinStrategies } from '../strategies/index.ts';
import { seeded } from '../strategies/lookahead.ts';
import { checkLookahead, stratifiedCuts } from './lookahead.ts';

const all = frameFromRows({ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' }, JSON.parse(readFileSync(sharedFile(BTC_1H), 'utf8')) as number[][]);
const btc = sliceFrame(all, 0, 12_000); // enough for every cut pattern, quick for the cheaters

/** A centred 5-bar mean: column i averages bars i-2..i+2 (the classic vectorised leak). */
const centred = (c: Float64Array) => {
  const m = sma(c, 5), o = new Float64Array(c.length).fill(NaN);
  for (let i = 0; i + 2 < c.length; i++) o[i] = m[i + 2];
  return o;
};

const centredCheat = defineStrategy({
  id: 'centred-cheat', version: '1.0.0', description: 'Honest rule over a centred moving average.',
  params: Type.Object({}), warmup: () => 20,
  indicators: (f) => ({ trailing: sma(f.close, 20), centred: centred(f.close) }),
  decide: ({ i, frame, ind }) => {
    if (crossedAbove(frame.close, ind.centred, i)) return goLong();
    if (crossedBelow(frame.close, ind.centred, i)) return goShort();
    return undefined;
  },
});

const nextBarCheat = defineStrategy({
  id: 'next-bar-cheat', version: '1.0.0', description: 'Honest indicator, rule reads the next close.',
  params: Type.Object({}), warmup: () => 20,
  indicators: (f) => ({ trailing: sma(f.close, 20) }),
  decide: ({ i, frame, ind }) => (frame.close[i + 1] > ind.trailing[i] ? goLong() : goShort()),
});

describe('checkLookahead: built-in strategies pass', () => {
  for (const s of builtinStrategies) {
    it(`${s.id} (50 cuts, full BTC 1h)`, () => {
      const r = checkLookahead(s, all, s.resolveParams(), { cuts: 50, seed: 3 });
      expect(r.findings).toEqual([]);
      expect(r.clean).toBe(true);
      expect(r.cuts.length).toBe(50);
      expect(r.indicators.length).toBeGreaterThan(0);
      expect(r.paths).toEqual(['decide', 'signals']);
    });
  }
});

describe('checkLookahead: planted cheaters are caught and named', () => {
  it('a centred indicator is named, not the rule and not the honest indicator', () => {
    const r = checkLookahead(centredCheat, btc, centredCheat.resolveParams(), { cuts: 20, seed: 1 });
    expect(r.clean).toBe(false);
    const decisions = r.findings.filter((f) => f.path !== null);
    expect(decisions.length).toBeGreaterThan(0);
    for (const f of r.findings) {
      expect(f.blame).toEqual({ kind: 'indicator', name: 'centred' });
      expect(f.indicators.map((x) => x.name)).toEqual(['centred']);
      // the centred column at bar b reads bars up to b+2: the first changed bar is within two bars of the cut
      expect(f.indicators[0].bar).toBeGreaterThanOrEqual(f.cut - 2);
      expect(f.indicators[0].bar).toBeLessThanOrEqual(f.cut);
    }
    for (const f of decisions) expect(f.bar).toBeLessThanOrEqual(f.cut);
    expect(r.causes).toEqual([expect.objectContaining({ blame: "indicator 'centred'", findings: r.findings.length })]);
  });

  it('a decide rule reading the next bar is blamed on the rule, at the cut bar', () => {
    const r = checkLookahead(nextBarCheat, btc, nextBarCheat.resolveParams(), { cuts: 20, seed: 1 });
    expect(r.clean).toBe(false);
    expect(r.findings.length).toBeGreaterThan(0);
    for (const f of r.findings) {
      expect(f.path).toBe('decide');
      expect(f.blame).toEqual({ kind: 'rule', path: 'decide' });
      expect(f.indicators).toEqual([]);
      expect(f.bar).toBe(f.cut); // only the last decision reads a bar past the cut
    }
    expect(r.findings.some((f) => f.variant === 'perturbed')).toBe(true);
    expect(r.causes.map((c) => c.blame)).toEqual(['rule (decide)']);
  });

  it('a fast path reading the next bar is blamed on the signals rule while decide passes', () => {
    const cheat = defineStrategy({
      id: 'signals-cheat', version: '1.0.0', description: 'decide honest, signals reads the next close.',
      params: Type.Object({}), warmup: () => 20,
      indicators: (f) => ({ trailing: sma(f.close, 20) }),
      decide: ({ i, frame, ind }) => (frame.close[i] > ind.trailing[i] ? goLong() : goShort()),
      signals: (f, ind) => Float64Array.from(f.close, (_c, i) => (Number.isNaN(ind.trailing[i]) ? NaN : f.close[i + 1] > ind.trailing[i] ? 1 : -1)),
    });
    const r = checkLookahead(cheat, btc, cheat.resolveParams(), { cuts: 20, seed: 1 });
    expect(r.findings.length).toBeGreaterThan(0);
    expect(r.findings.every((f) => f.path === 'signals' && f.blame.kind === 'rule' && f.bar === f.cut)).toBe(true);
  });

  it('a leaking column no decision uses is still reported (path null)', () => {
    const cheat = defineStrategy({
      id: 'unused-leak', version: '1.0.0', description: 'decides on a trailing SMA, also plots a centred one.',
      params: Type.Object({}), warmup: () => 20,
      indicators: (f) => ({ trailing: sma(f.close, 20), centred: centred(f.close) }),
      decide: ({ i, frame, ind }) => (crossedAbove(frame.close, ind.trailing, i) ? goLong() : crossedBelow(frame.close, ind.trailing, i) ? goShort() : undefined),
    });
    const r = checkLookahead(cheat, btc, cheat.resolveParams(), { cuts: 10, seed: 1 });
    expect(r.clean).toBe(false);
    expect(r.findings.every((f) => f.path === null && f.blame.kind === 'indicator' && f.blame.name === 'centred')).toBe(true);
  });

  it('a rule that peeks only while in a position passes flat decisions but is caught by the simulator layer', () => {
    const cheat = defineStrategy({
      id: 'position-cheat', version: '1.0.0', description: 'honest entries, exits reading the next close while long.',
      params: Type.Object({}), warmup: () => 20,
      indicators: (f) => ({ trailing: sma(f.close, 20) }),
      decide: ({ i, frame, ind, position }) => {
        if (position.size > 0) return frame.close[i + 1] < frame.close[i] ? goFlat() : undefined;
        return crossedAbove(frame.close, ind.trailing, i) ? goLong() : undefined;
      },
    });
    const flat = checkLookahead(cheat, btc, {}, { cuts: 20, seed: 1 });
    expect(flat.clean).toBe(true);
    expect(flat.simulated).toBe(false);
    const sim = checkLookahead(cheat, btc, {}, { cuts: 20, seed: 1, simulate: DEFAULT_FILL_CONFIG });
    expect(sim.simulated).toBe(true);
    expect(sim.clean).toBe(false);
    expect(sim.findings).toEqual([expect.objectContaining({ path: 'simulated', blame: { kind: 'rule', path: 'decide' }, detail: expect.any(String) })]);
    expect(sim.cuts).toContain(sim.findings[0].cut);
  });

  it('the simulator layer passes an honest strategy', () => {
    const s = builtinStrategies[0];
    const r = checkLookahead(s, btc, s.resolveParams(), { cuts: 15, seed: 2, simulate: { ...DEFAULT_FILL_CONFIG, allowShort: true } });
    expect(r.simulated).toBe(true);
    expect(r.clean).toBe(true);
  });

  it('is reproducible for a seed and moves its cuts with the seed', () => {
    const a = checkLookahead(nextBarCheat, btc, {}, { cuts: 8, seed: 5 });
    const b = checkLookahead(nextBarCheat, btc, {}, { cuts: 8, seed: 5 });
    const c = checkLookahead(nextBarCheat, btc, {}, { cuts: 8, seed: 6 });
    expect(b).toEqual(a);
    expect(c.cuts).not.toEqual(a.cuts);
  });

  it('rejects bad options with usage errors', () => {
    expect(() => checkLookahead(nextBarCheat, btc, {}, { cuts: 0 })).toThrow(/--cuts/);
    expect(() => checkLookahead(nextBarCheat, btc, {}, { seed: 1.5 })).toThrow(/--seed/);
    expect(() => checkLookahead(nextBarCheat, sliceFrame(btc, 0, 1), {})).toThrow(/at least 2 bars/);
  });
});

describe('stratifiedCuts', () => {
  it('one distinct cut per stratum, ascending, within range; everything when the range is small', () => {
    const cuts = stratifiedCuts(100, 1099, 10, seeded(1));
    expect(cuts.length).toBe(10);
    cuts.forEach((c, k) => { expect(c).toBeGreaterThanOrEqual(100 + k * 100); expect(c).toBeLessThan(200 + k * 100); });
    expect(stratifiedCuts(5, 8, 10, seeded(1))).toEqual([5, 6, 7, 8]);
    expect(stratifiedCuts(5, 4, 10, seeded(1))).toEqual([]);
  });
});
