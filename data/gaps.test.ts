import { describe, expect, it } from 'vitest';
import { BTC_1H, BTC_1M, sharedFile } from '../test-support/shared-data.ts';
import { makeFrame } from '../engine/index.ts';
import { importCandles } from './import/index.ts';
import { applyGapPolicy, findGaps, forwardFill, frameGaps } from './gaps.ts';

const H = 3_600_000;
const frameAt = (hours: number[], closes?: number[]) => {
  const ts = Float64Array.from(hours, (h) => Date.UTC(2021, 0, 1) + h * H);
  const c = Float64Array.from(closes ?? hours.map((h) => 100 + h));
  return makeFrame({ exchange: 'x', symbol: 'BTC/USDT', timeframe: '1h' }, { ts, open: c.slice(), high: c.map((v) => v + 1), low: c.map((v) => v - 1), close: c, volume: c.map(() => 5) });
};

describe('gaps', () => {
  it('reports each gap with its first missing timestamp and count', () => {
    const r = findGaps(frameAt([0, 1, 4, 5, 7]).ts, H);
    expect(r).toEqual({
      count: 2, missingBars: 3,
      gaps: [{ from: '2021-01-01T02:00:00.000Z', fromTs: Date.UTC(2021, 0, 1, 2), missing: 2 }, { from: '2021-01-01T06:00:00.000Z', fromTs: Date.UTC(2021, 0, 1, 6), missing: 1 }],
    });
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('finds the 27 gaps and 127 missing hours of the real BTC/USDT 1h file', async () => {
    const { frame } = await importCandles(sharedFile(BTC_1H));
    const r = frameGaps(frame);
    expect(r.count).toBe(27);
    expect(r.missingBars).toBe(127);
    expect(r.gaps.find((g) => g.from === '2018-02-08T01:00:00.000Z')?.missing).toBe(33); // last candle before it opens at 00:00;
  });

  it('finds the single 80-minute gap after 2023-03-24 12:39 in the real 1m file', async () => {
    const { frame } = await importCandles(sharedFile(BTC_1M));
    expect(frameGaps(frame).gaps).toEqual([{ from: '2023-03-24T12:40:00.000Z', fromTs: Date.UTC(2023, 2, 24, 12, 40), missing: 80 }]);
  });

  it('ffill inserts flat candles at the previous close with volume 0', () => {
    const f = frameAt([0, 1, 4], [10, 11, 14]);
    const { frame, filled } = forwardFill(f);
    expect(filled).toBe(2);
    expect(Array.from(frame.ts)).toEqual([0, 1, 2, 3, 4].map((h) => Date.UTC(2021, 0, 1) + h * H));
    expect(Array.from(frame.close)).toEqual([10, 11, 11, 11, 14]);
    expect(Array.from(frame.high)).toEqual([11, 12, 11, 11, 15]);
    expect(Array.from(frame.volume)).toEqual([5, 5, 0, 0, 5]);
    expect(frameGaps(frame).count).toBe(0);
  });

  it('applies the policy: report keeps, error throws a data error naming the first gap, ffill fills', () => {
    const f = frameAt([0, 1, 4]);
    const rep = applyGapPolicy(f, 'report');
    expect(rep.frame).toBe(f);
    expect(rep.filled).toBe(0);
    expect(rep.gaps.missingBars).toBe(2);
    expect(() => applyGapPolicy(f, 'error')).toThrow(/1 gap, 2 missing 1h bars \(first at 2021-01-01T02:00:00.000Z/);
    try { applyGapPolicy(f, 'error'); } catch (e) { expect((e as { family: string }).family).toBe('data'); }
    const ff = applyGapPolicy(f, 'ffill');
    expect(ff.filled).toBe(2);
    expect(ff.frame.length).toBe(5);
    expect(ff.gaps.count).toBe(1);
    expect(() => applyGapPolicy(f, 'fill' as never)).toThrow(/allowed: error, report, ffill/);
    expect(applyGapPolicy(frameAt([0, 1, 2]), 'error').gaps.count).toBe(0);
  });
});
