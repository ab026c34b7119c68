import { describe, expect, it } from 'vitest';
import { makeFrame } from '../engine/index.ts';
import { BTC_1H, sharedFile } from '../test-support/shared-data.ts';
import { importCandles } from './import/index.ts';
import { assertValid, validateFrame } from './validate.ts';

const T0 = Date.UTC(2021, 0, 1), M = 60_000;
function frame(rows: number[][]) {
  const col = (k: number) => Float64Array.from(rows, (r) => r[k]);
  return makeFrame({ exchange: 'x', symbol: 'A/B', timeframe: '1m' }, { ts: col(0), open: col(1), high: col(2), low: col(3), close: col(4), volume: col(5) });
}

describe('validateFrame', () => {
  it('accepts the real BTC/USDT 1h file', async () => {
    const { frame: f } = await importCandles(sharedFile(BTC_1H));
    expect(validateFrame(f)).toEqual({ ok: true, rows: 45_024, problems: [] });
  });

  it('reports each kind of problem with its count and first offending candle', () => {
    const r = validateFrame(frame([
      [T0, 10, 11, 9, 10, 1],
      [T0 + M, 10, 11, 9, 10, 1],
      [T0 + M, 10, 11, 9, 10, 1], // duplicate
      [T0 + 3 * M, 10, 9.5, 9, 10, 1], // high below open
      [T0 + 2 * M, 10, 11, 9, 10, 1], // unsorted
      [T0 + 4 * M, NaN, 11, 9, 10, 1], // non-finite
      [T0 + 5 * M, 10, 11, 9, 10, -1], // negative volume
      [T0 + 6 * M, 10, 11, 10.5, 10, 1], // low above close
    ]));
    expect(r.ok).toBe(false);
    const by = Object.fromEntries(r.problems.map((p) => [p.kind, p]));
    expect(by.duplicate).toMatchObject({ count: 1, firstIndex: 2, first: '2021-01-01T00:01:00.000Z' });
    expect(by.ohlc).toMatchObject({ count: 2, firstIndex: 3, first: '2021-01-01T00:03:00.000Z' });
    expect(by.unsorted).toMatchObject({ count: 1, firstIndex: 4, firstTs: T0 + 2 * M });
    expect(by['non-finite']).toMatchObject({ count: 1, firstIndex: 5 });
    expect(by['negative-volume']).toMatchObject({ count: 1, firstIndex: 6 });
  });

  it('assertValid throws a data error that names the source and the first offence', () => {
    const f = frame([[T0, 10, 11, 9, 10, 1], [T0, 10, 11, 9, 10, 1]]);
    expect(() => assertValid(f, 'my.json')).toThrow(/invalid candles in my\.json: 1 duplicate candle, first at 2021-01-01T00:00:00.000Z \(row 2\); expected one candle per timestamp/);
    expect(assertValid(frame([[T0, 10, 11, 9, 10, 0]]), 'ok').ok).toBe(true);
  });
});
