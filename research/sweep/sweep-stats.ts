/**
 * The statistics of many parameter combinations of one strategy over one frame — the engine room of `sweep` and
 * `walk-forward`. Indicator columns that several combinations share are computed once (through the strategy's
 * IndicatorMemo keys); combinations run in-process (`workers <= 1`) or on a pool of worker threads over shared memory
 * (the candle columns and the shared indicator columns are SharedArrayBuffers; each worker writes its rows of the
 * results into a shared buffer). Each row is a pure function of (strategy, frame, params, fill, range), so results are
 * identical whatever the number of workers.
 */
import { availableParallelism } from 'node:os';
import { usageError, validateFillConfig, type AnyStrategy, type CandleFrame, type FillConfig, type ParamValues } from '../../engine/index.ts';
import { createMemo, createScratch, runCombosStats, STAT_KEYS } from '../../engine/sweep/index.ts';
import { SweepPool, type PoolProgress } from './pool.ts';
import { borrowSharedColumn, returnSharedColumns, sharedColumn, sharedFrameOf } from './shared-frame.ts';

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
  // Compute the shared indicator columns once, into shared memory, by asking the strategy for every row's
  // indicators through a memo. A strategy that does not use the memo (no keyed columns) is detected on its first
  // row and skipped: its workers compute their own indicators.
  let requests = 0;
  const sharedCols: [string, SharedArrayBuffer][] = [];
  const lent = new Set<SharedArrayBuffer>();
  const memo = createMemo({
    allocate: () => {
      if (sharedCols.length >= maxColumns) return undefined;
      const c = borrowSharedColumn(frame.length);
      lent.add(c.buffer as SharedArrayBuffer);
      return c;
    },
    store: (key, col) => {
      if (col.buffer instanceof SharedArrayBuffer && lent.has(col.buffer)) { sharedCols.push([key, col.buffer]); return col; }
      if (sharedCols.length >= maxColumns) return col;
      const s = sharedColumn(col.length); // the strategy ignored the lent column: copy into shared memory
      s.set(col);
      sharedCols.push([key, s.buffer as SharedArrayBuffer]);
      return s;
    },
  });
  for (let r = 0; r < rows; r++) {
    o.strategy.indicators(frame, o.params[r], memo);
    if (r === 0 && memo.requests() === 0) break;
  }
  requests = memo.requests();

  const pool = o.pool ?? await SweepPool.create(workers);
  const out = new SharedArrayBuffer(8 * rows * stride);
  try {
    const { computed } = await pool.run({
      strategyRef: o.strategyRef, cwd: o.cwd, frame: sharedFrame, start: o.start, end: o.end, fill,
      params: o.params, shared: sharedCols, out, stride,
    }, rows, o.onProgress);
    return { values: new Float64Array(out).slice(), rows, stride, columns: { requests, shared: sharedCols.length, computedInWorkers: computed }, workers: pool.size };
  } finally {
    if (!o.pool) await pool.close();
    returnSharedColumns([...lent]); // lent columns the strategy ignored, and the shared ones
  }
}
