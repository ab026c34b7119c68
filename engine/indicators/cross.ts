import { usageError } from '../errors.ts';
import { checkColumn } from './validate.ts';

/**
 * `a` crosses ABOVE `b` at bar i, strictly: `a[i-1] < b[i-1] && a[i] > b[i]`.
 * A touch (equality) on either bar is not a cross; NaN on either bar is not a cross; i < 1 is never a cross.
 * `b` may be a constant level (e.g. an RSI threshold), read as `b` on both bars.
 */
export function crossedAbove(a: ArrayLike<number>, b: ArrayLike<number> | number, i: number): boolean {
  if (i < 1) return false;
  if (typeof b === 'number') return a[i - 1] < b && a[i] > b;
  return a[i - 1] < b[i - 1] && a[i] > b[i];
}

/**
 * `a` crosses BELOW `b` at bar i, strictly: `a[i-1] > b[i-1] && a[i] < b[i]`.
 * A touch (equality) on either bar is not a cross; NaN on either bar is not a cross; i < 1 is never a cross.
 */
export function crossedBelow(a: ArrayLike<number>, b: ArrayLike<number> | number, i: number): boolean {
  if (i < 1) return false;
  if (typeof b === 'number') return a[i - 1] > b && a[i] < b;
  return a[i - 1] > b[i - 1] && a[i] < b[i];
}

function checkCross(fn: string, a: Float64Array, b: Float64Array | number, out: Uint8Array | undefined): Uint8Array {
  checkColumn(fn, 'a', a);
  if (typeof b !== 'number') {
    checkColumn(fn, 'b', b);
    if (b.length !== a.length) throw usageError('BAD_INDICATOR_ARG', `${fn}: b has ${b.length} rows but a has ${a.length}; input columns must have equal lengths`, { indicator: fn });
  }
  if (out === undefined) return new Uint8Array(a.length);
  if (!(out instanceof Uint8Array) || out.length !== a.length) throw usageError('BAD_INDICATOR_ARG', `${fn}: out must be a Uint8Array of length ${a.length}`, { indicator: fn });
  return out;
}

/** Whole-column `crossedAbove`: `out[i] = 1` where `a` crosses above `b` at i (strict, as `crossedAbove`), else 0. */
export function crossedAboveColumn(a: Float64Array, b: Float64Array | number, out?: Uint8Array): Uint8Array {
  const o = checkCross('crossedAboveColumn', a, b, out);
  const n = a.length;
  if (n > 0) o[0] = 0;
  if (typeof b === 'number') {
    for (let i = 1; i < n; i++) o[i] = a[i - 1] < b && a[i] > b ? 1 : 0;
  } else {
    for (let i = 1; i < n; i++) o[i] = a[i - 1] < b[i - 1] && a[i] > b[i] ? 1 : 0;
  }
  return o;
}

/** Whole-column `crossedBelow`: `out[i] = 1` where `a` crosses below `b` at i (strict, as `crossedBelow`), else 0. */
export function crossedBelowColumn(a: Float64Array, b: Float64Array | number, out?: Uint8Array): Uint8Array {
  const o = checkCross('crossedBelowColumn', a, b, out);
  const n = a.length;
  if (n > 0) o[0] = 0;
  if (typeof b === 'number') {
    for (let i = 1; i < n; i++) o[i] = a[i - 1] > b && a[i] < b ? 1 : 0;
  } else {
    for (let i = 1; i < n; i++) o[i] = a[i - 1] > b[i - 1] && a[i] < b[i] ? 1 : 0;
  }
  return o;
}
