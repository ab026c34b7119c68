import { Type } from '@sinclair/typebox';
import { crossedAbove, crossedBelow } from '../indicators/cross.ts';
import { ema } from '../indicators/ema.ts';
import { emaSettlingBars } from '../indicators/settling.ts';
import { defineStrategy, goLong, goShort, memoColumn } from '../strategy.ts';
import { crossTargets } from './ma-cross.ts';

/**
 * ema-cross: go long when the fast EMA of the close crosses above the slow EMA; go short when it crosses
 * below (a simulator that does not allow shorting treats that as flat: exit). Decides on the CROSS (strict:
 * `fast[i-1] < slow[i-1] && fast[i] > slow[i]`), never on the state, so it emits one decision per cross.
 * EMAs are seeded with the SMA of their first `period` closes (TA-Lib), so the slow EMA is first defined at bar
 * `slow-1` and the first possible cross is at bar `slow`. An EMA still remembers its seed for a while, so the
 * strategy does not decide until the slow EMA's seed weighs less than 1e-6 (`emaSettlingBars`): its warm-up is
 * `slow + emaSettlingBars(slow)` (206 bars for slow = 26), and every decision is then independent of where the
 * data starts (1.1.0; 1.0.0 decided from bar `slow` on).
 */
const emaWarmup = (slow: number) => slow + emaSettlingBars(slow);

export const emaCross = defineStrategy({
  id: 'ema-cross',
  version: '1.1.0',
  description: 'Long when the fast EMA of the close crosses above the slow EMA, short (or exit) when it crosses below.',
  params: Type.Object({
    fast: Type.Integer({ default: 12, minimum: 1, maximum: 500, description: 'Fast EMA period (bars)' }),
    slow: Type.Integer({ default: 26, minimum: 2, maximum: 2000, description: 'Slow EMA period (bars); must exceed fast' }),
  }),
  constraints: [{ expr: 'fast < slow', check: (p) => p.fast < p.slow }],
  warmup: (p) => emaWarmup(p.slow),
  // Keyed columns: a sweep computes each distinct EMA once and shares it across combinations.
  indicators: (frame, p, memo) => ({
    fast: memoColumn(memo, `ema(close,${p.fast})`, () => ema(frame.close, p.fast)),
    slow: memoColumn(memo, `ema(close,${p.slow})`, () => ema(frame.close, p.slow)),
  }),
  decide: ({ i, ind, params }) => {
    if (i < emaWarmup(params.slow)) return undefined;
    if (crossedAbove(ind.fast, ind.slow, i)) return goLong('fast EMA crossed above slow EMA');
    if (crossedBelow(ind.fast, ind.slow, i)) return goShort('fast EMA crossed below slow EMA');
    return undefined;
  },
  signals: (_frame, ind, p, out) => crossTargets(ind.fast, ind.slow, out).fill(NaN, 0, emaWarmup(p.slow)),
  crossSignals: { fast: 'fast', slow: 'slow', from: (p) => emaWarmup(p.slow) },
});
