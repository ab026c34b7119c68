/**
 * runOrderStrategyBacktest(spec, deps): an order strategy (`kind: 'orders'`: grid, range-grid, dca, twap, vwap, or a
 * user's file) over one or more markets sharing ONE budget and one set of caps, in one `runOrderBacktest` call.
 * The factory the CLI and tests call alike (CONVENTIONS §2): loads each market's candles (same sources, range,
 * warm-up and gap policy as signal runs), builds and validates each market's spec, simulates, computes the
 * statistics once, and writes the run folder (see write-orders.ts).
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { lowerBound, timeframeMs, usageError, type CandleFrame, type ParamValues } from '../../engine/index.ts';
import {
  runOrderBacktest, type FillOn, type IntrabarPath, type MarketSpec, type OrderFillModel, type OrderSimResult,
} from '../../engine/orders/index.ts';
import { orderStrategyReport, type OrderStrategyReport } from '../../engine/strategies-orders/index.ts';
import { loadCandles, type GapPolicy, type GapReport } from '../../data/index.ts';
import type { BacktestDeps, DataSpec } from '../backtest.ts';
import { fingerprint, slug, stamp, uniqueRunId } from '../results/run-id.ts';
import { iso, parseDate } from '../dates.ts';
import { resolveStrategy, type ResolvedStrategy } from '../strategy-registry.ts';
import { resolveMarketSpec, type SpecFile, type SpecOverrides } from './market-specs.ts';
import { orderRunStats, type OrderRunStats } from './order-stats.ts';
import { writeOrderRunFolder } from './write-orders.ts';

export interface OrderBacktestSpec {
  /** Built-in id, path of a .ts file, or an already resolved strategy. */
  readonly strategy: string | ResolvedStrategy;
  readonly params: Readonly<Record<string, unknown>>;
  /** One entry per market. */
  readonly markets: readonly DataSpec[];
  readonly from?: string | number;
  readonly to?: string | number;
  readonly gaps: GapPolicy;
  readonly initialCash: number;
  /** Market-order slippage, bps. */
  readonly slippageBps: number;
  /** Spec fields that apply to every market (flags). */
  readonly specFlags: SpecOverrides;
  /** Per-symbol specs (--market-spec). */
  readonly specFile?: SpecFile;
  readonly intrabarPath?: IntrabarPath;
  readonly fillOn?: FillOn;
  readonly maxVolumeShare?: number;
}

export interface OrderMarketData {
  readonly source: { kind: 'file' | 'cache'; path: string; format?: string };
  readonly exchange: string; readonly symbol: string; readonly timeframe: string;
  readonly from: string; readonly to: string; readonly fromTs: number; readonly toTs: number;
  readonly bars: number; readonly warmupBars: number; readonly loadedFrom: string;
  readonly contentHash: string;
  readonly gaps: GapReport; readonly filledBars: number;
}

export interface OrderManifest {
  readonly schema: 'tradelab.order-backtest/1';
  readonly runId: string;
  readonly kind: 'backtest';
  readonly createdAt: string;
  readonly strategy: { id: string; version: string; ref: string; kind: string; source: ResolvedStrategy['source'] };
  readonly params: ParamValues;
  /** The run as a whole (symbol: the symbols joined by ','; contentHash: sha256 over the markets' hashes), then each market. */
  readonly data: {
    readonly exchange: string; readonly symbol: string; readonly timeframe: string;
    readonly from: string; readonly to: string; readonly fromTs: number; readonly toTs: number;
    /** Steps of the aligned timeline measured (union of the markets' bar times). */
    readonly bars: number; readonly warmupBars: number;
    readonly contentHash: string;
    readonly gapPolicy: GapPolicy;
    readonly gaps: { count: number; missingBars: number };
    readonly markets: readonly OrderMarketData[];
  };
  readonly marketSpecs: readonly MarketSpec[];
  readonly marketSpecSource: { defaults: 'engine DEFAULT_MARKET_SPEC'; file: { path: string; sha256: string } | null; flags: SpecOverrides };
  readonly fillModel: { readonly name: 'order-path' } & OrderFillModel;
  readonly fees: { readonly maker: Readonly<Record<string, number>>; readonly taker: Readonly<Record<string, number>>; readonly feesPaid: number };
  readonly initialCash: number;
  readonly code: BacktestDeps['code'];
  readonly seed: null;
}

export interface OrderBacktestRun {
  readonly runId: string;
  readonly runDir: string | null;
  readonly manifest: OrderManifest;
  readonly stats: OrderRunStats;
  readonly result: OrderSimResult;
  readonly frames: readonly CandleFrame[];
  readonly report: OrderStrategyReport;
  /** First measured step of the result's timeline (steps before it are warm-up). */
  readonly k0: number;
}

export async function runOrderStrategyBacktest(spec: OrderBacktestSpec, deps: BacktestDeps): Promise<OrderBacktestRun> {
  const resolved = typeof spec.strategy === 'string' ? await resolveStrategy(spec.strategy, deps.cwd) : spec.strategy;
  const { strategy } = resolved;
  if (strategy.kind !== 'orders') {
    throw usageError('STRATEGY_KIND_UNSUPPORTED', `strategy '${strategy.id}' is a ${strategy.kind} strategy; the order backtester runs strategies of kind 'orders'`);
  }
  if (spec.markets.length === 0) throw usageError('NO_MARKETS', 'an order backtest needs at least one market: --symbol, --symbols or --data');
  const params = strategy.resolveParams(spec.params) as ParamValues;
  const warmupBars = Math.max(0, Math.ceil(strategy.warmup(params) || 0));
  const from = spec.from === undefined ? undefined : parseDate(spec.from, '--from');
  const to = spec.to === undefined ? undefined : parseDate(spec.to, '--to');
  if (from !== undefined && to !== undefined && to < from) throw usageError('BAD_RANGE', `--to (${iso(to)}) is before --from (${iso(from)})`);

  const loaded = [];
  for (const d of spec.markets) {
    const source = 'file' in d ? d : { cacheDir: deps.cacheDir, exchange: d.exchange, symbol: d.symbol, timeframe: d.timeframe };
    const l = await loadCandles(source, { from, to, warmupBars }, spec.gaps);
    timeframeMs(l.frame.timeframe);
    if (l.startIndex >= l.frame.length) {
      throw usageError('NOT_ENOUGH_DATA', `${l.frame.symbol}: no candles in the range${from !== undefined ? ` from ${iso(from)}` : ''}${to !== undefined ? ` to ${iso(to)}` : ''} (${l.frame.length} loaded); widen the range or load more data`);
    }
    loaded.push(l);
  }
  const frames = loaded.map((l) => l.frame);
  const symbols = frames.map((f) => f.symbol);
  const dup = symbols.find((s, k) => symbols.indexOf(s) !== k);
  if (dup) throw usageError('DUPLICATE_MARKET', `market ${dup} is given twice; each market of an order run must be a different symbol`);
  const tf = frames[0].timeframe;
  const odd = frames.find((f) => f.timeframe !== tf);
  if (odd) throw usageError('MIXED_TIMEFRAMES', `all markets of an order run must share one timeframe: ${frames[0].symbol} is ${tf}, ${odd.symbol} is ${odd.timeframe}`);
  const specs = symbols.map((s) => resolveMarketSpec(s, spec.specFlags, spec.specFile));

  // Warm-up bars (if the strategy wants any) are simulated without decisions; statistics start at the first measured step.
  const startTs = Math.min(...frames.map((f) => f.ts[0]));
  const result = runOrderBacktest(strategy, frames.map((frame, m) => ({ frame, spec: specs[m] })), params, {
    initialCash: spec.initialCash, slippageBps: spec.slippageBps, intrabarPath: spec.intrabarPath, fillOn: spec.fillOn,
    maxVolumeShare: spec.maxVolumeShare, startTs,
  });
  const measuredFrom = Math.min(...loaded.map((l) => l.frame.ts[l.startIndex]));
  const k0 = lowerBound(result.ts, measuredFrom);
  if (k0 >= result.ts.length) throw usageError('NOT_ENOUGH_DATA', 'no bars left to measure after the warm-up; widen the range');
  const report = orderStrategyReport(result, frames);
  const stats = orderRunStats({ result, frames, k0, timeframe: tf, report });

  const markets: OrderMarketData[] = loaded.map((l) => {
    const f = l.frame;
    return {
      source: l.source, exchange: f.exchange, symbol: f.symbol, timeframe: f.timeframe,
      from: iso(f.ts[l.startIndex]), to: iso(f.ts[f.length - 1]), fromTs: f.ts[l.startIndex], toTs: f.ts[f.length - 1],
      bars: f.length - l.startIndex, warmupBars: l.startIndex, loadedFrom: iso(f.ts[0]),
      contentHash: l.contentHash, gaps: l.gaps, filledBars: l.filled,
    };
  });
  const n = result.ts.length;
  const exchanges = [...new Set(frames.map((f) => f.exchange))];
  const body = {
    strategy: { id: strategy.id, version: strategy.version, ref: strategy.ref, kind: strategy.kind, source: resolved.source },
    params: { ...params },
    data: {
      exchange: exchanges.join(','), symbol: symbols.join(','), timeframe: tf,
      from: iso(result.ts[k0]), to: iso(result.ts[n - 1]), fromTs: result.ts[k0], toTs: result.ts[n - 1],
      bars: n - k0, warmupBars: k0,
      contentHash: markets.length === 1 ? markets[0].contentHash : createHash('sha256').update(markets.map((m) => m.contentHash).join('\n')).digest('hex'),
      gapPolicy: spec.gaps,
      gaps: { count: markets.reduce((s, m) => s + m.gaps.count, 0), missingBars: markets.reduce((s, m) => s + m.gaps.missingBars, 0) },
      markets,
    },
    marketSpecs: specs,
    marketSpecSource: { defaults: 'engine DEFAULT_MARKET_SPEC' as const, file: spec.specFile ? { path: spec.specFile.path, sha256: spec.specFile.sha256 } : null, flags: spec.specFlags },
    fillModel: { name: 'order-path' as const, ...result.fillModel },
    fees: {
      maker: Object.fromEntries(specs.map((s) => [s.symbol, s.makerFee])), taker: Object.fromEntries(specs.map((s) => [s.symbol, s.takerFee])),
      feesPaid: result.totals.fees,
    },
    initialCash: spec.initialCash,
    code: deps.code,
    seed: null,
  };
  const runId = uniqueRunId(deps, `${stamp(deps.now())}-${strategy.id}-${marketsSlug(symbols)}-${tf}-${fingerprint(body)}`);
  const manifest: OrderManifest = { schema: 'tradelab.order-backtest/1', runId, kind: 'backtest', createdAt: iso(deps.now()), ...body };

  let runDir: string | null = null;
  const run = { runId, runDir, manifest, stats, result, frames, report, k0 };
  if (deps.write !== false) {
    runDir = join(deps.resultsDir, runId);
    mkdirSync(runDir, { recursive: true });
    writeOrderRunFolder(runDir, { ...run, runDir });
  }
  return { ...run, runDir };
}

const marketsSlug = (symbols: readonly string[]) =>
  symbols.length <= 3 ? symbols.map(slug).join('+') : `${symbols.slice(0, 2).map(slug).join('+')}+${symbols.length - 2}more`;
