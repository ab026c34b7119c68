// Batch vs incremental over the whole real BTC/USDT 1h series: bit-identical (Object.is per bar, NaN warm-up included).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BTC_1H, sharedFile } from '../../test-support/shared-data.ts';
import { frameFromRows } from '../frame.ts';
import {
  atr, bollinger, createAtr, createBollinger, createDonchian, createEma, createMacd, createRoc, createRollingStd,
  createRollingVwap, createRsi, createSma, createWma, createZScore, donchian, ema, macd, roc, rollingStd,
  rollingVwap, rsi, sma, wma, zScore,
} from './index.ts';

const f = frameFromRows({ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' }, JSON.parse(readFileSync(sharedFile(BTC_1H), 'utf8')) as number[][]);
const { high, low, close, volume } = f;
const n = f.length;

function expectIdentical(name: string, batch: Float64Array, inc: Float64Array): void {
  expect(inc.length).toBe(batch.length);
  for (let i = 0; i < batch.length; i++) {
    if (!Object.is(batch[i], inc[i])) expect.fail(`${name}: bar ${i}: batch ${batch[i]} vs incremental ${inc[i]}`);
  }
}

function streamed(update: (i: number) => number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = update(i);
  return out;
}

describe('batch and incremental forms agree bit for bit over the real 1h series', () => {
  it('has enough data to mean something', () => expect(n).toBeGreaterThan(40_000));

  for (const period of [1, 2, 14, 50, 200]) {
    it(`sma/ema/wma/rollingStd/zScore/roc period ${period}`, () => {
      let s = createSma(period); expectIdentical('sma', sma(close, period), streamed((i) => s.update(close[i])));
      s = createEma(period); expectIdentical('ema', ema(close, period), streamed((i) => s.update(close[i])));
      s = createWma(period); expectIdentical('wma', wma(close, period), streamed((i) => s.update(close[i])));
      s = createRollingStd(period); expectIdentical('rollingStd', rollingStd(close, period), streamed((i) => s.update(close[i])));
      if (period > 1) { s = createRollingStd(period, 1); expectIdentical('rollingStd ddof 1', rollingStd(close, period, 1), streamed((i) => s.update(close[i]))); }
      s = createZScore(period); expectIdentical('zScore', zScore(close, period), streamed((i) => s.update(close[i])));
      s = createRoc(period); expectIdentical('roc', roc(close, period), streamed((i) => s.update(close[i])));
      s = createRsi(period); expectIdentical('rsi', rsi(close, period), streamed((i) => s.update(close[i])));
    });

    it(`atr/rollingVwap/donchian/bollinger period ${period}`, () => {
      const a = createAtr(period);
      expectIdentical('atr', atr(high, low, close, period), streamed((i) => a.update(high[i], low[i], close[i])));
      const v = createRollingVwap(period);
      expectIdentical('rollingVwap', rollingVwap(high, low, close, volume, period), streamed((i) => v.update(high[i], low[i], close[i], volume[i])));
      const d = donchian(high, low, period), ds = createDonchian(period);
      const du = new Float64Array(n), dl = new Float64Array(n), dm = new Float64Array(n);
      for (let i = 0; i < n; i++) { const p = ds.update(high[i], low[i]); du[i] = p.upper; dl[i] = p.lower; dm[i] = p.middle; }
      expectIdentical('donchian.upper', d.upper, du); expectIdentical('donchian.lower', d.lower, dl); expectIdentical('donchian.middle', d.middle, dm);
      const b = bollinger(close, period, 2.5), bs = createBollinger(period, 2.5);
      const bm = new Float64Array(n), bu = new Float64Array(n), bl = new Float64Array(n);
      for (let i = 0; i < n; i++) { const p = bs.update(close[i]); bm[i] = p.middle; bu[i] = p.upper; bl[i] = p.lower; }
      expectIdentical('bollinger.middle', b.middle, bm); expectIdentical('bollinger.upper', b.upper, bu); expectIdentical('bollinger.lower', b.lower, bl);
    });
  }

  for (const [fast, slow, sig] of [[12, 26, 9], [3, 10, 1], [5, 35, 5]] as const) {
    it(`macd ${fast}/${slow}/${sig}`, () => {
      const m = macd(close, fast, slow, sig), s = createMacd(fast, slow, sig);
      const mm = new Float64Array(n), ms = new Float64Array(n), mh = new Float64Array(n);
      for (let i = 0; i < n; i++) { const p = s.update(close[i]); mm[i] = p.macd; ms[i] = p.signal; mh[i] = p.hist; }
      expectIdentical('macd.macd', m.macd, mm); expectIdentical('macd.signal', m.signal, ms); expectIdentical('macd.hist', m.hist, mh);
    });
  }
});
