import { describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import { seededRandom } from '../random.ts';
import { makeFrame } from '../frame.ts';
import { defineStrategy, type BarContext, type FillContext, type Intent } from '../strategy.ts';
import { marketSpec } from './market-spec.ts';
import { runOrderBacktest } from './simulator.ts';
import { MAX_TAG_NUM, NumTagIndex, TAG_NUM, TAG_PREFIX, TagPrefixes, tagNumberAt, tagNumberStart, type NumericTag } from './tag-code.ts';

describe('numeric tag form', () => {
  it('splits <prefix without digits><number without leading zeros, at most 9 digits>, and nothing else', () => {
    const ok: [string, string, number][] = [['b0', 'b', 0], ['b12', 'b', 12], ['grid-buy 7', 'grid-buy ', 7], ['x999999999', 'x', 999_999_999], ['é5', 'é', 5]];
    for (const [s, p, n] of ok) {
      const j = tagNumberStart(s);
      expect([s.slice(0, j), tagNumberAt(s, j)]).toEqual([p, n]);
    }
    for (const s of ['', 'b', '12', 'b01', 'b00', 's12.3', 'a1b2', 'b1234567890', 'b-', 'b 1 ']) expect(tagNumberStart(s), s).toBe(-1);
  });

  it('registers prefixes once and refuses those that could not spell a tag of the form', () => {
    const p = new TagPrefixes();
    expect([p.id('b'), p.id('s'), p.id('b'), p.idIn('b17', 1), p.idIn('s4', 1)]).toEqual([0, 1, 0, 0, 1]);
    expect([p.id(''), p.id('b1'), p.id('7')]).toEqual([-1, -1, -1]);
    expect(p.names).toEqual(['b', 's']);
  });
});

describe('NumTagIndex', () => {
  it('answers get / add / delete / size as a Map keyed by the pair does under heavy churn (rebuilds and growth included)', () => {
    const rnd = seededRandom(11);
    const idx = new NumTagIndex(), ref = new Map<string, number>();
    const live: [number, number][] = [];
    let seq = 0, bad = 0, checked = 0;
    for (let step = 0; step < 30_000; step++) {
      const x = rnd();
      const wantMore = step % 10_000 < 5_000 ? 0.6 : 0.4;
      if (x < wantMore || live.length === 0) {
        const pre = Math.floor(rnd() * 3), num = seq++;
        if (!idx.add(pre, num, step)) bad++;
        ref.set(`${pre}:${num}`, step);
        live.push([pre, num]);
      } else if (x < 0.9) {
        const k = Math.floor(rnd() * live.length);
        const [pre, num] = live[k];
        live[k] = live[live.length - 1];
        live.pop();
        if (idx.delete(pre, num) !== ref.delete(`${pre}:${num}`)) bad++;
      } else {
        // a held pair is not added again (and keeps its id); absent pairs are absent
        const [pre, num] = live[Math.floor(rnd() * live.length)];
        if (idx.add(pre, num, -1) || idx.get(pre, num) !== ref.get(`${pre}:${num}`)) bad++;
        if (idx.delete(pre, seq + 5) || idx.get(pre + 3, num) !== -1) bad++;
      }
      if (idx.size !== ref.size) bad++;
      if (step % 499 === 0) for (const [key, v] of ref) { checked++; const [pre, num] = key.split(':').map(Number); if (idx.get(pre, num) !== v) bad++; }
    }
    expect(bad).toBe(0);
    expect(checked).toBeGreaterThan(10_000);
  });
});

describe('numeric tags in the order simulator', () => {
  const rows = [[100, 101, 99.5, 100, 10], [100, 100.5, 99.2, 99.8, 10], [99.8, 100, 98.9, 99.5, 10], [99.5, 103, 99.4, 102.5, 10]];
  const frame = makeFrame({ exchange: 'test', symbol: 'BTC/USDT', timeframe: '1m' }, {
    ts: Float64Array.from(rows, (_, i) => i * 60_000), open: Float64Array.from(rows, (r) => r[0]), high: Float64Array.from(rows, (r) => r[1]),
    low: Float64Array.from(rows, (r) => r[2]), close: Float64Array.from(rows, (r) => r[3]), volume: Float64Array.from(rows, (r) => r[4]),
  });
  const spec = marketSpec('BTC/USDT', { priceTick: 0.01, amountStep: 0.001, minAmount: 0, minNotional: 0, makerFee: 0.001, takerFee: 0.002 });
  /** A limit buy whose tag is spelled by numbers only (`tag` is a getter, as the grid's pooled intents have). */
  const numBuy = (prefix: string, num: number, price: number): Intent => {
    const o = { type: 'limit', side: 'buy', price, amount: 1 } as Record<string | symbol, unknown>;
    Object.defineProperty(o, 'tag', { get: () => prefix + num, enumerable: true });
    o[TAG_PREFIX] = prefix;
    o[TAG_NUM] = num;
    return o as unknown as Intent;
  };
  const strBuy = (tag: string, price: number): Intent => ({ type: 'limit', side: 'buy', price, amount: 1, tag });
  function run(at: Record<number, Intent[]>, onFill?: (ctx: FillContext<Record<string, never>>) => Intent | undefined, spy?: (ctx: BarContext<Record<string, never>>) => void) {
    const s = defineStrategy({
      id: 'tags', version: '1.0.0', description: 'numeric tags', kind: 'orders', params: Type.Object({}), warmup: () => 0, indicators: () => ({}),
      decide: (ctx) => { spy?.(ctx as never); return at[ctx.i]; }, onFill: onFill ? (ctx) => onFill(ctx as never) : undefined,
    });
    return runOrderBacktest(s, [{ frame, spec }], {}, { initialCash: 10_000 });
  }

  it('a numeric spelling and its string name the same order: duplicates either way, cancels and orders.has by the string', () => {
    const seen: unknown[] = [];
    const r = run({
      0: [numBuy('b', 1, 99), strBuy('b1', 98), strBuy('b2', 97), numBuy('b', 2, 96), numBuy('z', 5, 95)],
      1: [{ type: 'cancel', tag: 'z5' }, { type: 'cancel', tag: 'b01' }],
    }, undefined, (ctx) => {
      if (ctx.i === 1) seen.push(ctx.orders!.has(0, 'b2'), ctx.orders!.has(0, 'b02'), ctx.orders!.get(0, 'b1')?.price, ctx.orders!.list(0).map((o) => o.tag));
    });
    expect(r.rejected.map((x) => [x.bar, x.tag, x.price, x.reason])).toEqual([
      [0, 'b1', 98, 'duplicate-tag'], [0, 'b2', 96, 'duplicate-tag'], [1, 'b01', NaN, 'unknown-tag'],
    ]);
    expect(r.orders.map((o) => [o.tag, o.price, o.status])).toEqual([['b1', 99, 'filled'], ['b2', 97, 'open'], ['z5', 95, 'cancelled']]);
    expect(seen).toEqual([true, false, 99, ['b1', 'b2', 'z5']]);
  });

  it('fills and lots spell numeric tags; fills carry the numeric spelling for onFill, string tags have none', () => {
    const got: [string, string | undefined, number | undefined][] = [];
    const r = run({ 0: [numBuy('b', 7, 99)] }, (ctx) => {
      const f = ctx.fill as unknown as Partial<NumericTag> & { tag: string };
      got.push([f.tag, f[TAG_PREFIX], f[TAG_PREFIX] === undefined ? undefined : f[TAG_NUM]]);
      return f.tag === 'b7' ? { type: 'limit', side: 'sell', price: 101, amount: 1, tag: 's0.0', lot: ctx.fill.lotId } : undefined;
    });
    expect(got).toEqual([['b7', 'b', 7], ['s0.0', undefined, undefined]]);
    expect(r.fills.map((f) => f.tag)).toEqual(['b7', 's0.0']);
    expect(r.lots.map((l) => [l.buyTag, l.sellTag])).toEqual([['b7', 's0.0']]);
    expect(JSON.parse(JSON.stringify(r.orders)).map((o: { tag: string }) => o.tag)).toEqual(['b7', 's0.0']);
  });

  it('a numeric spelling out of range or with a bad prefix is booked by its tag string', () => {
    const r = run({ 0: [numBuy('b', MAX_TAG_NUM + 1, 99), numBuy('b1', 2, 98), numBuy('b', 1.5, 97), strBuy('b12', 96)] });
    expect(r.rejected.map((x) => [x.tag, x.reason])).toEqual([['b12', 'duplicate-tag']]);
    expect(r.orders.map((o) => o.tag)).toEqual([`b${MAX_TAG_NUM + 1}`, 'b12', 'b1.5']);
  });
});
