/**
 * Results of backtests, sweeps and walk-forwards (one folder per run under paths.resultsDir): list and filter from
 * each folder's manifest.json and stats.json, detail, and the run's files served read-only. A file path that leaves
 * the run's folder (.., absolute, a symlink pointing out) is refused.
 */
import type { FastifyInstance } from 'fastify';
import { createReadStream, existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { httpError } from '../errors.ts';
import { AnyObject, Id, Limit, Offset, responses } from '../schemas.ts';
import type { ServerContext } from '../context.ts';

const Summary = Type.Object({
  id: Type.String(), kind: Type.String(), createdAt: Type.Union([Type.String(), Type.Null()]),
  strategy: Type.Union([Type.String(), Type.Null()]), exchange: Type.Union([Type.String(), Type.Null()]),
  symbols: Type.Array(Type.String()), timeframe: Type.Union([Type.String(), Type.Null()]),
  /** Numeric statistics of stats.json (empty for sweeps without one). */
  stats: Type.Record(Type.String(), Type.Number()),
});
type SummaryT = Static<typeof Summary>;
const ListQuery = Type.Object({
  kind: Type.Optional(Type.String({ maxLength: 40 })),
  strategy: Type.Optional(Type.String({ maxLength: 80 })),
  symbol: Type.Optional(Type.String({ maxLength: 40 })),
  q: Type.Optional(Type.String({ maxLength: 200 })),
  sort: Type.Optional(Type.String({ maxLength: 60, pattern: '^[A-Za-z0-9_]+$', description: "'createdAt' or any numeric statistic, e.g. sharpe" })),
  order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
  limit: Type.Optional(Limit), offset: Type.Optional(Offset),
}, { additionalProperties: false });
const RunParams = Type.Object({ id: Id });
const FileParams = Type.Object({ id: Id, '*': Type.String({ minLength: 1, maxLength: 500 }) });
const Detail = Type.Object({ summary: Summary, manifest: AnyObject, stats: Type.Union([AnyObject, Type.Null()]), files: Type.Array(Type.Object({ name: Type.String(), bytes: Type.Number() })) });

const MIME: Record<string, string> = {
  '.json': 'application/json', '.csv': 'text/csv; charset=utf-8', '.html': 'text/html; charset=utf-8', '.arrow': 'application/vnd.apache.arrow.file',
  '.parquet': 'application/vnd.apache.parquet', '.txt': 'text/plain; charset=utf-8', '.md': 'text/markdown; charset=utf-8', '.png': 'image/png', '.svg': 'image/svg+xml',
};

const readJson = (p: string): Record<string, unknown> | null => {
  try { return JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>; } catch { return null; }
};
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function summarise(id: string, manifest: Record<string, unknown>, stats: Record<string, unknown> | null): SummaryT {
  const strat = manifest.strategy as Record<string, unknown> | string | undefined;
  const data = (manifest.data ?? {}) as Record<string, unknown>;
  const symbols = Array.isArray(data.symbols) ? data.symbols.map(String) : typeof data.symbol === 'string' ? [data.symbol] : [];
  const numeric: Record<string, number> = {};
  for (const [k, v] of Object.entries(stats ?? {})) if (typeof v === 'number' && Number.isFinite(v)) numeric[k] = v;
  return {
    id, kind: str(manifest.kind) ?? 'unknown', createdAt: str(manifest.createdAt),
    strategy: typeof strat === 'string' ? strat : str(strat?.ref) ?? str(strat?.id), exchange: str(data.exchange), symbols,
    timeframe: str(data.timeframe), stats: numeric,
  };
}

export function resultRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const root = () => ctx.deps.config.config.paths.resultsDir;
  const cache = new Map<string, { mtimeMs: number; summary: SummaryT }>();

  function runDir(id: string): string {
    const dir = join(root(), id);
    if (!existsSync(join(dir, 'manifest.json'))) throw httpError('RUN_NOT_FOUND', `no run '${id}' in ${root()} (a run is a folder with a manifest.json)`);
    return dir;
  }

  function all(): SummaryT[] {
    if (!existsSync(root())) return [];
    const out: SummaryT[] = [];
    for (const id of readdirSync(root())) {
      const mp = join(root(), id, 'manifest.json');
      let mtimeMs: number;
      try { mtimeMs = statSync(mp).mtimeMs; } catch { continue; }
      const hit = cache.get(id);
      if (hit && hit.mtimeMs === mtimeMs) { out.push(hit.summary); continue; }
      const manifest = readJson(mp);
      if (!manifest) continue;
      const summary = summarise(id, manifest, readJson(join(root(), id, 'stats.json')));
      cache.set(id, { mtimeMs, summary });
      out.push(summary);
    }
    return out;
  }

  app.get<{ Querystring: Static<typeof ListQuery> }>('/api/results', {
    config: { access: 'viewer' },
    schema: { tags: ['results'], summary: 'Runs and sweeps in the results folder, filtered and sorted', querystring: ListQuery, response: responses(Type.Object({ total: Type.Integer(), items: Type.Array(Summary) })) },
  }, async (req) => {
    const { kind, strategy, symbol, q, sort = 'createdAt', order = 'desc', limit = 500, offset = 0 } = req.query;
    let items = all().filter((r) =>
      (kind === undefined || r.kind === kind) &&
      (strategy === undefined || (r.strategy ?? '').split('@')[0] === strategy.split('@')[0]) &&
      (symbol === undefined || r.symbols.some((s) => s.toUpperCase() === symbol.toUpperCase())) &&
      (q === undefined || r.id.toLowerCase().includes(q.toLowerCase())));
    const key = (r: SummaryT): number | string => (sort === 'createdAt' ? r.createdAt ?? '' : r.stats[sort] ?? Number.NEGATIVE_INFINITY);
    items = items.sort((a, b) => {
      const x = key(a), y = key(b);
      const c = x < y ? -1 : x > y ? 1 : a.id.localeCompare(b.id);
      return order === 'asc' ? c : -c;
    });
    return { total: items.length, items: items.slice(offset, offset + limit) };
  });

  app.get<{ Params: Static<typeof RunParams> }>('/api/results/:id', {
    config: { access: 'viewer' },
    schema: { tags: ['results'], summary: 'A run: manifest, statistics and its files', params: RunParams, response: responses(Detail) },
  }, async (req) => {
    const dir = runDir(req.params.id);
    const manifest = readJson(join(dir, 'manifest.json'));
    if (!manifest) throw httpError('RUN_UNREADABLE', `the manifest.json of run '${req.params.id}' is not valid JSON`);
    const stats = readJson(join(dir, 'stats.json'));
    const files = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isFile()).map((d) => ({ name: d.name, bytes: statSync(join(dir, d.name)).size })).sort((a, b) => a.name.localeCompare(b.name));
    return { summary: summarise(req.params.id, manifest, stats), manifest, stats, files };
  });

  app.get<{ Params: Static<typeof FileParams> }>('/api/results/:id/files/*', {
    config: { access: 'viewer' },
    schema: { tags: ['results'], summary: 'A file of a run, read-only (paths outside the run are refused)', params: FileParams, response: responses(Type.String({ description: 'the file' })) },
  }, async (req, reply) => {
    const dir = realpathSync(runDir(req.params.id));
    const rel = req.params['*'];
    if (rel.includes('\0') || rel.startsWith('/') || rel.split(/[\\/]/).includes('..')) {
      throw httpError('PATH_REFUSED', `file path '${rel}' must stay inside the run folder (no '..', no absolute path)`);
    }
    const target = resolve(dir, rel);
    if (!existsSync(target)) throw httpError('FILE_NOT_FOUND', `run '${req.params.id}' has no file '${rel}'`);
    const real = realpathSync(target);
    if (!real.startsWith(dir + sep)) throw httpError('PATH_REFUSED', `file '${rel}' resolves outside the run folder`);
    const st = statSync(real);
    if (!st.isFile()) throw httpError('FILE_NOT_FOUND', `'${rel}' is not a file`);
    reply.header('content-type', MIME[extname(real).toLowerCase()] ?? 'application/octet-stream');
    reply.header('content-length', String(st.size));
    reply.header('x-content-type-options', 'nosniff');
    if (extname(real).toLowerCase() === '.html') reply.header('content-security-policy', "default-src 'self' 'unsafe-inline' data: blob:; connect-src 'none'");
    return reply.send(createReadStream(real));
  });
}
