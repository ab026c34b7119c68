/**
 * Sweep grids: `name=start:stop:step` (inclusive stop) or `name=a,b,c`, validated against a strategy's parameter
 * schema, and expanded into combinations by one of three modes:
 * - `product`: every combination (the first grid varies slowest);
 * - `zip`: the k-th value of every grid together (all grids must have the same length);
 * - `random`: `samples` distinct combinations of the product drawn with a seeded PRNG, in product order.
 */
import type { TObject } from '@sinclair/typebox';
import { didYouMean, usageError } from '../errors.ts';
import { describeParam, paramNames, resolveParams, type ParamValue, type ParamValues } from '../params.ts';
import { seededRandom } from '../random.ts';

export interface GridAxis {
  readonly name: string;
  /** The values, coerced to the parameter's type, in the order given. */
  readonly values: readonly ParamValue[];
  /** What the user typed after `name=`. */
  readonly spec: string;
}

export const SWEEP_MODES = ['product', 'zip', 'random'] as const;
export type SweepMode = (typeof SWEEP_MODES)[number];

/** Most values one range may expand to (a typo such as step 0.0001 would otherwise exhaust memory). */
export const MAX_AXIS_VALUES = 100_000;
/** Most combinations a sweep may hold. */
export const MAX_COMBOS = 5_000_000;

const NUM_RE = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

function rangeValues(name: string, spec: string): number[] {
  const parts = spec.split(':').map((s) => s.trim());
  if (parts.length !== 3 || parts.some((p) => !NUM_RE.test(p))) {
    throw usageError('BAD_GRID', `--grid ${name}=${spec}: a range must be start:stop:step with three numbers, e.g. fast=5:50:5`);
  }
  const [start, stop, step] = parts.map(Number);
  if (!(step > 0)) throw usageError('BAD_GRID', `--grid ${name}=${spec}: step must be > 0`);
  if (stop < start) throw usageError('BAD_GRID', `--grid ${name}=${spec}: stop (${stop}) is below start (${start})`);
  const count = Math.floor((stop - start) / step + 1e-9) + 1;
  if (count > MAX_AXIS_VALUES) throw usageError('BAD_GRID', `--grid ${name}=${spec} expands to ${count} values; at most ${MAX_AXIS_VALUES} per parameter`);
  // start + k × step, cleaned to 12 significant digits so 0.1 steps give 0.3, not 0.30000000000000004
  const out: number[] = [];
  for (let k = 0; k < count; k++) out.push(Number((start + k * step).toPrecision(12)));
  return out;
}

/**
 * Parse one `--grid` value against the strategy's schema. Unknown names fail with a "did you mean"; each value is
 * coerced and bounds-checked like a `--param` (the strategy's cross-field constraints are applied per combination).
 */
export function parseGridSpec(strategyId: string, schema: TObject, text: string): GridAxis {
  const eq = text.indexOf('=');
  if (eq <= 0) throw usageError('BAD_GRID', `--grid '${text}' must look like name=start:stop:step or name=a,b,c (e.g. --grid fast=5:50:5)`);
  const name = text.slice(0, eq).trim();
  const spec = text.slice(eq + 1).trim();
  const names = paramNames(schema);
  if (!names.includes(name)) {
    throw usageError('UNKNOWN_PARAM', `unknown parameter '${name}' in --grid for strategy '${strategyId}'.${didYouMean(name, names)} Parameters: ${names.join(', ') || '(none)'}`);
  }
  if (spec === '') throw usageError('BAD_GRID', `--grid ${name}= has no values; use start:stop:step or a,b,c`);
  const raw: unknown[] = spec.includes(':') ? rangeValues(name, spec) : spec.split(',').map((s) => s.trim());
  if (raw.some((v) => v === '')) throw usageError('BAD_GRID', `--grid ${name}=${spec}: empty value in the list`);
  const values: ParamValue[] = [];
  const problems: string[] = [];
  for (const v of raw) {
    try {
      values.push(resolveParams(strategyId, schema, [], { [name]: v })[name]);
    } catch (e) {
      problems.push(e instanceof Error ? e.message : String(e));
    }
  }
  if (problems.length) {
    const prop = (schema.properties as Record<string, TObject>)[name];
    throw usageError('BAD_GRID', `--grid ${name}=${spec}: ${problems.join('; ')} (parameter '${name}' is ${describeParam(prop)})`);
  }
  if (new Set(values.map(String)).size !== values.length) throw usageError('BAD_GRID', `--grid ${name}=${spec}: values repeat`);
  return { name, values, spec };
}

/** Parse every `--grid`; a parameter may appear once. */
export function parseGrids(strategyId: string, schema: TObject, texts: readonly string[]): GridAxis[] {
  if (texts.length === 0) throw usageError('NO_GRID', 'name at least one --grid, e.g. --grid fast=5:50:5 --grid slow=20:200:10');
  const axes = texts.map((t) => parseGridSpec(strategyId, schema, t));
  const seen = new Set<string>();
  for (const a of axes) {
    if (seen.has(a.name)) throw usageError('BAD_GRID', `--grid ${a.name} is given twice; give each parameter once (a list a,b,c or a range)`);
    seen.add(a.name);
  }
  return axes;
}

/** A combination: the swept values plus, for each axis, the index of its value (for neighbourhoods and heatmaps). */
export interface Combo {
  readonly values: ParamValues;
  readonly index: readonly number[];
}

export interface ExpandOptions {
  readonly mode: SweepMode;
  /** random mode: how many combinations to draw. */
  readonly samples?: number;
  /** random mode: PRNG seed. */
  readonly seed?: number;
}

/** Size of the product of the axes. */
export function productSize(axes: readonly GridAxis[]): number {
  return axes.reduce((n, a) => n * a.values.length, 1);
}

function comboAt(axes: readonly GridAxis[], flat: number): Combo {
  const index = new Array<number>(axes.length);
  const values: ParamValues = {};
  for (let d = axes.length - 1; d >= 0; d--) {
    const len = axes[d].values.length;
    index[d] = flat % len;
    flat = Math.floor(flat / len);
  }
  for (let d = 0; d < axes.length; d++) values[axes[d].name] = axes[d].values[index[d]];
  return { values, index };
}

/** The combinations of `axes` in the given mode (before any constraint). */
export function expandCombos(axes: readonly GridAxis[], opts: ExpandOptions): Combo[] {
  const total = productSize(axes);
  if (opts.mode === 'zip') {
    const len = axes[0].values.length;
    const bad = axes.filter((a) => a.values.length !== len);
    if (bad.length) {
      throw usageError('BAD_GRID', `--mode zip needs grids of equal length; ${axes.map((a) => `${a.name} has ${a.values.length}`).join(', ')}`);
    }
    return Array.from({ length: len }, (_, k) => {
      const values: ParamValues = {};
      for (const a of axes) values[a.name] = a.values[k];
      return { values, index: axes.map(() => k) };
    });
  }
  if (opts.mode === 'random') {
    const samples = opts.samples;
    if (samples === undefined || !Number.isInteger(samples) || samples < 1) {
      throw usageError('BAD_SAMPLES', `--mode random needs --samples N (a whole number >= 1), got ${String(samples)}`);
    }
    if (!Number.isSafeInteger(total)) throw usageError('BAD_GRID', 'the grids\' product is too large to sample from');
    if (samples >= total) return expandCombos(axes, { mode: 'product' });
    if (samples > MAX_COMBOS) throw usageError('TOO_MANY_COMBOS', `--samples ${samples} is above the limit of ${MAX_COMBOS}`);
    const rnd = seededRandom(opts.seed ?? 0);
    const picked = new Set<number>();
    // Floyd's algorithm: `samples` distinct integers of [0, total) with one draw each.
    for (let j = total - samples; j < total; j++) {
      const t = Math.floor(rnd() * (j + 1));
      picked.add(picked.has(t) ? j : t);
    }
    return [...picked].sort((a, b) => a - b).map((flat) => comboAt(axes, flat));
  }
  if (opts.mode !== 'product') throw usageError('BAD_MODE', `--mode '${String(opts.mode)}' is not allowed; use ${SWEEP_MODES.join(', ')}`);
  if (total > MAX_COMBOS) throw usageError('TOO_MANY_COMBOS', `the grids make ${total} combinations; at most ${MAX_COMBOS} (use --mode random --samples N, or coarser steps)`);
  return Array.from({ length: total }, (_, flat) => comboAt(axes, flat));
}
