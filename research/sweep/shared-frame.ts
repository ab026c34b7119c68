/** Candle columns in shared memory (SharedArrayBuffer), so worker threads read them without a copy. */
import { CANDLE_COLUMNS, makeFrame, type CandleColumn, type CandleFrame } from '../../engine/index.ts';

export interface SharedFrame {
  readonly id: string;
  readonly labels: { exchange: string; symbol: string; timeframe: string };
  readonly cols: Record<CandleColumn, SharedArrayBuffer>;
}

let nextId = 0;

/** A Float64Array of `n` values over a new SharedArrayBuffer. */
export function sharedColumn(n: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(8 * n));
}

/** Copy a frame's columns into shared memory (once per sweep). Returns the shared descriptor and a frame over it. */
export function shareFrame(f: CandleFrame): { shared: SharedFrame; frame: CandleFrame } {
  const cols = {} as Record<CandleColumn, SharedArrayBuffer>;
  const views = {} as Record<CandleColumn, Float64Array>;
  for (const c of CANDLE_COLUMNS) {
    const v = sharedColumn(f.length);
    v.set(f[c]);
    cols[c] = v.buffer as SharedArrayBuffer;
    views[c] = v;
  }
  const labels = { exchange: f.exchange, symbol: f.symbol, timeframe: f.timeframe };
  return { shared: { id: `frame-${process.pid}-${nextId++}`, labels, cols }, frame: makeFrame(labels, views) };
}

/** The frame over shared columns (no copy). */
export function frameFromShared(s: SharedFrame): CandleFrame {
  const views = {} as Record<CandleColumn, Float64Array>;
  for (const c of CANDLE_COLUMNS) views[c] = new Float64Array(s.cols[c]);
  return makeFrame(s.labels, views);
}

const descriptors = new WeakMap<CandleFrame, SharedFrame>();

/** Like shareFrame, but remembers the result: sharing a frame that is already shared returns it unchanged. */
export function sharedFrameOf(f: CandleFrame): { shared: SharedFrame; frame: CandleFrame } {
  const known = descriptors.get(f);
  if (known) return { shared: known, frame: f };
  const s = shareFrame(f);
  descriptors.set(s.frame, s.shared);
  return s;
}

// Shared indicator columns are recomputed by every sweep, but their memory is reused: a fresh 4 MB column costs
// about a millisecond of page faults, as much as computing an SMA into it. Buffers come back after each sweep.
const freeColumns: SharedArrayBuffer[] = [];
let freeBytes = 0;
const MAX_FREE_BYTES = 512 * 2 ** 20;

/** A Float64Array of `n` values over shared memory, reused from an earlier sweep when one is free (contents undefined). */
export function borrowSharedColumn(n: number): Float64Array {
  const k = freeColumns.findIndex((b) => b.byteLength >= 8 * n && b.byteLength <= 16 * n);
  if (k >= 0) {
    const b = freeColumns.splice(k, 1)[0];
    freeBytes -= b.byteLength;
    return new Float64Array(b, 0, n);
  }
  return sharedColumn(n);
}

/** Give borrowed columns back (nothing may use them afterwards). */
export function returnSharedColumns(buffers: readonly SharedArrayBuffer[]): void {
  for (const b of buffers) {
    if (freeBytes + b.byteLength > MAX_FREE_BYTES) break;
    freeColumns.push(b);
    freeBytes += b.byteLength;
  }
}
