// Small cases whose expected values are worked out by hand in the comments (independent of the kernels).
import { describe, expect, it } from 'vitest';
import { expectArrayClose } from '../../test-support/approx.ts';
import {
  atr, bollinger, crossedAbove, crossedAboveColumn, crossedBelow, crossedBelowColumn, donchian, ema, macd, roc,
  rollingStd, rollingVwap, rsi, sma, trueRange, wma, zScore,
} from './index.ts';

const F = (...xs: number[]) => Float64Array.from(xs);
const N = NaN;

describe('hand-computed small cases', () => {
  it('sma: mean of the last 3, first value at index 2', () => {
    expectArrayClose(sma(F(1, 2, 3, 4, 5, 10), 3), [N, N, 2, 3, 4, 19 / 3]);
    expectArrayClose(sma(F(7, 8), 1), [7, 8]);
    expectArrayClose(sma(F(1, 2), 3), [N, N]); // shorter than the period: all warm-up
  });

  it('ema: seeded with the SMA of the first period values, alpha = 2/(p+1)', () => {
    // p=3, alpha=0.5: seed (1+2+6)/3 = 3 at i=2; i=3: (5-3)*0.5+3 = 4; i=4: (0-4)*0.5+4 = 2
    expectArrayClose(ema(F(1, 2, 6, 5, 0), 3), [N, N, 3, 4, 2]);
  });

  it('wma: newest weighted period, oldest 1', () => {
    // p=3, denominator 6: (1*1+2*2+3*3)/6 = 14/6; (1*2+2*3+3*10)/6 = 38/6; (1*3+2*10+3*4)/6 = 35/6
    expectArrayClose(wma(F(1, 2, 3, 10, 4), 3), [N, N, 14 / 6, 38 / 6, 35 / 6]);
  });

  it('rsi: Wilder smoothing seeded with the mean of the first period changes', () => {
    // p=2; changes +1, -1, +2, 0
    // i=2: avgGain = (1+0)/2 = 0.5, avgLoss = (0+1)/2 = 0.5 -> 50
    // i=3: gain (0.5*1+2)/2 = 1.25, loss (0.5*1+0)/2 = 0.25 -> 100*1.25/1.5 = 83.33..
    // i=4: gain (1.25+0)/2 = 0.625, loss 0.125 -> 100*0.625/0.75 = 83.33..
    expectArrayClose(rsi(F(1, 2, 1, 3, 3), 2), [N, N, 50, 250 / 3, 250 / 3]);
    expectArrayClose(rsi(F(5, 5, 5, 5), 2), [N, N, 50, 50]); // no movement: neutral 50
    expectArrayClose(rsi(F(1, 2, 3, 4), 2), [N, N, 100, 100]);
  });

  it('macd: ema(fast) - ema(slow), signal = ema of macd', () => {
    // fast 2 (alpha 2/3), slow 3 (alpha 1/2), signal 2 (alpha 2/3) on 1, 2, 3, 4, 8
    // ema2: i1 1.5, i2 2.5, i3 3.5, i4 (8-3.5)*2/3+3.5 = 6.5
    // ema3: i2 2, i3 3, i4 5.5
    // macd from i=2: 0.5, 0.5, 1; signal seeded at i=3 with (0.5+0.5)/2 = 0.5; i4: (1-0.5)*2/3+0.5 = 5/6
    const m = macd(F(1, 2, 3, 4, 8), 2, 3, 2);
    expectArrayClose(m.macd, [N, N, 0.5, 0.5, 1]);
    expectArrayClose(m.signal, [N, N, N, 0.5, 5 / 6]);
    expectArrayClose(m.hist, [N, N, N, 0, 1 / 6]);
  });

  it('rollingStd: population by default, sample with ddof 1', () => {
    // window 2,4,4,4,5,5,7,9 (p=8): mean 5, squared deviations sum 32 -> population 2, sample sqrt(32/7)
    const x = F(2, 4, 4, 4, 5, 5, 7, 9);
    expect(rollingStd(x, 8)[7]).toBe(2);
    expectArrayClose([rollingStd(x, 8, 1)[7]], [Math.sqrt(32 / 7)]);
    // p=2 on 1, 3, 3: |diff|/2 -> 1, 0
    expectArrayClose(rollingStd(F(1, 3, 3), 2), [N, 1, 0]);
  });

  it('a constant window has std 0 and z-score 0, also right after large moves (no rounding residue)', () => {
    // 0.1 + 0.1 + 0.1 = 0.30000000000000004: the mean is not exactly 0.1, yet the deviation is rounding, not spread.
    expect([...rollingStd(F(0.1, 0.1, 0.1, 0.1), 3)].slice(2)).toEqual([0, 0]);
    const x = F(1000.13, 2000.77, 1500.31, 7, 7, 7, 7, 7);
    const sd = rollingStd(x, 3), z = zScore(x, 3);
    expect([...sd].slice(5)).toEqual([0, 0, 0]);
    expect([...z].slice(5)).toEqual([0, 0, 0]);
    // window 1500.31, 7, 7: mean 504.77, deviations 995.54, -497.77, -497.77 -> population std sqrt(1486519.6962/3)
    expectArrayClose([sd[4]], [Math.sqrt((995.54 ** 2 + 2 * 497.77 ** 2) / 3)]);
  });

  it('bollinger: middle +- mult * population std', () => {
    // p=3 on 1,2,3: mean 2, population std sqrt(2/3)
    const b = bollinger(F(1, 2, 3), 3, 2);
    const sd = Math.sqrt(2 / 3);
    expectArrayClose(b.middle, [N, N, 2]);
    expectArrayClose(b.upper, [N, N, 2 + 2 * sd]);
    expectArrayClose(b.lower, [N, N, 2 - 2 * sd]);
  });

  it('zScore: (x - mean) / population std, 0 for a constant window', () => {
    // p=2: window 1,3 -> mean 2, std 1 -> z = 1; window 3,3 -> 0; window 3,1 -> -1
    expectArrayClose(zScore(F(1, 3, 3, 1), 2), [N, 1, 0, -1]);
  });

  it('trueRange and atr (Wilder)', () => {
    const high = F(10, 12, 11, 15, 14), low = F(8, 9, 7, 12, 13), close = F(9, 11, 8, 14, 13.5);
    // tr1 = max(3, |12-9|, |9-9|) = 3; tr2 = max(4, |11-11|, |7-11|) = 4; tr3 = max(3, |15-8|, |12-8|) = 7; tr4 = max(1, 0, 1) = 1
    expectArrayClose(trueRange(high, low, close), [N, 3, 4, 7, 1]);
    // p=2: atr2 = (3+4)/2 = 3.5; atr3 = (3.5*1+7)/2 = 5.25; atr4 = (5.25+1)/2 = 3.125
    expectArrayClose(atr(high, low, close, 2), [N, N, 3.5, 5.25, 3.125]);
  });

  it('donchian: max high / min low of the last period bars including bar i', () => {
    const d = donchian(F(5, 7, 6, 4, 3, 8), F(1, 2, 0, 3, 2, 4), 3);
    expectArrayClose(d.upper, [N, N, 7, 7, 6, 8]);
    expectArrayClose(d.lower, [N, N, 0, 0, 0, 2]);
    expectArrayClose(d.middle, [N, N, 3.5, 3.5, 3, 5]);
  });

  it('rollingVwap: sum(tp*v)/sum(v), tp = (h+l+c)/3', () => {
    // tp = 2, 5, 8 (h=l=c); p=2: (2*1+5*3)/4 = 4.25; (5*3+8*0)/3 = 5
    const tp = F(2, 5, 8);
    expectArrayClose(rollingVwap(tp, tp, tp, F(1, 3, 0), 2), [N, 4.25, 5]);
  });

  it('roc: percent change over period bars', () => {
    expectArrayClose(roc(F(100, 110, 99, 121), 2), [N, N, -1, 10]);
  });

  it('crosses are strict: a[i-1] < b[i-1] and a[i] > b[i]', () => {
    const a = F(1, 3, 2, 2, 3, 1, 0);
    const b = F(2, 2, 2, 2, 2, 2, 2);
    // i=1: 1<2 and 3>2 -> above. i=2: 3>2, 2<2? no (touch). i=3,4: from a touch (2 == 2): not a cross. i=5: 3>2 and 1<2 -> below.
    expect([...crossedAboveColumn(a, b)]).toEqual([0, 1, 0, 0, 0, 0, 0]);
    expect([...crossedBelowColumn(a, b)]).toEqual([0, 0, 0, 0, 0, 1, 0]);
    expect([...crossedAboveColumn(a, 2)]).toEqual([0, 1, 0, 0, 0, 0, 0]);
    expect([...crossedBelowColumn(a, 2)]).toEqual([0, 0, 0, 0, 0, 1, 0]);
    for (let i = 0; i < a.length; i++) {
      expect(crossedAbove(a, b, i)).toBe(crossedAboveColumn(a, b)[i] === 1);
      expect(crossedBelow(a, b, i)).toBe(crossedBelowColumn(a, b)[i] === 1);
      expect(crossedAbove(a, 2, i)).toBe(crossedAbove(a, b, i));
    }
    expect(crossedAbove(F(NaN, 3), F(2, 2), 1)).toBe(false);
    expect(crossedAbove(a, b, 0)).toBe(false);
  });
});
