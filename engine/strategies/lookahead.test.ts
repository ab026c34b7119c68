// No built-in strategy looks ahead: decisions at or before bar i survive any change of (or the removal of) the
// bars after i. A planted cheater proves the check can fail.
import { readFileSync } from 'node:fs';
import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { BTC_1H, sharedFile } from '../../test-support/shared-data.ts';
import { frameFromRows } from '../frame.ts';
import { sma } from '../indicators/sma.ts';
import { defineStrategy, goLong, goShort } from '../strategy.ts';
import { builtinStrategies, findLookahead } from './index.ts';

const btc = frameFromRows({ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' }, JSON.parse(readFileSync(sharedFile(BTC_1H), 'utf8')) as number[][]);

describe('look-ahead: 40 cut points, future perturbed (seeded) and truncated, decide and signals paths', () => {
  for (const s of builtinStrategies) {
    it(s.id, () => {
      expect(findLookahead(s, btc, s.resolveParams(), { cuts: 40, seed: 7 })).toEqual([]);
    });
  }

  it('catches a strategy that peeks at the next close (decide path)', () => {
    const cheat = defineStrategy({
      id: 'next-close-cheat', version: '1.0.0', description: 'Reads close[i+1]: must be caught.',
      params: Type.Object({}), warmup: () => 0,
      indicators: () => ({}),
      decide: ({ i, frame }) => (frame.close[i + 1] > frame.close[i] ? goLong() : goShort()),
    });
    const v = findLookahead(cheat, btc, cheat.resolveParams(), { cuts: 40, seed: 7 });
    expect(v.length).toBeGreaterThan(0);
    expect(v.every((x) => x.bar === x.cut && x.path === 'decide')).toBe(true);
    expect(v.some((x) => x.variant === 'perturbed')).toBe(true);
    // Truncated: close[i+1] is missing, so the cheater says short; it is caught wherever the full data said long.
    expect(v.some((x) => x.variant === 'truncated')).toBe(true);
  });

  it('catches a fast path whose indicator is centred (uses bars after i) even when decide is honest', () => {
    // The classic vectorised bug: a centred moving average (shifted back), so column i averages bars i-2..i+2.
    const centred = (c: Float64Array) => { const m = sma(c, 5), o = new Float64Array(c.length).fill(NaN); for (let i = 0; i + 2 < c.length; i++) o[i] = m[i + 2]; return o; };
    const cheat = defineStrategy({
      id: 'centred-cheat', version: '1.0.0', description: 'Fast path uses a centred SMA: must be caught.',
      params: Type.Object({}), warmup: () => 5,
      indicators: (f) => ({ trailing: sma(f.close, 5), centred: centred(f.close) }),
      decide: ({ i, frame, ind }) => (frame.close[i] > ind.trailing[i] ? goLong() : goShort()),
      signals: (f, ind) => Float64Array.from(f.close, (c, i) => (Number.isNaN(ind.centred[i]) ? NaN : c > ind.centred[i] ? 1 : -1)),
    });
    const v = findLookahead(cheat, btc, cheat.resolveParams(), { cuts: 40, seed: 7 });
    expect(v.some((x) => x.path === 'signals')).toBe(true);
    expect(v.some((x) => x.path === 'decide')).toBe(false);
  });
});
