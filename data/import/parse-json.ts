/**
 * JSON candle layouts:
 * - `ohlcv-json`: an array of rows `[ts, open, high, low, close, volume, ...]`: freqtrade candle files and
 *   ccxt `fetchOHLCV` output (also raw Binance klines: extra columns are ignored, numeric strings accepted).
 * - `records-json`: an array of objects `{date|timestamp|time|ts|open_time, open, high, low, close, volume}`
 *   (pandas `to_json(orient='records')`).
 * - `pandas-columns-json`: an object of columns, each an object keyed by row number (pandas `to_json()`,
 *   e.g. freqtrade's orderflow/candles.json) or an array.
 * A null volume (mark-price candles) becomes NaN, which validation then reports.
 */
import { usageError } from '../../engine/index.ts';
import { parseTimestamp } from './timestamps.ts';
import { emptyColumns, type Columns } from './columns.ts';

export type JsonFormat = 'ohlcv-json' | 'records-json' | 'pandas-columns-json';

const TIME_KEYS = ['date', 'datetime', 'time', 'timestamp', 'open_time', 'opentime', 'ts'];
const EXPECTED = 'an array of [timestamp, open, high, low, close, volume] rows, an array of {date, open, high, low, close, volume} objects, or pandas to_json columns {"date": {...}, "open": {...}, ...}';

const num = (v: unknown): number => {
  if (typeof v === 'number') return v;
  if (v === null || v === undefined) return NaN;
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  return NaN;
};

function bad(name: string, where: string, what: string): never {
  throw usageError('BAD_CANDLE_FILE', `${name}: ${where}: ${what}`, { file: name });
}

function fromRows(name: string, rows: unknown[]): Columns {
  const c = emptyColumns(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (!Array.isArray(r) || r.length < 6) {
      bad(name, `row ${i + 1}`, `expected [timestamp, open, high, low, close, volume], got ${JSON.stringify(r)?.slice(0, 80)}`);
    }
    const t = parseTimestamp(r[0]);
    if (Number.isNaN(t)) bad(name, `row ${i + 1}`, `expected a timestamp (epoch s/ms or ISO date) in the first column, got ${JSON.stringify(r[0])}`);
    c.ts[i] = t;
    c.open[i] = num(r[1]); c.high[i] = num(r[2]); c.low[i] = num(r[3]); c.close[i] = num(r[4]); c.volume[i] = num(r[5]);
    for (let k = 1; k <= 4; k++) {
      if (typeof r[k] !== 'number' && !(typeof r[k] === 'string' && !Number.isNaN(Number(r[k])))) {
        bad(name, `row ${i + 1}`, `expected a number for ${['', 'open', 'high', 'low', 'close'][k]}, got ${JSON.stringify(r[k])}`);
      }
    }
  }
  return c;
}

function keyMap(keys: string[]): Record<'time' | 'open' | 'high' | 'low' | 'close' | 'volume', string | undefined> {
  const lower = new Map(keys.map((k) => [k.toLowerCase(), k]));
  const find = (names: string[]) => names.map((n) => lower.get(n)).find((k) => k !== undefined);
  return {
    time: find(TIME_KEYS), open: find(['open', 'o']), high: find(['high', 'h']), low: find(['low', 'l']),
    close: find(['close', 'c']), volume: find(['volume', 'vol', 'v']),
  };
}

function requireKeys(name: string, where: string, km: ReturnType<typeof keyMap>, have: string[]): Required<{ [K in keyof typeof km]: string }> {
  const missing = (Object.keys(km) as (keyof typeof km)[]).filter((k) => km[k] === undefined);
  if (missing.length) {
    bad(name, where, `missing ${missing.map((m) => (m === 'time' ? `a time field (${TIME_KEYS.join('/')})` : m)).join(', ')}; found ${have.join(', ') || 'nothing'}`);
  }
  return km as Required<{ [K in keyof typeof km]: string }>;
}

function fromRecords(name: string, rows: unknown[]): Columns {
  const c = emptyColumns(rows.length);
  let km: ReturnType<typeof requireKeys> | undefined;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (r === null || typeof r !== 'object' || Array.isArray(r)) bad(name, `row ${i + 1}`, `expected an object like {date, open, high, low, close, volume}, got ${JSON.stringify(r)?.slice(0, 80)}`);
    const o = r as Record<string, unknown>;
    km ??= requireKeys(name, `row ${i + 1}`, keyMap(Object.keys(o)), Object.keys(o));
    const t = parseTimestamp(o[km.time]);
    if (Number.isNaN(t)) bad(name, `row ${i + 1}`, `expected a timestamp in '${km.time}', got ${JSON.stringify(o[km.time])}`);
    c.ts[i] = t;
    c.open[i] = num(o[km.open]); c.high[i] = num(o[km.high]); c.low[i] = num(o[km.low]); c.close[i] = num(o[km.close]); c.volume[i] = num(o[km.volume]);
  }
  return c;
}

function fromColumns(name: string, obj: Record<string, unknown>): Columns {
  const keys = Object.keys(obj);
  const km = requireKeys(name, 'top level', keyMap(keys), keys);
  const asArray = (k: string): unknown[] => {
    const v = obj[k];
    if (Array.isArray(v)) return v;
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const idx = Object.keys(o);
      const out = new Array<unknown>(idx.length);
      for (let j = 0; j < idx.length; j++) {
        const p = Number(idx[j]);
        if (!Number.isInteger(p) || p < 0 || p >= idx.length) bad(name, `column '${k}'`, `expected row numbers 0..${idx.length - 1} as keys, got '${idx[j]}'`);
        out[p] = o[idx[j]];
      }
      return out;
    }
    return bad(name, `column '${k}'`, 'expected an object keyed by row number or an array');
  };
  const time = asArray(km.time);
  const cols = [asArray(km.open), asArray(km.high), asArray(km.low), asArray(km.close), asArray(km.volume)];
  const n = time.length;
  for (const [j, col] of cols.entries()) {
    if (col.length !== n) bad(name, `column '${[km.open, km.high, km.low, km.close, km.volume][j]}'`, `expected ${n} rows like '${km.time}', got ${col.length}`);
  }
  const c = emptyColumns(n);
  for (let i = 0; i < n; i++) {
    const t = parseTimestamp(time[i]);
    if (Number.isNaN(t)) bad(name, `row ${i + 1}`, `expected a timestamp in '${km.time}', got ${JSON.stringify(time[i])}`);
    c.ts[i] = t;
    c.open[i] = num(cols[0][i]); c.high[i] = num(cols[1][i]); c.low[i] = num(cols[2][i]); c.close[i] = num(cols[3][i]); c.volume[i] = num(cols[4][i]);
  }
  return c;
}

/** Parse an already-decoded JSON value in any of the layouts above. */
export function parseJsonCandles(name: string, value: unknown): { columns: Columns; format: JsonFormat } {
  if (Array.isArray(value)) {
    if (value.length === 0 || Array.isArray(value[0])) return { columns: fromRows(name, value), format: 'ohlcv-json' };
    if (value[0] !== null && typeof value[0] === 'object') return { columns: fromRecords(name, value), format: 'records-json' };
    return bad(name, 'row 1', `expected ${EXPECTED}; got ${JSON.stringify(value[0])?.slice(0, 80)}`);
  }
  if (value !== null && typeof value === 'object') return { columns: fromColumns(name, value as Record<string, unknown>), format: 'pandas-columns-json' };
  return bad(name, 'top level', `expected ${EXPECTED}`);
}
