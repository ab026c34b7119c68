// The grid's sorted price multiset: the stepping near-test of a descending level scan answers as the searching one.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../random.ts';
import { PriceSet } from './grid.ts';

describe('PriceSet.nearDown = nearX over a descending scan with insertions', () => {
  it('on random sets, ties and exact boundaries included', () => {
    const rnd = seededRandom(3);
    let scans = 0, hits = 0;
    for (let round = 0; round < 300; round++) {
      const a = new PriceSet(), b = new PriceSet();
      const n = Math.floor(rnd() * 120);
      for (let i = 0; i < n; i++) {
        // prices on a coarse grid so that duplicates and elements exactly at x - tol occur
        const x = 100 + Math.round(rnd() * 400) / 8;
        a.add(x); b.add(x);
      }
      const step = 1 / 8 * (1 + Math.floor(rnd() * 4));
      const tol = step / 2;
      a.cur = -1;
      for (let x = 160; x > 95; x -= step) {
        a.x = x; a.tol = tol; b.x = x; b.tol = tol;
        const got = a.nearDown(), want = b.nearX();
        scans++;
        if (want) hits++;
        if (got !== want) expect.fail(`round ${round}, x ${x}: nearDown ${got}, nearX ${want}`);
        // as the grid does: a level found free may be taken at once (an insertion at or above x - tol)
        if (!want && rnd() < 0.5) { a.x = x; a.addX(); b.x = x; b.addX(); }
      }
      expect(Array.from(a.values())).toEqual(Array.from(b.values()));
    }
    expect(hits).toBeGreaterThan(1000);
    expect(scans - hits).toBeGreaterThan(1000);
  });
});

describe('PriceSet as a sorted multiset', () => {
  it('adds and removes at both ends and in the middle like a sorted list, through growth and re-centring', () => {
    const rnd = seededRandom(9);
    const s = new PriceSet(), ref: number[] = [];
    for (let step = 0; step < 20_000; step++) {
      if (ref.length === 0 || rnd() < 0.55) {
        // skewed towards the ends, where the grid inserts, with duplicates
        const r = rnd();
        const x = r < 0.3 ? 50 + Math.floor(rnd() * 20) : r < 0.6 ? 150 + Math.floor(rnd() * 20) : Math.floor(rnd() * 200);
        s.add(x); ref.push(x); ref.sort((p, q) => p - q);
      } else {
        const x = rnd() < 0.9 ? ref[Math.floor(rnd() * ref.length)] : -1;
        s.remove(x);
        const k = ref.indexOf(x);
        if (k >= 0) ref.splice(k, 1);
      }
      if (step % 97 === 0) expect(Array.from(s.values())).toEqual(ref);
    }
    expect(Array.from(s.values())).toEqual(ref);
    for (const x of [-1, 0, 55, 100, 199, 500]) expect(s.has(x)).toBe(ref.includes(x));
    for (const x of [10, 60, 155, 190]) expect(s.near(x, 0.5)).toBe(ref.some((v) => v > x - 0.5 && v < x + 0.5));
    const t = new PriceSet();
    t.load([1, 2, 2, 5]);
    t.add(0); t.add(9); t.remove(2);
    expect(Array.from(t.values())).toEqual([0, 1, 2, 5, 9]);
  });
});
