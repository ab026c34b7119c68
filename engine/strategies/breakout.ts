import { Type } from '@sinclair/typebox';
import { donchian } from '../indicators/donchian.ts';
import { sma } from '../indicators/sma.ts';
import { TARGET_LONG, TARGET_SHORT, defineStrategy, goLong, goShort } from '../strategy.ts';

/**
 * breakout: Donchian channel breakout confirmed by volume. At bar i, with the channel of the PREVIOUS `period`
 * bars (`i-period .. i-1`, never bar i itself, or the close could never exceed it) and the average volume of the
 * previous `volPeriod` bars (`i-volPeriod .. i-1`):
 *   - close[i] > highest high of the channel AND volume[i] > volFactor * average volume -> long
 *   - otherwise, close[i] < lowest low of the channel -> short (flat when shorting is not allowed); exits need
 *     no volume confirmation.
 * Warm-up: both the channel and the volume average of bars before i exist from bar `max(period, volPeriod)`;
 * no decision is taken before it.
 */
export const breakout = defineStrategy({
  id: 'breakout',
  version: '1.0.0',
  description: 'Long when the close breaks above the previous N-bar high on above-average volume; short (or exit) when it breaks below the previous N-bar low.',
  params: Type.Object({
    period: Type.Integer({ default: 20, minimum: 1, maximum: 1000, description: 'Donchian channel length (bars before the current one)' }),
    volPeriod: Type.Integer({ default: 20, minimum: 1, maximum: 1000, description: 'Bars in the volume average (bars before the current one)' }),
    volFactor: Type.Number({ default: 1.5, minimum: 0, maximum: 20, description: 'Breakout volume must exceed this multiple of the average volume' }),
  }),
  warmup: (p) => Math.max(p.period, p.volPeriod),
  indicators: (frame, p) => {
    const d = donchian(frame.high, frame.low, p.period);
    // Column i covers bars i-n+1 .. i; decisions at bar i read column i-1.
    return { upper: d.upper, lower: d.lower, volAvg: sma(frame.volume, p.volPeriod) };
  },
  decide: ({ i, frame, ind, params }) => {
    if (i < Math.max(params.period, params.volPeriod)) return undefined;
    const c = frame.close[i];
    if (c > ind.upper[i - 1] && frame.volume[i] > params.volFactor * ind.volAvg[i - 1]) return goLong(`close broke above the ${params.period}-bar high on volume`);
    if (c < ind.lower[i - 1]) return goShort(`close broke below the ${params.period}-bar low`);
    return undefined;
  },
  signals: (frame, ind, p) => {
    const n = frame.length, close = frame.close, volume = frame.volume;
    const { upper, lower, volAvg } = ind;
    const k = p.volFactor;
    const out = new Float64Array(n);
    const warm = Math.min(n, Math.max(p.period, p.volPeriod));
    for (let i = 0; i < warm; i++) out[i] = NaN;
    for (let i = warm; i < n; i++) {
      const c = close[i];
      out[i] = c > upper[i - 1] && volume[i] > k * volAvg[i - 1] ? TARGET_LONG : c < lower[i - 1] ? TARGET_SHORT : NaN;
    }
    return out;
  },
});
