import { describe, expect, it } from 'vitest';
import { expectRelClose } from '../../test-support/approx.ts';
import { plateauAround } from './plateau.ts';

describe('plateauAround', () => {
  // A 4 × 4 grid; metric = 10 at (1,1), its 8 neighbours 9,8,7,6,5,4,3,2 (and one NaN instead of 2), the rest 0.
  const index: number[][] = [];
  const values: number[] = [];
  const neigh: Record<string, number> = { '0,0': 9, '0,1': 8, '0,2': 7, '1,0': 6, '1,2': 5, '2,0': 4, '2,1': 3, '2,2': NaN };
  for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) { index.push([a, b]); values.push(a === 1 && b === 1 ? 10 : neigh[`${a},${b}`] ?? 0); }
  it('mean and worst over the ±1-step box, relative to the best', () => {
    const best = index.findIndex(([a, b]) => a === 1 && b === 1);
    const p = plateauAround(index, values, best, 1);
    expect(p.neighbours).toBe(8);
    expect(p.counted).toBe(7);
    expectRelClose(p.mean, 42 / 7);
    expect(p.worst).toBe(3);
    expectRelClose(p.meanRatio, 0.6);
    expectRelClose(p.meanDropPct, 40);
    expectRelClose(p.worstDropPct, 70);
  });
  it('a corner has fewer neighbours; lower-is-better metrics flip the direction', () => {
    const p = plateauAround(index, values, 0, 1); // (0,0) = 9: neighbours (0,1)=8, (1,0)=6, (1,1)=10
    expect(p.neighbours).toBe(3);
    expect(p.worst).toBe(6);
    const q = plateauAround(index, values, 0, -1); // lower is better: worst = highest = 10
    expect(q.worst).toBe(10);
    expectRelClose(q.worstDropPct, (-1 * (9 - 10)) / 9 * 100);
  });
});
