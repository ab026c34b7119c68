import { describe, expect, it } from 'vitest';
import { tableFromArrays } from 'apache-arrow';
import { syntheticFrame } from '../bench/synthetic.ts';
import { CANDLE_COLUMNS } from '../engine/index.ts';
import { frameFromArrow, frameToArrow } from './arrow.ts';

describe('arrow', () => {
  it('round-trips a frame through a single-chunk table without copying', () => {
    const f = syntheticFrame(1000, 7, '5m', 300_000);
    const t = frameToArrow(f);
    expect(t.batches.length).toBe(1);
    expect(t.numRows).toBe(1000);
    expect(t.schema.metadata.get('tradelab.timeframe')).toBe('5m');
    const back = frameFromArrow(t);
    expect(back).toMatchObject({ exchange: 'synthetic', symbol: 'BTC/USDT', timeframe: '5m', length: 1000 });
    for (const c of CANDLE_COLUMNS) {
      expect(back[c].buffer).toBe(f[c].buffer); // zero-copy
      expect(Array.from(back[c])).toEqual(Array.from(f[c]));
    }
    expect(frameFromArrow(t, { exchange: 'binance' }).exchange).toBe('binance');
  });

  it('copies other column types and names a missing column', () => {
    const t = tableFromArrays({ ts: BigInt64Array.from([1n, 2n]), open: Float32Array.from([1, 2]), high: [2, 3], low: [0, 1], close: [1, 2], volume: [5, 6] });
    const f = frameFromArrow(t, { symbol: 'A/B', timeframe: '1m' });
    expect(Array.from(f.ts)).toEqual([1, 2]);
    expect(Array.from(f.open)).toEqual([1, 2]);
    expect(f.exchange).toBe('unknown');
    expect(() => frameFromArrow(tableFromArrays({ ts: [1] }))).toThrow(/no 'open' column/);
  });
});
