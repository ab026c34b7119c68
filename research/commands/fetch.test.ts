import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ccxt, { type Exchange } from 'ccxt';
import { main } from '../cli.ts';
import type { CliContext } from '../cli-context.ts';
import { createExchange } from '../../data/index.ts';
import { makeFetchCommand } from './fetch.ts';

const H = 3_600_000, T0 = Date.UTC(2021, 0, 1);

function capture(home: string, isTTY = false): CliContext & { out: () => string; err: () => string } {
  let out = '', err = '';
  return { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, env: { TRADELAB_HOME: home }, cwd: home, isTTY, out: () => out, err: () => err };
}

/** ccxt's real binance class offline: markets by hand, klines served from a synthetic hourly series keyed by startTime. */
function offlineBinance(n: number, faults: Error[] = []): Exchange {
  const ex = createExchange('binance');
  ex.setMarkets([{ id: 'BTCUSDT', symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', baseId: 'BTC', quoteId: 'USDT', type: 'spot', spot: true, active: true, precision: { amount: 0.00001, price: 0.01 }, limits: {} }] as never);
  (ex as unknown as { fetch: (url: string) => Promise<unknown> }).fetch = async (url: string) => {
    const f = faults.shift();
    if (f) throw f;
    const q = new URL(url).searchParams;
    const start = Number(q.get('startTime')), limit = Number(q.get('limit'));
    const rows = [];
    for (let i = Math.max(0, Math.ceil((start - T0) / H)); i < n && rows.length < limit; i++) {
      const o = 100 + (i % 10);
      rows.push([T0 + i * H, String(o), String(o + 2), String(o - 1), String(o + 1), '3.5', T0 + i * H + H - 1, '0', 1, '0', '0', '0']);
    }
    return rows;
  };
  return ex;
}

const fakeDeps = (n: number, now: number, faults: Error[] = []) => makeFetchCommand({
  createExchange: (id) => (id === 'binance' ? offlineBinance(n, faults) : createExchange(id)),
  fetchDeps: { now: () => now, sleep: async () => undefined, random: () => 0.5 },
});

describe('tradelab fetch', () => {
  it('downloads into $TRADELAB_HOME/cache, prints progress lines and a summary, then resumes with nothing to do', async () => {
    const home = mkdtempSync(join(tmpdir(), 'tl-cli-fetch-'));
    const cmd = fakeDeps(2500, T0 + 2500 * H + 60_000, [new ccxt.RateLimitExceeded('429 too many requests')]);
    let ctx = capture(home);
    expect(await main(['fetch', '--exchange', 'binance', '--symbol', 'BTC/USDT', '--timeframe', '1h', '--from', '2021-01-01'], ctx, [cmd])).toBe(0);
    expect(ctx.out()).toContain('binance BTC/USDT 1h: fetched 2500 candles in 3 requests from 2021-01-01T00:00:00Z (2500 new, 0 changed, 1 retries)');
    expect(ctx.out()).toContain('cache: 2500 bars from 2021-01-01T00:00:00Z to 2021-04-15T03:00:00Z; no gaps');
    expect(ctx.err()).toMatch(/binance BTC\/USDT 1h: retry 1 in 1000 ms after RateLimitExceeded: 429 too many requests/);
    expect(ctx.err()).toMatch(/binance BTC\/USDT 1h: 100% \(2500 candles/);

    ctx = capture(home);
    expect(await main(['fetch', '--exchange', 'binance', '--symbol', 'BTC/USDT', '--timeframe', '1h', '--from', '2021-01-01', '--to', '2021-02-01', '--json'], ctx, [cmd])).toBe(0);
    expect(JSON.parse(ctx.out())).toMatchObject({ resumedFrom: null, pages: 0, fetched: 0, cache: { bars: 2500, gaps: 0 } });

    ctx = capture(home);
    expect(await main(['data', 'ls', '--json'], ctx)).toBe(0);
    expect(JSON.parse(ctx.out()).series).toEqual([expect.objectContaining({ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h', bars: 2500 })]);
  });

  it('draws a cli-progress bar on a terminal', async () => {
    const home = mkdtempSync(join(tmpdir(), 'tl-cli-fetch-'));
    const ctx = capture(home, true);
    expect(await main(['fetch', '--exchange', 'binance', '--symbol', 'BTC/USDT', '--timeframe', '1h', '--from', '2021-01-01'], ctx, [fakeDeps(300, T0 + 400 * H)])).toBe(0);
    expect(ctx.err()).toMatch(/\[[█░]+\] 100% \| 300 candles/);
  });

  it('bad exchange, symbol, timeframe or date exit 2 with a suggestion', async () => {
    const home = mkdtempSync(join(tmpdir(), 'tl-cli-fetch-'));
    const cmd = fakeDeps(10, T0 + 100 * H);
    const run = async (args: string[]) => { const ctx = capture(home); const code = await main(['fetch', ...args], ctx, [cmd]); return { code, err: ctx.err() }; };
    const base = ['--symbol', 'BTC/USDT', '--timeframe', '1h', '--from', '2021-01-01'];
    expect(await run(['--exchange', 'binanse', ...base])).toMatchObject({ code: 2, err: expect.stringContaining("unknown exchange 'binanse'. Did you mean 'binance'") });
    expect(await run(['--exchange', 'binance', '--symbol', 'BTC/USD', '--timeframe', '1h', '--from', '2021-01-01'])).toMatchObject({ code: 2, err: expect.stringContaining("binance has no market 'BTC/USD'. Close matches: BTC/USDT") });
    expect(await run(['--exchange', 'binance', '--symbol', 'BTC/USDT', '--timeframe', '2m', '--from', '2021-01-01'])).toMatchObject({ code: 2, err: expect.stringContaining("unknown timeframe '2m'") });
    expect(await run(['--exchange', 'binance', '--symbol', 'BTC/USDT', '--timeframe', '1h', '--from', 'last year'])).toMatchObject({ code: 2, err: expect.stringContaining("--from 'last year' is not a date") });
    expect(await run(['--exchange', 'binance', '--symbol', 'BTC/USDT', '--timeframe', '1h'])).toMatchObject({ code: 2, err: expect.stringContaining('Missing required argument: from') });
  });
});
