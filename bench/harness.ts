/**
 * Benchmark harness (`npm run bench`, never part of `npm test`). Each `*.bench.ts` file under the repo
 * default-exports `defineBench(async (ctx) => cases)`. Every case is timed in the same run; a case names
 * its `baseline` (another case's name) and the report gives ratio = median(case) / median(baseline).
 */
import { syntheticFrame, ONE_YEAR_1M } from './synthetic.ts';
import type { CandleFrame } from '../engine/index.ts';

export interface BenchCase {
  /** Plain dotted name, e.g. `indicator.ema`, `backtest.sma-cross`. Stable: users' scripts read it. */
  readonly name: string;
  /** Number of bars the case processes. */
  readonly bars: number;
  /** Name of the case this one is compared with (measured in the same run). */
  readonly baseline?: string;
  /** One timed repetition. May be async. */
  readonly run: () => unknown | Promise<unknown>;
  /**
   * What one sample measures (bench/run.ts explains the method). 'wall' (default): elapsed time. 'cpu': CPU time
   * of the whole process (user + system, every thread: GC helpers and page faults included) while the case runs,
   * which does not count time spent waiting for a core on a shared machine. Use 'cpu' only for single-threaded
   * cases: a case that works on several threads (DuckDB, worker pools) would be charged the sum of their time.
   * A case and its baseline are always sampled with the case's clock.
   */
  readonly clock?: 'wall' | 'cpu';
  /** Samples to take (default: adaptive, 5 to 25 within ~2 s). */
  readonly samples?: number;
  /** Extra numbers reported with the case, computed from its median (e.g. combosPerSec). */
  readonly extra?: (medianMs: number) => Record<string, number>;
  /** Called once after the case has been timed (release resources, e.g. worker pools). */
  readonly teardown?: () => unknown | Promise<unknown>;
}

export interface BenchContext {
  /** One year of synthetic 1m bars (525,600), built once and shared by every bench file. */
  readonly frame1m: () => CandleFrame;
  readonly bars1m: number;
}

export type BenchFactory = (ctx: BenchContext) => BenchCase[] | Promise<BenchCase[]>;

export function defineBench(factory: BenchFactory): BenchFactory {
  return factory;
}

let cached: CandleFrame | undefined;
export const benchContext: BenchContext = {
  frame1m: () => (cached ??= syntheticFrame(ONE_YEAR_1M, 42)),
  bars1m: ONE_YEAR_1M,
};
