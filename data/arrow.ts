/**
 * Candle frames to and from Apache Arrow tables. The table is single-chunk (one record batch) and its
 * Float64 columns are the frame's own buffers, so both directions are zero-copy for a single-chunk table
 * of Float64 columns without nulls. Labels (exchange, symbol, timeframe) travel in the schema metadata.
 */
import { Field, Float64, RecordBatch, Schema, Struct, Table, makeData, type Vector } from 'apache-arrow';
import { CANDLE_COLUMNS, makeFrame, usageError, type CandleColumn, type CandleFrame, type FrameLabels } from '../engine/index.ts';

const META = { exchange: 'tradelab.exchange', symbol: 'tradelab.symbol', timeframe: 'tradelab.timeframe' } as const;

/** A single-chunk Arrow table with Float64 columns ts, open, high, low, close, volume sharing the frame's memory. */
export function frameToArrow(frame: CandleFrame): Table {
  const fields = CANDLE_COLUMNS.map((c) => new Field(c, new Float64(), false));
  const metadata = new Map<string, string>([
    [META.exchange, frame.exchange], [META.symbol, frame.symbol], [META.timeframe, frame.timeframe],
  ]);
  const schema = new Schema(fields, metadata);
  const children = CANDLE_COLUMNS.map((c) => makeData({ type: new Float64(), length: frame.length, nullCount: 0, data: frame[c] }));
  const data = makeData({ type: new Struct(fields), length: frame.length, nullCount: 0, children });
  return new Table(schema, [new RecordBatch(schema, data)]);
}

/** Float64 view of a column: zero-copy for a single-chunk Float64 column without nulls; otherwise copied, nulls → NaN. */
function column(table: Table, name: CandleColumn): Float64Array {
  const v = table.getChild(name) as Vector | null;
  if (!v) {
    throw usageError('ARROW_COLUMN_MISSING', `the Arrow table has no '${name}' column; expected columns ${CANDLE_COLUMNS.join(', ')} (has ${table.schema.fields.map((f) => f.name).join(', ')})`);
  }
  if (v.nullCount === 0 && v.data.length === 1) {
    const arr = v.toArray() as unknown;
    if (arr instanceof Float64Array) return arr;
  }
  const out = new Float64Array(v.length);
  let i = 0;
  for (const x of v as Iterable<unknown>) {
    out[i++] = x == null ? NaN : Number(x as number | bigint);
  }
  return out;
}

/**
 * A candle frame over an Arrow table's columns. Labels come from `labels`, else the schema metadata written by
 * frameToArrow, else 'unknown' / ''.
 */
export function frameFromArrow(table: Table, labels?: Partial<FrameLabels>): CandleFrame {
  const md = table.schema.metadata;
  const l: FrameLabels = {
    exchange: labels?.exchange ?? md.get(META.exchange) ?? 'unknown',
    symbol: labels?.symbol ?? md.get(META.symbol) ?? 'unknown',
    timeframe: labels?.timeframe ?? md.get(META.timeframe) ?? '',
  };
  const cols = {} as Record<CandleColumn, Float64Array>;
  for (const c of CANDLE_COLUMNS) cols[c] = column(table, c);
  return makeFrame(l, cols);
}
