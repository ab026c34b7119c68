/**
 * A candle frame: typed-array columns with their labels beside them (CONVENTIONS §4).
 * `ts` is the candle's OPEN time in UTC epoch milliseconds. Prices are in the quote currency, volume in the base.
 */
export interface CandleFrame {
  readonly exchange: string;
  readonly symbol: string;
  readonly timeframe: string;
  readonly length: number;
  readonly ts: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

export const CANDLE_COLUMNS = ['ts', 'open', 'high', 'low', 'close', 'volume'] as const;
export type CandleColumn = (typeof CANDLE_COLUMNS)[number];

export interface FrameLabels {
  exchange: string;
  symbol: string;
  timeframe: string;
}

/** Build a frame from columns of equal length (no copy). */
export function makeFrame(labels: FrameLabels, cols: Record<CandleColumn, Float64Array>): CandleFrame {
  const n = cols.ts.length;
  for (const c of CANDLE_COLUMNS) {
    if (cols[c].length !== n) throw new RangeError(`column ${c} has ${cols[c].length} rows, ts has ${n}`);
  }
  return { ...labels, length: n, ts: cols.ts, open: cols.open, high: cols.high, low: cols.low, close: cols.close, volume: cols.volume };
}

/** Rows [start, end) as a new frame that shares memory with the original (subarray views). */
export function sliceFrame(f: CandleFrame, start: number, end = f.length): CandleFrame {
  const s = Math.max(0, start), e = Math.min(f.length, end);
  return {
    exchange: f.exchange, symbol: f.symbol, timeframe: f.timeframe, length: Math.max(0, e - s),
    ts: f.ts.subarray(s, e), open: f.open.subarray(s, e), high: f.high.subarray(s, e),
    low: f.low.subarray(s, e), close: f.close.subarray(s, e), volume: f.volume.subarray(s, e),
  };
}

/** Build a frame from ccxt-style rows `[ts, o, h, l, c, v]`. */
export function frameFromRows(labels: FrameLabels, rows: ArrayLike<ArrayLike<number | null>>): CandleFrame {
  const n = rows.length;
  const ts = new Float64Array(n), open = new Float64Array(n), high = new Float64Array(n);
  const low = new Float64Array(n), close = new Float64Array(n), volume = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    ts[i] = Number(r[0]); open[i] = Number(r[1]); high[i] = Number(r[2]);
    low[i] = Number(r[3]); close[i] = Number(r[4]); volume[i] = r[5] == null ? NaN : Number(r[5]);
  }
  return makeFrame(labels, { ts, open, high, low, close, volume });
}

/** Index of the first row with ts >= t (binary search; ts sorted ascending). */
export function lowerBound(ts: Float64Array, t: number): number {
  let lo = 0, hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid] < t) lo = mid + 1; else hi = mid;
  }
  return lo;
}
