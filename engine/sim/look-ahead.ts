/**
 * Look-ahead check through the simulator: a decision taken at bar c's close may use rows <= c only.
 *
 * For each cut c the strategy is re-run on frames whose future was changed, and everything that depends only
 * on rows <= c must come out bit-identical to the unchanged run:
 *   - 'up' / 'down': bar c+1 keeps its open but gets a close 20 % above / below it (high/low widened to stay
 *     valid); every later bar is scaled by about 1.2 / 0.8 with a wiggle;
 *   - 'truncated': the frame ends at bar c+1, which becomes a flat bar at its open.
 * Compared: the fills in bars <= c+1 (the fill at c+1 is the decision at c executed at the unchanged open),
 * the trades that closed by bar c+1, equity at closes <= c and position at closes <= c+1.
 * `closeAtEnd` is switched off for the check (closing at the end is not a decision).
 */
import { usageError } from '../errors.ts';
import { makeFrame, type CandleFrame } from '../frame.ts';
import type { ParamValues } from '../params.ts';
import type { AnyStrategy } from '../strategy.ts';
import type { FillConfig } from './fill-config.ts';
import { runSignalBacktest } from './signal-backtest.ts';
import type { SimResult } from './sim-result.ts';

export type SimLookAheadVariant = 'up' | 'down' | 'truncated';

export interface SimLookAheadViolation {
  cut: number;
  variant: SimLookAheadVariant;
  /** What differed first, e.g. 'fill 3 differs: {...} vs {...}'. */
  what: string;
}

export interface SimLookAheadOptions {
  startIndex: number;
  /** Bars c to test; each needs startIndex <= c and c + 1 < frame.length. */
  cuts: readonly number[];
  path?: 'fast' | 'per-bar' | 'auto';
}

/** A copy of `f` whose rows after `cut` are changed as described above (rows <= cut untouched). */
export function perturbAfter(f: CandleFrame, cut: number, variant: SimLookAheadVariant): CandleFrame {
  const len = variant === 'truncated' ? cut + 2 : f.length;
  const ts = f.ts.slice(0, len), open = f.open.slice(0, len), high = f.high.slice(0, len);
  const low = f.low.slice(0, len), close = f.close.slice(0, len), volume = f.volume.slice(0, len);
  const nb = cut + 1;
  const o = open[nb];
  if (variant === 'truncated') {
    high[nb] = o; low[nb] = o; close[nb] = o;
  } else {
    const base = variant === 'up' ? 1.2 : 0.8;
    close[nb] = o * base;
    high[nb] = Math.max(o, close[nb]);
    low[nb] = Math.min(o, close[nb]);
    volume[nb] = volume[nb] * base;
    for (let k = nb + 1; k < len; k++) {
      const m = base * (1 + 0.05 * Math.sin(1.7 * k));
      open[k] *= m; high[k] *= m; low[k] *= m; close[k] *= m; volume[k] *= m;
    }
  }
  return makeFrame({ exchange: f.exchange, symbol: f.symbol, timeframe: f.timeframe }, { ts, open, high, low, close, volume });
}

const same = (a: unknown, b: unknown): boolean => {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b);
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a), kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return a === b;
};

/** The first difference between two runs in what may depend only on rows <= cut; null when none. */
export function diffSimUpTo(a: SimResult, b: SimResult, cut: number): string | null {
  const fa = a.fills.filter((x) => x.bar <= cut + 1), fb = b.fills.filter((x) => x.bar <= cut + 1);
  if (fa.length !== fb.length) return `${fa.length} vs ${fb.length} fills in bars <= ${cut + 1}`;
  for (let j = 0; j < fa.length; j++) if (!same(fa[j], fb[j])) return `fill ${j} differs: ${JSON.stringify(fa[j])} vs ${JSON.stringify(fb[j])}`;
  const ta = a.trades.filter((x) => x.exitBar <= cut + 1), tb = b.trades.filter((x) => x.exitBar <= cut + 1);
  if (ta.length !== tb.length) return `${ta.length} vs ${tb.length} trades closed by bar ${cut + 1}`;
  for (let j = 0; j < ta.length; j++) if (!same(ta[j], tb[j])) return `trade ${j} differs: ${JSON.stringify(ta[j])} vs ${JSON.stringify(tb[j])}`;
  for (let i = a.startIndex; i <= cut; i++) {
    const k = i - a.startIndex;
    if (!Object.is(a.equity[k], b.equity[k])) return `equity at bar ${i}: ${a.equity[k]} vs ${b.equity[k]}`;
  }
  for (let i = a.startIndex; i <= cut + 1 && i < a.endIndex && i < b.endIndex; i++) {
    const k = i - a.startIndex;
    if (!Object.is(a.position[k], b.position[k])) return `position at bar ${i}: ${a.position[k]} vs ${b.position[k]}`;
  }
  return null;
}

/**
 * Re-run `strategy` with the future after each cut changed (three ways) and report the first cut where
 * something at or before it changed: proof of look-ahead. Returns null when every cut passes.
 */
export function findSimLookAhead(strategy: AnyStrategy, frame: CandleFrame, params: ParamValues, config: FillConfig,
  opts: SimLookAheadOptions): SimLookAheadViolation | null {
  const cfg = { ...config, closeAtEnd: false };
  const run = (f: CandleFrame) => runSignalBacktest(strategy, f, params, cfg, { startIndex: opts.startIndex, path: opts.path });
  const base = run(frame);
  for (const cut of opts.cuts) {
    if (!Number.isInteger(cut) || cut < opts.startIndex || cut + 1 >= frame.length) {
      throw usageError('BAD_LOOKAHEAD_CUT', `look-ahead cut ${cut} must be an integer in [${opts.startIndex}, ${frame.length - 2}]`);
    }
    for (const variant of ['up', 'down', 'truncated'] as const) {
      const what = diffSimUpTo(base, run(perturbAfter(frame, cut, variant)), cut);
      if (what) return { cut, variant, what };
    }
  }
  return null;
}
