/**
 * CSV candles. The header names a time column (date, datetime, time, timestamp, open_time, ts, unix: any case)
 * or leaves the first column unnamed (pandas `to_csv` with a date index: `,Open,High,Low,Close,Volume`), plus
 * open, high, low, close, volume (any case; `vol` accepted). Without a header, the first six columns are
 * `timestamp, open, high, low, close, volume` (Binance kline dumps). Separators: comma, semicolon or tab.
 * Times: epoch seconds/milliseconds/microseconds (by magnitude) or ISO dates; a date without a zone is UTC.
 */
import { usageError } from '../../engine/index.ts';
import { parseTimestamp } from './timestamps.ts';
import { emptyColumns, truncateColumns, type Columns } from './columns.ts';

const TIME_NAMES = ['date', 'datetime', 'time', 'timestamp', 'open_time', 'opentime', 'open time', 'ts', 'unix', 'time_open', 'timeopen', 'date_time'];

function bad(name: string, line: number, what: string): never {
  throw usageError('BAD_CANDLE_FILE', `${name}: line ${line}: ${what}`, { file: name, line });
}

const unquote = (s: string) => {
  const t = s.trim();
  return t.length >= 2 && t[0] === '"' && t[t.length - 1] === '"' ? t.slice(1, -1).trim() : t;
};

export function parseCsvCandles(name: string, text: string): Columns {
  const lines = text.split(/\r?\n/);
  let first = 0;
  while (first < lines.length && lines[first].trim() === '') first++;
  if (first >= lines.length) bad(name, 1, 'the file is empty; expected a header such as date,open,high,low,close,volume and one candle per line');
  const headerLine = lines[first].replace(/^\uFEFF/, '');
  const sep = [',', ';', '\t'].reduce((a, b) => (headerLine.split(b).length > headerLine.split(a).length ? b : a));
  const head = headerLine.split(sep).map((h) => unquote(h).toLowerCase());
  const headerless = head.length >= 6 && head.slice(0, 6).every((h) => h !== '' && !Number.isNaN(Number(h)));
  let idx: number[];
  if (headerless) {
    idx = [0, 1, 2, 3, 4, 5];
  } else {
    const find = (names: string[]) => head.findIndex((h) => names.includes(h));
    let t = find(TIME_NAMES);
    if (t < 0 && head[0] === '') t = 0;
    const cols = [t, find(['open', 'o']), find(['high', 'h']), find(['low', 'l']), find(['close', 'c']), find(['volume', 'vol', 'v'])];
    const names = ['a time column (date, datetime, time, timestamp, open_time, or an unnamed first column)', 'open', 'high', 'low', 'close', 'volume'];
    const missing = names.filter((_, k) => cols[k] < 0);
    if (missing.length) bad(name, first + 1, `header is missing ${missing.join(', ')}; found ${head.map((h) => h || '(unnamed)').join(', ')}`);
    idx = cols;
    first++;
  }
  const c = emptyColumns(lines.length - first);
  let n = 0;
  const width = Math.max(...idx) + 1;
  for (let li = first; li < lines.length; li++) {
    const line = lines[li];
    if (line.trim() === '') continue;
    const f = line.split(sep);
    if (f.length < width) bad(name, li + 1, `expected at least ${width} fields separated by '${sep === '\t' ? '\\t' : sep}', got ${f.length}: ${line.slice(0, 80)}`);
    const t = parseTimestamp(unquote(f[idx[0]]));
    if (Number.isNaN(t)) bad(name, li + 1, `expected a date (ISO, e.g. 2021-01-01 00:00:00) or an epoch timestamp, got '${f[idx[0]].trim()}'`);
    c.ts[n] = t;
    for (let k = 1; k < 6; k++) {
      const s = unquote(f[idx[k]]);
      const v = s === '' ? NaN : Number(s);
      if (Number.isNaN(v) && (k < 5 || s !== '')) bad(name, li + 1, `expected a number for ${['', 'open', 'high', 'low', 'close', 'volume'][k]}, got '${s}'`);
      c[(['ts', 'open', 'high', 'low', 'close', 'volume'] as const)[k]][n] = v;
    }
    n++;
  }
  return truncateColumns(c, n);
}
