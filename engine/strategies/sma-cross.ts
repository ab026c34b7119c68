import { Type } from '@sinclair/typebox';
import { crossedAbove, crossedBelow } from '../indicators/cross.ts';
import { sma } from '../indicators/sma.ts';
import { defineStrategy, goLong, goShort, memoColumn } from '../strategy.ts';
import { crossTargets } from './ma-cross.ts';

/**
 * sma-cross: go long when the fast SMA of the close crosses above the slow SMA; go short when it crosses
 * below (a simulator that does not allow shorting treats that as flat: exit). Decides on the CROSS (strict:
 * `fast[i-1] < slow[i-1] && fast[i] > slow[i]`), never on the state, so it emits one decision per cross.
 * Warm-up: the slow SMA is first defined at bar `slow-1`, so the first possible cross is at bar `slow`.
 */
export const smaCross = defineStrategy({
  id: 'sma-cross',
  version: '1.0.0',
  description: 'Long when the fast SMA of the close crosses above the slow SMA, short (or exit) when it crosses below.',
  params: Type.Object({
    fast: Type.Integer({ default: 10, minimum: 1, maximum: 500, description: 'Fast SMA period (bars)' }),
    slow: Type.Integer({ default: 30, minimum: 2, maximum: 2000, description: 'Slow SMA period (bars); must exceed fast' }),
  }),
  constraints: [{ expr: 'fast < slow', check: (p) => p.fast < p.slow }],
  warmup: (p) => p.slow,
  // Keyed columns: a sweep computes each distinct SMA once and shares it across combinations; the simulator lends
  // reused output columns through its memo.
  indicators: (frame, p, memo) => ({
    fast: memoColumn(memo, `sma(close,${p.fast})`, (out) => sma(frame.close, p.fast, out)),
    slow: memoColumn(memo, `sma(close,${p.slow})`, (out) => sma(frame.close, p.slow, out)),
  }),
  decide: ({ i, ind }) => {
    if (crossedAbove(ind.fast, ind.slow, i)) return goLong('fast SMA crossed above slow SMA');
    if (crossedBelow(ind.fast, ind.slow, i)) return goShort('fast SMA crossed below slow SMA');
    return undefined;
  },
  signals: (_frame, ind, _p, out) => crossTargets(ind.fast, ind.slow, out),
  signalsLookback: 1, // a cross at bar i reads rows i-1 and i
  crossSignals: { fast: 'fast', slow: 'slow' }, // a sweep compares the two SMA columns inside its kernel
});
