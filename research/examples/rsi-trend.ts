// A complete user strategy: one file that default-exports defineStrategy(...). Run it with
//   npx tradelab backtest --strategy ./research/examples/rsi-trend.ts --data <file> --param period=21
// Decisions at bar i read only rows <= i; the order fills at bar i+1's open.
import { Type } from '@sinclair/typebox';
import { defineStrategy, ema, rsi, goLong, goFlat } from 'tradelab/engine';

export default defineStrategy({
  id: 'rsi-trend',
  version: '1.0.0',
  description: 'Long while RSI is above a threshold and the close is above its EMA; flat otherwise.',
  params: Type.Object({
    period: Type.Integer({ default: 14, minimum: 2, maximum: 200, description: 'RSI period (bars)' }),
    trend: Type.Integer({ default: 100, minimum: 2, maximum: 1000, description: 'EMA period of the trend filter (bars)' }),
    level: Type.Number({ default: 55, minimum: 1, maximum: 99, description: 'RSI level to be long above' }),
  }),
  warmup: (p) => Math.max(p.period + 1, p.trend),
  indicators: (f, p) => ({ rsi: rsi(f.close, p.period), ema: ema(f.close, p.trend) }),
  decide: ({ i, frame, ind, params, position }) => {
    const up = ind.rsi[i] > params.level && frame.close[i] > ind.ema[i];
    if (up && position.size === 0) return goLong('rsi and trend up');
    if (!up && position.size > 0) return goFlat('rsi or trend down');
  },
});
