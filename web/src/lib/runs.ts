/**
 * Results in the browser: run summaries (GET /api/results) searched and sorted, how each statistic is labelled and
 * formatted (the same labels as the CLI and the HTML reports), sweep rows shaped into a heatmap, walk-forward folds
 * into in- vs out-of-sample pairs. Pure functions: the pages under routes/runs render them.
 */
import { STAT_LABELS as ENGINE_STAT_LABELS, type StatFormat } from '$engine/metrics/stat-labels.ts';
import { LOWER_IS_BETTER as ENGINE_LOWER_IS_BETTER } from '$engine/sweep/metric.ts';

export interface RunSummary {
  readonly id: string;
  readonly kind: string;
  readonly createdAt: string | null;
  readonly strategy: string | null;
  readonly exchange: string | null;
  readonly symbols: readonly string[];
  readonly timeframe: string | null;
  readonly stats: Readonly<Record<string, number>>;
}


export type { StatFormat };
export interface StatLabel { readonly key: string; readonly label: string; readonly format: StatFormat; readonly signed?: boolean }

/** The labels of the CLI and the HTML reports (engine/metrics/stat-labels.ts; docs/metrics.md defines them). */
export const STAT_LABELS: readonly StatLabel[] = ENGINE_STAT_LABELS;

/** Statistics where lower is better (ranking, heatmap colours): engine/sweep's rule. */
export const LOWER_IS_BETTER: ReadonlySet<string> = ENGINE_LOWER_IS_BETTER;

export function statLabel(key: string): StatLabel {
  return STAT_LABELS.find((l) => l.key === key) ?? { key, label: key, format: 'ratio' };
}

export function formatStat(v: number | null | undefined, format: StatFormat): string {
  if (v === null || v === undefined || Number.isNaN(v)) return 'n/a';
  if (v === Infinity) return '∞';
  if (v === -Infinity) return '−∞';
  switch (format) {
    case 'money': return v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    case 'pct': return v.toFixed(2);
    case 'ratio': return v.toFixed(3);
    case 'int': return String(Math.round(v));
    case 'days': return v.toFixed(1);
    case 'date': return new Date(v).toISOString().slice(0, 16).replace('T', ' ');
  }
}

export const fmtStat = (key: string, v: number | null | undefined): string => formatStat(v, statLabel(key).format);

/** profit / loss class of a signed statistic ('' for unsigned ones and zero). */
export function statClass(key: string, v: number | null | undefined): string {
  if (!statLabel(key).signed || v === null || v === undefined || !Number.isFinite(v) || v === 0) return '';
  return v > 0 ? 'profit' : 'loss';
}

/** Columns of the runs table besides id/kind/strategy/market: the statistics most people sort by. */
export const RUN_COLUMNS: readonly string[] = ['returnPct', 'sharpe', 'maxDrawdownPct', 'trades', 'winRatePct', 'profitFactor'];

/** Every numeric statistic present in any of the runs, in STAT_LABELS order then alphabetical. */
export function statKeys(runs: readonly RunSummary[]): string[] {
  const seen = new Set<string>();
  for (const r of runs) for (const k of Object.keys(r.stats)) seen.add(k);
  const known = STAT_LABELS.map((l) => l.key).filter((k) => seen.has(k));
  return [...known, ...[...seen].filter((k) => !known.includes(k)).sort()];
}

/** Case-insensitive search over id, strategy, symbols, exchange, timeframe and kind; every word must match. */
export function filterRuns(runs: readonly RunSummary[], query: string, kind = ''): RunSummary[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return runs.filter((r) => {
    if (kind && r.kind !== kind) return false;
    const hay = [r.id, r.strategy ?? '', r.exchange ?? '', r.timeframe ?? '', r.kind, ...r.symbols].join(' ').toLowerCase();
    return words.every((w) => hay.includes(w) || hay.replace(/\//g, '').includes(w.replace(/\//g, '')));
  });
}

export type SortDir = 'asc' | 'desc';
export type SortKey = 'id' | 'kind' | 'strategy' | 'market' | 'createdAt' | `stat:${string}`;

function sortValue(r: RunSummary, key: SortKey): string | number | null {
  if (key.startsWith('stat:')) {
    const v = r.stats[key.slice(5)];
    return v === undefined || Number.isNaN(v) ? null : v;
  }
  switch (key) {
    case 'id': return r.id;
    case 'kind': return r.kind;
    case 'strategy': return r.strategy;
    case 'market': return `${r.symbols.join(',')} ${r.timeframe ?? ''}`;
    case 'createdAt': return r.createdAt;
    default: return null;
  }
}

/** Sorted copy; runs without the value go last in both directions; ties by id. */
export function sortRuns(runs: readonly RunSummary[], key: SortKey, dir: SortDir): RunSummary[] {
  const sign = dir === 'asc' ? 1 : -1;
  return [...runs].sort((a, b) => {
    const x = sortValue(a, key), y = sortValue(b, key);
    if (x === null && y === null) return a.id.localeCompare(b.id);
    if (x === null) return 1;
    if (y === null) return -1;
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return c !== 0 ? sign * c : a.id.localeCompare(b.id);
  });
}

/** aria-sort of a column header. */
export function ariaSort(column: SortKey, key: SortKey, dir: SortDir): 'ascending' | 'descending' | 'none' {
  return column !== key ? 'none' : dir === 'asc' ? 'ascending' : 'descending';
}

/** Clicking a header: the same column flips, a new one starts descending for statistics and ascending for text. */
export function nextSort(column: SortKey, key: SortKey, dir: SortDir): { key: SortKey; dir: SortDir } {
  if (column === key) return { key, dir: dir === 'asc' ? 'desc' : 'asc' };
  return { key: column, dir: column.startsWith('stat:') || column === 'createdAt' ? 'desc' : 'asc' };
}

// ---- sweeps ----

export type ParamValue = number | string | boolean;
export interface SweepRow { readonly params: Readonly<Record<string, unknown>>; readonly stats: Readonly<Record<string, number | null>> }

export interface Heatmap {
  /** Values of the x parameter (columns) and y parameter (rows), sorted. */
  readonly x: ParamValue[];
  readonly y: ParamValue[];
  /** z[row][col]: the metric (null where no combination ran: constraints, random mode). */
  readonly z: (number | null)[][];
  /** The combination's full parameters per cell (null where none ran). */
  readonly cells: (Readonly<Record<string, unknown>> | null)[][];
  /** Other swept parameters were held at these values (combinations with other values are left out). */
  readonly fixed: Readonly<Record<string, unknown>>;
  /** Several combinations fell on one cell (other swept parameters vary): the best of them is shown. */
  readonly aggregated: boolean;
}

const cmp = (a: ParamValue, b: ParamValue) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b)));

/**
 * The metric over two swept parameters. With more than two swept parameters, `fixed` pins the others (cells keep
 * only matching combinations); without a pin, each cell shows the best combination on it (`aggregated`).
 */
export function heatmapOf(rows: readonly SweepRow[], xName: string, yName: string, metric: string, opts: { fixed?: Record<string, unknown>; lowerIsBetter?: boolean } = {}): Heatmap {
  const fixed = opts.fixed ?? {};
  const keep = rows.filter((r) => Object.entries(fixed).every(([k, v]) => r.params[k] === v));
  const x = [...new Set(keep.map((r) => r.params[xName] as ParamValue))].sort(cmp);
  const y = [...new Set(keep.map((r) => r.params[yName] as ParamValue))].sort(cmp);
  const z: (number | null)[][] = y.map(() => x.map(() => null));
  const cells: (Readonly<Record<string, unknown>> | null)[][] = y.map(() => x.map(() => null));
  const better = (a: number, b: number) => (opts.lowerIsBetter ? a < b : a > b);
  let aggregated = false;
  for (const r of keep) {
    const i = y.indexOf(r.params[yName] as ParamValue), j = x.indexOf(r.params[xName] as ParamValue);
    const v = r.stats[metric];
    const val = v === null || v === undefined || !Number.isFinite(v) ? null : v;
    if (cells[i][j] !== null) {
      aggregated = true;
      const cur = z[i][j];
      if (val === null || (cur !== null && !better(val, cur))) continue;
    }
    z[i][j] = val;
    cells[i][j] = r.params;
  }
  return { x, y, z, cells, fixed, aggregated };
}

// ---- walk-forward ----

export interface FoldPair { readonly fold: number; readonly testFrom: string; readonly testTo: string; readonly params: Record<string, unknown>; readonly inSample: number | null; readonly outOfSample: number | null }

/** In- vs out-of-sample of `metric` per fold, from folds.csv (columns fold, test_from, test_to, params..., is_<stat>, oos_<stat>). */
export function foldPairs(table: { columns: readonly string[]; rows: readonly (readonly (string | number | null)[])[] }, metric: string, paramNames: readonly string[]): FoldPair[] {
  const at = (c: string) => table.columns.indexOf(c);
  const iF = at('fold'), iFrom = at('test_from'), iTo = at('test_to'), iIs = at(`is_${metric}`), iOos = at(`oos_${metric}`);
  const n = (v: string | number | null | undefined) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return table.rows.map((r) => ({
    fold: Number(r[iF]), testFrom: String(r[iFrom] ?? ''), testTo: String(r[iTo] ?? ''),
    params: Object.fromEntries(paramNames.map((p) => [p, r[at(p)]])),
    inSample: iIs >= 0 ? n(r[iIs]) : null, outOfSample: iOos >= 0 ? n(r[iOos]) : null,
  }));
}

/** Statistics that folds.csv has for both samples (is_x and oos_x). */
export function foldMetrics(columns: readonly string[]): string[] {
  return columns.filter((c) => c.startsWith('is_') && columns.includes(`oos_${c.slice(3)}`)).map((c) => c.slice(3));
}

// ---- manifest ----

export interface ManifestRow { readonly label: string; readonly value: string; readonly mono?: boolean }
type Obj = Record<string, unknown>;
const o = (v: unknown): Obj => (typeof v === 'object' && v !== null ? (v as Obj) : {});
const s = (v: unknown): string => (v === undefined || v === null ? '–' : String(v));
const kv = (p: Obj): string => Object.entries(p).map(([k, v]) => `${k}=${String(v)}`).join(' ') || '(defaults)';

/** The gaps of a run's candles: count and missing bars (order backtests sum their markets). */
export function gapsOf(manifest: Obj): { count: number; missingBars: number; policy: string; list: { from: string; missing: number }[] } {
  const d = o(manifest.data);
  const g = o(d.gaps);
  const markets = Array.isArray(d.markets) ? (d.markets as Obj[]) : [];
  const raw = Array.isArray(g.gaps) ? g.gaps : markets.flatMap((x) => { const mg = o(o(x).gaps); return Array.isArray(mg.gaps) ? mg.gaps : []; });
  const list = raw.map((x) => { const y = o(x); return { from: s(y.from), missing: Number(y.missing ?? 0) }; });
  return { count: Number(g.count ?? 0), missingBars: Number(g.missingBars ?? 0), policy: s(d.gapPolicy), list };
}

/** What exactly was run, as label/value rows (strategy, parameters, data, range, hash, gaps, fills, fees, code). */
export function manifestRows(manifest: Obj): ManifestRow[] {
  const m = manifest;
  const st = o(m.strategy), src = o(st.source), d = o(m.data), ds = o(d.source), fm = o(m.fillModel), fees = o(m.fees), code = o(m.code);
  const rows: ManifestRow[] = [
    { label: 'Kind', value: s(m.kind) },
    { label: 'Strategy', value: `${s(st.ref)}${src.kind === 'file' ? ` (file ${s(src.path)})` : src.kind ? ` (${s(src.kind)})` : ''}`, mono: true },
  ];
  if (m.params) rows.push({ label: 'Parameters', value: kv(o(m.params)), mono: true });
  if (Array.isArray(m.grid)) {
    rows.push({ label: 'Grid', value: (m.grid as Obj[]).map((g) => `${s(g.name)}=${s(g.spec)}`).join(' '), mono: true });
    if (Object.keys(o(m.fixedParams)).length) rows.push({ label: 'Fixed parameters', value: kv(o(m.fixedParams)), mono: true });
    rows.push({ label: 'Ranked by', value: `${s(m.metric)} (${s(m.metricDirection)})` });
  }
  const w = o(m.windows);
  if (m.windows) rows.push({ label: 'Windows', value: `train ${s(w.train)}, test ${s(w.test)}, ${w.anchored ? 'anchored' : 'rolling'}, ${s(w.folds)} folds` });
  rows.push({ label: 'Market', value: `${s(d.exchange)} ${s(d.symbol)} ${s(d.timeframe)}`, mono: true });
  const markets = Array.isArray(d.markets) ? (d.markets as Obj[]) : [];
  const sources = ds.path ? [ds] : markets.map((x) => o(x.source));
  rows.push({ label: 'Data source', value: sources.map((x) => `${s(x.kind)} ${s(x.path)}${x.format ? ` (${s(x.format)})` : ''}`).join('; ') || '–', mono: true });
  rows.push({ label: 'Range', value: `${s(d.from)} .. ${s(d.to)} (${s(d.bars)} bars, ${s(d.warmupBars)} warm-up)`, mono: true });
  rows.push({ label: 'Content hash', value: s(d.contentHash), mono: true });
  const g = gapsOf(m);
  rows.push({ label: 'Gaps', value: `${g.count} gap${g.count === 1 ? '' : 's'}, ${g.missingBars} missing bars (policy ${g.policy}${d.filledBars ? `, ${s(d.filledBars)} filled` : ''})` });
  const fill = fm.name === 'next-open'
    ? `next open, slippage ${s(fm.slippageBps)} bps, fraction ${s(fm.fraction)}, lot ${fm.lotSize ? s(fm.lotSize) : 'none'}, min notional ${s(fm.minNotional)}, ${fm.allowShort ? 'long+short' : 'long only'}${fm.closeAtEnd ? ', closed at end' : ''}`
    : `${s(fm.name)}${fm.intrabarPath ? `, path ${s(fm.intrabarPath)}` : ''}${fm.fillOn ? `, fills ${s(fm.fillOn)}` : ''}, slippage ${s(fm.slippageBps)} bps`;
  rows.push({ label: 'Fill model', value: fill });
  const feeText = fees.feeRate !== undefined ? `fee rate ${s(fees.feeRate)}` : fees.maker ? `maker ${kv(o(fees.maker))}, taker ${kv(o(fees.taker))}` : '–';
  rows.push({ label: 'Fees', value: `${feeText}${typeof fees.feesPaid === 'number' ? `; paid ${(fees.feesPaid as number).toFixed(2)}` : ''}`, mono: true });
  rows.push({ label: 'Initial cash', value: s(m.initialCash), mono: true });
  rows.push({ label: 'Code version', value: `tradelab ${s(code.package)} ${s(code.commit).slice(0, 12)}${code.dirty ? ' (uncommitted changes)' : ''}`, mono: true });
  rows.push({ label: 'Created', value: s(m.createdAt), mono: true });
  return rows;
}

/**
 * Cell colour of a heatmap value: red (worst) through grey to green (best) over [min, max]; `lowerIsBetter` flips it.
 * null (no combination) is the panel colour.
 */
export function heatColor(v: number | null, min: number, max: number, lowerIsBetter = false): string {
  if (v === null || !Number.isFinite(v)) return 'transparent';
  let t = max > min ? (v - min) / (max - min) : 0.5;
  if (lowerIsBetter) t = 1 - t;
  // 0 → #a1262b (loss), 0.5 → #3a3f47, 1 → #238636 (profit)
  const mix = (a: number[], b: number[], u: number) => a.map((x, k) => Math.round(x + (b[k] - x) * u));
  const [lo, mid, hi] = [[161, 38, 43], [58, 63, 71], [35, 134, 54]];
  const c = t < 0.5 ? mix(lo, mid, t * 2) : mix(mid, hi, (t - 0.5) * 2);
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

/** Lowest and highest finite value of a heatmap (0, 0 when it has none). */
export function zRange(z: readonly (readonly (number | null)[])[]): { min: number; max: number } {
  let min = Infinity, max = -Infinity;
  for (const row of z) for (const v of row) if (v !== null && Number.isFinite(v)) { min = Math.min(min, v); max = Math.max(max, v); }
  return Number.isFinite(min) ? { min, max } : { min: 0, max: 0 };
}

/**
 * The backtest job (POST /api/jobs kind 'backtest') that reruns one combination of a sweep exactly: same strategy
 * version, candles, measured range, gap policy, fill model, fees and cash; the sweep's fixed parameters plus the cell's.
 */
export function sweepCellJobArgs(manifest: Obj, params: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const d = o(manifest.data), src = o(d.source), fm = o(manifest.fillModel), fees = o(manifest.fees);
  const data = src.kind === 'file' ? { file: String(src.path) } : { exchange: String(d.exchange), symbol: String(d.symbol), timeframe: String(d.timeframe) };
  const fill: Record<string, unknown> = {};
  for (const [k, v] of [['cash', manifest.initialCash], ['feeRate', fees.feeRate], ['slippageBps', fm.slippageBps], ['fraction', fm.fraction], ['lotSize', fm.lotSize], ['minNotional', fm.minNotional], ['allowShort', fm.allowShort], ['closeAtEnd', fm.closeAtEnd]] as const) {
    if (v !== undefined && v !== null) fill[k] = v;
  }
  return {
    strategy: String(o(manifest.strategy).ref), params: { ...o(manifest.fixedParams), ...params }, data,
    from: String(d.from), to: String(d.to), gaps: String(d.gapPolicy ?? 'report'), fill,
  };
}

/** A plotly axis in the dark theme (a layout's own xaxis/yaxis replaces darkLayout's, so pages build theirs with this). */
export function axis(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { gridcolor: '#30363d', zerolinecolor: '#30363d', ...extra };
}
