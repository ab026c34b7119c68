/**
 * What a check runs on: the strategy (built-in or file) with resolved parameters, and candles loaded exactly as a
 * backtest loads them (range, warm-up bars before --from, gap policy, content hash).
 */
import { timeframeMs, usageError, type AnyStrategy, type ParamValues } from '../../engine/index.ts';
import { loadCandles, type GapPolicy, type LoadedCandles } from '../../data/index.ts';
import type { DataSpec } from '../backtest.ts';
import { iso, parseDate } from '../dates.ts';
import { resolveStrategy, type ResolvedStrategy } from '../strategy-registry.ts';

export interface CheckSpec {
  /** Built-in id or path of a .ts file default-exporting defineStrategy(...). */
  readonly strategy: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly data: DataSpec;
  readonly from?: string | number;
  readonly to?: string | number;
  readonly gaps: GapPolicy;
}

export interface CheckDeps {
  readonly cwd: string;
  readonly cacheDir: string;
  readonly resultsDir: string;
  readonly now: () => number;
  /** Write the result under resultsDir (default true). */
  readonly write?: boolean;
}

export interface CheckInput {
  readonly resolved: ResolvedStrategy;
  readonly strategy: AnyStrategy;
  readonly params: ParamValues;
  readonly loaded: LoadedCandles;
}

export async function loadCheckInput(spec: CheckSpec, deps: Pick<CheckDeps, 'cwd' | 'cacheDir'>): Promise<CheckInput> {
  const resolved = await resolveStrategy(spec.strategy, deps.cwd);
  const { strategy } = resolved;
  if (strategy.kind !== 'signal') {
    throw usageError('STRATEGY_KIND_UNSUPPORTED', `strategy '${strategy.id}' places orders (kind '${strategy.kind}'); the checks run signal strategies only`);
  }
  const params = strategy.resolveParams(spec.params) as ParamValues;
  const warmupBars = Math.max(0, Math.ceil(strategy.warmup(params)));
  const from = spec.from === undefined ? undefined : parseDate(spec.from, '--from');
  const to = spec.to === undefined ? undefined : parseDate(spec.to, '--to');
  if (from !== undefined && to !== undefined && to < from) throw usageError('BAD_RANGE', `--to (${iso(to)}) is before --from (${iso(from)})`);
  const source = 'file' in spec.data
    ? spec.data
    : { cacheDir: deps.cacheDir, exchange: spec.data.exchange, symbol: spec.data.symbol, timeframe: spec.data.timeframe };
  const loaded = await loadCandles(source, { from, to, warmupBars }, spec.gaps);
  timeframeMs(loaded.frame.timeframe);
  return { resolved, strategy, params, loaded };
}

/** The strategy and data block of a check's result. */
export function describeInput(input: CheckInput, gaps: GapPolicy) {
  const { strategy, resolved, params, loaded } = input;
  const f = loaded.frame;
  return {
    strategy: { id: strategy.id, version: strategy.version, ref: strategy.ref, source: resolved.source },
    params: { ...params },
    data: {
      source: loaded.source, exchange: f.exchange, symbol: f.symbol, timeframe: f.timeframe,
      from: f.length ? iso(f.ts[0]) : null, to: f.length ? iso(f.ts[f.length - 1]) : null, bars: f.length,
      contentHash: loaded.contentHash, gapPolicy: gaps, gaps: loaded.gaps.count, missingBars: loaded.gaps.missingBars,
    },
  };
}
