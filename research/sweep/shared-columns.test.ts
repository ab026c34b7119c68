import { describe, expect, it } from 'vitest';
import { syntheticFrame } from '../../bench/synthetic.ts';
import { DEFAULT_FILL_CONFIG, sma, smaCross, type ParamValues, type Strategy } from '../../engine/index.ts';
import { createMemo, STAT_KEYS } from '../../engine/sweep/index.ts';
import { SweepPool } from './pool.ts';
import { claimingMemo, CLAIM_FREE, CLAIM_READY, listSharedColumns } from './shared-columns.ts';
import { sharedColumn, sharedFrameOf } from './shared-frame.ts';

const frame = syntheticFrame(3_000, 4, '1h', 3_600_000);
const params: ParamValues[] = [];
for (const fast of [5, 10]) for (const slow of [20, 30, 40]) params.push(smaCross.resolveParams({ fast, slow }));

describe('listSharedColumns', () => {
  it('lists each key once in first-request order, counts requests, computes nothing, and keeps to the budget', () => {
    const list = listSharedColumns(smaCross, frame, params, 100, () => sharedColumn(frame.length));
    expect(list.columns.map(([k]) => k)).toEqual(['sma(close,5)', 'sma(close,20)', 'sma(close,30)', 'sma(close,40)', 'sma(close,10)']);
    expect(list.requests).toBe(12);
    for (const [, b] of list.columns) expect(new Float64Array(b).every((x) => x === 0)).toBe(true); // untouched
    expect(listSharedColumns(smaCross, frame, params, 2, () => sharedColumn(frame.length)).columns.length).toBe(2);
  });

  it('stops after the first combination of a strategy that does not use the memo', () => {
    let calls = 0;
    const plain = { ...smaCross, indicators: (f: typeof frame, p: ParamValues) => { calls++; return { fast: sma(f.close, p.fast as number), slow: sma(f.close, p.slow as number) }; } };
    expect(listSharedColumns(plain as unknown as Strategy, frame, params, 100, () => sharedColumn(frame.length))).toEqual({ columns: [], requests: 0 });
    expect(calls).toBe(1);
  });
});

describe('claimingMemo', () => {
  const setup = () => {
    const list = listSharedColumns(smaCross, frame, params, 100, () => sharedColumn(frame.length));
    const claims = new SharedArrayBuffer(4 * list.columns.length);
    return { list, claims, state: new Int32Array(claims) };
  };

  it('computes a listed column once into its shared buffer; another worker\'s memo then reads it without computing', () => {
    const { list, claims, state } = setup();
    const a = claimingMemo(frame.length, list.columns, claims, createMemo());
    const b = claimingMemo(frame.length, list.columns, claims, createMemo());
    let computed = 0;
    const col = a.column('sma(close,20)', (out) => { computed++; return sma(frame.close, 20, out); });
    expect(col.buffer).toBe(list.columns[1][1]);
    expect(Array.from(col)).toEqual(Array.from(sma(frame.close, 20)));
    expect(state[1]).toBe(CLAIM_READY);
    expect(b.column('sma(close,20)', () => { computed++; return new Float64Array(frame.length); })).toEqual(col);
    expect(computed).toBe(1);
    expect([a.computedShared(), b.computedShared()]).toEqual([1, 0]);
    // a compute that ignores `out` is copied into the shared buffer
    const fresh = a.column('sma(close,5)', () => sma(frame.close, 5));
    expect(fresh.buffer).toBe(list.columns[0][1]);
    expect(Array.from(fresh)).toEqual(Array.from(sma(frame.close, 5)));
  });

  it('frees the claim when the computation throws (the next asker computes), and refuses a column of the wrong length', () => {
    const { list, claims, state } = setup();
    const m = claimingMemo(frame.length, list.columns, claims, createMemo());
    expect(() => m.column('sma(close,30)', () => { throw new Error('boom'); })).toThrow('boom');
    expect(state[2]).toBe(CLAIM_FREE);
    expect(() => m.column('sma(close,30)', () => new Float64Array(5))).toThrow(/must be a Float64Array of 3000 values/);
    expect(m.column('sma(close,30)', (out) => sma(frame.close, 30, out))[29]).toBe(sma(frame.close, 30)[29]);
  });

  it('sends unlisted keys to the worker\'s own memo', () => {
    const { list, claims } = setup();
    const own = createMemo();
    const m = claimingMemo(frame.length, list.columns, claims, own);
    m.column('ema(close,7)', () => new Float64Array(frame.length));
    expect(own.computed()).toBe(1);
  });
});

describe('shared columns across a pool', () => {
  it('each listed column is computed exactly once by the workers together', async () => {
    const { shared, frame: f } = sharedFrameOf(frame);
    const many: ParamValues[] = [];
    for (let fast = 2; fast <= 20; fast += 2) for (let slow = 25; slow <= 70; slow += 5) many.push(smaCross.resolveParams({ fast, slow }));
    const list = listSharedColumns(smaCross, f, many, 100, () => sharedColumn(f.length));
    const pool = await SweepPool.create(2);
    try {
      const r = await pool.run({
        strategyRef: 'sma-cross', cwd: process.cwd(), frame: shared, start: 70, end: f.length, fill: { ...DEFAULT_FILL_CONFIG }, params: many,
        shared: list.columns, claims: new SharedArrayBuffer(4 * list.columns.length), out: new SharedArrayBuffer(8 * many.length * STAT_KEYS.length), stride: STAT_KEYS.length,
      }, many.length);
      expect(list.columns.length).toBe(20);
      expect(r).toEqual({ computed: 0, computedShared: 20 });
      for (const [k, b] of list.columns) expect(Array.from(new Float64Array(b))).toEqual(Array.from(sma(f.close, Number(k.slice(10, -1))))); // memoColumn key 'sma(close,N)'
    } finally {
      await pool.close();
    }
  });
});
