import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BTC_1H, sharedFile } from '../../test-support/shared-data.ts';
import { importCandles, parseCandles } from './index.ts';
import { labelsFromFileName, timeframeFromSteps } from './labels.ts';
import { parseIsoDate, parseTimestamp } from './timestamps.ts';

const T = Date.UTC(2021, 0, 1);

describe('importCandles on the real files', () => {
  it('reads freqtrade JSON and infers symbol and timeframe from the file name', async () => {
    const { frame, format } = await importCandles(sharedFile(BTC_1H));
    expect(format).toBe('ohlcv-json');
    expect(frame).toMatchObject({ exchange: 'unknown', symbol: 'BTC/USDT', timeframe: '1h', length: 45_024 });
    expect([frame.ts[0], frame.open[0], frame.high[0], frame.low[0], frame.close[0], frame.volume[0]]).toEqual([1502942400000, 4261.48, 4313.62, 4261.32, 4308.83, 47.181009]);
  });

  it('given labels win over the file name', async () => {
    const { frame } = await importCandles(sharedFile(BTC_1H), { exchange: 'binance', symbol: 'ETH/USDT' });
    expect(frame).toMatchObject({ exchange: 'binance', symbol: 'ETH/USDT', timeframe: '1h' });
  });

  it('reads the pandas CSV with an unnamed date column (UTC) and infers 1h from the median step', async () => {
    const { frame, format } = await importCandles(sharedFile('backtesting-py/EURUSD.csv'));
    expect(format).toBe('csv');
    expect(frame.length).toBe(5000);
    expect(frame.timeframe).toBe('1h');
    expect(frame.ts[0]).toBe(Date.UTC(2017, 3, 19, 9));
    expect([frame.open[0], frame.high[0], frame.low[0], frame.close[0], frame.volume[0]]).toEqual([1.0716, 1.0722, 1.07083, 1.07219, 1413]);
  });

  it('reads pandas to_json column layout (orderflow/candles.json)', async () => {
    const { frame, format } = await importCandles(sharedFile('freqtrade/orderflow/candles.json'));
    expect(format).toBe('pandas-columns-json');
    expect(frame.length).toBe(10_999);
    expect(frame.timeframe).toBe('5m');
    expect(frame.ts[0]).toBe(1672677900000);
  });

  it('reads futures names (XRP/USDT:USDT)', async () => {
    const { frame } = await importCandles(sharedFile('freqtrade/futures/XRP_USDT_USDT-5m-futures.json'));
    expect(frame).toMatchObject({ symbol: 'XRP/USDT:USDT', timeframe: '5m', length: 1999 });
  });

  it('refuses a trades file, naming the file, the row and what is expected', async () => {
    const p = sharedFile('freqtrade/XRP_ETH-trades.json');
    await expect(importCandles(p)).rejects.toThrow(`${p}: row 1: expected a number for high, got null`);
    await expect(importCandles(sharedFile('freqtrade/orderflow/public_trades_list.csv'))).rejects.toThrow(/line 1: header is missing open, high, low, close, volume; found \(unnamed\), timestamp/);
  });

  it('a missing file is a usage error with the path', async () => {
    await expect(importCandles('/nonexistent/x.json')).rejects.toMatchObject({ family: 'usage', code: 'CANDLE_FILE_NOT_FOUND', message: expect.stringContaining('/nonexistent/x.json') });
  });

  it('reads a CSV file from disk with a timestamp header in seconds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-import-'));
    const p = join(dir, 'candles.csv');
    writeFileSync(p, `Timestamp;Open;High;Low;Close;Volume\r\n${T / 1000};1;2;0.5;1.5;10\r\n${T / 1000 + 60};1.5;2;1;1.2;3\r\n`);
    const { frame } = await importCandles(p, { exchange: 'kraken', symbol: 'BTC/EUR' });
    expect(Array.from(frame.ts)).toEqual([T, T + 60_000]);
    expect(frame.timeframe).toBe('1m');
  });
});

describe('parseCandles', () => {
  it('detects epoch seconds vs milliseconds and ccxt/binance rows with string numbers', () => {
    const a = parseCandles(JSON.stringify([[T / 1000, 1, 2, 0.5, 1, 3]]));
    expect(a.frame.ts[0]).toBe(T);
    const b = parseCandles(JSON.stringify([[T, '1.0', '2.0', '0.5', '1.5', '3', T + 59_999, 'x']]));
    expect(Array.from(b.frame.close)).toEqual([1.5]);
    expect(b.format).toBe('ohlcv-json');
  });

  it('reads header names in any case (date, datetime, time, timestamp, open_time)', () => {
    for (const h of ['date', 'Datetime', 'TIME', 'timestamp', 'open_time']) {
      const { frame } = parseCandles(`${h},open,high,low,close,volume\n2021-01-01T00:00:00Z,1,2,0.5,1.5,10\n2021-01-01 01:00,1,2,0.5,1.5,10\n`);
      expect(Array.from(frame.ts)).toEqual([T, T + 3_600_000]);
    }
  });

  it('reads headerless kline CSV and records JSON', () => {
    expect(parseCandles(`${T},1,2,0.5,1.5,10,${T + 59999},5\n`).frame.volume[0]).toBe(10);
    const r = parseCandles(JSON.stringify([{ Date: '2021-01-01', Open: 1, High: 2, Low: 0.5, Close: 1.5, Volume: 7 }]));
    expect(r.format).toBe('records-json');
    expect(r.frame.ts[0]).toBe(T);
  });

  it('bad rows name the line and what is expected', () => {
    expect(() => parseCandles('date,open,high,low,close,volume\n2021-01-01,1,2,0.5,1.5,10\nyesterday,1,2,0.5,1.5,10\n', { name: 'f.csv' }))
      .toThrow("f.csv: line 3: expected a date (ISO, e.g. 2021-01-01 00:00:00) or an epoch timestamp, got 'yesterday'");
    expect(() => parseCandles('date,open,high,low,close,volume\n2021-01-01,1,abc,0.5,1.5,10\n', { name: 'f.csv' })).toThrow("f.csv: line 2: expected a number for high, got 'abc'");
    expect(() => parseCandles('[[1,2,3]]', { name: 'f.json' })).toThrow('f.json: row 1: expected [timestamp, open, high, low, close, volume], got [1,2,3]');
    expect(() => parseCandles('[[1,2,3', { name: 'f.json' })).toThrow(/f\.json: not valid JSON/);
    expect(() => parseCandles('{"date":{"0":1},"open":{"0":1}}', { name: 'f.json' })).toThrow('f.json: top level: missing high, low, close, volume; found date, open');
  });
});

describe('helpers', () => {
  it('parses freqtrade names and the median step', () => {
    expect(labelsFromFileName('/x/BTC_USDT-1h.json')).toEqual({ symbol: 'BTC/USDT', timeframe: '1h' });
    expect(labelsFromFileName('XRP_USDT_USDT-8h-mark.json')).toEqual({ symbol: 'XRP/USDT:USDT', timeframe: '8h' });
    expect(labelsFromFileName('GOOG.csv')).toEqual({});
    expect(timeframeFromSteps(Float64Array.from([0, 300_000, 600_000, 1_200_000, 1_500_000]))).toBe('5m');
    expect(timeframeFromSteps(Float64Array.from([0, 7_000]))).toBeUndefined();
  });

  it('parses dates as UTC unless a zone is given', () => {
    expect(parseIsoDate('2021-01-01')).toBe(T);
    expect(parseIsoDate('2021-01-01T02:00:00+02:00')).toBe(T);
    expect(parseIsoDate('2021-01-01 00:00:00.250')).toBe(T + 250);
    expect(parseTimestamp('nope')).toBeNaN();
    expect(parseTimestamp(T * 1000)).toBe(T);
  });
});
