/**
 * runBacktest(spec, deps): the whole backtest as a factory the CLI, the API and tests call alike
 * (CONVENTIONS §2). Loads candles (with the strategy's warm-up before `from`), resolves parameters against the
 * strategy's schema, simulates with the stated fill model, computes the statistics once, and writes the run
 * folder: manifest.json, stats.json, trades.csv, equity.arrow, report.html.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  computeStats, runSignalBacktest, statsInputFromSim, timeframeMs, usageError,
  type CandleFrame, type FillConfig, type Indicators, type ParamValues, type SimResult, type Stats,
} from '../engine/index.ts';
import { loadCandles, type GapPolicy, type GapReport } from '../data/index.ts';
import { resolveStrategy, type ResolvedStrategy } from './strategy-registry.ts';
import type { CodeVersion } from './code-version.ts';
import { iso, parseDate } from './dates.ts';
import { writeRunFolder } from './results/write-run.ts';
import { fingerprint, slug, stamp, uniqueRunId } from './results/run-id.ts';

/** Candles from a file (labels optional: inferred from freqtrade-style names when absent) or from the cache. */
export type DataSpec = { file: string; exchange?: string; symbol?: string; timeframe?: string } | { exchange: string; symbol: string; timeframe: string };

export interface BacktestSpec {
  /** Built-in id or path of a .ts file default-exporting defineStrategy(...). */
  readonly strategy: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly data: DataSpec;
  readonly from?: string | number;
  readonly to?: string | number;
  readonly fill: FillConfig;
  readonly gaps: GapPolicy;
}

export interface BacktestDeps {
  readonly cwd: string;
  readonly cacheDir: string;
  readonly resultsDir: string;
  readonly now: () => number;
  readonly code: CodeVersion;
  /** Write the run folder (default true). */
  readonly write?: boolean;
}

export interface Manifest {
  readonly schema: 'tradelab.backtest/1';
  readonly runId: string;
  readonly kind: 'backtest';
  readonly createdAt: string;
  readonly strategy: { id: string; version: string; ref: string; kind: string; source: ResolvedStrategy['source'] };
  readonly params: ParamValues;
  readonly data: {
    readonly source: { kind: 'file' | 'cache'; path: string; format?: string };
    readonly exchange: string; readonly symbol: string; readonly timeframe: string;
    readonly from: string; readonly to: string; readonly fromTs: number; readonly toTs: number;
    readonly bars: number; readonly warmupBars: number; readonly loadedFrom: string;
    readonly contentHash: string;
    readonly gapPolicy: GapPolicy; readonly gaps: GapReport; readonly filledBars: number;
  };
  readonly fillModel: {
    readonly name: 'next-open';
    readonly description: string;
    readonly slippageBps: number; readonly lotSize: number; readonly minNotional: number; readonly fraction: number;
    readonly allowShort: boolean; readonly closeAtEnd: boolean; readonly path: SimResult['path'];
  };
  readonly fees: { readonly feeRate: number; readonly feesPaid: number };
  readonly initialCash: number;
  readonly code: CodeVersion;
  readonly seed: null;
}

export interface BacktestRun {
  readonly runId: string;
  readonly runDir: string | null;
  readonly manifest: Manifest;
  readonly stats: Stats;
  readonly sim: SimResult;
  readonly frame: CandleFrame;
  readonly indicators: Indicators;
}

const FILL_DESCRIPTION = 'decided at bar i close, filled at bar i+1 open; slippage adverse in bps; fee = feeRate x notional on every fill; size = fraction x equity / (price x (1 + feeRate)) rounded down to lotSize';

export async function runBacktest(spec: BacktestSpec, deps: BacktestDeps): Promise<BacktestRun> {
  const resolved = await resolveStrategy(spec.strategy, deps.cwd);
  const { strategy } = resolved;
  if (strategy.kind !== 'signal') {
    throw usageError('STRATEGY_KIND_UNSUPPORTED', `strategy '${strategy.id}' places orders (kind '${strategy.kind}'); the signal backtester runs signal strategies only`);
  }
  const params = strategy.resolveParams(spec.params) as ParamValues;
  const warmupBars = Math.max(0, Math.ceil(strategy.warmup(params)));
  const from = spec.from === undefined ? undefined : parseDate(spec.from, '--from');
  const to = spec.to === undefined ? undefined : parseDate(spec.to, '--to');
  if (from !== undefined && to !== undefined && to < from) {
    throw usageError('BAD_RANGE', `--to (${iso(to)}) is before --from (${iso(from)})`);
  }
  const source = 'file' in spec.data
    ? spec.data
    : { cacheDir: deps.cacheDir, exchange: spec.data.exchange, symbol: spec.data.symbol, timeframe: spec.data.timeframe };
  const loaded = await loadCandles(source, { from, to, warmupBars }, spec.gaps);
  const { frame, startIndex } = loaded;
  timeframeMs(frame.timeframe); // unknown timeframe: a usage error before any work
  if (startIndex >= frame.length - 1) {
    throw usageError('NOT_ENOUGH_DATA', `only ${frame.length} bars loaded and ${warmupBars} are needed for warm-up; widen the range or load more data`);
  }

  const indicators = strategy.indicators(frame, params);
  const sim = runSignalBacktest(strategy, frame, params, spec.fill, { startIndex, path: 'auto', indicators });
  const stats = computeStats(statsInputFromSim(sim, frame, spec.fill));

  const body = {
    strategy: { id: strategy.id, version: strategy.version, ref: strategy.ref, kind: strategy.kind, source: resolved.source },
    params: { ...params },
    data: {
      source: loaded.source,
      exchange: frame.exchange, symbol: frame.symbol, timeframe: frame.timeframe,
      from: iso(frame.ts[startIndex]), to: iso(frame.ts[sim.endIndex - 1]),
      fromTs: frame.ts[startIndex], toTs: frame.ts[sim.endIndex - 1],
      bars: sim.endIndex - startIndex, warmupBars: startIndex, loadedFrom: iso(frame.ts[0]),
      contentHash: loaded.contentHash, gapPolicy: spec.gaps, gaps: loaded.gaps, filledBars: loaded.filled,
    },
    fillModel: {
      name: 'next-open' as const, description: FILL_DESCRIPTION,
      slippageBps: spec.fill.slippageBps, lotSize: spec.fill.lotSize, minNotional: spec.fill.minNotional,
      fraction: spec.fill.fraction, allowShort: spec.fill.allowShort, closeAtEnd: spec.fill.closeAtEnd, path: sim.path,
    },
    fees: { feeRate: spec.fill.feeRate, feesPaid: sim.feesPaid },
    initialCash: spec.fill.initialCash,
    code: deps.code,
    seed: null,
  };
  const runId = uniqueRunId(deps, `${stamp(deps.now())}-${strategy.id}-${slug(frame.symbol)}-${frame.timeframe}-${fingerprint(body)}`);
  const manifest: Manifest = { schema: 'tradelab.backtest/1', runId, kind: 'backtest', createdAt: iso(deps.now()), ...body };

  let runDir: string | null = null;
  if (deps.write !== false) {
    runDir = join(deps.resultsDir, runId);
    mkdirSync(runDir, { recursive: true });
    await writeRunFolder(runDir, { manifest, stats, sim, frame, indicators });
  }
  return { runId, runDir, manifest, stats, sim, frame, indicators };
}
