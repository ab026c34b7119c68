/**
 * Candles a backtest job may use (GET /api/data-sources): the candle files of the sample data folder
 * (paths.sampleDataDir, TRADELAB_SAMPLE_DATA; freqtrade JSON and CSV, labels inferred from file names like
 * BTC_USDT-1h.json) and the series of the DuckDB/Parquet candle cache with their coverage.
 */
import type { FastifyInstance } from 'fastify';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Type } from '@sinclair/typebox';
import { labelsFromFileName, listCoverage } from '../../../data/index.ts';
import { responses } from '../schemas.ts';
import type { ServerContext } from '../context.ts';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const FileS = Type.Object({
  /** Relative to the sample data folder: what a job's args.data.file takes. */
  path: Type.String(), bytes: Type.Integer(), symbol: Nullable(Type.String()), timeframe: Nullable(Type.String()),
});
const CachedS = Type.Object({
  exchange: Type.String(), symbol: Type.String(), timeframe: Type.String(), from: Type.String(), to: Type.String(),
  bars: Type.Integer(), gaps: Type.Integer(), missingBars: Type.Integer(),
});
const SourcesS = Type.Object({ sampleDataDir: Nullable(Type.String()), files: Type.Array(FileS), cached: Type.Array(CachedS) });

/** Candle files (not trades, funding rates or request fixtures) under `root`, sorted by path. */
export function candleFiles(root: string): { path: string; bytes: number; symbol: string | null; timeframe: string | null }[] {
  const out: { path: string; bytes: number; symbol: string | null; timeframe: string | null }[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 4) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) { walk(p, depth + 1); continue; }
      if (!e.isFile() || !/\.(json|csv)$/i.test(e.name) || /trades|funding_rate/i.test(e.name)) continue;
      const labels = labelsFromFileName(p);
      // a JSON file is a candle file only when its name says so (ccxt-static/… are API fixtures); CSVs are tables of candles
      if (/\.json$/i.test(e.name) && !labels.symbol) continue;
      out.push({ path: relative(root, p), bytes: statSync(p).size, symbol: labels.symbol ?? null, timeframe: labels.timeframe ?? null });
    }
  };
  if (existsSync(root)) walk(root, 0);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

export function dataSourceRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/data-sources', {
    config: { access: 'viewer' },
    schema: { tags: ['data'], summary: 'Candle files and cached series a backtest job may use', response: responses(SourcesS) },
  }, async () => {
    const { sampleDataDir, cacheDir } = ctx.deps.config.config.paths;
    let cached: typeof CachedS.static[] = [];
    if (existsSync(cacheDir)) {
      cached = (await listCoverage(cacheDir)).filter((c) => c.bars > 0).map((c) => ({
        exchange: c.exchange, symbol: c.symbol, timeframe: c.timeframe, from: c.from, to: c.to, bars: c.bars, gaps: c.gaps, missingBars: c.missingBars,
      }));
    }
    return { sampleDataDir: sampleDataDir ?? null, files: sampleDataDir ? candleFiles(sampleDataDir) : [], cached };
  });
}
