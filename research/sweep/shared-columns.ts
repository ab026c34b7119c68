/**
 * Indicator columns shared by a sweep's workers, each computed ONCE by whichever worker asks for it first.
 *
 * The main thread lists the keyed columns the combinations will ask for (`listSharedColumns`: the strategy's
 * `indicators` through a memo that records each key and hands back that key's shared buffer, uncomputed) and gives
 * the workers the buffers and one claim word per column in shared memory. A worker that asks for a column claims it
 * (compare-and-exchange FREE → BUSY), computes it into the shared buffer and marks it READY; a worker that finds it
 * BUSY waits for READY (Atomics.wait). So the columns are computed in parallel, by the workers that need them, while
 * the main thread only lists keys. A compute that throws frees its claim (another worker then tries, and throws the
 * same error to its task).
 *
 * No deadlock: a worker waits only for a column another worker is computing, and computing a column never waits on a
 * column of the list (columns a compute asks for itself were never listed: `listSharedColumns` does not call compute,
 * so they are the workers' own).
 */
import { usageError, type AnyStrategy, type CandleFrame, type IndicatorMemo, type ParamValues } from '../../engine/index.ts';
import type { CountingMemo } from '../../engine/sweep/index.ts';

export const CLAIM_FREE = 0;
export const CLAIM_BUSY = 1;
export const CLAIM_READY = 2;

/** A worker that waits this long for another's column gives up (that worker died or hangs). */
const MAX_WAIT_MS = 120_000;

export interface SharedColumnList {
  /** [memo key, shared buffer], in first-request order. */
  readonly columns: [string, SharedArrayBuffer][];
  /** Column requests made by the combinations (repeats included). */
  readonly requests: number;
}

/**
 * The keyed columns `strategy.indicators` asks for over `params`, each with a shared buffer from `borrow` (at most
 * `maxColumns`; later keys are left to the workers' own memos). Stops after the first combination when it asks for
 * none (a strategy that does not use the memo). The strategy sees each listed key's buffer uncomputed and its result
 * is discarded: listing only learns the keys.
 */
export function listSharedColumns(strategy: AnyStrategy, frame: CandleFrame, params: readonly ParamValues[], maxColumns: number,
  borrow: () => Float64Array): SharedColumnList {
  const byKey = new Map<string, Float64Array>();
  const columns: [string, SharedArrayBuffer][] = [];
  let requests = 0;
  let spare: Float64Array | undefined;
  const memo: IndicatorMemo = {
    column(key) {
      requests++;
      let col = byKey.get(key);
      if (col === undefined) {
        if (columns.length >= maxColumns) return (spare ??= new Float64Array(frame.length));
        col = borrow();
        byKey.set(key, col);
        columns.push([key, col.buffer as SharedArrayBuffer]);
      }
      return col;
    },
  };
  for (let r = 0; r < params.length; r++) {
    strategy.indicators(frame, params[r], memo);
    if (r === 0 && requests === 0) break;
  }
  return { columns, requests };
}

/**
 * A worker's memo: listed keys through their claims (computed here at most once per sweep, by one worker), any
 * other key through `own` (this worker's private memo). `computedShared()` counts the listed columns this worker
 * computed.
 */
export function claimingMemo(frameLength: number, shared: readonly (readonly [string, SharedArrayBuffer])[], claims: SharedArrayBuffer,
  own: CountingMemo): IndicatorMemo & { computedShared: () => number } {
  const index = new Map<string, number>();
  const cols = shared.map(([k, b], i) => { index.set(k, i); return new Float64Array(b, 0, frameLength); });
  const state = new Int32Array(claims);
  const computing = new Set<number>();
  let computedShared = 0;
  return {
    column(key, compute) {
      const i = index.get(key);
      if (i === undefined) return own.column(key, compute);
      const col = cols[i];
      let waited: number | undefined;
      for (;;) {
        const s = Atomics.load(state, i);
        if (s === CLAIM_READY) return col;
        if (s === CLAIM_FREE && Atomics.compareExchange(state, i, CLAIM_FREE, CLAIM_BUSY) === CLAIM_FREE) {
          computing.add(i);
          try {
            const made = (compute as (out?: Float64Array) => Float64Array)(col);
            if (made !== col) {
              if (!(made instanceof Float64Array) || made.length !== frameLength) {
                throw usageError('BAD_INDICATORS', `indicator column '${key}' must be a Float64Array of ${frameLength} values (one per bar)`);
              }
              col.set(made);
            }
          } catch (e) {
            Atomics.store(state, i, CLAIM_FREE);
            Atomics.notify(state, i);
            throw e;
          } finally {
            computing.delete(i);
          }
          computedShared++;
          Atomics.store(state, i, CLAIM_READY);
          Atomics.notify(state, i);
          return col;
        }
        if (computing.has(i)) throw usageError('BAD_INDICATORS', `indicator column '${key}' asks for itself while it is being computed`);
        waited ??= performance.now();
        if (performance.now() - waited > MAX_WAIT_MS) throw new Error(`sweep worker: indicator column '${key}' was still being computed by another worker after ${MAX_WAIT_MS / 1000} s`);
        Atomics.wait(state, i, CLAIM_BUSY, 100);
      }
    },
    computedShared: () => computedShared,
  };
}
