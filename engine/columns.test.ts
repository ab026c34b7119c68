import { describe, expect, it } from 'vitest';
import { grownCapacity, grownColumn } from './columns.ts';

describe('column growth', () => {
  it('doubles while the share of the run done is unknown or below 2 %', () => {
    expect(grownCapacity(1024, 0)).toBe(2048);
    expect(grownCapacity(1024, 0.019)).toBe(2048);
    expect(grownCapacity(1024, 1)).toBe(2048);
  });
  it('projects the final count from the share done, with 5 % to spare, growing by a quarter to 64x', () => {
    expect(grownCapacity(2048, 0.1)).toBe(Math.ceil((2048 / 0.1) * 1.05) + 256); // 21,760
    expect(grownCapacity(100_000, 0.99)).toBe(125_000); // a late shortfall: at least a quarter more
    expect(grownCapacity(1024, 0.02)).toBe(Math.ceil((1024 / 0.02) * 1.05) + 256);
    expect(grownCapacity(16, 0.02)).toBe(16 * 64); // an early burst is capped
  });
  it('copies a column into a larger one of the same type, the tail zero', () => {
    const a = Int32Array.from([1, 2, 3]);
    const b = grownColumn(a, 5);
    expect(b).toBeInstanceOf(Int32Array);
    expect(Array.from(b)).toEqual([1, 2, 3, 0, 0]);
  });
});
