/**
 * One entry point for candle files: detects the layout (JSON: ohlcv rows, records, pandas columns; or CSV),
 * parses it into a CandleFrame and resolves labels (given → file name → median step). Parsing does not
 * validate candles (see data/validate.ts) so callers decide what to do with invalid rows; a file that
 * cannot be read as candles at all is a usage error naming the file, the row or line, and what is expected.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { makeFrame, usageError, type CandleFrame, type FrameLabels } from '../../engine/index.ts';
import { parseCsvCandles } from './parse-csv.ts';
import { parseJsonCandles, type JsonFormat } from './parse-json.ts';
import { resolveLabels } from './labels.ts';

export type CandleFileFormat = JsonFormat | 'csv';

export interface ParsedCandles {
  frame: CandleFrame;
  format: CandleFileFormat;
}

export interface ParseOptions {
  /** Name used in error messages and for label inference (a path or file name). */
  name?: string;
  labels?: Partial<FrameLabels>;
}

/** Parse candle text in any supported layout (pure: no I/O). */
export function parseCandles(text: string, opts: ParseOptions = {}): ParsedCandles {
  const name = opts.name ?? '<input>';
  const head = text.trimStart().replace(/^\uFEFF/, '');
  let columns, format: CandleFileFormat;
  if (head.startsWith('[') || head.startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(head);
    } catch (e) {
      throw usageError('BAD_CANDLE_FILE', `${name}: not valid JSON (${(e as Error).message}); expected freqtrade/ccxt candle JSON [[ts, open, high, low, close, volume], ...] or pandas to_json columns`, { file: name });
    }
    ({ columns, format } = parseJsonCandles(name, value));
  } else {
    columns = parseCsvCandles(name, text);
    format = 'csv';
  }
  const labels = resolveLabels(name, columns.ts, opts.labels);
  return { frame: makeFrame(labels, columns), format };
}

/** Read and parse a candle file. A missing file or a directory is a usage error naming the path. */
export async function importCandles(path: string, labels?: Partial<FrameLabels>): Promise<ParsedCandles> {
  const abs = resolve(path);
  let text: string;
  try {
    const st = await stat(abs);
    if (!st.isFile()) throw usageError('CANDLE_FILE_NOT_FOUND', `${abs} is not a file; expected a candle file (.json or .csv)`, { file: abs });
    text = await readFile(abs, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw usageError('CANDLE_FILE_NOT_FOUND', `candle file not found: ${abs}`, { file: abs });
    }
    throw e;
  }
  return parseCandles(text, { name: abs, labels });
}
