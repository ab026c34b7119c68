/**
 * Warm-up check: how many bars of history each indicator of a strategy needs before its values are stable.
 *
 * For each start offset k (spread over the first half of the data), the indicators are computed again on the
 * series starting at bar k (rows k..n-1), and compared with the full-series values at the same bars. At bar t
 * the restarted series has `h = t - k + 1` bars of history (bar t included). The history an indicator needs from
 * start k is the smallest h such that at EVERY later bar the two values agree within the tolerance: one past the
 * last disagreeing bar. The indicator's need is the largest over the starts, or null when some start still
 * disagreed at the last bar (the values never settle within the data: a cumulative indicator, or a tolerance
 * too tight for the data's length).
 *
 * Agreement: both NaN, or equal, or `|a - b| <= tolerance * max(|a|, |b|, scale)`, where `scale` is the column's
 * mean absolute value over the full series (so values crossing zero, e.g. MACD, are judged against the column's
 * size rather than against zero). A NaN against a number disagrees.
 *
 * SMA-like windows need exactly their period; recursive ones (EMA, Wilder RSI, ATR) need their period plus the
 * bars their seed takes to decay below the tolerance, often many times the period.
 *
 * The declared warm-up `w = strategy.warmup(params)` is the index of the first decided bar: that bar has w + 1
 * bars of history and the bar before it (read by crosses) has w. The check passes when every indicator's need
 * is known and `w >= need`.
 */
import { usageError } from '../errors.ts';
import { sliceFrame, type CandleFrame } from '../frame.ts';
import type { ParamValues } from '../params.ts';
import type { AnyStrategy } from '../strategy.ts';
import { indicatorColumns } from './lookahead.ts';

export interface WarmupCheckOptions {
  /** Relative tolerance (default 1e-6). */
  readonly tolerance?: number;
  /** Number of start offsets (default 8), at k = j * n / (2 * starts) for j = 1..starts. */
  readonly starts?: number;
}

export interface IndicatorWarmup {
  readonly name: string;
  /** Bars of history (the bar itself included) after which values agree at every later bar; null: never within the data. */
  readonly needed: number | null;
  /** The start offset that needed the most (or that never settled). */
  readonly worstStart: number;
  /** Largest relative difference at the bars where both values are numbers, over all starts (for context). */
  readonly maxRelDiff: number;
}

export interface WarmupCheck {
  readonly tolerance: number;
  readonly starts: readonly number[];
  readonly bars: number;
  /** `strategy.warmup(params)`. */
  readonly declared: number;
  /** The largest need; null when some indicator never settles. */
  readonly longest: number | null;
  readonly indicators: readonly IndicatorWarmup[];
  /** declared >= longest (and every need is known). */
  readonly ok: boolean;
}

export const DEFAULT_WARMUP_TOLERANCE = 1e-6;

/**
 * History needed by `restarted` (the column computed on rows k..n-1) to agree with `full` (rows 0..n-1) from some bar
 * on: `lastBad - k + 2`, 1 when it agrees everywhere, null when it disagrees at the last bar. Also the largest
 * relative difference where both are numbers.
 */
export function historyNeeded(full: Float64Array, restarted: Float64Array, k: number, tolerance: number, scale: number): { needed: number | null; maxRelDiff: number } {
  const n = full.length;
  let lastBad = -1, maxRel = 0;
  for (let t = k; t < n; t++) {
    const a = full[t], b = restarted[t - k];
    if (a === b) continue;
    const an = a !== a, bn = b !== b;
    if (an && bn) continue;
    if (an || bn) { lastBad = t; continue; }
    const m = Math.max(Math.abs(a), Math.abs(b));
    const d = Math.abs(a - b);
    if (m > 0 && d / m > maxRel) maxRel = d / m;
    if (!(d <= tolerance * Math.max(m, scale))) lastBad = t;
  }
  if (lastBad === n - 1) return { needed: null, maxRelDiff: maxRel };
  return { needed: lastBad < 0 ? 1 : lastBad - k + 2, maxRelDiff: maxRel };
}

export function checkWarmup(strategy: AnyStrategy, frame: CandleFrame, params: Readonly<ParamValues>, opts: WarmupCheckOptions = {}): WarmupCheck {
  const tolerance = opts.tolerance ?? DEFAULT_WARMUP_TOLERANCE;
  const count = opts.starts ?? 8;
  if (!(tolerance >= 0) || !Number.isFinite(tolerance)) throw usageError('BAD_TOLERANCE', `--tolerance ${tolerance} must be a finite number >= 0 (relative, e.g. 1e-6)`);
  if (!Number.isInteger(count) || count < 1) throw usageError('BAD_STARTS', `--starts ${count} must be a whole number >= 1`);
  const n = frame.length;
  const declared = strategy.warmup(params);
  if (n < 4 * count) throw usageError('NOT_ENOUGH_DATA', `the warm-up check needs at least ${4 * count} bars for ${count} starts; got ${n}`);
  const starts: number[] = [];
  for (let j = 1; j <= count; j++) starts.push(Math.floor((j * n) / (2 * count)));

  const full = strategy.indicators(frame, params);
  const names = indicatorColumns(full, n);
  const scales = names.map((name) => {
    const c = full[name];
    let s = 0, m = 0;
    for (let i = 0; i < n; i++) { const x = c[i]; if (Number.isFinite(x)) { s += Math.abs(x); m++; } }
    return m ? s / m : 0;
  });
  const acc = names.map((name) => ({ name, needed: 1 as number | null, worstStart: starts[0], maxRelDiff: 0 }));
  for (const k of starts) {
    const ind = strategy.indicators(sliceFrame(frame, k), params);
    names.forEach((name, j) => {
      const col = ind[name];
      const a = acc[j];
      const r = col instanceof Float64Array && col.length === n - k
        ? historyNeeded(full[name], col, k, tolerance, scales[j])
        : { needed: null, maxRelDiff: NaN };
      if (r.maxRelDiff > a.maxRelDiff || Number.isNaN(r.maxRelDiff)) a.maxRelDiff = r.maxRelDiff;
      if (a.needed === null) return;
      if (r.needed === null) { a.needed = null; a.worstStart = k; } else if (r.needed > a.needed) { a.needed = r.needed; a.worstStart = k; }
    });
  }
  const unknown = acc.some((a) => a.needed === null);
  const longest = unknown ? null : acc.reduce((m, a) => Math.max(m, a.needed ?? 0), 0);
  return { tolerance, starts, bars: n, declared, longest, indicators: acc, ok: longest !== null && declared >= longest };
}
