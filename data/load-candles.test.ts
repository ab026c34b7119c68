import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BTC_1H, BTC_1M, sharedFile } from '../test-support/shared-data.ts';
import { importCandles } from './import/index.ts';
import { writeCandles } from './cache/index.ts';
import { frameHash, loadCandles } from './load-candles.ts';

const H = 3_600_000;

describe('loadCandles', () => {
  it('from a file: warm-up bars before from, to inclusive, gaps of the loaded range, a stable hash', async () => {
    const file = sharedFile(BTC_1H);
    const from = Date.UTC(2018, 1, 9, 12), to = Date.UTC(2018, 1, 10);
    const r = await loadCandles({ file }, { from, to, warmupBars: 24 }, 'report');
    expect(r.source).toEqual({ kind: 'file', path: file, format: 'ohlcv-json' });
    expect(r.frame.ts[r.startIndex]).toBe(from);
    expect(r.frame.ts[r.frame.length - 1]).toBe(to);
    expect(r.startIndex).toBe(24);
    // the 33-hour outage from 2018-02-08 01:00 falls inside the warm-up window
    expect(r.gaps).toMatchObject({ count: 1, missingBars: 33, gaps: [{ from: '2018-02-08T01:00:00.000Z', missing: 33 }] });
    expect(r.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect((await loadCandles({ file }, { from, to, warmupBars: 24 }, 'report')).contentHash).toBe(r.contentHash);
    expect((await loadCandles({ file }, { from, to, warmupBars: 23 }, 'report')).contentHash).not.toBe(r.contentHash);
  });

  it('without from, startIndex is warmupBars clamped to the data', async () => {
    const file = sharedFile(BTC_1H);
    const r = await loadCandles({ file }, { warmupBars: 200 }, 'report');
    expect([r.startIndex, r.frame.length]).toEqual([200, 45_024]);
    const short = await loadCandles({ file }, { to: Date.UTC(2017, 7, 17, 8), warmupBars: 200 }, 'report');
    expect([short.startIndex, short.frame.length]).toEqual([5, 5]);
  });

  it('gap policies: error refuses, ffill fills and shifts startIndex to the same candle', async () => {
    const file = sharedFile(BTC_1M);
    const range = { from: Date.UTC(2023, 2, 24, 14), to: Date.UTC(2023, 2, 24, 16), warmupBars: 120 };
    await expect(loadCandles({ file }, range, 'error')).rejects.toMatchObject({ family: 'data', message: expect.stringContaining('80 missing 1m bars') });
    const r = await loadCandles({ file }, range, 'ffill');
    expect(r.filled).toBe(80);
    expect(r.frame.ts[r.startIndex]).toBe(range.from);
    expect(r.frame.ts[1] - r.frame.ts[0]).toBe(60_000);
    expect(r.frame.length).toBe(120 + 80 + 121);
  });

  it('from the cache gives the same candles and hash as from the file', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'tl-load-'));
    const { frame } = await importCandles(sharedFile(BTC_1H), { exchange: 'binance' });
    await writeCandles(cacheDir, frame);
    const range = { from: Date.UTC(2020, 0, 1), to: Date.UTC(2020, 5, 30, 23), warmupBars: 50 };
    const a = await loadCandles({ cacheDir, exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' }, range, 'report');
    const b = await loadCandles({ file: sharedFile(BTC_1H) }, range, 'report');
    expect(a.source).toMatchObject({ kind: 'cache', path: join(cacheDir, 'candles/binance/BTC_USDT/1h') });
    expect(a.frame.length).toBe(b.frame.length);
    expect(a.startIndex).toBe(50);
    expect(a.contentHash).toBe(b.contentHash);
    expect(frameHash(a.frame)).toBe(a.contentHash);
    expect(a.frame.ts[a.frame.length - 1]).toBe(range.to);
  });

  it('file labels can be given (a monthly CSV has no timeframe to infer)', async () => {
    const file = sharedFile('backtesting-py/BTCUSD.csv');
    await expect(loadCandles({ file }, { warmupBars: 0 }, 'report')).rejects.toMatchObject({ family: 'usage', message: expect.stringContaining('pass --timeframe') });
    const r = await loadCandles({ file: sharedFile('backtesting-py/GOOG.csv'), exchange: 'nasdaq', symbol: 'GOOG/USD' }, { warmupBars: 10 }, 'report');
    expect(r.frame).toMatchObject({ exchange: 'nasdaq', symbol: 'GOOG/USD', timeframe: '1d', length: 2148 });
    expect(r.gaps.count).toBeGreaterThan(400); // weekends and holidays of a stock
  });

  it('errors a user can cause name what was wrong', async () => {
    await expect(loadCandles({ file: '/nope/BTC_USDT-1h.json' }, { warmupBars: 0 }, 'report')).rejects.toMatchObject({ family: 'usage', message: expect.stringContaining('/nope/BTC_USDT-1h.json') });
    await expect(loadCandles({ file: sharedFile(BTC_1H) }, { from: 2 * H, to: H, warmupBars: 0 }, 'report')).rejects.toThrow(/--to .* is before --from/);
    const dir = mkdtempSync(join(tmpdir(), 'tl-load-'));
    const bad = join(dir, 'BTC_USDT-1h.json');
    writeFileSync(bad, JSON.stringify([[0, 1, 2, 0.5, 1, 1], [0, 1, 2, 0.5, 1, 1]]));
    await expect(loadCandles({ file: bad }, { warmupBars: 0 }, 'report')).rejects.toMatchObject({ family: 'data', message: expect.stringContaining('duplicate') });
  });
});
