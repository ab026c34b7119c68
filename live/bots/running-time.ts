/**
 * A bot's running time: `12h`, `3d`, `2w`, `1mo` (30 days) or `until-stopped`. Stored as an absolute end
 * (`runUntil`, epoch ms) computed when the bot first starts; null = until stopped.
 */
import { usageError } from '../../engine/errors.ts';

const UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000, mo: 30 * 86_400_000 };
const RE = /^(\d+(?:\.\d+)?)(m|h|d|w|mo)$/;

/** Duration in ms, or null for 'until-stopped' (also 'forever'). Throws a usage error naming the allowed forms. */
export function parseRunningTime(s: string): number | null {
  const t = s.trim().toLowerCase();
  if (t === 'until-stopped' || t === 'forever') return null;
  const m = RE.exec(t);
  const n = m ? Number(m[1]) : NaN;
  if (!m || !(n > 0)) {
    throw usageError('BAD_RUNNING_TIME', `running time '${s}' is not allowed; use a positive number with a unit: 30m, 12h, 3d, 2w, 1mo (30 days), or 'until-stopped'`);
  }
  return n * UNIT_MS[m[2]];
}

/** Human form of a duration in ms ('until stopped' for null). */
export function formatRunningTime(ms: number | null): string {
  if (ms === null) return 'until stopped';
  for (const [u, k] of [['mo', UNIT_MS.mo], ['w', UNIT_MS.w], ['d', UNIT_MS.d], ['h', UNIT_MS.h]] as const) {
    if (ms >= k && ms % k === 0) return `${ms / k}${u}`;
  }
  return `${Math.round(ms / 60_000)}m`;
}
