import { describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import { seededRandom } from '../random.ts';
import { makeFrame } from '../frame.ts';
import { defineStrategy, type BarContext, type FillContext, type Intent } from '../strategy.ts';
import { marketSpec } from './market-spec.ts';
import { runOrderBacktest } from './simulator.ts';
import { dottedTagStart, MAX_TAG_NUM, NumTagIndex, spellTag, TAG_NUM, TAG_NUM2, TAG_PREFIX, TagPrefixes, tagNumberAt, tagNumberStart, type NumericTag } from './tag-code.ts';

describe('numeric tag form', () => {
  it('splits <prefix without digits><number without leading zeros, at most 9 digits>, and nothing else', () => {
    const ok: [string, string, number][] = [['b0', 'b', 0], ['b12', 'b', 12], ['grid-buy 7', 'grid-buy ', 7], ['x999999999', 'x', 999_999_999], ['é5', 'é', 5]];
    for (const [s, p, n] of ok) {
      const j = tagNumberStart(s);
      expect([s.slice(0, j), tagNumberAt(s, j)]).toEqual([p, n]);
    }
    for (const s of ['', 'b', '12', 'b01', 'b00', 's12.3', 'a1b2', 'b1234567890', 'b-', 'b 1 ']) expect(tagNumberStart(s), s).toBe(-1);
  });

  it('splits the dotted form <prefix><number>.<number> (each number canonical), and nothing else', () => {
    const ok: [string, string, number, number][] = [['s0.0', 's', 0, 0], ['s12.345', 's', 12, 345], ['lot 7.999999999', 'lot ', 7, 999_999_999], ['a.b3.4', 'a.b', 3, 4]];
    for (const [s, p, n, n2] of ok) {
      const j = dottedTagStart(s), dot = s.lastIndexOf('.');
      expect([s.slice(0, j), tagNumberAt(s, j, dot), tagNumberAt(s, dot + 1)], s).toEqual([p, n, n2]);
      expect(spellTag(p, n, n2)).toBe(s);
      expect(tagNumberStart(s), s).toBe(-1);
    }
    for (const s of ['', 's', 's1', 's1.', 's.1', '1.2', 's01.2', 's1.02', 's1.2.3', 's1.1234567890', 's1234567890.1', 'a1b2.3', 's1.2 ']) expect(dottedTagStart(s), s).toBe(-1);
    expect(spellTag('b', 12, -1)).toBe('b12');
  });

  it('registers prefixes once and refuses those that could not spell a tag of the form', () => {
    const p = new TagPrefixes();
    expect([p.id('b'), p.id('s'), p.id('b'), p.idIn('b17', 1), p.idIn('s4', 1)]).toEqual([0, 1, 0, 0, 1]);
    expect([p.id(''), p.id('b1'), p.id('7')]).toEqual([-1, -1, -1]);
    expect(p.names).toEqual(['b', 's']);
  });
});

describe('NumTagIndex', () => {
  it('answers get / add / delete / size as a Map keyed by the triple does under heavy churn (rebuilds and growth included)', () => {
    const rnd = seededRandom(11);
    const idx = new NumTagIndex(), ref = new Map<string, number>();
    const live: [number, number, number][] = [];
    let seq = 0, bad = 0, checked = 0;
    for (let step = 0; step < 30_000; step++) {
      const x = rnd();
      const wantMore = step % 10_000 < 5_000 ? 0.6 : 0.4;
      if (x < wantMore || live.length === 0) {
        // the plain form (num2 -1) and dotted forms sharing prefix and first number
        const pre = Math.floor(rnd() * 3), num = rnd() < 0.5 ? seq++ : Math.floor(seq / 2), num2 = rnd() < 0.5 ? -1 : seq++;
        const key = `${pre}:${num}:${num2}`;
        const had = ref.has(key);
        if (idx.add(pre, num, num2, step) === had) bad++;
        if (!had) { ref.set(key, step); live.push([pre, num, num2]); }
      } else if (x < 0.9) {
        const k = Math.floor(rnd() * live.length);
        const [pre, num, num2] = live[k];
        live[k] = live[live.length - 1];
        live.pop();
        if (idx.delete(pre, num, num2) !== ref.delete(`${pre}:${num}:${num2}`)) bad++;
      } else {
        // a held key is not added again (and keeps its id); absent keys are absent
        const [pre, num, num2] = live[Math.floor(rnd() * live.length)];
        if (idx.add(pre, num, num2, -1) || idx.get(pre, num, num2) !== ref.get(`${pre}:${num}:${num2}`)) bad++;
        if (idx.delete(pre, seq + 5, num2) || idx.get(pre + 3, num, num2) !== -1) bad++;
        if (!ref.has(`${pre}:${num}:${num2 + 1000003}`) && idx.get(pre, num, num2 + 1000003) !== -1) bad++;
      }
      if (idx.size !== ref.size) bad++;
      if (step % 499 === 0) for (const [key, v] of ref) { checked++; const [pre, num, num2] = key.split(':').map(Number); if (idx.get(pre, num, num2) !== v) bad++; }
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
    const got: [string, string | undefined, number | undefined, number | undefined][] = [];
    // b7 fills at bar 1 and b8 at bar 2; their sells: a dotted tag spelled by numbers only, and the string 'exit'
    const sell = (lot: number, price: number, tag: string, dotted?: [number, number]): Intent => {
      const o = { type: 'limit', side: 'sell', price, amount: 1, lot } as Record<string | symbol, unknown>;
      Object.defineProperty(o, 'tag', { get: () => tag, enumerable: true });
      if (dotted) { o[TAG_PREFIX] = 's'; o[TAG_NUM] = dotted[0]; o[TAG_NUM2] = dotted[1]; }
      return o as unknown as Intent;
    };
    const r = run({ 0: [numBuy('b', 7, 99.5), numBuy('b', 8, 99)] }, (ctx) => {
      const f = ctx.fill as unknown as Partial<NumericTag> & { tag: string };
      got.push([f.tag, f[TAG_PREFIX], f[TAG_PREFIX] === undefined ? undefined : f[TAG_NUM], f[TAG_NUM2]]);
      if (f.tag === 'b7') return sell(ctx.fill.lotId, 101, 's0.0', [0, 0]);
      return f.tag === 'b8' ? sell(ctx.fill.lotId, 102, 'exit') : undefined;
    });
    expect(got).toEqual([['b7', 'b', 7, undefined], ['b8', 'b', 8, undefined], ['s0.0', 's', 0, 0], ['exit', undefined, undefined, undefined]]);
    expect(r.fills.map((f) => f.tag)).toEqual(['b7', 'b8', 's0.0', 'exit']);
    expect(r.lots.map((l) => [l.buyTag, l.sellTag])).toEqual([['b7', 's0.0'], ['b8', 'exit']]);
    expect(JSON.parse(JSON.stringify(r.orders)).map((o: { tag: string }) => o.tag)).toEqual(['b7', 'b8', 's0.0', 'exit']);
  });

  it('a dotted string tag and its numeric spelling name the same order (duplicates, cancels, orders.has)', () => {
    const dotted = (num: number, num2: number, price: number): Intent => {
      const o = { type: 'limit', side: 'buy', price, amount: 1 } as Record<string | symbol, unknown>;
      Object.defineProperty(o, 'tag', { get: () => `d${num}.${num2}`, enumerable: true });
      o[TAG_PREFIX] = 'd'; o[TAG_NUM] = num; o[TAG_NUM2] = num2;
      return o as unknown as Intent;
    };
    const seen: unknown[] = [];
    const r = run({ 0: [dotted(1, 2, 90), strBuy('d1.2', 89), strBuy('d1', 88), dotted(1, 3, 87)], 1: [{ type: 'cancel', tag: 'd1.3' }] }, undefined, (ctx) => {
      if (ctx.i === 1) seen.push(ctx.orders!.has(0, 'd1.2'), ctx.orders!.has(0, 'd1.02'), ctx.orders!.get(0, 'd1')?.price);
    });
    expect(r.rejected.map((x) => [x.tag, x.reason])).toEqual([['d1.2', 'duplicate-tag']]);
    expect(r.orders.map((o) => [o.tag, o.status])).toEqual([['d1.2', 'open'], ['d1', 'open'], ['d1.3', 'cancelled']]);
    expect(seen).toEqual([true, false, 88]);
  });

  it('a numeric spelling out of range or with a bad prefix is booked by its tag string', () => {
    const r = run({ 0: [numBuy('b', MAX_TAG_NUM + 1, 99), numBuy('b1', 2, 98), numBuy('b', 1.5, 97), strBuy('b12', 96)] });
    expect(r.rejected.map((x) => [x.tag, x.reason])).toEqual([['b12', 'duplicate-tag']]);
    expect(r.orders.map((o) => o.tag)).toEqual([`b${MAX_TAG_NUM + 1}`, 'b12', 'b1.5']);
  });
});
