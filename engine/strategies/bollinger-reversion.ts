import { Type } from '@sinclair/typebox';
import { bollinger } from '../indicators/bollinger.ts';
import { crossedAbove, crossedBelow } from '../indicators/cross.ts';
import { TARGET_FLAT, TARGET_LONG, TARGET_SHORT, defineStrategy, goFlat, goLong, goShort } from '../strategy.ts';

/**
 * bollinger-reversion: mean reversion on Bollinger bands (SMA middle, population std), deciding on crosses of the
 * close (strict, as `crossedAbove` / `crossedBelow`), checked in this order at each bar:
 *   1. close crosses BELOW the lower band  -> long  (stretched down: expect a return to the mean)
 *   2. close crosses ABOVE the upper band  -> short (flat when shorting is not allowed)
 *   3. close crosses the middle band, either way -> flat (the reversion is done: take the exit)
 * A long entered below the lower band is therefore closed when the close crosses back above the middle, and a
 * short entered above the upper band when it crosses back below it. Warm-up: the bands are first defined at bar
 * `period-1`, so the first possible cross is at bar `period`.
 */
export const bollingerReversion = defineStrategy({
  id: 'bollinger-reversion',
  version: '1.0.0',
  description: 'Long when the close crosses below the lower Bollinger band, short above the upper; flat when it crosses back over the middle.',
  params: Type.Object({
    period: Type.Integer({ default: 20, minimum: 2, maximum: 1000, description: 'Bollinger window (bars) for the SMA middle and the standard deviation' }),
    mult: Type.Number({ default: 2, minimum: 0.1, maximum: 10, description: 'Band half-width in population standard deviations' }),
  }),
  warmup: (p) => p.period,
  indicators: (frame, p) => {
    const b = bollinger(frame.close, p.period, p.mult);
    return { middle: b.middle, upper: b.upper, lower: b.lower };
  },
  decide: ({ i, frame, ind }) => {
    const c = frame.close;
    if (crossedBelow(c, ind.lower, i)) return goLong('close crossed below the lower band');
    if (crossedAbove(c, ind.upper, i)) return goShort('close crossed above the upper band');
    if (crossedAbove(c, ind.middle, i) || crossedBelow(c, ind.middle, i)) return goFlat('close crossed the middle band');
    return undefined;
  },
  signals: (frame, ind) => {
    const c = frame.close, { lower, upper, middle } = ind;
    const n = frame.length;
    const out = new Float64Array(n);
    if (n > 0) out[0] = NaN;
    for (let i = 1; i < n; i++) {
      const c0 = c[i - 1], c1 = c[i];
      if (c0 > lower[i - 1] && c1 < lower[i]) out[i] = TARGET_LONG;
      else if (c0 < upper[i - 1] && c1 > upper[i]) out[i] = TARGET_SHORT;
      else if ((c0 < middle[i - 1] && c1 > middle[i]) || (c0 > middle[i - 1] && c1 < middle[i])) out[i] = TARGET_FLAT;
      else out[i] = NaN;
    }
    return out;
  },
});
