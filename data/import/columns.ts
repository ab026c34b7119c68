// Six parallel Float64 columns being filled by a parser.
import type { CandleColumn } from '../../engine/index.ts';

export type Columns = Record<CandleColumn, Float64Array>;

export function emptyColumns(n: number): Columns {
  return {
    ts: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n),
    low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n),
  };
}

/** The first `n` rows of each column (views, no copy). */
export function truncateColumns(c: Columns, n: number): Columns {
  return {
    ts: c.ts.subarray(0, n), open: c.open.subarray(0, n), high: c.high.subarray(0, n),
    low: c.low.subarray(0, n), close: c.close.subarray(0, n), volume: c.volume.subarray(0, n),
  };
}
