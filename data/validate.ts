/**
 * Candle validation (CONVENTIONS §9): sorted ascending, no duplicate timestamps, finite values,
 * low <= open/close <= high, volume >= 0. Each kind of problem is reported with its count and the FIRST
 * offending candle, so the user can find it in the file.
 */
import { dataError, type CandleFrame } from '../engine/index.ts';
import { isoTs } from './gaps.ts';

export type ProblemKind = 'unsorted' | 'duplicate' | 'non-finite' | 'ohlc' | 'negative-volume';

export interface Problem {
  kind: ProblemKind;
  /** How many rows have this problem. */
  count: number;
  /** Row index (0-based) of the first offending candle. */
  firstIndex: number;
  /** Its open time (epoch ms; NaN when the timestamp itself is not finite). */
  firstTs: number;
  /** ISO form of firstTs, or 'invalid'. */
  first: string;
  /** What is expected, in words. */
  expected: string;
}

export interface ValidationReport {
  ok: boolean;
  rows: number;
  problems: Problem[];
}

const EXPECTED: Record<ProblemKind, string> = {
  unsorted: 'timestamps in ascending order',
  duplicate: 'one candle per timestamp',
  'non-finite': 'finite numbers in ts, open, high, low, close and volume',
  ohlc: 'low <= open <= high and low <= close <= high',
  'negative-volume': 'volume >= 0',
};
const ORDER: ProblemKind[] = ['unsorted', 'duplicate', 'non-finite', 'ohlc', 'negative-volume'];

/** Check every candle once (one pass over the columns, no per-row allocation). */
export function validateFrame(frame: CandleFrame): ValidationReport {
  const { ts, open, high, low, close, volume } = frame;
  const counts = new Float64Array(ORDER.length);
  const first = new Int32Array(ORDER.length).fill(-1);
  const hit = (k: number, i: number) => { counts[k]++; if (first[k] < 0) first[k] = i; };
  for (let i = 0; i < frame.length; i++) {
    const t = ts[i], o = open[i], h = high[i], l = low[i], c = close[i], v = volume[i];
    if (i > 0) {
      if (t < ts[i - 1]) hit(0, i);
      else if (t === ts[i - 1]) hit(1, i);
    }
    if (!(Number.isFinite(t) && Number.isFinite(o) && Number.isFinite(h) && Number.isFinite(l) && Number.isFinite(c) && Number.isFinite(v))) {
      hit(2, i);
      continue;
    }
    if (l > o || l > c || h < o || h < c || l > h) hit(3, i);
    if (v < 0) hit(4, i);
  }
  const problems: Problem[] = [];
  for (let k = 0; k < ORDER.length; k++) {
    if (counts[k] === 0) continue;
    const firstTs = ts[first[k]];
    problems.push({ kind: ORDER[k], count: counts[k], firstIndex: first[k], firstTs, first: Number.isFinite(firstTs) ? isoTs(firstTs) : 'invalid', expected: EXPECTED[ORDER[k]] });
  }
  return { ok: problems.length === 0, rows: frame.length, problems };
}

/** One line per problem: `2 duplicate candles, first at 2021-01-01T00:00:00.000Z (row 5); expected one candle per timestamp`. */
export function describeProblems(r: ValidationReport): string[] {
  return r.problems.map((p) => `${p.count} ${p.kind} candle${p.count === 1 ? '' : 's'}, first at ${p.first} (row ${p.firstIndex + 1}); expected ${p.expected}`);
}

/** Throw a data error (CLI exit 1) naming `what` and every kind of problem when the frame is not valid. */
export function assertValid(frame: CandleFrame, what: string): ValidationReport {
  const r = validateFrame(frame);
  if (!r.ok) {
    throw dataError('INVALID_CANDLES', `invalid candles in ${what}: ${describeProblems(r).join('; ')}`, { problems: r.problems });
  }
  return r;
}
