/**
 * The candle cache: Parquet files per (exchange, symbol, timeframe, UTC year), read and written through DuckDB.
 * Writes are idempotent: rows are keyed by their open time, a newer row replaces a cached row with the same
 * timestamp, and nothing is ever duplicated. Each year file is written to a temporary file and renamed, so a
 * crash leaves either the old or the new file, never a torn one. Loads read DOUBLE columns straight from
 * DuckDB's chunk vectors into Float64Arrays (no row objects).
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DOUBLE, DuckDBDataChunk, type DuckDBConnection, type DuckDBDoubleVector } from '@duckdb/node-api';
import { CANDLE_COLUMNS, closeMatches, makeFrame, timeframeMs, usageError, type CandleFrame } from '../../engine/index.ts';
import { assertValid } from '../validate.ts';
import { isoTs, type GapReport } from '../gaps.ts';
import { lit, withConnection } from './duck.ts';
import { seriesDir, yearFile, yearOf, yearStart, type SeriesKey } from './paths.ts';

export interface WriteResult {
  /** Rows offered. */
  rows: number;
  /** Rows whose timestamp was not cached before. */
  added: number;
  /** Rows that replaced a cached row with different values. */
  changed: number;
  /** Rows identical to what was cached. */
  unchanged: number;
  /** Year files rewritten. */
  years: number[];
}

export interface RangeQuery extends SeriesKey {
  /** First candle open time to include (epoch ms), inclusive. */
  from?: number;
  /** Last candle open time to include (epoch ms), inclusive. */
  to?: number;
  /** Also return up to this many candles before `from`. */
  warmupBars?: number;
  /** Validate the loaded candles (default true: invalid candles are a data error). `data verify` turns it off to report instead. */
  validate?: boolean;
}

export interface CoverageRange {
  fromTs: number;
  toTs: number;
  from: string;
  to: string;
  bars: number;
}

export interface SeriesCoverage extends SeriesKey {
  dir: string;
  /** Contiguous runs of candles, oldest first. */
  ranges: CoverageRange[];
  bars: number;
  fromTs: number;
  toTs: number;
  /** ISO forms of fromTs / toTs ('' when nothing is cached). */
  from: string;
  to: string;
  /** Gaps between the runs, and the candles they miss. */
  gaps: number;
  missingBars: number;
}

const COLS = 'ts, open, high, low, close, volume';
const CHUNK = 2048;
let tableSeq = 0;

const doubles = (v: unknown): Float64Array => (v as { items: Float64Array }).items;

async function yearFiles(dir: string): Promise<{ year: number; path: string }[]> {
  let names: string[];
  try { names = await readdir(dir); } catch { return []; }
  return names.filter((n) => /^\d{4}\.parquet$/.test(n)).map((n) => ({ year: Number(n.slice(0, 4)), path: join(dir, n) })).sort((a, b) => a.year - b.year);
}

/** Copy a frame into a fresh table through data chunks (column-wise, no per-value calls). */
async function stageFrame(conn: DuckDBConnection, frame: CandleFrame): Promise<string> {
  const table = `staged_${process.pid}_${++tableSeq}`;
  await conn.run(`CREATE TABLE ${table} (ts DOUBLE, open DOUBLE, high DOUBLE, low DOUBLE, close DOUBLE, volume DOUBLE)`);
  const app = await conn.createAppender(table);
  const types = CANDLE_COLUMNS.map(() => DOUBLE);
  for (let off = 0; off < frame.length; off += CHUNK) {
    const m = Math.min(CHUNK, frame.length - off);
    const chunk = DuckDBDataChunk.create(types, m);
    CANDLE_COLUMNS.forEach((c, k) => {
      const v = chunk.getColumnVector(k) as DuckDBDoubleVector;
      doubles(v).set(frame[c].subarray(off, off + m));
      v.flush();
    });
    app.appendDataChunk(chunk);
  }
  app.flushSync();
  app.closeSync();
  return table;
}

async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  await writeFile(tmp, JSON.stringify(value, null, 2) + '\n');
  await rename(tmp, path);
}

/**
 * Merge a frame into the cache (idempotent; newer rows win). The frame must be valid (sorted, unique, finite,
 * consistent OHLC): invalid candles are a data error and nothing is written.
 */
export async function writeCandles(cacheDir: string, frame: CandleFrame): Promise<WriteResult> {
  const key: SeriesKey = { exchange: frame.exchange, symbol: frame.symbol, timeframe: frame.timeframe };
  const dir = seriesDir(cacheDir, key);
  const result: WriteResult = { rows: frame.length, added: 0, changed: 0, unchanged: 0, years: [] };
  if (frame.length === 0) return result;
  assertValid(frame, `${key.exchange} ${key.symbol} ${key.timeframe} (not written to the cache)`);
  await mkdir(dir, { recursive: true });
  if (!existsSync(join(dir, 'series.json'))) await writeJsonAtomic(join(dir, 'series.json'), key);
  const first = yearOf(frame.ts[0]), last = yearOf(frame.ts[frame.length - 1]);
  await withConnection(async (conn) => {
    const staged = await stageFrame(conn, frame);
    try {
      for (let y = first; y <= last; y++) {
        const lo = yearStart(y), hi = yearStart(y + 1);
        const target = yearFile(dir, y);
        const inYear = `FROM ${staged} n WHERE n.ts >= ${lo} AND n.ts < ${hi}`;
        const old = existsSync(target);
        let counts: [number, number, number];
        if (old) {
          const r = await conn.run(`SELECT count(*) FILTER (WHERE o.ts IS NULL),
              count(*) FILTER (WHERE o.ts IS NOT NULL AND (o.open IS DISTINCT FROM n.open OR o.high IS DISTINCT FROM n.high OR o.low IS DISTINCT FROM n.low OR o.close IS DISTINCT FROM n.close OR o.volume IS DISTINCT FROM n.volume)),
              count(*)
            FROM ${staged} n LEFT JOIN read_parquet(${lit(target)}) o ON o.ts = CAST(n.ts AS BIGINT) WHERE n.ts >= ${lo} AND n.ts < ${hi}`);
          const row = (await r.getRows())[0];
          counts = [Number(row[0]), Number(row[1]), Number(row[2])];
        } else {
          const r = await conn.run(`SELECT count(*) ${inYear}`);
          const c = Number((await r.getRows())[0][0]);
          counts = [c, 0, c];
        }
        if (counts[2] === 0) continue;
        result.added += counts[0];
        result.changed += counts[1];
        result.unchanged += counts[2] - counts[0] - counts[1];
        if (old && counts[0] === 0 && counts[1] === 0) continue; // nothing new: leave the file alone
        const fresh = `SELECT CAST(ts AS BIGINT) AS ts, open, high, low, close, volume, 1 AS src ${inYear}`;
        const merged = old
          ? `SELECT ${COLS} FROM (SELECT *, row_number() OVER (PARTITION BY ts ORDER BY src DESC) AS rn FROM (
               SELECT ${COLS}, 0 AS src FROM read_parquet(${lit(target)}) UNION ALL ${fresh})) WHERE rn = 1 ORDER BY ts`
          : `SELECT ${COLS} FROM (${fresh}) ORDER BY ts`;
        const tmp = `${target}.tmp-${process.pid}-${Date.now()}`;
        try {
          await conn.run(`COPY (${merged}) TO ${lit(tmp)} (FORMAT parquet, COMPRESSION snappy)`);
          await rename(tmp, target);
        } catch (e) {
          await rm(tmp, { force: true });
          throw e;
        }
        result.years.push(y);
      }
    } finally {
      await conn.run(`DROP TABLE IF EXISTS ${staged}`);
    }
  });
  return result;
}

/** Every series in the cache (folders with a series.json). */
export async function listSeriesKeys(cacheDir: string): Promise<SeriesKey[]> {
  const root = join(cacheDir, 'candles');
  const out: SeriesKey[] = [];
  const sub = async (d: string) => { try { return (await readdir(d, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name); } catch { return []; } };
  for (const ex of await sub(root)) {
    for (const sym of await sub(join(root, ex))) {
      for (const tf of await sub(join(root, ex, sym))) {
        try {
          const k = JSON.parse(await readFile(join(root, ex, sym, tf, 'series.json'), 'utf8')) as SeriesKey;
          out.push({ exchange: k.exchange, symbol: k.symbol, timeframe: k.timeframe });
        } catch { /* not a series folder */ }
      }
    }
  }
  return out.sort((a, b) => a.exchange.localeCompare(b.exchange) || a.symbol.localeCompare(b.symbol) || timeframeMs(a.timeframe) - timeframeMs(b.timeframe));
}

/** Contiguous runs of cached candles for one series (empty when nothing is cached). */
export async function coverage(cacheDir: string, key: SeriesKey): Promise<SeriesCoverage> {
  const dir = seriesDir(cacheDir, key);
  const step = timeframeMs(key.timeframe);
  const files = await yearFiles(dir);
  const base: SeriesCoverage = { ...pickKey(key), dir, ranges: [], bars: 0, fromTs: NaN, toTs: NaN, from: '', to: '', gaps: 0, missingBars: 0 };
  if (files.length === 0) return base;
  const rows = await withConnection(async (conn) => {
    const r = await conn.run(`SELECT CAST(min(ts) AS DOUBLE), CAST(max(ts) AS DOUBLE), count(*) FROM (
        SELECT ts, ts - row_number() OVER (ORDER BY ts) * ${step} AS grp FROM read_parquet([${files.map((f) => lit(f.path)).join(', ')}]))
      GROUP BY grp ORDER BY 1`);
    return r.getRows();
  });
  const ranges = rows.map((r) => {
    const fromTs = Number(r[0]), toTs = Number(r[1]);
    return { fromTs, toTs, from: isoTs(fromTs), to: isoTs(toTs), bars: Number(r[2]) };
  });
  const bars = ranges.reduce((s, r) => s + r.bars, 0);
  const fromTs = ranges[0].fromTs, toTs = ranges[ranges.length - 1].toTs;
  return { ...base, ranges, bars, fromTs, toTs, from: isoTs(fromTs), to: isoTs(toTs), gaps: ranges.length - 1, missingBars: Math.round((toTs - fromTs) / step) + 1 - bars };
}

/** The gaps between a series' coverage runs, as a GapReport. */
export function coverageGaps(cov: SeriesCoverage): GapReport {
  const step = timeframeMs(cov.timeframe);
  const gaps = cov.ranges.slice(1).map((r, i) => {
    const fromTs = cov.ranges[i].toTs + step;
    return { from: isoTs(fromTs), fromTs, missing: Math.round((r.fromTs - fromTs) / step) };
  });
  return { count: gaps.length, missingBars: gaps.reduce((s, g) => s + g.missing, 0), gaps };
}

/** Coverage of every cached series. */
export async function listCoverage(cacheDir: string): Promise<SeriesCoverage[]> {
  const out: SeriesCoverage[] = [];
  for (const k of await listSeriesKeys(cacheDir)) out.push(await coverage(cacheDir, k));
  return out;
}

const pickKey = (k: SeriesKey): SeriesKey => ({ exchange: k.exchange, symbol: k.symbol, timeframe: k.timeframe });

/**
 * Load cached candles in [from, to] (inclusive, epoch ms), plus up to `warmupBars` candles before `from`.
 * The frame is validated (a data error on invalid candles). A series with no cached data is a usage error
 * that names what the cache does hold.
 */
export async function loadRange(cacheDir: string, q: RangeQuery): Promise<CandleFrame> {
  const key = pickKey(q);
  const dir = seriesDir(cacheDir, key);
  const step = timeframeMs(key.timeframe);
  let files = await yearFiles(dir);
  if (files.length === 0) {
    const have = (await listSeriesKeys(cacheDir)).map((k) => `${k.exchange} ${k.symbol} ${k.timeframe}`);
    const near = closeMatches(`${key.exchange} ${key.symbol} ${key.timeframe}`, have);
    throw usageError('NOT_IN_CACHE', `no cached candles for ${key.exchange} ${key.symbol} ${key.timeframe} in ${cacheDir}; `
      + (have.length ? `cached: ${(near.length ? near : have.slice(0, 10)).join(', ')}` : 'the cache is empty')
      + `. Fetch them with 'tradelab fetch' or add a file with 'tradelab data import'.`, { cacheDir, ...key });
  }
  const warm = Math.max(0, Math.floor(q.warmupBars ?? 0));
  if (q.to !== undefined) files = files.filter((f) => f.year <= yearOf(q.to!));
  if (q.from !== undefined) {
    const earliest = warm > 0 ? yearOf(q.from - warm * step) - 1 : yearOf(q.from);
    files = files.filter((f) => f.year >= earliest);
  }
  if (files.length === 0) return makeFrame(key, emptyCols(0));
  const src = `read_parquet([${files.map((f) => lit(f.path)).join(', ')}])`;
  const sel = `SELECT CAST(ts AS DOUBLE) AS ts, open, high, low, close, volume FROM ${src}`;
  const upper = q.to !== undefined ? ` AND ts <= ${Math.floor(q.to)}` : '';
  // Each year file is sorted and the files are listed in year order; DuckDB preserves that order for a plain
  // scan (preserve_insertion_order, on by default), so no sort is needed. Validation below re-checks it.
  let sql: string;
  if (q.from === undefined) {
    sql = `${sel} WHERE TRUE${upper}`;
  } else if (warm === 0) {
    sql = `${sel} WHERE ts >= ${Math.ceil(q.from)}${upper}`;
  } else {
    sql = `SELECT * FROM ((${sel} WHERE ts < ${Math.ceil(q.from)} ORDER BY ts DESC LIMIT ${warm}) UNION ALL (${sel} WHERE ts >= ${Math.ceil(q.from)}${upper})) ORDER BY ts`;
  }
  const frame = await withConnection(async (conn) => {
    // The files' row count (Parquet metadata, no scan) bounds the result: allocate the columns once and copy each
    // chunk's DOUBLE vector straight into them (chunk memory is DuckDB's and is reused), with no per-chunk arrays.
    const meta = await conn.runAndReadAll(`SELECT CAST(coalesce(sum(num_rows), 0) AS DOUBLE) FROM parquet_file_metadata([${files.map((f) => lit(f.path)).join(', ')}])`);
    let cols = emptyCols(Number(meta.getRows()[0][0]));
    const res = await conn.run(sql);
    let n = 0;
    for (;;) {
      const chunk = await res.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const m = chunk.rowCount;
      if (n + m > cols.ts.length) cols = growCols(cols, n, Math.max(2 * cols.ts.length, n + m)); // files changed meanwhile
      for (let k = 0; k < 6; k++) cols[CANDLE_COLUMNS[k]].set(doubles(chunk.getColumnVector(k)).subarray(0, m), n);
      n += m;
    }
    if (n !== cols.ts.length) cols = growCols(cols, n, n); // a range query: exact-size columns
    return makeFrame(key, cols);
  });
  if (q.validate !== false) assertValid(frame, `the cache (${dir})`);
  return frame;
}

/** Columns of length `size` holding the first `n` rows of `cols`. */
function growCols(cols: Record<(typeof CANDLE_COLUMNS)[number], Float64Array>, n: number, size: number): Record<(typeof CANDLE_COLUMNS)[number], Float64Array> {
  const out = emptyCols(size);
  for (const c of CANDLE_COLUMNS) out[c].set(cols[c].subarray(0, n));
  return out;
}

function emptyCols(n: number): Record<(typeof CANDLE_COLUMNS)[number], Float64Array> {
  return { ts: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
}
