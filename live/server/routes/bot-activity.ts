/**
 * What a bot page shows besides the store's rows: the recent lines of the bot's log (<home>/logs/<bot-id>.jsonl, the
 * history behind the `log.line` websocket events) and the candles it has stepped through (its replay file or the
 * candle cache, up to its cursor), for the price chart of the grid view. Read-only, viewer.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { lowerBound, type CandleFrame } from '../../../engine/frame.ts';
import { TradelabError } from '../../../engine/errors.ts';
import { loadCandles, type CandleSource } from '../../../data/load-candles.ts';
import { seriesDir } from '../../../data/cache/paths.ts';
import { Id, responses } from '../schemas.ts';
import type { ServerContext } from '../context.ts';

const IdParams = Type.Object({ id: Id });
const LogsQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 2000, default: 200 })) }, { additionalProperties: false });
const LogLine = Type.Object({ ts: Type.Union([Type.Number(), Type.Null()]), event: Type.String(), text: Type.String() });
const CandlesQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, default: 500 })) }, { additionalProperties: false });
const Candles = Type.Object({
  botId: Type.String(), symbol: Type.String(), timeframe: Type.String(),
  /** The last bar the bot stepped (its open time), null before its first bar. */
  cursor: Type.Union([Type.Number(), Type.Null()]),
  /** Where the candles come from, or why there are none. */
  source: Type.String(),
  ts: Type.Array(Type.Number()), open: Type.Array(Type.Number()), high: Type.Array(Type.Number()), low: Type.Array(Type.Number()), close: Type.Array(Type.Number()),
});

/** Longest log line returned (the websocket's log.line events are cut the same way). */
const MAX_LINE = 500;
/** Bytes read from the end of a log file: enough for 2000 lines of a few hundred bytes. */
const TAIL_BYTES = 1 << 20;

/** The last `limit` lines of a JSONL log file, oldest first, as {ts, event, text}. */
export function tailLog(file: string, limit: number): { ts: number | null; event: string; text: string }[] {
  if (!existsSync(file)) return [];
  const fd = openSync(file, 'r');
  let text: string;
  try {
    const size = fstatSync(fd).size;
    const start = Math.max(0, size - TAIL_BYTES);
    const buf = Buffer.alloc(size - start);
    readSync(fd, buf, 0, buf.length, start);
    text = buf.toString('utf8');
    if (start > 0) text = text.slice(text.indexOf('\n') + 1); // the first line may be cut
  } finally {
    closeSync(fd);
  }
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return lines.slice(-limit).map((l) => {
    let ts: number | null = null;
    let event = 'log';
    try {
      const o = JSON.parse(l) as { ts?: unknown; event?: unknown };
      if (typeof o.ts === 'number') ts = o.ts;
      if (typeof o.event === 'string') event = o.event;
    } catch { /* a line that is not JSON is shown as it is */ }
    return { ts, event, text: l.length > MAX_LINE ? `${l.slice(0, MAX_LINE - 3)}...` : l };
  });
}

interface CachedFrame { key: string; mtime: number; frame: CandleFrame }

export function botActivityRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { store } = ctx.deps;
  const paths = () => ctx.deps.config.config.paths;
  // The last few frames loaded (a bot page asks again as the bot runs): keyed by source and range, checked by mtime.
  const frames: CachedFrame[] = [];

  async function frameOf(source: CandleSource, from: number | undefined, to: number | undefined): Promise<CandleFrame> {
    const path = 'file' in source ? resolve(source.file) : seriesDir(source.cacheDir, source);
    const key = JSON.stringify([source, from, to]);
    const mtime = existsSync(path) ? statSync(path).mtimeMs : 0;
    const hit = frames.find((f) => f.key === key && f.mtime === mtime);
    if (hit) return hit.frame;
    const loaded = await loadCandles(source, { from, to, warmupBars: 0 }, 'report');
    frames.unshift({ key, mtime, frame: loaded.frame });
    frames.length = Math.min(frames.length, 4);
    return loaded.frame;
  }

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof LogsQuery> }>('/api/bots/:id/logs', {
    config: { access: 'viewer' },
    schema: { tags: ['bots'], summary: "The bot's recent log lines, oldest first (the history of the log.line events)", params: IdParams, querystring: LogsQuery, response: responses(Type.Array(LogLine)) },
  }, async (req) => {
    const b = store.bots.require(req.params.id);
    return tailLog(join(paths().home, 'logs', `${b.id}.jsonl`), req.query.limit ?? 200);
  });

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof CandlesQuery> }>('/api/bots/:id/candles', {
    config: { access: 'viewer' },
    schema: { tags: ['bots'], summary: 'The last candles the bot stepped through (its replay file or the candle cache), for price charts', params: IdParams, querystring: CandlesQuery, response: responses(Candles) },
  }, async (req) => {
    const b = store.bots.require(req.params.id);
    const settings = (store.bots.getState<{ timeframe?: string; data?: { file?: string; from?: number; to?: number } }>(b.id, '', 'runner') ?? {});
    const timeframe = settings.timeframe ?? '1h';
    const symbol = b.symbols[0];
    const cursor = store.bots.getState<number>(b.id, '', 'cursor') ?? null;
    const empty = (source: string) => ({ botId: b.id, symbol, timeframe, cursor, source, ts: [], open: [], high: [], low: [], close: [] });
    if (cursor === null) return empty('no bar stepped yet');
    const source: CandleSource = settings.data?.file
      ? { file: settings.data.file, exchange: b.exchange, symbol, timeframe }
      : { cacheDir: paths().cacheDir, exchange: b.exchange, symbol, timeframe };
    let frame: CandleFrame;
    try {
      frame = await frameOf(source, settings.data?.from, settings.data?.to);
    } catch (e) {
      // A paper or live bot's candles come from its exchange feed: without a cached series there is nothing to read.
      if (e instanceof TradelabError) return empty(`candles unavailable: ${e.message}`);
      throw e;
    }
    const end = lowerBound(frame.ts, cursor + 1);
    const start = Math.max(0, end - (req.query.limit ?? 500));
    const cut = (a: Float64Array) => Array.from(a.subarray(start, end));
    return {
      botId: b.id, symbol, timeframe, cursor, source: 'file' in source ? `file ${source.file}` : `cache ${b.exchange} ${symbol} ${timeframe}`,
      ts: cut(frame.ts), open: cut(frame.open), high: cut(frame.high), low: cut(frame.low), close: cut(frame.close),
    };
  });
}
