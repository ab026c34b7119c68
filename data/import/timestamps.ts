/**
 * Timestamps in candle files: epoch seconds, milliseconds or microseconds (detected by magnitude), or ISO 8601
 * dates; a date without a zone is UTC.
 */

/** Epoch number in s, ms or µs → ms. Values below 1e11 are seconds (1e11 s is the year 5138; 1e11 ms is 1973). */
export function epochToMs(x: number): number {
  const a = Math.abs(x);
  if (a < 1e11) return x * 1000;
  if (a >= 1e14) return Math.round(x / 1000);
  return x;
}

const ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** ISO date (`2021-01-01`, `2021-01-01 09:00:00`, `2021-01-01T09:00:00.5Z`, `...+02:00`) → epoch ms; NaN if not a date. */
export function parseIsoDate(s: string): number {
  const m = ISO.exec(s.trim());
  if (!m) return NaN;
  const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
  let t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), ms);
  const z = m[8];
  if (z && z.toUpperCase() !== 'Z') {
    const sign = z[0] === '-' ? -1 : 1;
    const digits = z.slice(1).replace(':', '');
    const off = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0);
    t -= sign * off * 60_000;
  }
  return t;
}

/** A timestamp cell: a number (epoch s/ms/µs) or an ISO date. NaN when it is neither. */
export function parseTimestamp(v: unknown): number {
  if (typeof v === 'number') return Number.isFinite(v) ? epochToMs(v) : NaN;
  if (typeof v === 'string') {
    const s = v.trim();
    if (s === '') return NaN;
    if (/^-?\d+(\.\d+)?$/.test(s)) return epochToMs(Number(s));
    return parseIsoDate(s);
  }
  return NaN;
}
