/**
 * One root error type with a stable code (CONVENTIONS §7). Families: configuration and usage (bad input:
 * CLI exit 2, HTTP 4xx), data (gaps, bad candles), invariant (a bug: fail fast), venue (exchange).
 * Never parse messages: branch on `code` or `family`.
 */
export type ErrorFamily = 'usage' | 'config' | 'data' | 'invariant' | 'venue-rejected' | 'venue-unavailable' | 'venue-unknown';

export class TradelabError extends Error {
  readonly code: string;
  readonly family: ErrorFamily;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, family: ErrorFamily, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TradelabError';
    this.code = code;
    this.family = family;
    this.details = options?.details;
  }
}

/** Bad input from a user: unknown strategy, parameter, timeframe, file; values out of bounds. */
export const usageError = (code: string, message: string, details?: Record<string, unknown>) =>
  new TradelabError(code, 'usage', message, { details });

/** Problems with candles: gaps under `--gaps error`, unsorted or invalid rows. */
export const dataError = (code: string, message: string, details?: Record<string, unknown>) =>
  new TradelabError(code, 'data', message, { details });

/** A broken internal promise: a bug, never a user's mistake. */
export const invariantError = (code: string, message: string, details?: Record<string, unknown>) =>
  new TradelabError(code, 'invariant', message, { details });

export const isTradelabError = (e: unknown): e is TradelabError => e instanceof TradelabError;

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const m = a.length, n = b.length;
  let prev = new Array<number>(n + 1);
  let cur = new Array<number>(n + 1);
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[n];
}

/** The closest candidates to `name` (case-insensitive, by edit distance), best first. */
export function closeMatches(name: string, candidates: readonly string[], max = 3): string[] {
  const lower = name.toLowerCase();
  return candidates
    .map((c) => ({ c, d: editDistance(lower, c.toLowerCase()), sub: c.toLowerCase().includes(lower) || lower.includes(c.toLowerCase()) }))
    .filter((x) => x.sub || x.d <= Math.max(2, Math.floor(x.c.length / 3)))
    .sort((x, y) => x.d - y.d)
    .slice(0, max)
    .map((x) => x.c);
}

/** "did you mean X?" text, or '' when nothing is close. */
export function didYouMean(name: string, candidates: readonly string[]): string {
  const m = closeMatches(name, candidates);
  return m.length ? ` Did you mean ${m.map((x) => `'${x}'`).join(' or ')}?` : '';
}
