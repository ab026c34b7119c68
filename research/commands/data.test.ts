import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../cli.ts';
import type { CliContext } from '../cli-context.ts';
import { BTC_1H, BTC_1M, sharedFile } from '../../test-support/shared-data.ts';

function capture(home: string, cwd = home): CliContext & { out: () => string; err: () => string } {
  let out = '', err = '';
  return { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, env: { TRADELAB_HOME: home }, cwd, isTTY: false, out: () => out, err: () => err };
}
const home = () => mkdtempSync(join(tmpdir(), 'tl-cli-data-'));

describe('tradelab data', () => {
  it('import → ls → verify on the real 1h file, idempotently', async () => {
    const h = home();
    let ctx = capture(h);
    expect(await main(['data', 'import', sharedFile(BTC_1H), '--exchange', 'binance'], ctx)).toBe(0);
    expect(ctx.out()).toContain('45024 candles of binance BTC/USDT 1h from 2017-08-17T04:00:00Z to 2022-10-11T10:00:00Z; 27 gaps, 127 missing 1h bars');
    expect(ctx.out()).toContain('added 45024 new candles, replaced 0 changed, 0 already cached');

    ctx = capture(h);
    expect(await main(['data', 'import', sharedFile(BTC_1H), '--exchange', 'binance', '--json'], ctx)).toBe(0);
    expect(JSON.parse(ctx.out())).toMatchObject({ format: 'ohlcv-json', symbol: 'BTC/USDT', timeframe: '1h', rows: 45024, added: 0, unchanged: 45024, fileGaps: { count: 27, missingBars: 127 }, cache: { bars: 45024, gaps: 27 } });

    ctx = capture(h);
    expect(await main(['data', 'import', sharedFile(BTC_1M), '--exchange', 'binance'], ctx)).toBe(0);

    ctx = capture(h);
    expect(await main(['data', 'ls'], ctx)).toBe(0);
    const lines = ctx.out().trim().split('\n');
    expect(lines[0]).toMatch(/^exchange\s+symbol\s+timeframe\s+from\s+to\s+bars\s+gaps$/);
    expect(lines[2]).toMatch(/^binance\s+BTC\/USDT\s+1m\s+2023-03-16T22:15:00Z\s+2023-05-01T21:01:00Z\s+66087\s+1 \(80 missing\)$/);
    expect(lines[3]).toMatch(/^binance\s+BTC\/USDT\s+1h\s+2017-08-17T04:00:00Z\s+2022-10-11T10:00:00Z\s+45024\s+27 \(127 missing\)$/);

    ctx = capture(h);
    expect(await main(['data', 'ls', '--json'], ctx)).toBe(0);
    expect(JSON.parse(ctx.out()).series.map((s: { timeframe: string; bars: number }) => [s.timeframe, s.bars])).toEqual([['1m', 66087], ['1h', 45024]]);

    ctx = capture(h);
    expect(await main(['data', 'verify', '--timeframe', '1m'], ctx)).toBe(0);
    expect(ctx.out()).toContain('binance BTC/USDT 1m: 66087 bars from 2023-03-16T22:15:00Z to 2023-05-01T21:01:00Z; valid; 1 gap, 80 missing 1m bars');
    expect(ctx.out()).toContain('gap from 2023-03-24T12:40:00Z: 80 missing');
    ctx = capture(h);
    expect(await main(['data', 'verify', '--json'], ctx)).toBe(0);
    const v = JSON.parse(ctx.out());
    expect(v.ok).toBe(true);
    expect(v.series.map((s: { gaps: { count: number } }) => s.gaps.count)).toEqual([1, 27]);
  });

  it('verify exits 1 when the cache holds invalid candles, and names them', async () => {
    const h = home();
    // a cache file with an inconsistent candle, written behind the importer's back through a valid import + edit
    const good = join(h, 'ETH_USDT-1h.json');
    const t = Date.UTC(2021, 0, 1);
    writeFileSync(good, JSON.stringify([[t, 10, 11, 9, 10, 1], [t + 3_600_000, 10, 11, 9, 10, 1]]));
    expect(await main(['data', 'import', good, '--exchange', 'binance'], capture(h))).toBe(0);
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    const f = join(h, 'cache/candles/binance/ETH_USDT/1h/2021.parquet');
    await c.run(`COPY (SELECT ts, open, CASE WHEN ts = ${t + 3_600_000} THEN 5 ELSE high END AS high, low, close, volume FROM read_parquet('${f}')) TO '${f}.x' (FORMAT parquet)`);
    c.closeSync();
    const { renameSync } = await import('node:fs');
    renameSync(`${f}.x`, f);
    const ctx = capture(h);
    expect(await main(['data', 'verify'], ctx)).toBe(1);
    expect(ctx.out()).toContain('binance ETH/USDT 1h: 2 bars');
    expect(ctx.out()).toContain('INVALID');
    expect(ctx.out()).toContain('1 ohlc candle, first at 2021-01-01T01:00:00.000Z (row 2)');
  });

  it('usage errors exit 2 with what was wrong', async () => {
    const h = home();
    let ctx = capture(h);
    expect(await main(['data', 'import', '/nope/x.json', '--exchange', 'binance'], ctx)).toBe(2);
    expect(ctx.err()).toContain('candle file not found: /nope/x.json');
    ctx = capture(h);
    expect(await main(['data', 'import', sharedFile(BTC_1H)], ctx)).toBe(2);
    expect(ctx.err()).toContain('exchange');
    ctx = capture(h);
    expect(await main(['data', 'import', sharedFile(BTC_1H), '--exchange', 'binance', '--timeframe', '4h'], ctx)).toBe(2);
    expect(ctx.err()).toContain('holds 1h candles (median step) but the timeframe is 4h');
    ctx = capture(h);
    expect(await main(['data', 'import', sharedFile('backtesting-py/GOOG.csv'), '--exchange', 'nasdaq'], ctx)).toBe(2);
    expect(ctx.err()).toContain('pass --symbol');
    ctx = capture(h);
    expect(await main(['data', 'verify'], ctx)).toBe(2);
    expect(ctx.err()).toContain('is empty; nothing to verify');
    ctx = capture(h);
    expect(await main(['data', 'ls'], ctx)).toBe(0);
    expect(ctx.out()).toContain('is empty');
  });

  it('resolves TRADELAB_HOME relative to the working directory, defaulting to .tradelab', async () => {
    const cwd = home();
    const ctx: CliContext = { stdout: () => undefined, stderr: () => undefined, env: {}, cwd, isTTY: false };
    expect(await main(['data', 'import', sharedFile('freqtrade/XRP_ETH-5m.json'), '--exchange', 'binance'], ctx)).toBe(0);
    const out = capture(join(cwd, '.tradelab'));
    expect(await main(['data', 'ls', '--json'], out)).toBe(0);
    expect(JSON.parse(out.out()).series[0]).toMatchObject({ symbol: 'XRP/ETH', timeframe: '5m', bars: 712 });
  });
});
