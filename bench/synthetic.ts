// Synthetic candles for benchmarks: a seeded geometric random walk, one bar a minute, valid OHLCV.
import { makeFrame, seededRandom, type CandleFrame } from '../engine/index.ts';

export { seededRandom };

export const ONE_YEAR_1M = 525_600;

/** `n` bars of `timeframeMs` starting 2021-01-01 UTC, price starting at 30,000 with ~0.1 % per-bar volatility. */
export function syntheticFrame(n = ONE_YEAR_1M, seed = 42, timeframe = '1m', timeframeMs = 60_000): CandleFrame {
  const rnd = seededRandom(seed);
  const gauss = () => {
    const u = Math.max(rnd(), 1e-12), v = rnd();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const ts = new Float64Array(n), open = new Float64Array(n), high = new Float64Array(n);
  const low = new Float64Array(n), close = new Float64Array(n), volume = new Float64Array(n);
  const t0 = Date.UTC(2021, 0, 1);
  let price = 30_000;
  for (let i = 0; i < n; i++) {
    const o = price;
    const c = o * Math.exp(0.001 * gauss());
    const h = Math.max(o, c) * (1 + 0.0005 * rnd());
    const l = Math.min(o, c) * (1 - 0.0005 * rnd());
    ts[i] = t0 + i * timeframeMs;
    open[i] = o; high[i] = h; low[i] = l; close[i] = c;
    volume[i] = 5 + 20 * rnd();
    price = c;
  }
  return makeFrame({ exchange: 'synthetic', symbol: 'BTC/USDT', timeframe }, { ts, open, high, low, close, volume });
}
