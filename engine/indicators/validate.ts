/**
 * Argument checks shared by the indicator kernels. Every kernel validates first and then runs a tight loop
 * with no allocation and no exceptions (CONVENTIONS §4); every problem a caller can cause is a usage error
 * that names the indicator, the argument and what is allowed.
 */
import { usageError } from '../errors.ts';

/** `period` must be an integer >= `min` (1 unless stated). */
export function checkPeriod(fn: string, name: string, period: number, min = 1): void {
  if (typeof period !== 'number' || !Number.isInteger(period) || period < min) {
    throw usageError('BAD_INDICATOR_ARG', `${fn}: ${name} must be an integer >= ${min}, got ${String(period)}`, { indicator: fn, arg: name, value: period });
  }
}

/** A finite number (multipliers, factors). */
export function checkFinite(fn: string, name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw usageError('BAD_INDICATOR_ARG', `${fn}: ${name} must be a finite number, got ${String(value)}`, { indicator: fn, arg: name, value });
  }
}

/** The input must be a Float64Array column. */
export function checkColumn(fn: string, name: string, col: unknown): void {
  if (!(col instanceof Float64Array)) {
    throw usageError('BAD_INDICATOR_ARG', `${fn}: ${name} must be a Float64Array column`, { indicator: fn, arg: name });
  }
}

/** Every named column has the same length as the first. */
export function checkSameLength(fn: string, cols: Readonly<Record<string, Float64Array>>): number {
  let n = -1;
  let first = '';
  for (const [name, col] of Object.entries(cols)) {
    checkColumn(fn, name, col);
    if (n < 0) { n = col.length; first = name; continue; }
    if (col.length !== n) {
      throw usageError('BAD_INDICATOR_ARG', `${fn}: ${name} has ${col.length} rows but ${first} has ${n}; input columns must have equal lengths`, { indicator: fn });
    }
  }
  return n;
}

/** Use `out` when given (it must be a Float64Array of length n), else allocate one. */
export function outColumn(fn: string, name: string, n: number, out: Float64Array | undefined): Float64Array {
  if (out === undefined) return new Float64Array(n);
  if (!(out instanceof Float64Array) || out.length !== n) {
    throw usageError('BAD_INDICATOR_ARG', `${fn}: output column ${name} must be a Float64Array of length ${n}, got ${out instanceof Float64Array ? `length ${out.length}` : typeof out}`, { indicator: fn });
  }
  return out;
}
