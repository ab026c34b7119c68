/**
 * UTC calendar periods for the loss limits. Days run 00:00–24:00 UTC; weeks are ISO weeks, starting Monday
 * 00:00 UTC, numbered by ISO 8601 (week 1 holds the year's first Thursday, so 2024-12-30 is in '2025-W01').
 */
const DAY_MS = 86_400_000;

/** Start of the UTC day holding `ts` (epoch ms). */
export function utcDayStart(ts: number): number {
  return Math.floor(ts / DAY_MS) * DAY_MS;
}

/** Start (Monday 00:00 UTC) of the ISO week holding `ts`. */
export function isoWeekStart(ts: number): number {
  const day = utcDayStart(ts);
  const dow = new Date(day).getUTCDay(); // 0 = Sunday
  return day - ((dow + 6) % 7) * DAY_MS;
}

/** 'YYYY-MM-DD' of the UTC day holding `ts`. */
export function utcDayKey(ts: number): string {
  return new Date(utcDayStart(ts)).toISOString().slice(0, 10);
}

/** 'YYYY-Www' of the ISO week holding `ts` (the ISO week-numbering year, which may differ near New Year). */
export function isoWeekKey(ts: number): string {
  const monday = isoWeekStart(ts);
  const thursday = new Date(monday + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const jan1 = Date.UTC(year, 0, 1);
  const week = Math.floor((thursday.getTime() - jan1) / DAY_MS / 7) + 1;
  return `${year}-W${week < 10 ? '0' : ''}${week}`;
}
