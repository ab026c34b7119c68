import { Type } from '@sinclair/typebox';
import { crossedAbove, crossedBelow } from '../indicators/cross.ts';
import { rsi } from '../indicators/rsi.ts';
import { wilderSettlingBars } from '../indicators/settling.ts';
import { TARGET_LONG, TARGET_SHORT, defineStrategy, goLong, goShort } from '../strategy.ts';

/**
 * rsi-reversion: Wilder RSI mean reversion, deciding on strict crosses of the fixed levels:
 *   - RSI crosses back ABOVE `oversold`   (rsi[i-1] < oversold && rsi[i] > oversold)    -> long
 *   - RSI crosses back BELOW `overbought` (rsi[i-1] > overbought && rsi[i] < overbought) -> short (flat when
 *     shorting is not allowed)
 * The two cannot happen on the same bar because oversold < overbought. Warm-up: the RSI is first defined at bar
 * `period`, so the first possible cross is at bar `period + 1`; Wilder's smoothing remembers its seed for a while,
 * so the strategy waits until the seed weighs less than 1e-6 (`wilderSettlingBars`): warm-up
 * `period + 1 + wilderSettlingBars(period)` (202 bars for period = 14), and decisions are then independent of where
 * the data starts (1.1.0; 1.0.0 decided from bar `period + 1` on).
 */
const rsiWarmup = (period: number) => period + 1 + wilderSettlingBars(period);

export const rsiReversion = defineStrategy({
  id: 'rsi-reversion',
  version: '1.1.0',
  description: 'Long when the RSI crosses back above the oversold level, short (or exit) when it crosses back below overbought.',
  params: Type.Object({
    period: Type.Integer({ default: 14, minimum: 2, maximum: 500, description: 'RSI period (bars, Wilder smoothing)' }),
    oversold: Type.Number({ default: 30, minimum: 1, maximum: 99, description: 'Oversold level (RSI 0..100); must be below overbought' }),
    overbought: Type.Number({ default: 70, minimum: 1, maximum: 99, description: 'Overbought level (RSI 0..100)' }),
  }),
  constraints: [{ expr: 'oversold < overbought', check: (p) => p.oversold < p.overbought }],
  warmup: (p) => rsiWarmup(p.period),
  indicators: (frame, p) => ({ rsi: rsi(frame.close, p.period) }),
  decide: ({ i, ind, params }) => {
    if (i < rsiWarmup(params.period)) return undefined;
    if (crossedAbove(ind.rsi, params.oversold, i)) return goLong(`RSI crossed above ${params.oversold}`);
    if (crossedBelow(ind.rsi, params.overbought, i)) return goShort(`RSI crossed below ${params.overbought}`);
    return undefined;
  },
  signals: (_frame, ind, p) => {
    const r = ind.rsi, n = r.length, lo = p.oversold, hi = p.overbought;
    const out = new Float64Array(n);
    const w = Math.min(n, rsiWarmup(p.period));
    out.fill(NaN, 0, w);
    for (let i = Math.max(1, w); i < n; i++) {
      const r0 = r[i - 1], r1 = r[i];
      out[i] = r0 < lo && r1 > lo ? TARGET_LONG : r0 > hi && r1 < hi ? TARGET_SHORT : NaN;
    }
    return out;
  },
});
