// Relative-tolerance float comparison (CONVENTIONS §11: toBeCloseTo counts absolute decimal places).
import { expect } from 'vitest';

export function relClose(actual: number, expected: number, rel = 1e-9, abs = 1e-12): boolean {
  if (Number.isNaN(actual) && Number.isNaN(expected)) return true;
  if (actual === expected) return true;
  return Math.abs(actual - expected) <= Math.max(abs, rel * Math.max(Math.abs(actual), Math.abs(expected)));
}

export function expectRelClose(actual: number, expected: number, rel = 1e-9, abs = 1e-12): void {
  if (!relClose(actual, expected, rel, abs)) {
    expect.fail(`expected ${actual} to be within rel ${rel} of ${expected} (diff ${actual - expected})`);
  }
}

/** Arrays equal element-wise within a relative tolerance (NaN equals NaN). Reports the first mismatch. */
export function expectArrayClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel = 1e-9, abs = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    if (!relClose(actual[i], expected[i], rel, abs)) {
      expect.fail(`index ${i}: ${actual[i]} vs ${expected[i]}`);
    }
  }
}
