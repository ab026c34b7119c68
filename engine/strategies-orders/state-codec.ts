/**
 * JSON forms of strategy state (the saveState / loadState hooks of engine/strategy.ts): numbers that JSON cannot
 * hold (NaN, ±Infinity) and typed arrays, encoded so that a loaded state continues bit for bit.
 * A number is kept as itself when finite, else as the string 'NaN', 'Infinity' or '-Infinity'.
 */
import { usageError } from '../errors.ts';

export type JsonNum = number | 'NaN' | 'Infinity' | '-Infinity';

export function encNum(x: number): JsonNum {
  return Number.isFinite(x) ? x : Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
}

export function decNum(x: unknown, what: string): number {
  if (typeof x === 'number') return x;
  if (x === 'NaN') return NaN;
  if (x === 'Infinity') return Infinity;
  if (x === '-Infinity') return -Infinity;
  throw usageError('BAD_STRATEGY_STATE', `saved strategy state: ${what} must be a number (or 'NaN', 'Infinity', '-Infinity'), got ${JSON.stringify(x)}`);
}

/** The first `n` values of a column (all of it by default). */
export function encF64(a: Float64Array | Uint8Array | Int32Array, n = a.length): JsonNum[] {
  const out: JsonNum[] = new Array<JsonNum>(n);
  for (let k = 0; k < n; k++) out[k] = encNum(a[k]);
  return out;
}

/** A Float64Array of at least `capacity` values holding the decoded list (the rest filled with `fill`). */
export function decF64(x: unknown, what: string, capacity = 0, fill = 0): Float64Array<ArrayBuffer> {
  const list = asArray(x, what);
  const a = new Float64Array(Math.max(list.length, capacity));
  if (fill !== 0) a.fill(fill);
  for (let k = 0; k < list.length; k++) a[k] = decNum(list[k], `${what}[${k}]`);
  return a;
}

export function asArray(x: unknown, what: string): unknown[] {
  if (!Array.isArray(x)) throw usageError('BAD_STRATEGY_STATE', `saved strategy state: ${what} must be a list`);
  return x;
}

export function asObject(x: unknown, what: string): Record<string, unknown> {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) throw usageError('BAD_STRATEGY_STATE', `saved strategy state: ${what} must be an object`);
  return x as Record<string, unknown>;
}
