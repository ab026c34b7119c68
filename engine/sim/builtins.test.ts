// Every built-in strategy through the simulator on real BTC/USDT 1h candles (Binance, 2017-08 .. 2022-10):
// the vectorised fast path and the per-bar path give the same fills, trades and equity, with shorts on and off;
// and changing the future after any bar never changes what was filled by then.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BTC_1H, sharedFile } from '../../test-support/shared-data.ts';
import { frameFromRows, sliceFrame } from '../frame.ts';
import { builtinStrategies } from '../strategies/index.ts';
import { DEFAULT_FILL_CONFIG, findSimLookAhead, runSignalBacktest, type FillConfig, type SimResult } from './index.ts';

const rows = JSON.parse(readFileSync(sharedFile(BTC_1H), 'utf8')) as number[][];
const frame = frameFromRows({ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' }, rows);

/** Fills and trades without their reason strings: per-bar reasons come from the intents, the fast path has none. */
const numeric = (r: SimResult) => ({
  fills: r.fills.map(({ reason: _r, ...x }) => x),
  trades: r.trades.map(({ entryReason: _e, exitReason: _x, ...x }) => x),
  openPosition: r.openPosition,
  skipped: r.skipped.map((s) => s.bar),
  cash: r.cash, feesPaid: r.feesPaid, skippedOrders: r.skippedOrders,
});

const configs: Record<string, Partial<FillConfig>> = {
  default: {},
  'slippage, lots, minimum, half equity, close at end': { slippageBps: 5, lotSize: 0.001, minNotional: 2500, fraction: 0.5, closeAtEnd: true },
};

describe('fast path vs per-bar path on real BTC/USDT 1h', () => {
  it('has the five built-in strategies and the full data set', () => {
    expect(builtinStrategies.length).toBeGreaterThanOrEqual(5);
    expect(frame.length).toBe(45_024);
  });

  for (const s of builtinStrategies) {
    for (const allowShort of [false, true]) {
      for (const [name, over] of Object.entries(configs)) {
        it(`${s.id}: identical fills, trades and equity (allowShort ${allowShort}, ${name})`, () => {
          expect(s.signals, `${s.id} has no fast path`).toBeDefined();
          const params = s.resolveParams();
          const config = { ...DEFAULT_FILL_CONFIG, ...over, allowShort };
          const opts = { startIndex: s.warmup(params) };
          const fast = runSignalBacktest(s, frame, params, config, { ...opts, path: 'fast' });
          const slow = runSignalBacktest(s, frame, params, config, { ...opts, path: 'per-bar' });
          expect([fast.path, slow.path]).toEqual(['fast', 'per-bar']);
          expect(fast.fills.length).toBeGreaterThan(10);
          if (allowShort) expect(fast.trades.some((t) => t.side === 'short')).toBe(true);
          else expect(fast.position.every((p) => p >= 0)).toBe(true);
          expect(numeric(fast)).toEqual(numeric(slow));
          expect(Buffer.from(fast.equity.buffer, fast.equity.byteOffset, fast.equity.byteLength)
            .equals(Buffer.from(slow.equity.buffer, slow.equity.byteOffset, slow.equity.byteLength))).toBe(true);
          expect(Array.from(fast.position)).toEqual(Array.from(slow.position));
          // The cash identity holds on real data: initial cash + Σ pnl + open position's entry cash flow = final cash.
          const open = fast.openPosition;
          const openFlow = open ? (open.side === 'long' ? -1 : 1) * open.entryPrice * open.size - open.entryFee : 0;
          expect(Math.abs(config.initialCash + fast.trades.reduce((a, t) => a + t.pnl, 0) + openFlow - fast.cash)).toBeLessThan(1e-6 * config.initialCash);
        });
      }
    }
  }
});

it('the minimum-notional configuration really skips entries (so both paths are compared on skips too)', () => {
  const over = configs['slippage, lots, minimum, half equity, close at end'];
  const skipped = builtinStrategies.map((s) => {
    const params = s.resolveParams();
    return runSignalBacktest(s, frame, params, { ...DEFAULT_FILL_CONFIG, ...over, allowShort: true }, { startIndex: s.warmup(params) }).skippedOrders;
  });
  expect(skipped.reduce((a, b) => a + b, 0)).toBeGreaterThan(100);
});

describe('look-ahead through the simulator, every built-in strategy', () => {
  const part = sliceFrame(frame, frame.length - 4000);
  for (const s of builtinStrategies) {
    for (const path of ['fast', 'per-bar'] as const) {
      for (const allowShort of [false, true]) {
        it(`${s.id} (${path}, allowShort ${allowShort}): the future never changes fills, trades or equity up to the cut`, () => {
          const params = s.resolveParams();
          const start = s.warmup(params);
          const config = { ...DEFAULT_FILL_CONFIG, slippageBps: 3, allowShort };
          const base = runSignalBacktest(s, part, params, config, { startIndex: start, path });
          // cuts: evenly spread, plus the bar before each of the first 15 fills (where a peek would show first)
          const even = Array.from({ length: 10 }, (_, k) => start + Math.floor(((part.length - start - 3) * (k + 1)) / 11));
          const decided = base.fills.slice(0, 15).map((f) => f.bar - 1);
          const cuts = [...new Set([...even, ...decided])].filter((c) => c >= start && c + 1 < part.length);
          expect(findSimLookAhead(s, part, params, config, { startIndex: start, cuts, path })).toBeNull();
        });
      }
    }
  }
});
