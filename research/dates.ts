import { usageError } from '../engine/index.ts';

/**
 * Parse a user's date: `2021-01-01`, `2021-01-01T12:00`, a full ISO string, or epoch milliseconds.
 * Dates without a zone are UTC. Anything else is a usage error naming the flag and the accepted forms.
 */
export function parseDate(value: string | number, flag: string): number {
  if (typeof value === 'number' || /^\d{10,13}$/.test(String(value))) {
    const n = Number(value);
    return n < 1e11 ? n * 1000 : n; // seconds or milliseconds
  }
  const s = String(value).trim();
  const iso = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;
  if (!iso.test(s)) {
    throw usageError('BAD_DATE', `${flag} '${s}' is not a date; use YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][Z] (UTC unless a zone is given) or epoch milliseconds`);
  }
  const withZone = /(Z|[+-]\d{2}:?\d{2})$/.test(s) ? s : `${s.length === 10 ? s + 'T00:00:00' : s.replace(' ', 'T')}Z`;
  const t = Date.parse(withZone);
  if (!Number.isFinite(t)) throw usageError('BAD_DATE', `${flag} '${s}' is not a valid calendar date`);
  return t;
}

export const iso = (ts: number) => new Date(ts).toISOString();
/** ISO without milliseconds, for tables. */
export const isoShort = (ts: number) => new Date(ts).toISOString().replace('.000Z', 'Z');
