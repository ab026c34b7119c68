/**
 * Walk-forward folds. Durations like `180d`, `12h`, `4w`, `90m` (minutes). Over the measured bars [start, end) of a
 * frame whose first measured bar opens at T0, fold k (k = 0, 1, ...) is
 *
 *   rolling:  train [T0 + k·test, T0 + k·test + train),  test [T0 + k·test + train, T0 + (k+1)·test + train)
 *   anchored: train [T0, T0 + k·test + train),           test as above
 *
 * in open times, mapped to bar indices with a binary search. Test windows are therefore contiguous and never
 * overlap; each test window starts where its training window ends; folds stop at the last FULL test window
 * (a final partial window is left out). Warm-up for indicators is taken from the bars before each window.
 */
import { lowerBound, usageError } from '../../engine/index.ts';

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `180d` → milliseconds. Units: m (minutes), h, d, w. */
export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(m|h|d|w)$/.exec(String(text).trim());
  if (!m || !(Number(m[1]) > 0)) throw usageError('BAD_DURATION', `${flag} '${text}' is not a duration; use a number and a unit m, h, d or w (e.g. 180d, 12h, 4w)`);
  return Number(m[1]) * UNIT_MS[m[2]];
}

export interface Fold {
  readonly k: number;
  /** Bar indices, end exclusive. */
  readonly trainStart: number;
  readonly trainEnd: number;
  readonly testStart: number;
  readonly testEnd: number;
}

/** Folds over the measured bars [start, end) of `ts` (bars of `tfMs`); see the file comment. */
export function planFolds(ts: Float64Array, start: number, end: number, tfMs: number, trainMs: number, testMs: number, anchored: boolean): Fold[] {
  const t0 = ts[start];
  const dataEndT = ts[end - 1] + tfMs; // close time of the last bar
  const folds: Fold[] = [];
  for (let k = 0; ; k++) {
    const trainT = anchored ? t0 : t0 + k * testMs;
    const testT = t0 + k * testMs + trainMs;
    const testEndT = testT + testMs;
    if (testEndT > dataEndT) break; // only full test windows
    const trainStart = Math.max(start, lowerBound(ts, trainT));
    const trainEnd = Math.min(end, lowerBound(ts, testT));
    const testEnd = Math.min(end, lowerBound(ts, testEndT));
    if (testEnd <= trainEnd || trainEnd - trainStart < 2) continue; // a window without bars (a gap in the data)
    folds.push({ k: folds.length, trainStart, trainEnd, testStart: trainEnd, testEnd });
  }
  if (folds.length === 0) {
    throw usageError('NO_FOLDS', `the data (${new Date(t0).toISOString()} .. ${new Date(dataEndT).toISOString()}) is too short for one fold of --train ${trainMs / 86_400_000} days + --test ${testMs / 86_400_000} days; load more data or shorten the windows`);
  }
  return folds;
}
