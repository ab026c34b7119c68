/**
 * runWarmupCheck(spec, deps): `tradelab check warmup` as a factory. Loads the strategy and candles like a
 * backtest and runs engine/checks' checkWarmup over the whole loaded frame: for each indicator column, the bars of
 * history its values need to agree with the full-history values within the relative tolerance, compared with the
 * strategy's declared warm-up. Writes results/<id>/warmup.json.
 */
import { join } from 'node:path';
import { checkWarmup, DEFAULT_WARMUP_TOLERANCE } from '../../engine/checks/index.ts';
import type { CodeVersion } from '../code-version.ts';
import { iso } from '../dates.ts';
import { toJson } from '../json.ts';
import { createResultDir, slugOf, writeAtomic } from './result-dir.ts';
import { describeInput, loadCheckInput, type CheckDeps, type CheckSpec } from './load.ts';

export interface WarmupCheckSpec extends CheckSpec {
  /** Relative tolerance (default 1e-6). */
  readonly tolerance?: number;
  /** Number of restart offsets (default 8). */
  readonly starts?: number;
}

export async function runWarmupCheck(spec: WarmupCheckSpec, deps: CheckDeps & { code: CodeVersion }) {
  const input = await loadCheckInput(spec, deps);
  const { strategy, params, loaded } = input;
  const check = checkWarmup(strategy, loaded.frame, params, { tolerance: spec.tolerance ?? DEFAULT_WARMUP_TOLERANCE, starts: spec.starts ?? 8 });
  const createdAt = deps.now();
  const result = {
    schema: 'tradelab.check.warmup/1' as const,
    checkId: null as string | null,
    createdAt: iso(createdAt),
    ...describeInput(input, spec.gaps),
    tolerance: check.tolerance,
    starts: check.starts,
    method: 'each indicator is recomputed on the series starting at each start offset k and compared with the full-series values at the same ' +
      'bars; its need is the history (bars, the current one included) after which every later value agrees within the relative tolerance, ' +
      'the largest over the starts (null: never within the data). The declared warm-up w passes when w >= every need.',
    declared: check.declared,
    longest: check.longest,
    ok: check.ok,
    indicators: check.indicators,
    code: deps.code,
  };
  let resultDir: string | null = null;
  if (deps.write !== false) {
    const { id, dir } = createResultDir(deps.resultsDir, createdAt, `check-warmup-${strategy.id}-${slugOf(loaded.frame.symbol)}-${loaded.frame.timeframe}`);
    result.checkId = id;
    resultDir = dir;
    writeAtomic(join(dir, 'warmup.json'), toJson(result) + '\n');
  }
  return { result, resultDir };
}

export type WarmupCheckResult = Awaited<ReturnType<typeof runWarmupCheck>>['result'];
