/**
 * What the web UI draws for a run, as JSON (parsing Arrow and Parquet in the browser would ship two more libraries):
 * - GET /api/results/:id/chart — equity and drawdown (equity.arrow), the close, the fills as markers (fills.csv),
 *   indicator overlays (the strategy's indicators recomputed on the run's candles, read from the manifest's data
 *   source; an order strategy's series.arrow levels such as anchorHigh / gridTop), the trades (trades.csv) and, for
 *   a walk-forward, its folds (folds.csv). Long series are min/max-bucketed to about `points` points for drawing.
 * - GET /api/results/:id/sweep — a sweep's combinations (results.parquet): the swept axes, the statistic columns and
 *   one row per combination, for the heatmap.
 */
import type { FastifyInstance } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { tableFromIPC } from 'apache-arrow';
import { loadCandles } from '../../../data/index.ts';
import { withConnection, lit } from '../../../data/cache/duck.ts';
import type { AnyStrategy } from '../../../engine/strategy.ts';
import { LIVE_STRATEGIES } from '../../bots/strategies.ts';
import { httpError } from '../errors.ts';
import { AnyObject, Id, responses } from '../schemas.ts';
import type { ServerContext } from '../context.ts';
import { minMaxIndices } from '../../../engine/downsample.ts';

const Nums = Type.Array(Type.Union([Type.Number(), Type.Null()]));
const Series = Type.Object({ ts: Nums, y: Nums });
const Table = Type.Object({ columns: Type.Array(Type.String()), rows: Type.Array(Type.Array(Type.Union([Type.String(), Type.Number(), Type.Null()]))), total: Type.Integer() });
const ChartS = Type.Object({
  kind: Type.String(),
  equity: Series, drawdownPct: Series, close: Series,
  fills: Type.Object({ ts: Nums, price: Nums, side: Type.Array(Type.String()), text: Type.Array(Type.String()) }),
  overlays: Type.Array(Type.Object({ name: Type.String(), onPrice: Type.Boolean(), ts: Nums, y: Nums })),
  /** Why there are no indicator overlays (candle file gone, strategy not built in...), or null. */
  overlayNote: Type.Union([Type.String(), Type.Null()]),
  trades: Type.Union([Table, Type.Null()]),
  folds: Type.Union([Table, Type.Null()]),
});
const SweepS = Type.Object({
  axes: Type.Array(Type.Object({ name: Type.String(), values: Type.Array(Type.Unknown()) })),
  metric: Type.String(), metricDirection: Type.String(),
  paramColumns: Type.Array(Type.String()), statColumns: Type.Array(Type.String()),
  rows: Type.Array(Type.Object({ params: AnyObject, stats: Type.Record(Type.String(), Type.Union([Type.Number(), Type.Null()])) })),
  manifest: AnyObject,
});
const Params = Type.Object({ id: Id });
const ChartQuery = Type.Object({ points: Type.Optional(Type.Integer({ minimum: 100, maximum: 20_000, default: 2000 })) }, { additionalProperties: false });

const num = (v: number): number | null => (Number.isFinite(v) ? Math.round(v * 1e8) / 1e8 : null);
const pick = (src: ArrayLike<number>, idx: Int32Array): (number | null)[] => Array.from(idx, (i) => num(src[i]));

/** RFC 4180-ish CSV (quoted fields with "" escapes); numbers stay strings here. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [], field = '', q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"') { if (text[i + 1] === '"') { field += '"'; i++; } else q = false; } else field += c;
    } else if (c === '"') q = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

function csvTable(path: string, limit: number): Static<typeof Table> | null {
  if (!existsSync(path)) return null;
  const [header, ...body] = parseCsv(readFileSync(path, 'utf8'));
  if (!header) return null;
  const cell = (s: string): string | number | null => (s === '' ? null : /^-?\d+(\.\d+)?(e[-+]?\d+)?$/i.test(s) ? Number(s) : s);
  return { columns: header, rows: body.slice(0, limit).map((r) => r.map(cell)), total: body.length };
}

function arrowColumns(path: string): Map<string, Float64Array> {
  const t = tableFromIPC(readFileSync(path));
  const out = new Map<string, Float64Array>();
  for (const f of t.schema.fields) {
    const v = t.getChild(f.name)!.toArray() as ArrayLike<number>;
    out.set(f.name, v instanceof Float64Array ? v : Float64Array.from(v, Number));
  }
  return out;
}

const readJson = (p: string): Record<string, unknown> | null => { try { return JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>; } catch { return null; } };

export function runViewRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const root = () => ctx.deps.config.config.paths.resultsDir;
  function runDir(id: string): { dir: string; manifest: Record<string, unknown> } {
    const dir = join(root(), id);
    const manifest = readJson(join(dir, 'manifest.json'));
    if (!manifest) throw httpError('RUN_NOT_FOUND', `no run '${id}' in ${root()} (a run is a folder with a manifest.json)`);
    return { dir, manifest };
  }

  /** The strategy's indicators on the run's candles (signal strategies built into this server). */
  async function indicatorOverlays(m: Record<string, unknown>, ts: Float64Array, close: Float64Array, idx: Int32Array) {
    const strat = m.strategy as { id?: string; version?: string; source?: { kind?: string } } | undefined;
    const data = m.data as { source?: { kind?: string; path?: string }; exchange?: string; symbol?: string; timeframe?: string; fromTs?: number; toTs?: number; warmupBars?: number; gapPolicy?: string } | undefined;
    const s: AnyStrategy | undefined = LIVE_STRATEGIES.find((x) => x.id === strat?.id && x.version === strat?.version);
    if (!s || strat?.source?.kind !== 'builtin') return { overlays: [], note: `strategy ${strat?.id ?? '?'}@${strat?.version ?? '?'} is not built into this server: no indicator overlays` };
    if (!data?.source?.path || data.fromTs === undefined) return { overlays: [], note: 'the manifest names no data source' };
    if (data.source.kind === 'file' && !existsSync(data.source.path)) return { overlays: [], note: `the candle file ${data.source.path} is gone: no indicator overlays` };
    const source = data.source.kind === 'file'
      ? { file: data.source.path, exchange: data.exchange, symbol: data.symbol, timeframe: data.timeframe }
      : { cacheDir: ctx.deps.config.config.paths.cacheDir, exchange: data.exchange!, symbol: data.symbol!, timeframe: data.timeframe! };
    const loaded = await loadCandles(source, { from: data.fromTs, to: data.toTs, warmupBars: data.warmupBars ?? 0 }, (data.gapPolicy ?? 'report') as 'report');
    const params = s.resolveParams((m.params ?? {}) as Record<string, unknown>);
    const ind = s.indicators(loaded.frame, params as never) as Record<string, unknown>;
    const s0 = loaded.startIndex;
    const n = ts.length;
    if (loaded.frame.length - s0 < n) return { overlays: [], note: 'the candles no longer match the run: no indicator overlays' };
    const medClose = close[n >> 1];
    const overlays: { name: string; onPrice: boolean; ts: (number | null)[]; y: (number | null)[] }[] = [];
    for (const [name, col] of Object.entries(ind)) {
      if (!(col instanceof Float64Array) || col.length !== loaded.frame.length) continue;
      const sub = col.subarray(s0, s0 + n);
      const mid = sub[n >> 1];
      overlays.push({ name, onPrice: Number.isFinite(mid) && mid > medClose * 0.5 && mid < medClose * 1.5, ts: pick(ts, idx), y: pick(sub, idx) });
    }
    return { overlays, note: null };
  }

  app.get<{ Params: Static<typeof Params>; Querystring: Static<typeof ChartQuery> }>('/api/results/:id/chart', {
    config: { access: 'viewer' },
    schema: { tags: ['results'], summary: 'Chart series of a backtest or walk-forward: equity, drawdown, price, fills, indicator overlays, trades, folds', params: Params, querystring: ChartQuery, response: responses(ChartS) },
  }, async (req) => {
    const { dir, manifest: m } = runDir(req.params.id);
    const buckets = Math.floor((req.query.points ?? 2000) / 2);
    if (!existsSync(join(dir, 'equity.arrow'))) throw httpError('CHART_NOT_FOUND', `run '${req.params.id}' (${String(m.kind)}) has no equity.arrow to chart`);
    const cols = arrowColumns(join(dir, 'equity.arrow'));
    const ts = cols.get('ts')!, equity = cols.get('equity')!, dd = cols.get('drawdownPct')!, close = cols.get('close') ?? new Float64Array(ts.length);
    const eqIdx = minMaxIndices(equity, buckets), ddIdx = minMaxIndices(dd, buckets), pxIdx = minMaxIndices(close, buckets);
    // fills: signal runs (time, side, price, reason) and order runs (time, side, price, amount, tag) share time/side/price
    const fills = { ts: [] as (number | null)[], price: [] as (number | null)[], side: [] as string[], text: [] as string[] };
    const f = csvTable(join(dir, 'fills.csv'), 20_000);
    if (f) {
      const at = (k: string) => f.columns.indexOf(k);
      const [iT, iS, iP, iR, iTag, iA, iSz] = [at('time'), at('side'), at('price'), at('reason'), at('tag'), at('amount'), at('size')];
      for (const r of f.rows) {
        fills.ts.push(Date.parse(String(r[iT])));
        fills.price.push(typeof r[iP] === 'number' ? r[iP] : null);
        fills.side.push(String(r[iS]));
        fills.text.push([iR >= 0 ? r[iR] : null, iTag >= 0 ? r[iTag] : null, iA >= 0 ? `amount ${String(r[iA])}` : iSz >= 0 ? `size ${String(r[iSz])}` : null].filter((x) => x !== null && x !== '').join(' · '));
      }
    }
    let overlays: Static<typeof ChartS>['overlays'] = [];
    let overlayNote: string | null = null;
    if (existsSync(join(dir, 'series.arrow'))) {
      // order strategies: the per-market levels they keep (anchorHigh, gridTop, ...) over the price
      const series = arrowColumns(join(dir, 'series.arrow'));
      const sts = series.get('ts')!;
      const idx = minMaxIndices(series.get('equity') ?? sts, buckets);
      for (const [name, col] of series) {
        const dot = name.lastIndexOf('.');
        if (dot < 0 || name.endsWith('.close')) continue;
        if (!col.some(Number.isFinite)) continue;
        overlays.push({ name: name.slice(dot + 1) + (name.slice(0, dot).includes('/') ? '' : ` ${name.slice(0, dot)}`), onPrice: true, ts: pick(sts, idx), y: pick(col, idx) });
      }
    } else if (m.kind === 'backtest') {
      try {
        ({ overlays, note: overlayNote } = await indicatorOverlays(m, ts, close, pxIdx));
      } catch (e) {
        overlayNote = `no indicator overlays: ${e instanceof Error ? e.message : String(e)}`;
      }
    }
    return {
      kind: String(m.kind),
      equity: { ts: pick(ts, eqIdx), y: pick(equity, eqIdx) },
      drawdownPct: { ts: pick(ts, ddIdx), y: pick(dd, ddIdx) },
      close: { ts: pick(ts, pxIdx), y: pick(close, pxIdx) },
      fills, overlays, overlayNote,
      trades: csvTable(join(dir, 'trades.csv'), 5000),
      folds: csvTable(join(dir, 'folds.csv'), 1000),
    };
  });

  app.get<{ Params: Static<typeof Params> }>('/api/results/:id/sweep', {
    config: { access: 'viewer' },
    schema: { tags: ['results'], summary: "A sweep's combinations (results.parquet) for the heatmap: axes, parameter and statistic columns, rows", params: Params, response: responses(SweepS) },
  }, async (req) => {
    const { dir, manifest: m } = runDir(req.params.id);
    const file = join(dir, 'results.parquet');
    if (m.kind !== 'sweep' || !existsSync(file)) throw httpError('SWEEP_RESULTS_NOT_FOUND', `run '${req.params.id}' is a ${String(m.kind)}, not a sweep with a results.parquet`);
    const grid = (m.grid ?? []) as { name: string; values: unknown[] }[];
    const { columns, rows } = await withConnection(async (c) => {
      const r = await c.runAndReadAll(`SELECT * FROM read_parquet(${lit(file)})`);
      return { columns: r.columnNames(), rows: r.getRowObjectsJS() as Record<string, unknown>[] };
    });
    const fixed = Object.keys((m.fixedParams ?? {}) as object);
    const swept = grid.map((g) => g.name);
    // parameter columns: the swept ones, then the strategy's others (fixed or default); the rest are statistics
    const strat = LIVE_STRATEGIES.find((x) => x.id === (m.strategy as { id?: string } | undefined)?.id);
    const paramNames = new Set([...swept, ...fixed, ...Object.keys((strat?.params as { properties?: object } | undefined)?.properties ?? {})]);
    const paramColumns = columns.filter((c) => paramNames.has(c));
    const statColumns = columns.filter((c) => !paramNames.has(c));
    const plain = (v: unknown) => (typeof v === 'bigint' ? Number(v) : v);
    return {
      axes: grid.map((g) => ({ name: g.name, values: g.values })),
      metric: String(m.metric ?? 'sharpe'), metricDirection: String(m.metricDirection ?? 'higher is better'),
      paramColumns, statColumns,
      rows: rows.map((r) => ({
        params: Object.fromEntries(paramColumns.map((c) => [c, plain(r[c])])),
        stats: Object.fromEntries(statColumns.map((c) => { const v = Number(plain(r[c])); return [c, Number.isFinite(v) ? v : null]; })),
      })),
      manifest: m,
    };
  });
}
