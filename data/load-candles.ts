/**
 * What a backtest loads: candles from a file or the cache, validated, cut to the requested range plus warm-up
 * bars, with the gap policy applied and a content hash so the result can be reproduced.
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { CANDLE_COLUMNS, lowerBound, sliceFrame, usageError, type CandleFrame } from '../engine/index.ts';
import { loadRange, seriesDir } from './cache/index.ts';
import { applyGapPolicy, type GapPolicy, type GapReport } from './gaps.ts';
import { importCandles } from './import/index.ts';
import { assertValid } from './validate.ts';

/** A file (labels optional: given ones win over what is inferred from the file name and its median step) or a cached series. */
export type CandleSource =
  | { file: string; exchange?: string; symbol?: string; timeframe?: string }
  | { cacheDir: string; exchange: string; symbol: string; timeframe: string };

export interface LoadRange {
  /** First measured candle's open time (epoch ms, inclusive). */
  from?: number;
  /** Last candle's open time (epoch ms, inclusive). */
  to?: number;
  /** Candles wanted before `from` for indicator warm-up. */
  warmupBars: number;
}

export interface LoadedCandles {
  frame: CandleFrame;
  /** Index of the first measured candle (the ones before it are warm-up). */
  startIndex: number;
  /** Gaps within the loaded frame (before any fill). */
  gaps: GapReport;
  /** Candles inserted by the `ffill` policy. */
  filled: number;
  source: { kind: 'file' | 'cache'; path: string; format?: string };
  /** sha256 (hex) over the bytes of ts, open, high, low, close, volume of the returned frame, in that order. */
  contentHash: string;
}

/** sha256 over the frame's column bytes (ts..volume), hex. */
export function frameHash(frame: CandleFrame): string {
  const h = createHash('sha256');
  for (const c of CANDLE_COLUMNS) {
    const a = frame[c];
    h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  }
  return h.digest('hex');
}

function checkRange(range: LoadRange): void {
  if (!Number.isInteger(range.warmupBars) || range.warmupBars < 0) throw usageError('BAD_WARMUP', `warmupBars must be a whole number >= 0, got ${range.warmupBars}`);
  if (range.from !== undefined && range.to !== undefined && range.to < range.from) {
    throw usageError('BAD_RANGE', `--to (${new Date(range.to).toISOString()}) is before --from (${new Date(range.from).toISOString()})`);
  }
}

/**
 * Load candles for a run. With `from`, the frame starts up to `warmupBars` candles before it and startIndex points
 * at the first candle at or after `from`; without it, startIndex = warmupBars clamped to the data. `to` includes
 * the candle opening at `to`. Invalid candles are a data error; gaps follow `gapPolicy`.
 */
export async function loadCandles(source: CandleSource, range: LoadRange, gapPolicy: GapPolicy): Promise<LoadedCandles> {
  checkRange(range);
  let frame: CandleFrame;
  let src: LoadedCandles['source'];
  if ('file' in source) {
    const path = resolve(source.file);
    const parsed = await importCandles(path, { exchange: source.exchange, symbol: source.symbol, timeframe: source.timeframe });
    assertValid(parsed.frame, path);
    const f = parsed.frame;
    const fromIdx = range.from === undefined ? 0 : lowerBound(f.ts, range.from);
    const endIdx = range.to === undefined ? f.length : lowerBound(f.ts, range.to + 1);
    frame = sliceFrame(f, range.from === undefined ? 0 : Math.max(0, fromIdx - range.warmupBars), Math.max(endIdx, fromIdx));
    src = { kind: 'file', path, format: parsed.format };
  } else {
    frame = await loadRange(source.cacheDir, { exchange: source.exchange, symbol: source.symbol, timeframe: source.timeframe, from: range.from, to: range.to, warmupBars: range.warmupBars });
    src = { kind: 'cache', path: seriesDir(source.cacheDir, source) };
  }
  const applied = applyGapPolicy(frame, gapPolicy);
  frame = applied.frame;
  const startIndex = range.from === undefined ? Math.min(range.warmupBars, frame.length) : lowerBound(frame.ts, range.from);
  return { frame, startIndex, gaps: applied.gaps, filled: applied.filled, source: src, contentHash: frameHash(frame) };
}
