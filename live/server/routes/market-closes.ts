/**
 * Recent closes of the markets in the universe, for the markets page's sparklines, with the change and the traded
 * (quote) volume over the last 24 hours of those candles. Candles come from what the server already knows, first
 * hit wins: the candle cache (paths.cacheDir; the bot default timeframe first, then any cached timeframe), then the
 * candle file of a replay bot trading the market (its runner settings' data.file). Markets without candles are
 * listed with `source: null`. A cache series is read again after a minute at most, a bot's file when it changes on disk.
 */
import type { FastifyInstance } from 'fastify';
import { statSync } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';
import { timeframeMs } from '../../../engine/timeframe.ts';
import { coverage, listSeriesKeys, loadCandles, type SeriesKey } from '../../../data/index.ts';
import { prep } from '../../state/db.ts';
import { responses } from '../schemas.ts';
import type { ServerContext } from '../context.ts';

const DAY_MS = 86_400_000;
const TTL_MS = 60_000;

const Closes = Type.Object({
  exchange: Type.String(), symbol: Type.String(),
  /** Where the candles came from: 'cache' or 'bot-file', null when none is known. */
  source: Type.Union([Type.Literal('cache'), Type.Literal('bot-file'), Type.Null()]),
  timeframe: Type.Union([Type.String(), Type.Null()]),
  /** Open times of the first and last candle returned (epoch ms). */
  fromTs: Type.Union([Type.Number(), Type.Null()]), toTs: Type.Union([Type.Number(), Type.Null()]),
  closes: Type.Array(Type.Number()),
  last: Type.Union([Type.Number(), Type.Null()]),
  /** Close of the last candle against the close 24 h before it, in percent (null with less than 24 h of candles). */
  change24hPct: Type.Union([Type.Number(), Type.Null()]),
  /** Sum of close × volume over the candles of the last 24 h (quote currency). */
  quoteVolume24h: Type.Union([Type.Number(), Type.Null()]),
});
export type MarketCloses = Static<typeof Closes>;
const Query = Type.Object({
  points: Type.Optional(Type.Integer({ minimum: 2, maximum: 500, default: 48, description: 'closes per market (the last ones)' })),
  exchange: Type.Optional(Type.String({ minLength: 1, maxLength: 40, pattern: '^[a-z0-9]+$' })),
}, { additionalProperties: false });

interface Frame { ts: Float64Array; close: Float64Array; volume: Float64Array; length: number }

/** The last `points` closes of a frame plus the 24 h change and quote volume (relative to its last candle). */
export function summariseCandles(f: Frame, points: number): Omit<MarketCloses, 'exchange' | 'symbol' | 'source' | 'timeframe'> {
  const n = f.length;
  if (n === 0) return { fromTs: null, toTs: null, closes: [], last: null, change24hPct: null, quoteVolume24h: null };
  const start = Math.max(0, n - points);
  const closes = Array.from(f.close.subarray(start, n));
  const lastTs = f.ts[n - 1];
  // The candle that opened 24 h before the last one (or the latest before that time).
  const dayAgo = lastTs - DAY_MS;
  let i = n - 1;
  while (i > 0 && f.ts[i] > dayAgo) i--;
  const change24hPct = f.ts[i] <= dayAgo && f.close[i] !== 0 ? (f.close[n - 1] / f.close[i] - 1) * 100 : null;
  let vol = 0;
  for (let k = n - 1; k >= 0 && f.ts[k] > dayAgo; k--) vol += f.close[k] * f.volume[k];
  return { fromTs: f.ts[start], toTs: lastTs, closes, last: f.close[n - 1], change24hPct, quoteVolume24h: vol };
}

export function marketClosesRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { store } = ctx.deps;
  const cache = new Map<string, { at: number; stamp: string; value: Omit<MarketCloses, 'exchange' | 'symbol'> }>();

  /** Markets of the universe: enabled exchanges' configured markets and every bot's markets. */
  function universe(): { exchange: string; symbol: string }[] {
    const seen = new Map<string, { exchange: string; symbol: string }>();
    for (const [ex, e] of Object.entries(ctx.deps.config.config.exchanges)) if (e.enabled) for (const s of e.markets) seen.set(`${ex}\u0000${s}`, { exchange: ex, symbol: s });
    for (const b of prep(store.db, 'SELECT exchange, symbols FROM bots').all() as { exchange: string; symbols: string }[]) {
      for (const s of JSON.parse(b.symbols) as string[]) seen.set(`${b.exchange}\u0000${s}`, { exchange: b.exchange, symbol: s });
    }
    return [...seen.values()].sort((a, b) => a.exchange.localeCompare(b.exchange) || a.symbol.localeCompare(b.symbol));
  }

  /** Candle files of replay bots by market: the newest bot's file wins. */
  function botFiles(): Map<string, { file: string; from?: number; to?: number; timeframe: string }> {
    const out = new Map<string, { file: string; from?: number; to?: number; timeframe: string }>();
    const rows = prep(store.db, "SELECT b.id, b.exchange, b.symbols, s.value FROM bots b JOIN bot_state s ON s.bot_id = b.id AND s.symbol = '' AND s.key = 'runner' ORDER BY b.created_at").all() as
      { id: string; exchange: string; symbols: string; value: string }[];
    for (const r of rows) {
      let settings: { timeframe?: string; data?: { file?: string; from?: number; to?: number } };
      try { settings = JSON.parse(r.value) as typeof settings; } catch { continue; }
      const file = settings.data?.file;
      if (!file) continue;
      for (const s of JSON.parse(r.symbols) as string[]) out.set(`${r.exchange}\u0000${s}`, { file, from: settings.data?.from, to: settings.data?.to, timeframe: settings.timeframe ?? '1h' });
    }
    return out;
  }

  async function fromCache(key: SeriesKey, points: number): Promise<Omit<MarketCloses, 'exchange' | 'symbol'> | null> {
    const cacheDir = ctx.deps.config.config.paths.cacheDir;
    const cov = await coverage(cacheDir, key);
    if (!cov.bars) return null;
    const step = timeframeMs(key.timeframe);
    const bars = Math.max(points, Math.ceil(DAY_MS / step) + 1);
    const loaded = await loadCandles({ cacheDir, ...key }, { from: cov.toTs - (bars - 1) * step, to: cov.toTs, warmupBars: 0 }, 'report');
    return { source: 'cache', timeframe: key.timeframe, ...summariseCandles(loaded.frame, points) };
  }

  async function fromFile(f: { file: string; from?: number; to?: number; timeframe: string }, points: number): Promise<Omit<MarketCloses, 'exchange' | 'symbol'>> {
    const loaded = await loadCandles({ file: f.file }, { from: f.from, to: f.to, warmupBars: 0 }, 'report');
    const tf = loaded.frame.timeframe || f.timeframe;
    return { source: 'bot-file', timeframe: tf, ...summariseCandles(loaded.frame, points) };
  }

  app.get<{ Querystring: Static<typeof Query> }>('/api/markets/closes', {
    config: { access: 'viewer' },
    schema: {
      tags: ['markets'], summary: 'Recent closes per market (sparklines), 24 h change and quote volume, from the candle cache or a replay bot\'s candle file',
      querystring: Query, response: responses(Type.Array(Closes)),
    },
  }, async (req) => {
    const points = req.query.points ?? 48;
    const cfg = ctx.deps.config.config;
    const preferred = cfg.defaults.bot.timeframe;
    const cached = await listSeriesKeys(cfg.paths.cacheDir);
    const files = botFiles();
    const now = ctx.now();
    const out: MarketCloses[] = [];
    for (const m of universe()) {
      if (req.query.exchange !== undefined && m.exchange !== req.query.exchange) continue;
      const k = `${m.exchange}\u0000${m.symbol}`;
      const series = cached.filter((s) => s.exchange === m.exchange && s.symbol === m.symbol)
        .sort((a, b) => Number(b.timeframe === preferred) - Number(a.timeframe === preferred));
      const file = files.get(k);
      // The cache key changes when a series appears or a bot's file changes on disk.
      let stamp = series[0] ? `cache:${series[0].timeframe}` : file ? `file:${file.file}:${file.from}:${file.to}` : 'none';
      if (!series[0] && file) { try { stamp += `:${statSync(file.file).mtimeMs}`; } catch { /* missing: loadCandles says so */ } }
      const hit = cache.get(`${k}\u0000${points}`);
      // A bot's file is re-read only when it changes on disk; the cache (which fetches append to) after a minute.
      let value = hit && hit.stamp === stamp && (stamp.startsWith('file:') || now - hit.at < TTL_MS) ? hit.value : null;
      if (!value) {
        value = { source: null, timeframe: null, fromTs: null, toTs: null, closes: [], last: null, change24hPct: null, quoteVolume24h: null };
        try {
          const c = series[0] ? await fromCache(series[0], points) : null;
          if (c) value = c;
          else if (file) value = await fromFile(file, points);
        } catch (e) {
          req.log.warn({ err: e, market: m }, 'market closes unavailable');
        }
        cache.set(`${k}\u0000${points}`, { at: now, stamp, value });
      }
      out.push({ exchange: m.exchange, symbol: m.symbol, ...value });
    }
    return out;
  });
}
