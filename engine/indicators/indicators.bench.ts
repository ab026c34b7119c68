// Our kernels vs @ixjb94/indicators over one year of synthetic 1m bars (525,600). Target: ratio <= 0.5.
// The library is called through its synchronous class with plain number[] inputs converted once, outside the
// timing (its native input type; its fastest call). Ours allocate their output columns on every run, as the library does.
import { IndicatorsSync } from '@ixjb94/indicators';
import { defineBench, type BenchCase } from '../../bench/harness.ts';
import { atr, bollinger, donchian, ema, macd, roc, rollingStd, rollingVwap, rsi, sma, wma, zScore } from './index.ts';

export default defineBench((ctx) => {
  const f = ctx.frame1m();
  const bars = f.length;
  const { high, low, close, volume } = f;
  const lib = new IndicatorsSync();
  const c = Array.from(close), h = Array.from(high), l = Array.from(low), v = Array.from(volume);
  let sink = 0;
  const keep = (x: ArrayLike<number>) => { sink += x[x.length - 1] || 0; return sink; };
  // Fixed, generous sample counts: fresh 4 MB output columns make single samples noisy (page faults, GC timing).
  const samples = 40;
  // Single-threaded on both sides: CPU time, which a shared machine's other processes do not inflate (bench/run.ts).
  const clock = 'cpu' as const;
  const pair = (name: string, ours: () => unknown, theirs: () => unknown): BenchCase[] => [
    { name: `indicator.${name}`, bars, baseline: `indicator.${name}.ixjb94`, run: ours, samples, clock },
    { name: `indicator.${name}.ixjb94`, bars, run: theirs, samples, clock },
  ];
  // Kernel only: our output columns reused through the `out` argument (what a parameter sweep does).
  const o1 = new Float64Array(bars), o2 = new Float64Array(bars), o3 = new Float64Array(bars);
  const reuse = (name: string, run: () => unknown): BenchCase => ({ name: `indicator.${name}.reuse-out`, bars, baseline: `indicator.${name}.ixjb94`, run, samples, clock });
  return [
    ...pair('sma', () => keep(sma(close, 20)), () => keep(lib.sma(c, 20))),
    ...pair('ema', () => keep(ema(close, 20)), () => keep(lib.ema(c, 20))),
    ...pair('wma', () => keep(wma(close, 20)), () => keep(lib.wma(c, 20))),
    ...pair('rsi', () => keep(rsi(close, 14)), () => keep(lib.rsi(c, 14))),
    ...pair('macd', () => keep(macd(close, 12, 26, 9).hist), () => keep(lib.macd(c, 12, 26, 9)[2])),
    ...pair('bollinger', () => keep(bollinger(close, 20, 2).upper), () => keep(lib.bbands(c, 20, 2)[2])),
    ...pair('std', () => keep(rollingStd(close, 20)), () => keep(lib.stddev(c, 20))),
    ...pair('atr', () => keep(atr(high, low, close, 14)), () => keep(lib.atr(h, l, c, 14))),
    ...pair('donchian', () => keep(donchian(high, low, 20).upper), () => keep(lib.dc(h, l, 20)[0])),
    ...pair('vwap', () => keep(rollingVwap(high, low, close, volume, 20)), () => keep(lib.vwap(h, l, c, v, 20))),
    ...pair('roc', () => keep(roc(close, 10)), () => keep(lib.roc(c, 10))),
    // The library has no z-score: timed alone.
    { name: 'indicator.zscore', bars, run: () => keep(zScore(close, 20)), samples, clock },
    reuse('sma', () => keep(sma(close, 20, o1))),
    reuse('rsi', () => keep(rsi(close, 14, o1))),
    reuse('bollinger', () => keep(bollinger(close, 20, 2, { middle: o1, upper: o2, lower: o3 }).upper)),
    reuse('std', () => keep(rollingStd(close, 20, 0, o1))),
    reuse('vwap', () => keep(rollingVwap(high, low, close, volume, 20, o1))),
  ];
});
