/**
 * The statistics of many parameter combinations of one strategy over one frame — the engine room of `sweep` and
 * `walk-forward`. Indicator columns that several combinations share are computed once (through the strategy's
 * IndicatorMemo keys); combinations run in-process (`workers <= 1`) or on a pool of worker threads over shared memory
 * (the candle columns and the shared indicator columns are SharedArrayBuffers; each shared column is computed by the
 * first worker that needs it, shared-columns.ts; each worker writes its rows of the results into a shared buffer). Each row is a pure function of (strategy, frame, params, fill, range), so results are
 * identical whatever the number of workers.
 */
import { availableParallelism } from 'node:os';
import { usageError, validateFillConfig, type AnyStrategy, type CandleFrame, type FillConfig, type ParamValues } from '../../engine/index.ts';
import { createMemo, createScratch, runCombosStats, STAT_KEYS } from '../../engine/sweep/index.ts';
import { SweepPool, type PoolProgress } from './pool.ts';
import { listSharedColumns } from './shared-columns.ts';
import { borrowSharedColumn, returnSharedColumns, sharedFrameOf } from './shared-frame.ts';

export interface SweepStatsOptions {
  readonly strategy: AnyStrategy;
  /** What a worker passes to resolveStrategy: a built-in id or the absolute path of the strategy file. */
  readonly strategyRef: string;
  readonly cwd: string;
  readonly frame: CandleFrame;
  /** Measured bars [start, end) of the frame. */
  readonly start: number;
  readonly end: number;
  /** Full parameter sets (defaults included), one per row. */
  readonly params: readonly ParamValues[];
  readonly fill: FillConfig;
  /** 1 = in-process; more = worker threads (ignored when `pool` is given). */
  readonly workers: number;
  /** A warm pool to use (not closed here). */
  readonly pool?: SweepPool;
  readonly onProgress?: (p: PoolProgress) => void;
  /** Most bytes of indicator columns kept (shared or memoised); default 1 GiB. */
  readonly memoBudgetBytes?: number;
}

export interface SweepStatsResult {
  /** rows × STAT_KEYS.length, row-major, STAT_KEYS order. */
  readonly values: Float64Array;
  readonly rows: number;
  readonly stride: number;
  /** Indicator columns: requested by the strategy over all rows, computed once and shared, computed elsewhere (workers' own memos). */
  readonly columns: { readonly requests: number; readonly shared: number; readonly computedInWorkers: number };
  readonly workers: number;
}

/** `--workers auto` = the machine's cores; else a whole number >= 1. */
export function resolveWorkers(w: number | string | undefined): number {
  if (w === undefined || w === 'auto') return availableParallelism();
  const n = typeof w === 'number' ? w : Number(w);
  if (!Number.isInteger(n) || n < 1) throw usageError('BAD_WORKERS', `--workers '${String(w)}' must be 'auto' or a whole number >= 1`);
  return n;
}

export async function sweepStats(o: SweepStatsOptions): Promise<SweepStatsResult> {
  const fill = validateFillConfig(o.fill);
  const rows = o.params.length;
  const stride = STAT_KEYS.length;
  const budget = o.memoBudgetBytes ?? 2 ** 30;
  const maxColumns = Math.max(2, Math.floor(budget / (8 * Math.max(1, o.frame.length))));
  const workers = o.pool ? o.pool.size : Math.max(1, Math.min(o.workers, rows));

  if (workers <= 1 && !o.pool) {
    const lent: SharedArrayBuffer[] = [];
    const memo = createMemo({
      maxEntries: maxColumns,
      allocate: () => { if (lent.length >= maxColumns) return undefined; const c = borrowSharedColumn(o.frame.length); lent.push(c.buffer as SharedArrayBuffer); return c; },
    });
    const scratch = createScratch(o.frame.length);
    const values = new Float64Array(rows * stride);
    // groups of rows advance together (runCombosStats); progress is reported after each group
    const group = Math.max(1, Math.min(256, Math.ceil(rows / 4)));
    try {
      for (let r0 = 0; r0 < rows; r0 += group) {
        const r1 = Math.min(rows, r0 + group);
        const stats = runCombosStats(o.strategy, o.frame, o.params.slice(r0, r1), fill, o.start, o.end, memo, scratch) as unknown as Record<string, number>[];
        for (let r = r0; r < r1; r++) for (let j = 0; j < stride; j++) values[r * stride + j] = stats[r - r0][STAT_KEYS[j]];
        o.onProgress?.({ done: r1, total: rows });
      }
    } finally {
      returnSharedColumns(lent);
    }
    return { values, rows, stride, columns: { requests: memo.requests(), shared: memo.computed(), computedInWorkers: 0 }, workers: 1 };
  }

  const { shared: sharedFrame, frame } = sharedFrameOf(o.frame);
  // List the indicator columns the combinations share (keys only: nothing is computed here) and give each a buffer in
  // shared memory; the workers compute each one once, whichever needs it first (shared-columns.ts).
  const lent: SharedArrayBuffer[] = [];
  const ownPool = !o.pool;
  let pool = o.pool;
  try {
    const { columns: sharedCols, requests } = listSharedColumns(o.strategy, frame, o.params, maxColumns, () => {
      const c = borrowSharedColumn(frame.length);
      lent.push(c.buffer as SharedArrayBuffer);
      return c;
    });
    const claims = new SharedArrayBuffer(4 * Math.max(1, sharedCols.length));
    pool ??= await SweepPool.create(workers);
    const out = new SharedArrayBuffer(8 * rows * stride);
    const { computed } = await pool.run({
      strategyRef: o.strategyRef, cwd: o.cwd, frame: sharedFrame, start: o.start, end: o.end, fill,
      params: o.params, shared: sharedCols, claims, out, stride,
    }, rows, o.onProgress);
    return { values: new Float64Array(out).slice(), rows, stride, columns: { requests, shared: sharedCols.length, computedInWorkers: computed }, workers: pool.size };
  } finally {
    if (ownPool) await pool?.close();
    returnSharedColumns(lent);
  }
}
