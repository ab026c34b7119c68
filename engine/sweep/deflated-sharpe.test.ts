import { describe, expect, it } from 'vitest';
import { expectRelClose } from '../../test-support/approx.ts';
import { deflatedSharpe, expectedMaxSharpe, normalCdf, normalQuantile, returnMoments, sampleVariance } from './deflated-sharpe.ts';

describe('normal distribution', () => {
  it('matches reference values (scipy.stats.norm)', () => {
    expectRelClose(normalCdf(1.5), 0.9331927987311419, 1e-13);
    expectRelClose(normalCdf(-2.3), 0.010724110021675809, 1e-12);
    expectRelClose(normalCdf(0.1), 0.539827837277029, 1e-13);
    expectRelClose(normalQuantile(0.99), 2.3263478740408408, 1e-12);
    expectRelClose(normalQuantile(0.001), -3.090232306167813, 1e-12);
    expectRelClose(normalQuantile(0.7), 0.5244005127080407, 1e-12);
  });
});

describe('deflated Sharpe ratio (Bailey & López de Prado 2014)', () => {
  it('equals the hand-computed value', () => {
    // N = 100 trials, V[SR] = 0.0004 (per-bar), best SR = 0.1 per bar over T = 1000 returns, skew -0.5, kurtosis 5.
    // SR0 = √0.0004 × ((1 − γ) Φ⁻¹(0.99) + γ Φ⁻¹(1 − 1/(100e)))
    //     = 0.02 × (0.4227843 × 2.3263479 + 0.5772157 × 2.6780...) = 0.050612057864
    // z = (0.1 − SR0) × √999 / √(1 + 0.5 × 0.1 + (5 − 1)/4 × 0.01) = 1.516179925226; DSR = Φ(z) = 0.935263068640
    const d = deflatedSharpe({ sharpe: 0.1, trials: 100, variance: 0.0004, observations: 1000, skew: -0.5, kurtosis: 5 });
    expectRelClose(d.expectedMaxSharpe, 0.050612057864033694, 1e-11);
    expectRelClose(d.z, 1.5161799252257862, 1e-11);
    expectRelClose(d.dsr, 0.9352630686397334, 1e-11);
    // one trial: no selection, SR0 = 0
    expect(expectedMaxSharpe(1, 0.0004)).toBe(0);
    // more trials raise the bar: the same best Sharpe is less convincing
    expect(deflatedSharpe({ sharpe: 0.1, trials: 10_000, variance: 0.0004, observations: 1000, skew: -0.5, kurtosis: 5 }).dsr).toBeLessThan(d.dsr);
  });
  it('moments of per-bar returns and the sample variance', () => {
    const eq = [101, 99.99, 102.9897, 102.9897];
    const r = [0.01, -0.01, 0.03, 0];
    const m = returnMoments(eq, 100);
    const mean = r.reduce((s, x) => s + x, 0) / 4;
    const c = (j: number) => r.reduce((s, x) => s + (x - mean) ** j, 0) / 4;
    expectRelClose(m.mean, mean, 1e-12);
    expectRelClose(m.std, Math.sqrt(c(2) * 4 / 3), 1e-12);
    expectRelClose(m.skew, c(3) / c(2) ** 1.5, 1e-9);
    expectRelClose(m.kurtosis, c(4) / c(2) ** 2, 1e-9);
    expectRelClose(sampleVariance([1, 2, 3, 4, NaN]), 5 / 3, 1e-12);
  });
});
