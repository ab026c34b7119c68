// Monte Carlo over trades: hand-computed paths, reshuffling keeps the final return, bootstrap moves it, seeds
// reproduce, percentiles interpolate like numpy.
import { describe, expect, it } from 'vitest';
import { expectRelClose } from '../../test-support/approx.ts';
import { compoundPath, distribution, monteCarloTrades, percentile, percentileRank, tradeReturnsFromPnl } from './montecarlo.ts';

describe('tradeReturnsFromPnl and compoundPath', () => {
  it('returns on the closed-trade equity; compounding them in order gives back the final equity', () => {
    // 1000 -> +100 -> 1100 -> -220 -> 880 -> +88 -> 968
    const r = tradeReturnsFromPnl([100, -220, 88], 1000);
    expect(Array.from(r)).toEqual([0.1, -0.2, 0.1]);
    const p = compoundPath(r);
    expectRelClose(p.finalReturnPct, -3.2);
    // peak 1.1, trough 0.88: -20 %
    expectRelClose(p.maxDrawdownPct, -20);
  });
  it('ruin stays ruin', () => {
    const p = compoundPath(Float64Array.from([0.5, -1.2, 0.5]));
    expect(p.finalReturnPct).toBe(-100);
    expect(p.maxDrawdownPct).toBe(-100);
  });
  it('a visiting order', () => {
    const r = Float64Array.from([0.1, -0.2, 0.1]);
    const p = compoundPath(r, Int32Array.from([1, 0, 2]));
    expectRelClose(p.maxDrawdownPct, -20); // 0.8 from the start peak 1
    expectRelClose(p.finalReturnPct, -3.2);
  });
  it('rejects a non-finite pnl or bad cash', () => {
    expect(() => tradeReturnsFromPnl([1, NaN], 100)).toThrow(/trade 2/);
    expect(() => tradeReturnsFromPnl([1], 0)).toThrow(/initial cash/);
  });
});

describe('monteCarloTrades', () => {
  const r = Float64Array.from({ length: 60 }, (_, k) => 0.03 * Math.sin(k * 1.3) + 0.002);
  const observed = compoundPath(r);

  it('reshuffle: every sample has the observed final return; drawdowns vary and the observed one is within their range', () => {
    const s = monteCarloTrades(r, { n: 500, mode: 'reshuffle', seed: 1 });
    for (const x of s.finalReturnPct) expectRelClose(x, observed.finalReturnPct, 1e-9);
    const d = distribution(s.maxDrawdownPct);
    expect(d.max).toBeGreaterThan(d.min);
    expect(d.max).toBeLessThanOrEqual(0);
    expect(new Set(s.maxDrawdownPct).size).toBeGreaterThan(100);
  });

  it('bootstrap: final returns vary around the observed one', () => {
    const s = monteCarloTrades(r, { n: 2000, mode: 'bootstrap', seed: 1 });
    const d = distribution(s.finalReturnPct);
    expect(d.percentiles.p5).toBeLessThan(observed.finalReturnPct);
    expect(d.percentiles.p95).toBeGreaterThan(observed.finalReturnPct);
    const rank = percentileRank(s.finalReturnPct, observed.finalReturnPct);
    expect(rank).toBeGreaterThan(20);
    expect(rank).toBeLessThan(80);
  });

  it('bootstrap samples are draws with replacement: with one distinct winner, finals are (1.1^k - 1) x 100', () => {
    const s = monteCarloTrades(Float64Array.from([0.1, 0]), { n: 200, mode: 'bootstrap', seed: 9 });
    const allowed = [0, 10, 21].map((x) => x.toFixed(6));
    for (const x of s.finalReturnPct) expect(allowed).toContain(x.toFixed(6));
    expect(new Set(Array.from(s.finalReturnPct, (x) => x.toFixed(6))).size).toBe(3);
  });

  it('is reproducible for a seed and changes with it', () => {
    const a = monteCarloTrades(r, { n: 50, mode: 'bootstrap', seed: 4 });
    expect(monteCarloTrades(r, { n: 50, mode: 'bootstrap', seed: 4 })).toEqual(a);
    expect(monteCarloTrades(r, { n: 50, mode: 'bootstrap', seed: 5 }).finalReturnPct).not.toEqual(a.finalReturnPct);
  });

  it('rejects bad options and an empty trade list', () => {
    expect(() => monteCarloTrades(r, { n: 0, mode: 'bootstrap', seed: 1 })).toThrow(/--n/);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    expect(() => monteCarloTrades(r, { n: 5, mode: 'shuffle' as any, seed: 1 })).toThrow(/reshuffle, bootstrap/);
    expect(() => monteCarloTrades(new Float64Array(0), { n: 5, mode: 'bootstrap', seed: 1 })).toThrow(/at least one closed trade/);
  });
});

describe('percentile and distribution', () => {
  it('linear interpolation between order statistics (numpy default)', () => {
    const xs = Float64Array.from([1, 2, 3, 4]);
    expect(percentile(xs, 0)).toBe(1);
    expect(percentile(xs, 100)).toBe(4);
    expect(percentile(xs, 50)).toBe(2.5);
    expectRelClose(percentile(xs, 25), 1.75);
    expectRelClose(percentile(xs, 95), 3.85);
    const d = distribution(Float64Array.from([4, 1, 3, 2]));
    expect(d).toEqual({ mean: 2.5, min: 1, max: 4, percentiles: { p5: expect.any(Number), p25: 1.75, p50: 2.5, p75: 3.25, p95: expect.any(Number) } });
  });
});
