/**
 * Form fields from a strategy's parameter JSON Schema (GET /api/strategies: `paramsSchema`, TypeBox → JSON): one
 * field per property with its kind, bounds, default, choices and description, and validation of entered values
 * against them. ParamForm.svelte renders these; the server validates again (the schema is the same).
 */

export type FieldKind = 'integer' | 'number' | 'boolean' | 'choice' | 'text';

export interface ParamField {
  readonly name: string;
  readonly kind: FieldKind;
  readonly description: string;
  readonly default: unknown;
  readonly min?: number;
  readonly max?: number;
  /** True when `min` itself is not allowed (exclusiveMinimum). */
  readonly minExclusive?: boolean;
  readonly maxExclusive?: boolean;
  readonly choices?: readonly string[];
  readonly required: boolean;
}

export type ParamValues = Record<string, unknown>;

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  description?: string;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
}

/** The fields of an object schema, in its property order. */
export function fieldsOf(schema: unknown): ParamField[] {
  const s = (schema ?? {}) as JsonSchema;
  const required = new Set(s.required ?? []);
  return Object.entries(s.properties ?? {}).map(([name, p]) => {
    const choices = p.enum?.map(String) ?? (p.anyOf?.every((a) => a.const !== undefined) ? p.anyOf.map((a) => String(a.const)) : undefined);
    const kind: FieldKind = choices ? 'choice' : p.type === 'integer' ? 'integer' : p.type === 'number' ? 'number' : p.type === 'boolean' ? 'boolean' : 'text';
    const min = p.exclusiveMinimum ?? p.minimum;
    const max = p.exclusiveMaximum ?? p.maximum;
    return {
      name, kind, description: p.description ?? '', default: p.default, required: required.has(name), choices,
      ...(min !== undefined ? { min, minExclusive: p.exclusiveMinimum !== undefined } : {}),
      ...(max !== undefined ? { max, maxExclusive: p.exclusiveMaximum !== undefined } : {}),
    };
  });
}

/** Every field at its default (fields without one are left out: the server fills or refuses them). */
export function defaultsOf(fields: readonly ParamField[]): ParamValues {
  const out: ParamValues = {};
  for (const f of fields) if (f.default !== undefined) out[f.name] = f.default;
  return out;
}

/** "1 … 500", "> 0 … 1e12", "≥ 0.01" for a field's bounds ('' without bounds). */
export function boundsText(f: ParamField): string {
  if (f.min === undefined && f.max === undefined) return '';
  const n = (x: number) => (Math.abs(x) >= 1e6 ? x.toExponential(0).replace('+', '') : String(x));
  const lo = f.min === undefined ? '' : `${f.minExclusive ? '> ' : ''}${n(f.min)}`;
  const hi = f.max === undefined ? '' : `${f.maxExclusive ? '< ' : ''}${n(f.max)}`;
  if (lo && hi) return `${lo} … ${hi}`;
  return lo ? (f.minExclusive ? lo : `≥ ${lo}`) : (f.maxExclusive ? hi : `≤ ${hi}`);
}

/** Why a value is not allowed for a field, or null when it is. */
export function fieldError(f: ParamField, v: unknown): string | null {
  if (v === undefined || v === null || v === '') return f.required && f.default === undefined ? `${f.name} is required` : null;
  if (f.kind === 'integer' || f.kind === 'number') {
    if (typeof v !== 'number' || !Number.isFinite(v)) return `${f.name} must be a number`;
    if (f.kind === 'integer' && !Number.isInteger(v)) return `${f.name} must be a whole number`;
    if (f.min !== undefined && (f.minExclusive ? v <= f.min : v < f.min)) return `${f.name} must be ${f.minExclusive ? 'more than' : 'at least'} ${f.min}`;
    if (f.max !== undefined && (f.maxExclusive ? v >= f.max : v > f.max)) return `${f.name} must be ${f.maxExclusive ? 'less than' : 'at most'} ${f.max}`;
    return null;
  }
  if (f.kind === 'choice' && !f.choices!.includes(String(v))) return `${f.name} must be one of ${f.choices!.join(', ')}`;
  if (f.kind === 'boolean' && typeof v !== 'boolean') return `${f.name} must be true or false`;
  return null;
}

/** Errors by field name (empty when every value is allowed). */
export function validateParams(fields: readonly ParamField[], values: ParamValues): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) {
    const e = fieldError(f, values[f.name]);
    if (e) out[f.name] = e;
  }
  return out;
}

/** The values that differ from their defaults (what a bot or a run needs to record beyond the strategy's defaults). */
export function changedParams(fields: readonly ParamField[], values: ParamValues): ParamValues {
  const out: ParamValues = {};
  for (const f of fields) if (values[f.name] !== undefined && values[f.name] !== f.default) out[f.name] = values[f.name];
  return out;
}
