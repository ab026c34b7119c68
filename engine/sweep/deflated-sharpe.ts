/**
 * The deflated Sharpe ratio (Bailey & López de Prado, "The Deflated Sharpe Ratio", 2014): the probability that the
 * best of N trials has a true Sharpe ratio above the maximum one would expect from N trials of pure noise.
 * All Sharpe ratios here are PER BAR (not annualised): SR_bar = annualised Sharpe / √periodsPerYear.
 *
 *   SR0 = √V × ((1 − γ) Φ⁻¹(1 − 1/N) + γ Φ⁻¹(1 − 1/(N e)))        expected maximum Sharpe of N trials
 *   z   = (SR − SR0) √(T − 1) / √(1 − γ3 SR + (γ4 − 1)/4 × SR²)
 *   DSR = Φ(z)
 *
 * V: sample variance (ddof 1) of the N trials' per-bar Sharpe ratios; γ ≈ 0.5772 (Euler–Mascheroni); e: Euler's
 * number; SR, T, γ3, γ4: the best trial's per-bar Sharpe, number of returns, skewness and (non-excess) kurtosis of
 * its per-bar returns. With N = 1 there is no selection: SR0 = 0 (the probabilistic Sharpe ratio against 0).
 */
export const EULER_GAMMA = 0.5772156649015329;

/** Standard normal CDF (Hart 1968 / West 2005 double-precision rational approximation; |error| < 1e-14). */
export function normalCdf(x: number): number {
  if (x !== x) return NaN;
  const a = Math.abs(x);
  let c: number;
  if (a > 37) c = 0;
  else {
    const e = Math.exp((-a * a) / 2);
    if (a < 7.07106781186547) {
      let b = 3.52624965998911e-2 * a + 0.700383064443688;
      b = b * a + 6.37396220353165;
      b = b * a + 33.912866078383;
      b = b * a + 112.079291497871;
      b = b * a + 221.213596169931;
      b = b * a + 220.206867912376;
      c = e * b;
      b = 8.83883476483184e-2 * a + 1.75566716318264;
      b = b * a + 16.064177579207;
      b = b * a + 86.7807322029461;
      b = b * a + 296.564248779674;
      b = b * a + 637.333633378831;
      b = b * a + 793.826512519948;
      b = b * a + 440.413735824752;
      c /= b;
    } else {
      let b = a + 0.65;
      b = a + 4 / b; b = a + 3 / b; b = a + 2 / b; b = a + 1 / b;
      c = e / b / 2.506628274631;
    }
  }
  return x > 0 ? 1 - c : c;
}

/** Standard normal quantile Φ⁻¹(p) (Acklam's rational approximation refined by one Halley step). */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  let x: number;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - lo) {
    const q = p - 0.5, r = q * q;
    x = ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const e = normalCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/** SR0: the expected maximum per-bar Sharpe of `trials` independent trials whose Sharpes have variance `variance`. */
export function expectedMaxSharpe(trials: number, variance: number): number {
  if (trials <= 1) return 0;
  return Math.sqrt(variance) * ((1 - EULER_GAMMA) * normalQuantile(1 - 1 / trials) + EULER_GAMMA * normalQuantile(1 - 1 / (trials * Math.E)));
}

export interface DeflatedSharpeInput {
  /** The best trial's per-bar Sharpe ratio. */
  readonly sharpe: number;
  /** Number of trials (combinations run). */
  readonly trials: number;
  /** Sample variance of the trials' per-bar Sharpe ratios. */
  readonly variance: number;
  /** Number of per-bar returns of the best trial. */
  readonly observations: number;
  readonly skew: number;
  /** Non-excess kurtosis (3 for a normal distribution). */
  readonly kurtosis: number;
}

export interface DeflatedSharpe {
  readonly expectedMaxSharpe: number;
  readonly z: number;
  /** Φ(z): probability that the best trial's true Sharpe exceeds SR0. */
  readonly dsr: number;
}

export function deflatedSharpe(x: DeflatedSharpeInput): DeflatedSharpe {
  const sr0 = expectedMaxSharpe(x.trials, x.variance);
  const z = ((x.sharpe - sr0) * Math.sqrt(x.observations - 1)) / Math.sqrt(1 - x.skew * x.sharpe + ((x.kurtosis - 1) / 4) * x.sharpe * x.sharpe);
  return { expectedMaxSharpe: sr0, z, dsr: normalCdf(z) };
}

/** Sample variance (ddof 1) of the finite values. */
export function sampleVariance(xs: ArrayLike<number>): number {
  let n = 0, mean = 0, m2 = 0;
  for (let k = 0; k < xs.length; k++) {
    const v = xs[k];
    if (!Number.isFinite(v)) continue;
    n++;
    const d = v - mean;
    mean += d / n;
    m2 += d * (v - mean);
  }
  return n > 1 ? m2 / (n - 1) : NaN;
}

export interface ReturnMoments { readonly count: number; readonly mean: number; readonly std: number; readonly skew: number; readonly kurtosis: number }

/**
 * Moments of the per-bar returns r_k = E_k / E_(k−1) − 1 (E_(−1) = initialCash), as docs/metrics.md defines them:
 * std with ddof 1 (as the Sharpe), skew = m3 / m2^1.5 and kurtosis = m4 / m2² from the central moments m_j = Σ(r − mean)^j / n.
 */
export function returnMoments(equity: ArrayLike<number>, initialCash: number): ReturnMoments {
  const n = equity.length;
  let prev = initialCash, sum = 0;
  for (let k = 0; k < n; k++) { sum += equity[k] / prev - 1; prev = equity[k]; }
  const mean = sum / n;
  let m2 = 0, m3 = 0, m4 = 0;
  prev = initialCash;
  for (let k = 0; k < n; k++) {
    const d = equity[k] / prev - 1 - mean;
    prev = equity[k];
    const d2 = d * d;
    m2 += d2; m3 += d2 * d; m4 += d2 * d2;
  }
  const std = n > 1 ? Math.sqrt(m2 / (n - 1)) : NaN;
  m2 /= n; m3 /= n; m4 /= n;
  return { count: n, mean, std, skew: m3 / Math.pow(m2, 1.5), kurtosis: m4 / (m2 * m2) };
}
