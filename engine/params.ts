/**
 * Parameters are data (CONVENTIONS §5): one TypeBox (JSON Schema) object per strategy gives defaults,
 * bounds and descriptions; the same schema validates CLI overrides and API payloads and renders web forms.
 * Cross-field constraints (`fast < slow`) sit beside it as named predicates.
 */
import type { TObject, TSchema } from '@sinclair/typebox';
import { didYouMean, usageError } from './errors.ts';

export type ParamValue = number | boolean | string;
export type ParamValues = Record<string, ParamValue>;

/** A cross-field rule, e.g. `{ expr: 'fast < slow', check: (p) => p.fast < p.slow }`. */
export interface ParamConstraint<P> {
  readonly expr: string;
  readonly check: (p: P) => boolean;
}

interface PropSchema extends TSchema {
  type?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  enum?: readonly unknown[];
  anyOf?: readonly { const?: unknown }[];
  description?: string;
}

function props(schema: TObject): Record<string, PropSchema> {
  return schema.properties as Record<string, PropSchema>;
}

/** Names of the parameters a schema declares, in declaration order. */
export function paramNames(schema: TObject): string[] {
  return Object.keys(schema.properties);
}

/** The defaults of every parameter (every parameter must declare one). */
export function paramDefaults(schema: TObject): ParamValues {
  const out: ParamValues = {};
  for (const [k, s] of Object.entries(props(schema))) out[k] = s.default as ParamValue;
  return out;
}

function allowedValues(s: PropSchema): unknown[] | undefined {
  if (s.enum) return [...s.enum];
  if (s.anyOf && s.anyOf.every((x) => 'const' in x)) return s.anyOf.map((x) => x.const);
  return undefined;
}

/** Describe a parameter's domain for messages and listings: `integer 2..500`, `one of a|b`. */
export function describeParam(s: TSchema): string {
  const p = s as PropSchema;
  const allowed = allowedValues(p);
  if (allowed) return `one of ${allowed.join('|')}`;
  const lo = p.minimum ?? p.exclusiveMinimum;
  const hi = p.maximum ?? p.exclusiveMaximum;
  const range = lo !== undefined || hi !== undefined ? ` ${lo ?? '-inf'}..${hi ?? 'inf'}` : '';
  return `${p.type ?? 'value'}${range}`;
}

/** Turn a CLI/API value into the parameter's type; returns an error string when it cannot. */
function coerce(name: string, s: PropSchema, raw: unknown): { value?: ParamValue; error?: string } {
  const allowed = allowedValues(s);
  if (allowed) {
    const hit = allowed.find((a) => String(a) === String(raw));
    return hit === undefined ? { error: `${name}=${String(raw)} is not allowed; allowed: ${allowed.join(', ')}` } : { value: hit as ParamValue };
  }
  switch (s.type) {
    case 'integer':
    case 'number': {
      const v = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      if (!Number.isFinite(v)) return { error: `${name}=${String(raw)} is not a number; expected ${describeParam(s)}` };
      if (s.type === 'integer' && !Number.isInteger(v)) return { error: `${name}=${String(raw)} must be an integer; expected ${describeParam(s)}` };
      if ((s.minimum !== undefined && v < s.minimum) || (s.maximum !== undefined && v > s.maximum) ||
          (s.exclusiveMinimum !== undefined && v <= s.exclusiveMinimum) || (s.exclusiveMaximum !== undefined && v >= s.exclusiveMaximum)) {
        return { error: `${name}=${v} is out of bounds; expected ${describeParam(s)}` };
      }
      return { value: v };
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return { value: raw };
      if (raw === 'true' || raw === '1') return { value: true };
      if (raw === 'false' || raw === '0') return { value: false };
      return { error: `${name}=${String(raw)} must be true or false` };
    }
    case 'string':
      return { value: String(raw) };
    default:
      return { error: `${name}: unsupported parameter type ${String(s.type)}` };
  }
}

/**
 * Resolve overrides against a schema: defaults first, then each override coerced and bounds-checked,
 * then the cross-field constraints. Every problem is collected and reported at once (exit code 2 at the CLI).
 * Unknown names fail with a "did you mean".
 */
export function resolveParams<P extends ParamValues>(
  strategyId: string,
  schema: TObject,
  constraints: readonly ParamConstraint<P>[],
  overrides: Readonly<Record<string, unknown>> = {},
): P {
  const known = props(schema);
  const names = Object.keys(known);
  const out = paramDefaults(schema);
  const problems: string[] = [];
  for (const [k, raw] of Object.entries(overrides)) {
    const s = known[k];
    if (!s) {
      problems.push(`unknown parameter '${k}' for strategy '${strategyId}'.${didYouMean(k, names)} Parameters: ${names.join(', ') || '(none)'}`);
      continue;
    }
    const r = coerce(k, s, raw);
    if (r.error) problems.push(r.error); else out[k] = r.value!;
  }
  if (problems.length === 0) {
    for (const c of constraints) {
      if (!c.check(out as P)) problems.push(`constraint '${c.expr}' does not hold for ${names.map((n) => `${n}=${String(out[n])}`).join(', ')}`);
    }
  }
  if (problems.length) {
    throw usageError('INVALID_PARAMS', problems.join('\n'), { strategy: strategyId, problems });
  }
  return Object.freeze(out) as P;
}

/** Parse repeated `k=v` strings (from `--param`) into an overrides record. */
export function parseParamPairs(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw usageError('BAD_PARAM_SYNTAX', `--param '${p}' must look like name=value (e.g. --param fast=10)`);
    out[p.slice(0, eq).trim()] = p.slice(eq + 1).trim();
  }
  return out;
}
