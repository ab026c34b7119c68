// The running-sum kernels against naive window recomputation over the whole real 1h series (no drift), and every
// indicator against @ixjb94/indicators where that library computes the same definition.
import { readFileSync } from 'node:fs';
import { IndicatorsSync } from '@ixjb94/indicators';
import { describe, expect, it } from 'vitest';
import { relClose } from '../../test-support/approx.ts';
import { BTC_1H, sharedFile } from '../../test-support/shared-data.ts';
import { frameFromRows } from '../frame.ts';
import { atr, bollinger, donchian, ema, macd, roc, rollingStd, rollingVwap, rsi, sma, wma, zScore } from './index.ts';

const f = frameFromRows({ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' }, JSON.parse(readFileSync(sharedFile(BTC_1H), 'utf8')) as number[][]);
const { high, low, close, volume } = f;
const n = f.length;

/** Compare ours[i] with expected(i) for i in [from, n); report the worst relative error and the first failure. */
function compare(name: string, ours: Float64Array, expected: (i: number) => number, from: number, rel: number, abs = 1e-12): number {
  let worst = 0;
  for (let i = 0; i < from; i++) if (!Number.isNaN(ours[i])) expect.fail(`${name}: index ${i} should be warm-up NaN, got ${ours[i]}`);
  for (let i = from; i < n; i++) {
    const e = expected(i), a = ours[i];
    if (!relClose(a, e, rel, abs)) expect.fail(`${name}: index ${i}: ours ${a} vs reference ${e}`);
    const d = Math.abs(a - e) / Math.max(Math.abs(e), 1e-300);
    if (d > worst && Math.abs(a - e) > abs) worst = d;
  }
  return worst;
}

// Naive windows, recomputed from scratch at every bar.
const win = (src: Float64Array, i: number, p: number) => src.subarray(i - p + 1, i + 1);
const mean = (w: Float64Array) => { let s = 0; for (const v of w) s += v; return s / w.length; };
const pstd = (w: Float64Array, ddof = 0) => { const m = mean(w); let s = 0; for (const v of w) s += (v - m) ** 2; return Math.sqrt(s / (w.length - ddof)); };

describe('no drift: running kernels vs naive window recomputation over 5 years of 1h bars', () => {
  for (const p of [2, 20, 200]) {
    it(`period ${p}`, () => {
      compare('sma', sma(close, p), (i) => mean(win(close, i, p)), p - 1, 1e-12);
      compare('rollingStd', rollingStd(close, p), (i) => pstd(win(close, i, p)), p - 1, 1e-9, 1e-9);
      compare('rollingStd ddof 1', rollingStd(close, p, 1), (i) => pstd(win(close, i, p), 1), p - 1, 1e-9, 1e-9);
      // z = (x - mean)/std is ill-conditioned when x is within a cent of the mean at $10,000 (condition ~2e6): one
      // ulp of the mean moves z by ~4e-10 there, in the naive recomputation as much as in ours. Absolute 1e-8 on a
      // value of order 1 is far below anything a threshold rule could notice.
      compare('zScore', zScore(close, p), (i) => { const w = win(close, i, p); const s = pstd(w); return s > 0 ? (close[i] - mean(w)) / s : 0; }, p - 1, 1e-9, 1e-8);
      compare('wma', wma(close, p), (i) => { let s = 0; for (let k = 0; k < p; k++) s += (k + 1) * close[i - p + 1 + k]; return s / (p * (p + 1) / 2); }, p - 1, 1e-12);
      compare('rollingVwap', rollingVwap(high, low, close, volume, p), (i) => {
        let a = 0, b = 0;
        for (let k = i - p + 1; k <= i; k++) { a += ((high[k] + low[k] + close[k]) / 3) * volume[k]; b += volume[k]; }
        return a / b;
      }, p - 1, 1e-12);
      const b = bollinger(close, p, 2);
      compare('bollinger.upper', b.upper, (i) => mean(win(close, i, p)) + 2 * pstd(win(close, i, p)), p - 1, 1e-12);
    });
  }

  it('a plain running sum keeps the error of a past scale forever; the resync removes it', () => {
    // 100 bars near 1e9, then 20,000 bars near 1: a plain `s += x[i] - x[i-p]` keeps an absolute error of the
    // order of ulp(2e10) ~ 4e-6 for ever, which is huge next to a window sum of ~20.
    const m = 20_100, p = 20, x = new Float64Array(m);
    let seed = 7;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let i = 0; i < m; i++) x[i] = i < 100 ? 1e9 + Math.round(rnd() * 1e6) / 100 : 1 + Math.round(rnd() * 100) / 100;
    const ours = sma(x, p);
    let s = 0, worstPlain = 0, worstOurs = 0;
    for (let i = 0; i < m; i++) {
      s += x[i] - (i >= p ? x[i - p] : 0);
      if (i < m - 5000) continue; // long after the big values have left every window and several resyncs
      const exact = mean(x.subarray(i - p + 1, i + 1));
      worstPlain = Math.max(worstPlain, Math.abs(s / p - exact) / exact);
      worstOurs = Math.max(worstOurs, Math.abs(ours[i] - exact) / exact);
    }
    expect(worstPlain).toBeGreaterThan(1e-9);
    expect(worstOurs).toBeLessThan(1e-14);
  });
});

describe('agreement with @ixjb94/indicators (same definitions; differences noted)', () => {
  const lib = new IndicatorsSync();
  const c = Array.from(close), h = Array.from(high), l = Array.from(low), v = Array.from(volume);

  it('sma and wma: same definition, library output starts at index period-1', () => {
    for (const p of [5, 50]) {
      const ls = lib.sma(c, p), lw = lib.wma(c, p);
      compare('sma', sma(close, p), (i) => ls[i - p + 1], p - 1, 1e-9);
      compare('wma', wma(close, p), (i) => lw[i - p + 1], p - 1, 1e-9);
    }
  });

  it('ema: the library seeds with src[0] (we seed with the SMA, as TA-Lib); equal once the seed has decayed', () => {
    const p = 20, le = lib.ema(c, p), ours = ema(close, p);
    const from = 60 * p; // (19/21)^1200 ~ 1e-52
    for (let i = from; i < n; i++) if (!relClose(ours[i], le[i], 1e-12)) expect.fail(`ema index ${i}: ${ours[i]} vs ${le[i]}`);
    expect(relClose(ours[p - 1], le[p - 1], 1e-6)).toBe(false); // the seeds really differ
  });

  it('rsi: same Wilder definition and seed, library output starts at index period', () => {
    for (const p of [2, 14]) {
      const lr = lib.rsi(c, p);
      compare('rsi', rsi(close, p), (i) => lr[i - p], p, 1e-9);
    }
  });

  it('macd: the library seeds both EMAs with src[0] and the signal with the first macd; equal after decay', () => {
    const [lm, ls, lh] = lib.macd(c, 12, 26, 9);
    const m = macd(close, 12, 26, 9);
    const off = 25; // library arrays start at index slow-1
    for (let i = 2000; i < n; i++) {
      if (!relClose(m.macd[i], lm[i - off], 1e-9, 1e-7)) expect.fail(`macd ${i}: ${m.macd[i]} vs ${lm[i - off]}`);
      if (!relClose(m.signal[i], ls[i - off], 1e-9, 1e-7)) expect.fail(`signal ${i}`);
      if (!relClose(m.hist[i], lh[i - off], 1e-9, 1e-7)) expect.fail(`hist ${i}`);
    }
  });

  it('bollinger and stddev: same population definition; the library uses sum(x^2) - sum(x)^2 (loses digits)', () => {
    const p = 20;
    const [ll, lmid, lu] = lib.bbands(c, p, 2);
    const b = bollinger(close, p, 2);
    compare('bollinger.middle', b.middle, (i) => lmid[i - p + 1], p - 1, 1e-9);
    compare('bollinger.upper', b.upper, (i) => lu[i - p + 1], p - 1, 1e-9);
    compare('bollinger.lower', b.lower, (i) => ll[i - p + 1], p - 1, 1e-9);
    const lsd = lib.stddev(c, p);
    // Absolute tolerance: the library's cancellation error in the variance is ~1e-5 at BTC prices.
    compare('rollingStd', rollingStd(close, p), (i) => lsd[i - p + 1], p - 1, 1e-6, 1e-3);
  });

  it('atr: the library seeds with tr[0] = high-low and starts at period-1 (TA-Lib and we start at period); equal after decay', () => {
    const p = 14, la = lib.atr(h, l, c, p), ours = atr(high, low, close, p);
    for (let i = 1000; i < n; i++) if (!relClose(ours[i], la[i - p + 1], 1e-9)) expect.fail(`atr ${i}: ${ours[i]} vs ${la[i - p + 1]}`);
  });

  it('donchian: identical (exact max/min), library returns [upper, middle, lower] from index period-1', () => {
    const p = 20, [lu, lm, ll] = lib.dc(h, l, p), d = donchian(high, low, p);
    compare('donchian.upper', d.upper, (i) => lu[i - p + 1], p - 1, 0, 0);
    compare('donchian.lower', d.lower, (i) => ll[i - p + 1], p - 1, 0, 0);
    compare('donchian.middle', d.middle, (i) => lm[i - p + 1], p - 1, 0, 0);
  });

  it('rollingVwap: same definition (library vwap over a window)', () => {
    const p = 24, lv = lib.vwap(h, l, c, v, p);
    compare('rollingVwap', rollingVwap(high, low, close, volume, p), (i) => lv[i - p + 1], p - 1, 1e-9);
  });

  it('roc: the library returns a fraction, we return percent (TA-Lib ROC)', () => {
    const p = 10, lr = lib.roc(c, p);
    compare('roc', roc(close, p), (i) => 100 * lr[i - p], p, 1e-12, 1e-12);
  });
});
