/**
 * runWalkForward(spec, deps): optimise on each training window (the sweep machinery: sweepStats over the training
 * bars, ranked by the metric), trade the next test window with the winner, and stitch the out-of-sample results.
 *
 * No look-ahead by construction: fold k's sweep runs on the frame CUT at the end of its training window (bars after
 * it do not exist for it), and its test run on the frame cut at the end of the test window. The test run's
 * indicators warm up on the bars before the test window, so the test window is measured from its first bar. Each
 * fold starts from the previous fold's final equity and closes any position at its last close (fees and slippage
 * paid), so the next fold starts flat; the stitched curve is the concatenation of the folds' curves and its
 * statistics come from computeStats over it and all out-of-sample trades.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import {
  computeStats, runSignalBacktest, sliceFrame, statsInputFromSim, timeframeMs, usageError, validateFillConfig,
  type ParamValue, type ParamValues, type Stats,
} from '../../engine/index.ts';
import { metricDirection, parseMetric, rankRows, STAT_KEYS } from '../../engine/sweep/index.ts';
import type { GapPolicy, GapReport } from '../../data/index.ts';
import type { BacktestDeps } from '../backtest.ts';
import { fingerprint, slug, stamp, uniqueRunId } from '../results/run-id.ts';
import type { CodeVersion } from '../code-version.ts';
import { iso } from '../dates.ts';
import { toJson } from '../json.ts';
import { resolveStrategy, type ResolvedStrategy } from '../strategy-registry.ts';
import { loadForRun } from '../sweep/load.ts';
import { SweepPool, type PoolProgress } from '../sweep/pool.ts';
import { planCombos, type SweepSpec } from '../sweep/run-sweep.ts';
import { sweepStats } from '../sweep/sweep-stats.ts';
import { parseDuration, planFolds, type Fold } from './folds.ts';
import { renderWalkForwardReport } from './report.ts';

export interface WalkForwardSpec extends Omit<SweepSpec, 'top' | 'saveTop'> {
  /** Durations: 180d, 12h, 4w, 90m. */
  readonly train: string;
  readonly test: string;
  /** Training windows all start at the first measured bar (growing), instead of rolling. */
  readonly anchored: boolean;
}

export interface WalkForwardDeps extends BacktestDeps {
  readonly onProgress?: (p: PoolProgress) => void;
}

export interface FoldResult {
  readonly fold: Fold;
  readonly trainFrom: string; readonly trainTo: string; readonly testFrom: string; readonly testTo: string;
  /** The winner of the training window. */
  readonly params: ParamValues;
  readonly inSample: Stats;
  readonly outOfSample: Stats;
  readonly startEquity: number;
  readonly endEquity: number;
}

export interface ParamStability {
  readonly name: string;
  readonly values: ParamValue[];
  readonly mean: number;
  /** Sample standard deviation (ddof 1; NaN with one fold). */
  readonly std: number;
  /** std / |mean|. */
  readonly cv: number;
  readonly distinct: number;
}

export interface WalkForwardManifest {
  readonly schema: 'tradelab.walk-forward/1';
  readonly runId: string;
  readonly kind: 'walk-forward';
  readonly createdAt: string;
  readonly strategy: { id: string; version: string; ref: string; kind: string; source: ResolvedStrategy['source'] };
  readonly fixedParams: ParamValues;
  readonly grid: { name: string; spec: string; values: ParamValue[] }[];
  readonly mode: string; readonly samples: number | null; readonly seed: number | null;
  readonly constraints: { strategy: string[]; user: string[] };
  readonly metric: keyof Stats;
  readonly metricDirection: string;
  readonly windows: { train: string; test: string; trainMs: number; testMs: number; anchored: boolean; folds: number };
  readonly data: {
    readonly source: { kind: 'file' | 'cache'; path: string; format?: string };
    readonly exchange: string; readonly symbol: string; readonly timeframe: string;
    readonly from: string; readonly to: string; readonly bars: number; readonly warmupBars: number; readonly loadedFrom: string;
    readonly contentHash: string; readonly gapPolicy: GapPolicy; readonly gaps: GapReport; readonly filledBars: number;
  };
  readonly fillModel: { name: 'next-open'; slippageBps: number; lotSize: number; minNotional: number; fraction: number; allowShort: boolean; closeAtFoldEnd: true };
  readonly fees: { feeRate: number };
  readonly initialCash: number;
  readonly code: CodeVersion;
  readonly workers: number;
  readonly combos: { perFold: number; skippedByStrategyConstraints: number; skippedByUserConstraints: number; total: number };
  readonly folds: readonly { k: number; trainFrom: string; trainTo: string; testFrom: string; testTo: string; params: ParamValues; inSample: number; outOfSample: number }[];
  readonly stability: readonly ParamStability[];
  readonly outOfSample: Stats;
  readonly elapsedMs: number;
}

export interface WalkForwardRun {
  readonly runId: string;
  readonly dir: string | null;
  readonly manifest: WalkForwardManifest;
  readonly folds: readonly FoldResult[];
  /** The stitched out-of-sample curves (one value per test bar, folds in order). */
  readonly stitched: { ts: Float64Array; equity: Float64Array; position: Float64Array; close: Float64Array };
  readonly stats: Stats;
}

export async function runWalkForward(spec: WalkForwardSpec, deps: WalkForwardDeps): Promise<WalkForwardRun> {
  const t0 = performance.now();
  const trainMs = parseDuration(spec.train, '--train');
  const testMs = parseDuration(spec.test, '--test');
  const resolved = await resolveStrategy(spec.strategy, deps.cwd);
  const { strategy } = resolved;
  if (strategy.kind !== 'signal') throw usageError('STRATEGY_KIND_UNSUPPORTED', `strategy '${strategy.id}' places orders (kind '${strategy.kind}'); walk-forward runs signal strategies only`);
  const metric = parseMetric(spec.metric);
  const dir = metricDirection(metric);
  const fill = validateFillConfig(spec.fill);
  const plan = planCombos(strategy, spec);
  if (plan.combos.length === 0) throw usageError('NO_COMBOS', `every one of the ${plan.generated} combinations breaks a constraint; widen the grids`);
  const warmupBars = Math.max(0, ...plan.params.map((p) => Math.ceil(strategy.warmup(p))));
  const loaded = await loadForRun(spec.data, { from: spec.from, to: spec.to, warmupBars }, spec.gaps, deps.cacheDir);
  const { frame, startIndex } = loaded;
  const tfMs = timeframeMs(frame.timeframe);
  const folds = planFolds(frame.ts, startIndex, frame.length, tfMs, trainMs, testMs, spec.anchored);
  const strategyRef = resolved.source.kind === 'file' ? resolved.source.path : strategy.id;
  const rows = plan.params.length;
  const total = rows * folds.length;
  const workers = Math.max(1, Math.min(spec.workers, rows));
  const pool = workers > 1 ? await SweepPool.create(workers) : undefined;

  const results: FoldResult[] = [];
  const parts: { ts: Float64Array; equity: Float64Array; position: Float64Array; close: Float64Array }[] = [];
  const pnl: number[] = [], ret: number[] = [];
  let equityNow = fill.initialCash, feesPaid = 0, skippedOrders = 0, openTrades = 0;
  try {
    for (const f of folds) {
      // In-sample: the sweep over the training bars, on the frame cut at the end of the training window.
      const trainFrame = sliceFrame(frame, 0, f.trainEnd);
      const res = await sweepStats({
        strategy, strategyRef, cwd: deps.cwd, frame: trainFrame, start: f.trainStart, end: f.trainEnd, params: plan.params, fill,
        workers, pool, onProgress: deps.onProgress ? (p) => deps.onProgress!({ done: f.k * rows + p.done, total }) : undefined,
      });
      const j = STAT_KEYS.indexOf(metric);
      const col = new Float64Array(rows);
      for (let r = 0; r < rows; r++) col[r] = res.values[r * res.stride + j];
      const win = rankRows(col, dir)[0];
      const inSample = Object.fromEntries(STAT_KEYS.map((k, c) => [k, res.values[win * res.stride + c]])) as unknown as Stats;
      // Out-of-sample: the winner over the test bars, warmed up on the bars before them, from the equity so far.
      const testFrame = sliceFrame(frame, 0, f.testEnd);
      const cfg = { ...fill, initialCash: equityNow, closeAtEnd: true };
      const sim = runSignalBacktest(strategy, testFrame, plan.params[win], cfg, { startIndex: f.testStart, endIndex: f.testEnd });
      const outOfSample = computeStats(statsInputFromSim(sim, testFrame, cfg));
      const startEquity = equityNow;
      equityNow = sim.equity[sim.equity.length - 1];
      parts.push({ ts: sim.ts.slice(), equity: sim.equity.slice(), position: sim.position.slice(), close: frame.close.slice(f.testStart, f.testEnd) });
      pnl.push(...sim.tradeColumns.pnl);
      ret.push(...sim.tradeColumns.returnPct);
      feesPaid += sim.feesPaid;
      skippedOrders += sim.skippedOrders;
      openTrades = sim.openPosition ? 1 : 0;
      results.push({
        fold: f, trainFrom: iso(frame.ts[f.trainStart]), trainTo: iso(frame.ts[f.trainEnd - 1]), testFrom: iso(frame.ts[f.testStart]), testTo: iso(frame.ts[f.testEnd - 1]),
        params: plan.params[win], inSample, outOfSample, startEquity, endEquity: equityNow,
      });
    }
  } finally {
    await pool?.close();
  }
  const stitched = concat(parts);
  const first = folds[0], lastFold = folds[folds.length - 1];
  const stats = computeStats({
    ts: stitched.ts, equity: stitched.equity, position: stitched.position, trades: { pnl: Float64Array.from(pnl), returnPct: Float64Array.from(ret) },
    timeframe: frame.timeframe, initialCash: fill.initialCash, feesPaid, skippedOrders, openTrades,
    firstPrice: frame.open[first.testStart], lastPrice: frame.close[lastFold.testEnd - 1],
  });
  const stability = plan.axes.map((a) => paramStability(a.name, results.map((r) => r.params[a.name])));

  const body = {
    strategy: { id: strategy.id, version: strategy.version, ref: strategy.ref, kind: strategy.kind, source: resolved.source },
    fixedParams: plan.fixed,
    grid: plan.axes.map((a) => ({ name: a.name, spec: a.spec, values: [...a.values] })),
    mode: spec.mode, samples: spec.mode === 'random' ? spec.samples ?? null : null, seed: spec.mode === 'random' ? spec.seed ?? 0 : null,
    constraints: { strategy: strategy.constraints.map((c) => c.expr), user: plan.user.map((c) => c.expr) },
    metric, metricDirection: dir === 1 ? 'higher is better' : 'lower is better',
    windows: { train: spec.train, test: spec.test, trainMs, testMs, anchored: spec.anchored, folds: folds.length },
    data: {
      source: loaded.source, exchange: frame.exchange, symbol: frame.symbol, timeframe: frame.timeframe,
      from: iso(frame.ts[startIndex]), to: iso(frame.ts[frame.length - 1]), bars: frame.length - startIndex, warmupBars: startIndex,
      loadedFrom: iso(frame.ts[0]), contentHash: loaded.contentHash, gapPolicy: spec.gaps, gaps: loaded.gaps, filledBars: loaded.filled,
    },
    fillModel: { name: 'next-open' as const, slippageBps: fill.slippageBps, lotSize: fill.lotSize, minNotional: fill.minNotional, fraction: fill.fraction, allowShort: fill.allowShort, closeAtFoldEnd: true as const },
    fees: { feeRate: fill.feeRate },
    initialCash: fill.initialCash,
    code: deps.code,
  };
  const base = `${stamp(deps.now())}-wf-${strategy.id}-${slug(frame.symbol)}-${frame.timeframe}-${fingerprint(body)}`;
  const runId = uniqueRunId(deps, base);
  const manifest: WalkForwardManifest = {
    schema: 'tradelab.walk-forward/1', runId, kind: 'walk-forward', createdAt: iso(deps.now()), ...body,
    workers,
    combos: { perFold: rows, skippedByStrategyConstraints: plan.byStrategy, skippedByUserConstraints: plan.byUser, total },
    folds: results.map((r) => ({ k: r.fold.k, trainFrom: r.trainFrom, trainTo: r.trainTo, testFrom: r.testFrom, testTo: r.testTo, params: r.params, inSample: r.inSample[metric], outOfSample: r.outOfSample[metric] })),
    stability, outOfSample: stats, elapsedMs: Math.round(performance.now() - t0),
  };
  const run: WalkForwardRun = { runId, dir: null, manifest, folds: results, stitched, stats };
  if (deps.write === false) return run;
  const dirPath = join(deps.resultsDir, runId);
  mkdirSync(dirPath, { recursive: true });
  writeAtomic(join(dirPath, 'manifest.json'), toJson(manifest) + '\n');
  writeAtomic(join(dirPath, 'stats.json'), toJson(stats) + '\n');
  writeAtomic(join(dirPath, 'folds.csv'), foldsCsv(results, plan.axes.map((a) => a.name)));
  writeAtomic(join(dirPath, 'equity.arrow'), tableToIPC(equityTable(stitched), 'file'));
  const withDir = { ...run, dir: dirPath };
  writeAtomic(join(dirPath, 'report.html'), renderWalkForwardReport(withDir));
  return withDir;
}

export function paramStability(name: string, values: ParamValue[]): ParamStability {
  const nums = values.map(Number);
  const n = nums.length;
  const mean = nums.reduce((s, v) => s + v, 0) / n;
  const std = n > 1 ? Math.sqrt(nums.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : NaN;
  return { name, values, mean, std, cv: std / Math.abs(mean), distinct: new Set(values.map(String)).size };
}

function concat(parts: { ts: Float64Array; equity: Float64Array; position: Float64Array; close: Float64Array }[]) {
  const n = parts.reduce((s, p) => s + p.ts.length, 0);
  const out = { ts: new Float64Array(n), equity: new Float64Array(n), position: new Float64Array(n), close: new Float64Array(n) };
  let o = 0;
  for (const p of parts) {
    out.ts.set(p.ts, o); out.equity.set(p.equity, o); out.position.set(p.position, o); out.close.set(p.close, o);
    o += p.ts.length;
  }
  return out;
}

function equityTable(s: WalkForwardRun['stitched']) {
  const n = s.equity.length;
  const drawdownPct = new Float64Array(n);
  let peak = -Infinity;
  for (let i = 0; i < n; i++) { if (s.equity[i] > peak) peak = s.equity[i]; drawdownPct[i] = peak > 0 ? (s.equity[i] / peak - 1) * 100 : 0; }
  return tableFromArrays({ ts: s.ts, equity: s.equity, drawdownPct, position: s.position, close: s.close });
}

const csvNum = (x: number) => (Number.isFinite(x) ? String(x) : '');

function foldsCsv(folds: readonly FoldResult[], names: readonly string[]): string {
  const keys = STAT_KEYS.filter((k) => !['start', 'end', 'durationDays', 'bars', 'equityStart'].includes(k));
  const head = ['fold', 'train_from', 'train_to', 'test_from', 'test_to', ...names, 'start_equity', 'end_equity', ...keys.map((k) => `is_${k}`), ...keys.map((k) => `oos_${k}`)];
  const rows = folds.map((f) => [String(f.fold.k), f.trainFrom, f.trainTo, f.testFrom, f.testTo, ...names.map((n) => String(f.params[n])), csvNum(f.startEquity), csvNum(f.endEquity),
    ...keys.map((k) => csvNum(f.inSample[k])), ...keys.map((k) => csvNum(f.outOfSample[k]))].join(','));
  return [head.join(','), ...rows].join('\n') + '\n';
}

function writeAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

