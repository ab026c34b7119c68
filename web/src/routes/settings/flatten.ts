/**
 * The configuration object as rows of (dotted path, display text), leaves only, in document order: arrays of
 * scalars and empty objects are one row (JSON text), arrays of objects are indexed (markets.0.symbol).
 */
export interface ConfigRow { readonly path: string; readonly text: string }

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function flattenConfig(cfg: Record<string, unknown>, prefix = ''): ConfigRow[] {
  const out: ConfigRow[] = [];
  for (const [k, v] of Object.entries(cfg)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (isObj(v) && Object.keys(v).length) out.push(...flattenConfig(v, path));
    else if (Array.isArray(v) && v.some((x) => isObj(x) || Array.isArray(x))) v.forEach((x, i) => out.push(...(isObj(x) ? flattenConfig(x, `${path}.${i}`) : [{ path: `${path}.${i}`, text: JSON.stringify(x) }])));
    else out.push({ path, text: typeof v === 'string' ? v || '""' : JSON.stringify(v) ?? String(v) });
  }
  return out;
}
