/**
 * runSweep(spec, deps): a parameter sweep as a factory the CLI and tests call alike. Parses the grids against the
 * strategy's schema, expands them (product, zip or seeded random), skips and counts the combinations that break
 * the strategy's constraints or the user's `--constraint`s, loads the candles once (with the largest warm-up any
 * combination needs, so every combination is measured over the same bars), runs every combination (sweepStats),
 * ranks them by the metric, measures the plateau around the best one and its deflated Sharpe ratio, and writes
 * results/<sweep-id>/: results.parquet (parameters, then every Stats field), manifest.json, report.html, and with
 * `saveTop` full backtest run folders of the best combinations under top/.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TObject } from '@sinclair/typebox';
import {
  paramDefaults, periodsPerYear, resolveParams, runSignalBacktest, usageError, validateFillConfig,
  type AnyStrategy, type FillConfig, type ParamValue, type ParamValues, type Stats,
} from '../../engine/index.ts';
import {
  deflatedSharpe, expandCombos, metricDirection, parseConstraint, parseGrids, parseMetric, plateauAround, productSize,
  rankRows, returnMoments, sampleVariance, STAT_KEYS, type Combo, type GridAxis, type Plateau, type SweepMode, SWEEP_MODES,
} from '../../engine/sweep/index.ts';
import type { GapPolicy, GapReport } from '../../data/index.ts';
import { runBacktest, type BacktestDeps, type DataSpec } from '../backtest.ts';
import { fingerprint, slug, stamp, uniqueRunId } from '../results/run-id.ts';
import type { CodeVersion } from '../code-version.ts';
import { iso } from '../dates.ts';
import { toJson } from '../json.ts';
import { resolveStrategy, type ResolvedStrategy } from '../strategy-registry.ts';
import { loadForRun } from './load.ts';
import { writeParquet, type ColumnType, type TableColumn } from './parquet.ts';
import type { PoolProgress, SweepPool } from './pool.ts';
import { renderSweepReport } from './report.ts';
import { sweepStats } from './sweep-stats.ts';

export interface SweepSpec {
  readonly strategy: string;
  /** `name=start:stop:step` or `name=a,b,c`, one per swept parameter. */
  readonly grids: readonly string[];
  /** Fixed overrides of parameters that are not swept (`--param`). */
  readonly params?: Readonly<Record<string, unknown>>;
  readonly mode: SweepMode;
  readonly samples?: number;
  readonly seed?: number;
  readonly constraints?: readonly string[];
  readonly metric: string;
  readonly workers: number;
  readonly data: DataSpec;
  readonly from?: string | number;
  readonly to?: string | number;
  readonly fill: FillConfig;
  readonly gaps: GapPolicy;
  /** Rows of the top table (default 10). */
  readonly top?: number;
  /** Write full backtest run folders for the best K combinations (default 0). */
  readonly saveTop?: number;
}

export interface SweepDeps extends BacktestDeps {
  readonly onProgress?: (p: PoolProgress) => void;
  readonly pool?: SweepPool;
}

export interface SweepManifest {
  readonly schema: 'tradelab.sweep/1';
  readonly sweepId: string;
  readonly kind: 'sweep';
  readonly createdAt: string;
  readonly strategy: { id: string; version: string; ref: string; kind: string; source: ResolvedStrategy['source'] };
  readonly fixedParams: ParamValues;
  readonly grid: { name: string; spec: string; values: ParamValue[] }[];
  readonly mode: SweepMode;
  readonly samples: number | null;
  readonly seed: number | null;
  readonly constraints: { readonly strategy: string[]; readonly user: string[] };
  readonly metric: keyof Stats;
  readonly metricDirection: 'higher is better' | 'lower is better';
  readonly data: {
    readonly source: { kind: 'file' | 'cache'; path: string; format?: string };
    readonly exchange: string; readonly symbol: string; readonly timeframe: string;
    readonly from: string; readonly to: string; readonly fromTs: number; readonly toTs: number;
    readonly bars: number; readonly warmupBars: number; readonly loadedFrom: string; readonly contentHash: string;
    readonly gapPolicy: GapPolicy; readonly gaps: GapReport; readonly filledBars: number;
  };
  readonly fillModel: { name: 'next-open'; slippageBps: number; lotSize: number; minNotional: number; fraction: number; allowShort: boolean; closeAtEnd: boolean };
  readonly fees: { feeRate: number };
  readonly initialCash: number;
  readonly code: CodeVersion;
  readonly workers: number;
  readonly combos: { generated: number; gridSize: number; tried: number; skipped: number; skippedByStrategyConstraints: number; skippedByUserConstraints: number };
  readonly indicatorColumns: { requests: number; shared: number; computedInWorkers: number };
  readonly best: { row: number; params: ParamValues; value: number };
  readonly plateau: Omit<Plateau, 'rows'> & { definition: string };
  readonly deflatedSharpe: { sharpe: number; sharpePerBar: number; trials: number; sharpeVariancePerBar: number; observations: number; skew: number; kurtosis: number; expectedMaxSharpePerBar: number; expectedMaxSharpe: number; z: number; dsr: number } | null;
  readonly elapsedMs: number;
  readonly files: { results: string; report: string; top: string[] };
}

export interface SweepRun {
  readonly sweepId: string;
  readonly dir: string | null;
  readonly manifest: SweepManifest;
  readonly axes: readonly GridAxis[];
  /** The combinations that ran, in row order. */
  readonly combos: readonly Combo[];
  /** Full parameters per row. */
  readonly params: readonly ParamValues[];
  /** rows × STAT_KEYS.length. */
  readonly values: Float64Array;
  readonly stride: number;
  /** Rows best first. */
  readonly ranking: readonly number[];
  readonly plateau: Plateau;
  /** Stats of one row. */
  readonly statsOf: (row: number) => Stats;
}

export const PLATEAU_DEFINITION = 'neighbours = combinations run whose grid index is within ±1 step on every swept parameter; mean and worst metric over them; drop % = dir × (best − x) / |best| × 100';

/** Grid, constraints and combinations for a strategy (no data needed): what a sweep would run and what it skips. */
export function planCombos(strategy: AnyStrategy, spec: Pick<SweepSpec, 'grids' | 'params' | 'mode' | 'samples' | 'seed' | 'constraints'>) {
  const schema = strategy.params as TObject;
  if (!(SWEEP_MODES as readonly string[]).includes(spec.mode)) throw usageError('BAD_MODE', `--mode '${spec.mode}' is not allowed; use ${SWEEP_MODES.join(', ')}`);
  const axes = parseGrids(strategy.id, schema, spec.grids);
  const fixed = spec.params ?? {};
  const clash = axes.filter((a) => a.name in fixed).map((a) => a.name);
  if (clash.length) throw usageError('BAD_GRID', `parameter ${clash.join(', ')} is both swept (--grid) and fixed (--param); give it once`);
  const fixedResolved = resolveFixed(strategy, fixed);
  const names = Object.keys(schema.properties);
  const user = (spec.constraints ?? []).map((c) => parseConstraint(c, names));
  const all = expandCombos(axes, { mode: spec.mode, samples: spec.samples, seed: spec.seed });
  const base = { ...paramDefaults(schema), ...fixedResolved };
  const combos: Combo[] = [];
  const params: ParamValues[] = [];
  let byStrategy = 0, byUser = 0;
  for (const c of all) {
    const merged = { ...base, ...c.values };
    if (!strategy.constraints.every((k) => k.check(merged))) { byStrategy++; continue; }
    if (!user.every((k) => k.check(merged))) { byUser++; continue; }
    combos.push(c);
    params.push(strategy.resolveParams({ ...fixedResolved, ...c.values }) as ParamValues);
  }
  return { axes, user, fixed: fixedResolved, combos, params, generated: all.length, gridSize: productSize(axes), byStrategy, byUser };
}

/** Validate the fixed `--param`s alone (the cross-field constraints are checked per combination, with the swept values). */
function resolveFixed(strategy: AnyStrategy, fixed: Readonly<Record<string, unknown>>): ParamValues {
  const all = resolveParams(strategy.id, strategy.params as TObject, [], fixed);
  return Object.fromEntries(Object.keys(fixed).map((k) => [k, all[k]]));
}

export async function runSweep(spec: SweepSpec, deps: SweepDeps): Promise<SweepRun> {
  const t0 = performance.now();
  const resolved = await resolveStrategy(spec.strategy, deps.cwd);
  const { strategy } = resolved;
  if (strategy.kind !== 'signal') throw usageError('STRATEGY_KIND_UNSUPPORTED', `strategy '${strategy.id}' places orders (kind '${strategy.kind}'); sweeps run signal strategies only`);
  const metric = parseMetric(spec.metric);
  const dir = metricDirection(metric);
  const fill = validateFillConfig(spec.fill);
  const top = spec.top ?? 10;
  const saveTop = spec.saveTop ?? 0;
  if (!Number.isInteger(top) || top < 1) throw usageError('BAD_TOP', `--top ${top} must be a whole number >= 1`);
  if (!Number.isInteger(saveTop) || saveTop < 0) throw usageError('BAD_SAVE_TOP', `--save-top ${saveTop} must be a whole number >= 0`);
  const plan = planCombos(strategy, spec);
  if (plan.combos.length === 0) {
    throw usageError('NO_COMBOS', `every one of the ${plan.generated} combinations breaks a constraint (${plan.byStrategy} the strategy's: ${strategy.constraints.map((c) => c.expr).join(', ') || 'none'}; ${plan.byUser} yours: ${(spec.constraints ?? []).join(', ') || 'none'}); widen the grids`);
  }
  const warmupBars = Math.max(0, ...plan.params.map((p) => Math.ceil(strategy.warmup(p))));
  const loaded = await loadForRun(spec.data, { from: spec.from, to: spec.to, warmupBars }, spec.gaps, deps.cacheDir);
  const { frame, startIndex } = loaded;
  const end = frame.length;
  const strategyRef = resolved.source.kind === 'file' ? resolved.source.path : strategy.id;

  const res = await sweepStats({
    strategy, strategyRef, cwd: deps.cwd, frame, start: startIndex, end, params: plan.params, fill,
    workers: spec.workers, pool: deps.pool, onProgress: deps.onProgress,
  });
  const { values, stride } = res;
  const rows = plan.combos.length;
  const col = (key: keyof Stats) => { const j = STAT_KEYS.indexOf(key); const out = new Float64Array(rows); for (let r = 0; r < rows; r++) out[r] = values[r * stride + j]; return out; };
  const metricCol = col(metric);
  const ranking = rankRows(metricCol, dir);
  const bestRow = ranking[0];
  const plateau = plateauAround(plan.combos.map((c) => c.index), metricCol, bestRow, dir);
  const statsOf = (row: number): Stats => Object.fromEntries(STAT_KEYS.map((k, j) => [k, values[row * stride + j]])) as unknown as Stats;

  // Deflated Sharpe of the best combination (Bailey & López de Prado 2014; docs/metrics.md "Sweeps").
  const ppy = periodsPerYear(frame.timeframe);
  const sharpes = col('sharpe');
  const perBar = sharpes.map((s) => s / Math.sqrt(ppy));
  const bestSim = runSignalBacktest(strategy, frame, plan.params[bestRow], fill, { startIndex, endIndex: end });
  const mom = returnMoments(bestSim.equity, fill.initialCash);
  const srBar = sharpes[bestRow] / Math.sqrt(ppy);
  const variance = sampleVariance(perBar);
  let dsr: SweepManifest['deflatedSharpe'] = null;
  if (Number.isFinite(srBar)) {
    const d = deflatedSharpe({ sharpe: srBar, trials: rows, variance: rows > 1 ? variance : 0, observations: mom.count, skew: mom.skew, kurtosis: mom.kurtosis });
    dsr = { sharpe: sharpes[bestRow], sharpePerBar: srBar, trials: rows, sharpeVariancePerBar: variance, observations: mom.count, skew: mom.skew, kurtosis: mom.kurtosis,
      expectedMaxSharpePerBar: d.expectedMaxSharpe, expectedMaxSharpe: d.expectedMaxSharpe * Math.sqrt(ppy), z: d.z, dsr: d.dsr };
  }

  const body = {
    strategy: { id: strategy.id, version: strategy.version, ref: strategy.ref, kind: strategy.kind, source: resolved.source },
    fixedParams: plan.fixed,
    grid: plan.axes.map((a) => ({ name: a.name, spec: a.spec, values: [...a.values] })),
    mode: spec.mode, samples: spec.mode === 'random' ? spec.samples ?? null : null, seed: spec.mode === 'random' ? spec.seed ?? 0 : null,
    constraints: { strategy: strategy.constraints.map((c) => c.expr), user: plan.user.map((c) => c.expr) },
    metric, metricDirection: dir === 1 ? 'higher is better' as const : 'lower is better' as const,
    data: {
      source: loaded.source, exchange: frame.exchange, symbol: frame.symbol, timeframe: frame.timeframe,
      from: iso(frame.ts[startIndex]), to: iso(frame.ts[end - 1]), fromTs: frame.ts[startIndex], toTs: frame.ts[end - 1],
      bars: end - startIndex, warmupBars: startIndex, loadedFrom: iso(frame.ts[0]), contentHash: loaded.contentHash,
      gapPolicy: spec.gaps, gaps: loaded.gaps, filledBars: loaded.filled,
    },
    fillModel: { name: 'next-open' as const, slippageBps: fill.slippageBps, lotSize: fill.lotSize, minNotional: fill.minNotional, fraction: fill.fraction, allowShort: fill.allowShort, closeAtEnd: fill.closeAtEnd },
    fees: { feeRate: fill.feeRate },
    initialCash: fill.initialCash,
    code: deps.code,
  };
  const base = `${stamp(deps.now())}-sweep-${strategy.id}-${slug(frame.symbol)}-${frame.timeframe}-${fingerprint(body)}`;
  const sweepId = uniqueRunId(deps, base);
  const outDir = deps.write !== false ? join(deps.resultsDir, sweepId) : null;

  const topIds: string[] = [];
  if (outDir) {
    mkdirSync(outDir, { recursive: true });
    for (let k = 0; k < Math.min(saveTop, rows); k++) {
      const row = ranking[k];
      const run = await runBacktest({
        strategy: spec.strategy, params: plan.params[row], data: spec.data, from: frame.ts[startIndex], to: frame.ts[end - 1], fill, gaps: spec.gaps,
      }, { ...deps, resultsDir: join(outDir, 'top') });
      topIds.push(`top/${run.runId}`);
    }
  }
  const { rows: _r, ...plateauOut } = plateau;
  const manifest: SweepManifest = {
    schema: 'tradelab.sweep/1', sweepId, kind: 'sweep', createdAt: iso(deps.now()), ...body,
    workers: res.workers,
    combos: { generated: plan.generated, gridSize: plan.gridSize, tried: rows, skipped: plan.byStrategy + plan.byUser, skippedByStrategyConstraints: plan.byStrategy, skippedByUserConstraints: plan.byUser },
    indicatorColumns: res.columns,
    best: { row: bestRow, params: plan.params[bestRow], value: metricCol[bestRow] },
    plateau: { ...plateauOut, definition: PLATEAU_DEFINITION },
    deflatedSharpe: dsr,
    elapsedMs: Math.round(performance.now() - t0),
    files: { results: 'results.parquet', report: 'report.html', top: topIds },
  };
  const run: SweepRun = { sweepId, dir: outDir, manifest, axes: plan.axes, combos: plan.combos, params: plan.params, values, stride, ranking, plateau, statsOf };
  if (outDir) {
    await writeParquet(join(outDir, 'results.parquet'), resultColumns(strategy, plan.axes, plan.params, values, stride), rows);
    writeAtomic(join(outDir, 'manifest.json'), toJson(manifest) + '\n');
    writeAtomic(join(outDir, 'report.html'), renderSweepReport(run, top));
  }
  return run;
}

/** Parquet columns: every parameter of the strategy (swept first), then every Stats field. */
export function resultColumns(strategy: AnyStrategy, axes: readonly GridAxis[], params: readonly ParamValues[], values: Float64Array, stride: number): TableColumn[] {
  const props = (strategy.params as TObject).properties as Record<string, { type?: string }>;
  const swept = axes.map((a) => a.name);
  const names = [...swept, ...Object.keys(props).filter((k) => !swept.includes(k))];
  const typeOf = (k: string): ColumnType => (props[k].type === 'integer' ? 'BIGINT' : props[k].type === 'number' ? 'DOUBLE' : props[k].type === 'boolean' ? 'BOOLEAN' : 'VARCHAR');
  const cols: TableColumn[] = names.map((k) => ({ name: k, type: typeOf(k), values: params.map((p) => p[k]) }));
  STAT_KEYS.forEach((k, j) => {
    const v = new Float64Array(params.length);
    for (let r = 0; r < params.length; r++) v[r] = values[r * stride + j];
    cols.push({ name: k, type: 'DOUBLE', values: v });
  });
  return cols;
}

function writeAtomic(path: string, data: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

