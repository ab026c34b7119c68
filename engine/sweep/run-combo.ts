/** One combination of a sweep: indicators (through the shared memo), then the sweep kernel or the simulator. */
import { usageError } from '../errors.ts';
import { sliceFrame, type CandleFrame } from '../frame.ts';
import { computeStats, type Stats } from '../metrics/stats.ts';
import { statsInputFromSim } from '../metrics/from-sim.ts';
import type { ParamValues } from '../params.ts';
import type { FillConfig } from '../sim/fill-config.ts';
import { runSignalBacktest } from '../sim/signal-backtest.ts';
import type { AnyStrategy, IndicatorMemo } from '../strategy.ts';
import { CrossRun } from './cross-run.ts';
import type { TradeStore } from '../sim/book.ts';
import { SignalRun, signalRunStats } from './signal-stats.ts';

/** Buffers reused across the combinations run by one thread (allocated once: fresh 4 MB columns cost page faults). */
export interface ComboScratch {
  signals: Float64Array;
  equity: Float64Array;
  position: Float64Array;
  /** Closed-trade columns, one pair per combination of a group advancing together, kept (grown) for the next group. */
  trades: TradeStore[];
}

export function createScratch(bars: number): ComboScratch {
  return { signals: new Float64Array(bars), equity: new Float64Array(bars), position: new Float64Array(bars), trades: [] };
}

/** Lend trade columns to runs 0 .. count-1 (creating missing pairs) and take them back, possibly grown, afterwards. */
function tradeStores(scratch: ComboScratch, count: number): TradeStore[] {
  const t = (scratch.trades ??= []);
  while (t.length < count) t.push({ pnl: new Float64Array(1024), ret: new Float64Array(1024) });
  return t;
}

/**
 * The Stats of `strategy` with `params` over the measured bars [start, end) of `frame` — identical to
 * `computeStats(statsInputFromSim(runSignalBacktest(strategy, frame, params, config, { startIndex: start, endIndex: end }), frame, config))`.
 * A strategy with `signals` runs through the one-pass kernel (signalRunStats), others through the per-bar simulator.
 * `config` must be valid (validateFillConfig).
 */
export function runComboStats(strategy: AnyStrategy, frame: CandleFrame, params: ParamValues, config: Readonly<FillConfig>,
  start: number, end: number, memo: IndicatorMemo | undefined, scratch: ComboScratch): Stats {
  const ind = strategy.indicators(frame, params, memo);
  if (strategy.signals) {
    const sig = strategy.signals(frame, ind, params, scratch.signals.length >= frame.length ? scratch.signals.subarray(0, frame.length) : undefined);
    if (!(sig instanceof Float64Array) || sig.length !== frame.length) {
      throw usageError('BAD_SIGNALS', `strategy '${strategy.id}' signals() must return a Float64Array of ${frame.length} values (one per bar)`);
    }
    return signalRunStats(frame, sig, config, start, end);
  }
  const n = end - start;
  const out = scratch.equity.length >= n ? { equity: scratch.equity, position: scratch.position } : undefined;
  const r = runSignalBacktest(strategy, frame, params, config, { startIndex: start, endIndex: end, indicators: ind, path: 'per-bar', out });
  return computeStats(statsInputFromSim(r, frame, config));
}

/** Bars per block of the blocked runner: a block of every shared column stays in the core's cache. */
export const SWEEP_BLOCK_BARS = 2048;

/**
 * The Stats of several combinations of one strategy over the same bars, each identical to runComboStats. When the
 * strategy promises `signalsLookback`, the combinations advance TOGETHER block by block (SignalRun is resumable):
 * every combination computes its targets for a block of bars into one small buffer and consumes them at once, so the
 * indicator columns the combinations share are read from the cache instead of each run streaming whole columns from
 * memory. Otherwise each combination runs on its own (runComboStats).
 */
export function runCombosStats(strategy: AnyStrategy, frame: CandleFrame, params: readonly ParamValues[], config: Readonly<FillConfig>,
  start: number, end: number, memo: IndicatorMemo | undefined, scratch: ComboScratch, blockBars = SWEEP_BLOCK_BARS): Stats[] {
  if (strategy.crossSignals && strategy.signals && end - start >= 3) return runCrossCombos(strategy, frame, params, config, start, end, memo, scratch, blockBars);
  const L = strategy.signalsLookback;
  if (!strategy.signals || L === undefined || !(Number.isInteger(L) && L >= 0) || params.length < 2 || end - start < 3) {
    return params.map((p) => runComboStats(strategy, frame, p, config, start, end, memo, scratch));
  }
  const signals = strategy.signals;
  const inds = params.map((p) => strategy.indicators(frame, p, memo) as Record<string, Float64Array>);
  const stores = tradeStores(scratch, params.length);
  const runs = params.map((_, c) => new SignalRun(frame, config, start, end, stores[c]));
  const last = end - 1;
  const need = blockBars + L + 1;
  if (scratch.signals.length < need) scratch.signals = new Float64Array(need);
  const keys = inds.map((ind) => Object.keys(ind));
  // One indicator view object per combination, re-pointed at each block's rows (signals reads it synchronously and
  // keeps nothing), and one view per DISTINCT column per block: combinations share columns, so this allocates per
  // block, not per combination and block.
  const views = inds.map(() => ({}) as Record<string, Float64Array>);
  let blockViews = new Map<Float64Array, Float64Array>();
  const targetsOf = (c: number, f: CandleFrame, lo: number, hi: number, out: Float64Array): Float64Array => {
    const ind = views[c], src = inds[c];
    for (const key of keys[c]) {
      const col = src[key];
      if (col.length !== frame.length) { ind[key] = col; continue; }
      let v = blockViews.get(col);
      if (v === undefined) { v = col.subarray(lo, hi); blockViews.set(col, v); }
      ind[key] = v;
    }
    const sig = signals(f, ind, params[c], out);
    if (!(sig instanceof Float64Array) || sig.length !== hi - lo) {
      throw usageError('BAD_SIGNALS', `strategy '${strategy.id}' signals() must return a Float64Array of ${hi - lo} values (one per bar of the frame it is given)`);
    }
    return sig;
  };
  // Bars start+1 .. last-1 are advanced with the targets of bars start .. last-2; block [a, b) needs targets of [a-1, b-1),
  // computed over rows [lo, b-1) with lo = a-1-L (or 0): the first L rows only feed the lookback.
  for (let a = start + 1; a < last; a += blockBars) {
    const b = Math.min(a + blockBars, last);
    const lo = Math.max(0, a - 1 - L);
    const f = sliceFrame(frame, lo, b - 1); // one frame view per block, shared by the combinations
    const out = scratch.signals.subarray(0, b - 1 - lo);
    blockViews = new Map();
    for (let c = 0; c < runs.length; c++) runs[c].advance(targetsOf(c, f, lo, b - 1, out), lo, a, b);
  }
  const lo = Math.max(0, last - 1 - L);
  const fl = sliceFrame(frame, lo, last);
  const outLast = scratch.signals.subarray(0, last - lo);
  blockViews = new Map();
  const stats = runs.map((r, c) => r.finish(targetsOf(c, fl, lo, last, outLast)[last - 1 - lo]));
  runs.forEach((r, c) => { stores[c] = r.tradeStore(); });
  return stats;
}

/**
 * runCombosStats for a strategy that declares `crossSignals`: each combination's run compares its two indicator
 * columns inside the kernel (CrossRun), and the combinations advance together block by block, so the columns they
 * share are read from the cache. No target column is computed.
 */
function runCrossCombos(strategy: AnyStrategy, frame: CandleFrame, params: readonly ParamValues[], config: Readonly<FillConfig>,
  start: number, end: number, memo: IndicatorMemo | undefined, scratch: ComboScratch, blockBars: number): Stats[] {
  const cs = strategy.crossSignals!;
  const stores = tradeStores(scratch, params.length);
  const runs = params.map((p, c) => {
    const ind = strategy.indicators(frame, p, memo) as Record<string, Float64Array | undefined>;
    const fast = ind[cs.fast], slow = ind[cs.slow];
    if (!(fast instanceof Float64Array) || !(slow instanceof Float64Array)) {
      throw usageError('BAD_INDICATORS', `strategy '${strategy.id}' declares crossSignals over indicators '${cs.fast}' and '${cs.slow}', but indicators() returned ${Object.keys(ind).join(', ') || 'none'}`);
    }
    return new CrossRun(frame, config, start, end, fast, slow, cs.from ? cs.from(p) : 0, stores[c]);
  });
  const last = end - 1;
  for (let a = start + 1; a < last; a += blockBars) {
    const b = Math.min(a + blockBars, last);
    for (let c = 0; c < runs.length; c++) runs[c].advanceCross(a, b);
  }
  const stats = runs.map((r) => r.finishCross());
  runs.forEach((r, c) => { stores[c] = r.tradeStore(); });
  return stats;
}
