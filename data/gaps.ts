/**
 * Gaps in a candle series (CONVENTIONS §9): every missing run with its first missing timestamp and how many
 * candles are missing, plus totals. The gap policy is explicit: `error` refuses gappy data, `report` (the
 * default) keeps the data as it is and reports, `ffill` inserts flat candles at the previous close with
 * volume 0 and says how many it inserted. A result records the report, so a reader sees which gaps its range
 * crossed.
 */
import { dataError, makeFrame, timeframeMs, usageError, type CandleFrame } from '../engine/index.ts';

export type GapPolicy = 'error' | 'report' | 'ffill';
export const GAP_POLICIES: readonly GapPolicy[] = ['error', 'report', 'ffill'];

export interface Gap {
  /** First missing candle's open time, ISO 8601 UTC. */
  from: string;
  /** First missing candle's open time, epoch ms UTC. */
  fromTs: number;
  /** Number of missing candles in this run. */
  missing: number;
}

/** JSON-serialisable gap report. */
export interface GapReport {
  count: number;
  missingBars: number;
  gaps: Gap[];
}

export const isoTs = (ts: number): string => new Date(ts).toISOString();

/** Candles missing between two consecutive open times `d` ms apart (rounded: a 1.5-step jump counts one). */
function missingBetween(d: number, stepMs: number): number {
  return d >= 1.5 * stepMs ? Math.round(d / stepMs) - 1 : 0;
}

/** Every gap in `ts` for candles `stepMs` apart. Steps that are not a whole multiple count the rounded number of missing candles. */
export function findGaps(ts: Float64Array, stepMs: number): GapReport {
  const gaps: Gap[] = [];
  let missingBars = 0;
  for (let i = 1; i < ts.length; i++) {
    const missing = missingBetween(ts[i] - ts[i - 1], stepMs);
    if (missing > 0) {
      const fromTs = ts[i - 1] + stepMs;
      gaps.push({ from: isoTs(fromTs), fromTs, missing });
      missingBars += missing;
    }
  }
  return { count: gaps.length, missingBars, gaps };
}

/** Gaps of a frame, using its timeframe label (unknown timeframes are a usage error naming the allowed ones). */
export function frameGaps(frame: CandleFrame): GapReport {
  return findGaps(frame.ts, frameStepMs(frame));
}

function frameStepMs(frame: CandleFrame): number {
  if (!frame.timeframe) {
    throw usageError('TIMEFRAME_REQUIRED', `the timeframe of ${frame.exchange} ${frame.symbol} is unknown, so gaps cannot be checked; pass --timeframe (one of 1m, 5m, 1h, 1d, ...)`);
  }
  return timeframeMs(frame.timeframe);
}

/** One-line summary such as `27 gaps, 127 missing 1h bars (first at 2018-02-08T00:00:00.000Z, 33 bars)`. */
export function describeGaps(r: GapReport, timeframe: string): string {
  if (r.count === 0) return 'no gaps';
  const biggest = r.gaps.reduce((a, b) => (b.missing > a.missing ? b : a));
  return `${r.count} gap${r.count === 1 ? '' : 's'}, ${r.missingBars} missing ${timeframe} bar${r.missingBars === 1 ? '' : 's'} `
    + `(first at ${r.gaps[0].from}, ${r.gaps[0].missing} bar${r.gaps[0].missing === 1 ? '' : 's'}; largest at ${biggest.from}, ${biggest.missing})`;
}

/**
 * Insert flat candles (open = high = low = close = previous close, volume 0) into every gap.
 * Returns the same frame when there is nothing to fill.
 */
export function forwardFill(frame: CandleFrame, report: GapReport = frameGaps(frame)): { frame: CandleFrame; filled: number } {
  if (report.missingBars === 0) return { frame, filled: 0 };
  const step = frameStepMs(frame);
  const n = frame.length + report.missingBars;
  const ts = new Float64Array(n), open = new Float64Array(n), high = new Float64Array(n);
  const low = new Float64Array(n), close = new Float64Array(n), volume = new Float64Array(n);
  let j = 0;
  for (let i = 0; i < frame.length; i++) {
    const missing = i > 0 ? missingBetween(frame.ts[i] - frame.ts[i - 1], step) : 0;
    if (missing > 0) {
      const c = frame.close[i - 1], t0 = frame.ts[i - 1];
      for (let k = 1; k <= missing; k++, j++) {
        ts[j] = t0 + k * step;
        open[j] = c; high[j] = c; low[j] = c; close[j] = c; volume[j] = 0;
      }
    }
    ts[j] = frame.ts[i]; open[j] = frame.open[i]; high[j] = frame.high[i];
    low[j] = frame.low[i]; close[j] = frame.close[i]; volume[j] = frame.volume[i];
    j++;
  }
  return { frame: makeFrame(frame, { ts, open, high, low, close, volume }), filled: report.missingBars };
}

/**
 * Apply an explicit gap policy. The report always describes the gaps of the input frame (before any fill).
 * `error` throws a data error naming the first gap; `ffill` returns the filled frame and the count inserted.
 */
export function applyGapPolicy(frame: CandleFrame, policy: GapPolicy): { frame: CandleFrame; gaps: GapReport; filled: number } {
  if (!GAP_POLICIES.includes(policy)) {
    throw usageError('UNKNOWN_GAP_POLICY', `unknown gap policy '${String(policy)}'; allowed: ${GAP_POLICIES.join(', ')}`);
  }
  const gaps = frameGaps(frame);
  if (policy === 'error' && gaps.count > 0) {
    throw dataError('CANDLE_GAPS', `${frame.exchange} ${frame.symbol} ${frame.timeframe} has ${describeGaps(gaps, frame.timeframe)}; `
      + `use the gap policy 'report' to accept them or 'ffill' to fill them with flat candles`, { gaps: gaps.gaps.slice(0, 20), count: gaps.count, missingBars: gaps.missingBars });
  }
  if (policy === 'ffill') {
    const r = forwardFill(frame, gaps);
    return { frame: r.frame, gaps, filled: r.filled };
  }
  return { frame, gaps, filled: 0 };
}
