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
      expect(Array.from(a.a.subarray(0, a.n))).toEqual(Array.from(b.a.subarray(0, b.n)));
    }
    expect(hits).toBeGreaterThan(1000);
    expect(scans - hits).toBeGreaterThan(1000);
  });
});
