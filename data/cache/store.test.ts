import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeFrame, sliceFrame, type CandleFrame } from '../../engine/index.ts';
import { syntheticFrame } from '../../bench/synthetic.ts';
import { BTC_1H, sharedFile } from '../../test-support/shared-data.ts';
import { importCandles } from '../import/index.ts';
import { coverage, listCoverage, loadRange, writeCandles } from './index.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'tl-cache-'));
const H = 3_600_000;
const key = { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' };
/** Hourly synthetic candles across the 2021/2022 year boundary. */
const hourly = (n: number, start = Date.UTC(2021, 11, 31, 12)): CandleFrame => {
  const f = syntheticFrame(n, 3, '1h', H);
  const ts = Float64Array.from(f.ts, (_, i) => start + i * H);
  return makeFrame(key, { ts, open: f.open, high: f.high, low: f.low, close: f.close, volume: f.volume });
};

describe('candle cache', () => {
  it('round-trips candles across year files, bit for bit, in order', async () => {
    const dir = tmp();
    const f = hourly(48);
    const w = await writeCandles(dir, f);
    expect(w).toEqual({ rows: 48, added: 48, changed: 0, unchanged: 0, years: [2021, 2022] });
    expect(readdirSync(join(dir, 'candles/binance/BTC_USDT/1h')).sort()).toEqual(['2021.parquet', '2022.parquet', 'series.json']);
    const back = await loadRange(dir, key);
    expect(back).toMatchObject(key);
    for (const c of ['ts', 'open', 'high', 'low', 'close', 'volume'] as const) expect(Array.from(back[c])).toEqual(Array.from(f[c]));
  });

  it('is idempotent: re-writing adds nothing and leaves files alone; newer rows replace same-ts rows', async () => {
    const dir = tmp();
    const f = hourly(48);
    await writeCandles(dir, f);
    const file = join(dir, 'candles/binance/BTC_USDT/1h/2022.parquet');
    const mtime = statSync(file).mtimeMs;
    expect(await writeCandles(dir, f)).toEqual({ rows: 48, added: 0, changed: 0, unchanged: 48, years: [] });
    expect(statSync(file).mtimeMs).toBe(mtime);
    // overlapping page: last 10 known candles with a new close for one, plus 5 new ones
    const g = hourly(53);
    const close = g.close.slice(); close[40] = g.close[40] * 1.01;
    const high = g.high.slice(); high[40] = Math.max(high[40], close[40]);
    const page = sliceFrame(makeFrame(key, { ...g, close, high }), 38, 53);
    expect(await writeCandles(dir, page)).toMatchObject({ rows: 15, added: 5, changed: 1, unchanged: 9 });
    const back = await loadRange(dir, key);
    expect(back.length).toBe(53);
    expect(back.close[40]).toBe(close[40]);
    expect(back.close[39]).toBe(g.close[39]);
    expect((await coverage(dir, key)).ranges).toHaveLength(1);
  });

  it('loads a range with inclusive bounds and warm-up bars before from', async () => {
    const dir = tmp();
    const f = hourly(48);
    await writeCandles(dir, f);
    const from = f.ts[20], to = f.ts[30];
    const a = await loadRange(dir, { ...key, from, to });
    expect([a.length, a.ts[0], a.ts[a.length - 1]]).toEqual([11, from, to]);
    const b = await loadRange(dir, { ...key, from, to, warmupBars: 5 });
    expect([b.length, b.ts[0]]).toEqual([16, f.ts[15]]);
    const c = await loadRange(dir, { ...key, from: f.ts[2], warmupBars: 5 });
    expect([c.length, c.ts[0]]).toEqual([48, f.ts[0]]);
    expect((await loadRange(dir, { ...key, from: Date.UTC(2030, 0, 1) })).length).toBe(0);
  });

  it('reports coverage as contiguous runs (the real 1h file: 28 runs, 127 missing hours)', async () => {
    const dir = tmp();
    const { frame } = await importCandles(sharedFile(BTC_1H), { exchange: 'binance' });
    await writeCandles(dir, frame);
    const cov = await listCoverage(dir);
    expect(cov).toHaveLength(1);
    expect(cov[0]).toMatchObject({ ...key, bars: 45_024, gaps: 27, missingBars: 127, fromTs: 1502942400000, from: '2017-08-17T04:00:00.000Z', to: '2022-10-11T10:00:00.000Z' });
    expect(cov[0].ranges).toHaveLength(28);
    expect(cov[0].ranges[0]).toMatchObject({ from: '2017-08-17T04:00:00.000Z', to: '2017-09-06T16:00:00.000Z', bars: 493 });
    const loaded = await loadRange(dir, key);
    expect(loaded.length).toBe(45_024);
    expect(Array.from(loaded.close.subarray(0, 100))).toEqual(Array.from(frame.close.subarray(0, 100)));
  });

  it('refuses invalid candles and writes nothing', async () => {
    const dir = tmp();
    const f = hourly(3);
    const low = f.low.slice(); low[1] = f.high[1] + 1;
    await expect(writeCandles(dir, makeFrame(key, { ...f, low }))).rejects.toMatchObject({ family: 'data', message: expect.stringContaining('1 ohlc candle, first at') });
    expect((await listCoverage(dir))).toEqual([]);
  });

  it('ignores a temp file left by a crash, and names what is cached when a series is missing', async () => {
    const dir = tmp();
    await writeCandles(dir, hourly(5));
    writeFileSync(join(dir, 'candles/binance/BTC_USDT/1h/2021.parquet.tmp-1-2'), 'torn');
    expect((await loadRange(dir, key)).length).toBe(5);
    await expect(loadRange(dir, { ...key, symbol: 'BTC/USDC' })).rejects.toMatchObject({
      family: 'usage', message: expect.stringMatching(/no cached candles for binance BTC\/USDC 1h .*cached: binance BTC\/USDT 1h/),
    });
    await expect(loadRange(dir, { ...key, timeframe: '7m' })).rejects.toThrow(/unknown timeframe '7m'/);
  });
});
