import { describe, expect, it } from 'vitest';
import { crossedAbove, crossedBelow } from '../indicators/cross.ts';
import { crossTargets } from './ma-cross.ts';

/** The rule bar by bar, from the per-bar helpers: what the fast path must reproduce exactly. */
function reference(fast: Float64Array, slow: Float64Array): number[] {
  return Array.from(fast, (_, i) => (i > 0 && crossedAbove(fast, slow, i) ? 1 : i > 0 && crossedBelow(fast, slow, i) ? -1 : NaN));
}

describe('crossTargets', () => {
  it('marks exactly the strict crosses: touches, ties, NaN gaps and warm-up give none', () => {
    const fast = Float64Array.from([NaN, 1, 3, 2, 2, 3, 1, NaN, 3, 1, 2, 2, 1, 3, 3, 1]);
    const slow = Float64Array.from([NaN, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, NaN, 2]);
    const got = Array.from(crossTargets(fast, slow));
    expect(got).toEqual(reference(fast, slow));
    expect(got.map((v, i) => (v === v ? `${i}:${v}` : '')).filter(Boolean)).toEqual(['2:1', '6:-1', '9:-1', '13:1']);
  });

  it('equals the per-bar rule on a long random walk, and overwrites a reused buffer completely', () => {
    let x = 0x2f6b1a3d;
    const rnd = () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 4294967296);
    const n = 5000;
    const fast = new Float64Array(n), slow = new Float64Array(n);
    let a = 100, b = 100;
    for (let i = 0; i < n; i++) {
      a += rnd() - 0.5; b = 0.8 * b + 0.2 * a; // slow trails fast: frequent crosses
      fast[i] = i < 7 ? NaN : Math.round(a * 4) / 4; // quarter steps: many exact ties
      slow[i] = i < 11 ? NaN : Math.round(b * 4) / 4;
    }
    const buf = new Float64Array(n + 3).fill(5);
    const got = crossTargets(fast, slow, buf);
    expect(got.length).toBe(n);
    const want = reference(fast, slow);
    expect(Array.from(got)).toEqual(want);
    expect(want.filter((v) => v === 1).length).toBeGreaterThan(20);
    expect(crossTargets(new Float64Array(0), new Float64Array(0)).length).toBe(0);
  });
});
