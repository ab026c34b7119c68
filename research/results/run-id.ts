/**
 * Run folder names, one scheme for every kind of run: `<UTC stamp>-<what>-<fingerprint>`, where the fingerprint is
 * the first 8 hex digits of the sha256 of the run's manifest body (what was run), and `-2`, `-3`… is appended when
 * a folder of that name already exists (the same run twice in one second).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** `BTC/USDT:USDT` → `btcusdtusdt`: a symbol as it appears in folder names. */
export const slug = (s: string) => s.replace(/[^A-Za-z0-9]+/g, '').toLowerCase();

/** `2026-11-21T05:49:47.123Z` → `20261121T054947Z`. */
export const stamp = (t: number) => new Date(t).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

/** First 8 hex digits of the sha256 of a manifest body's JSON. */
export const fingerprint = (body: unknown) => createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 8);

/** `base`, or `base-2`, `base-3`… when a folder of that name exists in `resultsDir` (only when the run is written). */
export function uniqueRunId(deps: { readonly resultsDir: string; readonly write?: boolean }, base: string): string {
  if (deps.write === false) return base;
  let id = base;
  for (let k = 2; existsSync(join(deps.resultsDir, id)); k++) id = `${base}-${k}`;
  return id;
}
