import { describe, expect, it } from 'vitest';
import { loadCandles } from '../../data/load-candles.ts';
import { sharedFile, BTC_1H } from '../../test-support/shared-data.ts';
import { createCcxtAdapter } from '../exchange/ccxt-adapter.ts';
import type { Candle, CandleUpdate, ExchangePort } from '../exchange/port.ts';
import { CandleFeed, windowBarsFor, type FeedEvent } from './feed.ts';
import { scriptedBinance, VirtualClock } from './testing/feed-exchange.ts';

const H = 3_600_000;

async function truthRows(): Promise<Candle[]> {
  const l = await loadCandles({ file: sharedFile(BTC_1H), exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' }, { from: Date.UTC(2022, 0, 1), to: Date.UTC(2022, 0, 6), warmupBars: 0 }, 'report');
  const f = l.frame;
  const rows: Candle[] = [];
  for (let i = 0; i < f.length; i++) rows.push([f.ts[i], f.open[i], f.high[i], f.low[i], f.close[i], f.volume[i]]);
  for (let i = 1; i < rows.length; i++) expect(rows[i][0] - rows[i - 1][0]).toBe(H); // contiguous real candles
  return rows;
}

function setup(truth: Candle[], startBar: number, opts: { window?: number; pageLimit?: number; gapRetries?: number } = {}) {
  const sb = scriptedBinance(truth, truth[startBar][0] + 1000);
  const port = createCcxtAdapter({ exchangeId: 'binance', liveTradingEnabled: false, pollIntervalMs: 20 * 60_000 },
    { exchange: sb.off.ex, sleep: sb.clock.sleep, now: sb.clock.now, random: () => 0.5 });
  const feed = new CandleFeed({
    port, symbol: 'BTC/USDT', timeframe: '1h', windowBars: opts.window ?? 12, now: sb.clock.now, sleep: sb.clock.sleep,
    pageLimit: opts.pageLimit ?? 500, gapRetries: opts.gapRetries ?? 2, gapRetryDelayMs: 10_000, pollIntervalMs: 20 * 60_000,
  });
  return { sb, port, feed };
}

const klineCalls = (sb: ReturnType<typeof scriptedBinance>) => sb.off.requests.filter((r) => new URL(r.url).pathname === '/api/v3/klines');

async function collect(feed: CandleFeed, sb: ReturnType<typeof scriptedBinance>, n: number): Promise<FeedEvent[]> {
  const ac = new AbortController();
  const out: FeedEvent[] = [];
  await sb.clock.drive((async () => {
    for await (const ev of feed.follow(ac.signal)) {
      out.push(ev);
      if (out.length >= n || ev.kind === 'gap') ac.abort();
    }
  })());
  return out;
}

describe('CandleFeed: backfill', () => {
  it('pages fetchOHLCV back to the window start and keeps only closed candles, equal to the venue\'s', async () => {
    const truth = await truthRows();
    const { sb, feed } = setup(truth, 40, { window: 25, pageLimit: 7 });
    expect(await sb.clock.drive(feed.backfill(21))).toBeUndefined();
    const f = feed.frame();
    expect(f.length).toBe(25);
    // bar 40 is forming at the start: the window ends at bar 39
    for (let i = 0; i < 25; i++) {
      const c = truth[15 + i];
      expect([f.ts[i], f.open[i], f.high[i], f.low[i], f.close[i], f.volume[i]]).toEqual([...c]);
    }
    expect(klineCalls(sb).length).toBeGreaterThanOrEqual(4); // 25 bars in pages of 7
  });

  it('refuses a market with fewer closed bars than the warm-up needs', async () => {
    const truth = await truthRows();
    const { sb, feed } = setup(truth.slice(30), 5, { window: 25 });
    await expect(sb.clock.drive(feed.backfill(21))).rejects.toThrow(/5 closed bars and the strategy needs 21/);
  });
});

describe('CandleFeed: following closed bars', () => {
  it('emits each bar once it closed, in order, with its final values (never the forming candle\'s), in a window of the same length', async () => {
    const truth = await truthRows();
    const { sb, feed } = setup(truth, 40);
    await sb.clock.drive(feed.backfill(5));
    const evs = await collect(feed, sb, 10);
    expect(evs.map((e) => e.kind)).toEqual(Array(10).fill('bar'));
    evs.forEach((e, j) => {
      if (e.kind !== 'bar') return;
      expect([...e.candle]).toEqual([...truth[40 + j]]);
      expect(e.stale).toBe(false);
      expect(e.frame.length).toBe(12);
      expect(e.frame.ts[11]).toBe(truth[40 + j][0]);
      expect(e.frame.close[0]).toBe(truth[40 + j - 11][4]);
    });
    // nothing was emitted before its end time on the clock
    expect(sb.clock.now()).toBeGreaterThanOrEqual(truth[50][0]);
  });

  it('a candle missing from the replies is fetched again and comes in order, on time; one that never comes is a gap', async () => {
    const truth = await truthRows();
    const { sb, feed } = setup(truth, 40);
    sb.hide.set(truth[44][0], 5); // absent from its first 5 replies (3 polls while forming, the poll after its close, 1 re-fetch)
    sb.hide.set(truth[52][0], Infinity); // never published
    await sb.clock.drive(feed.backfill(5));
    const evs = await collect(feed, sb, 100);
    const bars = evs.filter((e) => e.kind === 'bar');
    expect(bars.map((e) => e.candle[0])).toEqual(truth.slice(40, 52).map((c) => c[0]));
    expect(bars.every((e) => !e.stale)).toBe(true);
    const last = evs[evs.length - 1];
    expect(last.kind).toBe('gap');
    if (last.kind === 'gap') {
      expect(last.from).toBe(truth[52][0]);
      expect(last.message).toMatch(/missing after 2 re-fetches/);
    }
    // the re-fetch asked for the missing candle's open time
    expect(klineCalls(sb).some((r) => new URL(r.url).searchParams.get('startTime') === String(truth[44][0]))).toBe(true);
  });

  it('bars that arrive after their successor closed (catching up) are stale', async () => {
    const truth = await truthRows();
    const { sb, feed } = setup(truth, 40);
    await sb.clock.drive(feed.backfill(5));
    sb.clock.t += 3 * H; // the process was away for three bars
    const evs = await collect(feed, sb, 4);
    expect(evs.map((e) => (e.kind === 'bar' ? [e.candle[0], e.stale] : e.kind))).toEqual([
      [truth[40][0], true], [truth[41][0], true], [truth[42][0], false], [truth[43][0], false],
    ]);
  });

  it('a catch-up longer than the window: every bar gets its own full window ending at it', async () => {
    const truth = await truthRows();
    const { sb, feed } = setup(truth, 40);
    await sb.clock.drive(feed.backfill(5));
    sb.clock.t += 30 * H;
    const evs = await collect(feed, sb, 31);
    expect(evs.length).toBe(31);
    evs.forEach((e, j) => {
      if (e.kind !== 'bar') throw new Error('bar expected');
      expect(e.frame.length).toBe(12);
      expect(e.frame.ts[11]).toBe(truth[40 + j][0]);
      expect(e.frame.ts[0]).toBe(truth[40 + j - 11][0]);
      expect(e.stale).toBe(j < 29);
    });
  });

  it('a streaming venue: closed candles come from watchCandles updates, with no REST call after the backfill', async () => {
    const truth = await truthRows();
    const clock = new VirtualClock(truth[40][0] + 1000);
    let rest = 0;
    const port: Pick<ExchangePort, 'id' | 'fetchOHLCV' | 'watchCandles'> = {
      id: 'ws-venue',
      fetchOHLCV: async (_s, _tf, since = -Infinity, limit = 500) => { rest++; return truth.filter((c) => c[0] >= since && c[0] + H <= clock.now()).slice(0, limit); },
      watchCandles: (symbol, timeframe, opts) => ({
        async *[Symbol.asyncIterator](): AsyncGenerator<CandleUpdate> {
          // a websocket: every 10 minutes the forming candle; the closing update of a bar right after its end
          let lastOpen = Math.floor(clock.now() / H) * H;
          while (!opts?.signal?.aborted) {
            await clock.sleep(10 * 60_000, opts?.signal);
            const open = Math.floor(clock.now() / H) * H;
            const c = truth.find((x) => x[0] === open);
            if (open !== lastOpen) {
              const prev = truth.find((x) => x[0] === lastOpen);
              if (prev) yield { symbol, timeframe, candle: prev, closed: true };
              lastOpen = open;
            }
            if (c) yield { symbol, timeframe, candle: [c[0], c[1], c[1], c[1], c[1], 0], closed: false };
          }
        },
      }),
    };
    const feed = new CandleFeed({ port, symbol: 'BTC/USDT', timeframe: '1h', windowBars: 12, now: clock.now, sleep: clock.sleep, settleMs: 15 * 60_000 });
    await clock.drive(feed.backfill(5));
    const afterBackfill = rest;
    const ac = new AbortController();
    const got: FeedEvent[] = [];
    await clock.drive((async () => { for await (const ev of feed.follow(ac.signal)) { got.push(ev); if (got.length >= 6) ac.abort(); } })());
    expect(got.map((e) => (e.kind === 'bar' ? [...e.candle] : e.kind))).toEqual(truth.slice(40, 46).map((c) => [...c]));
    expect(rest).toBe(afterBackfill);
  });

  it('windowBarsFor: the warm-up and one decided bar, doubled', () => {
    expect(windowBarsFor(30)).toBe(62);
    expect(windowBarsFor(0)).toBe(2);
    expect(windowBarsFor(12.5)).toBe(28);
  });
});
