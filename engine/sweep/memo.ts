/** An IndicatorMemo over one frame that counts what it computed, optionally pre-filled with shared columns. */
import type { IndicatorMemo } from '../strategy.ts';

export interface CountingMemo extends IndicatorMemo {
  /** Columns computed by this memo (cache misses). */
  readonly computed: () => number;
  /** Column requests (hits + misses). */
  readonly requests: () => number;
  readonly keys: () => string[];
  readonly get: (key: string) => Float64Array | undefined;
}

export interface MemoOptions {
  /** Columns known before the first request (e.g. computed once by the main thread in shared memory). */
  readonly initial?: Iterable<readonly [string, Float64Array]>;
  /** Keep at most this many computed columns (oldest dropped first); default unlimited. */
  readonly maxEntries?: number;
  /** Where a computed column is stored; default: the column compute() returned. */
  readonly store?: (key: string, col: Float64Array) => Float64Array;
  /** A column to lend `compute` as its `out` (e.g. one in shared memory); undefined = let it allocate. */
  readonly allocate?: (key: string) => Float64Array | undefined;
}

export function createMemo(opts: MemoOptions = {}): CountingMemo {
  const map = new Map<string, Float64Array>(opts.initial ?? []);
  const fixed = map.size;
  let computed = 0, requests = 0;
  return {
    column(key, compute) {
      requests++;
      const hit = map.get(key);
      if (hit) return hit;
      computed++;
      const out = opts.allocate?.(key);
      // (IndicatorMemo's compute takes the lent column as an optional `out`; one that ignores it allocates its own)
      const made = (compute as (out?: Float64Array) => Float64Array)(out);
      const col = opts.store ? opts.store(key, made) : made;
      if (opts.maxEntries !== undefined && map.size - fixed >= opts.maxEntries) {
        // drop the oldest computed (never a pre-filled) column
        let skip = fixed;
        for (const k of map.keys()) { if (skip-- > 0) continue; map.delete(k); break; }
      }
      map.set(key, col);
      return col;
    },
    computed: () => computed,
    requests: () => requests,
    keys: () => [...map.keys()],
    get: (key) => map.get(key),
  };
}
