/**
 * Structured JSONL logs under <TRADELAB_HOME>/logs/. Values under credential-like keys are replaced by
 * '<redacted>' (declared redaction, CONVENTIONS §12); Secret values already print as '<redacted>'.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

const SECRET_KEY = /(api[-_]?key|secret|passw(or)?d|passphrase|private[-_]?key|token|credential)/i;

export type LogEvent = { readonly event: string; readonly [k: string]: unknown };
export type LogFn = (e: LogEvent) => void;

function redact(v: unknown, depth = 0): unknown {
  if (v === null || typeof v !== 'object' || depth > 6) return v;
  if (Array.isArray(v)) return v.map((x) => redact(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = SECRET_KEY.test(k) ? '<redacted>' : redact(x, depth + 1);
  return out;
}

/** A logger appending one JSON line per event to `file` (created with its folder); `now` stamps each line. */
export function fileLogger(file: string, now: () => number = Date.now): LogFn {
  mkdirSync(dirname(file), { recursive: true });
  return (e) => appendFileSync(file, JSON.stringify({ ts: now(), ...(redact(e) as object) }) + '\n');
}

export const nullLogger: LogFn = () => {};
