/** One combination of a sweep: indicators (through the shared memo), then the sweep kernel or the simulator. */
import { usageError } from '../errors.ts';
import type { CandleFrame } from '../frame.ts';
import { computeStats, type Stats } from '../metrics/stats.ts';
import { statsInputFromSim } from '../metrics/from-sim.ts';
import type { ParamValues } from '../params.ts';
import type { FillConfig } from '../sim/fill-config.ts';
import { runSignalBacktest } from '../sim/signal-backtest.ts';
import type { AnyStrategy, IndicatorMemo } from '../strategy.ts';
import { signalRunStats } from './signal-stats.ts';

/** Buffers reused across the combinations run by one thread (allocated once: fresh 4 MB columns cost page faults). */
export interface ComboScratch {
  signals: Float64Array;
  equity: Float64Array;
  position: Float64Array;
}

export function createScratch(bars: number): ComboScratch {
  return { signals: new Float64Array(bars), equity: new Float64Array(bars), position: new Float64Array(bars) };
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
