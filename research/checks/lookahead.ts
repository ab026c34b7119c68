/**
 * runLookaheadCheck(spec, deps): `tradelab check lookahead` as a factory. Loads the strategy and candles like a
 * backtest, runs engine/checks' checkLookahead over the whole loaded frame (cuts from the first measured bar, or
 * the strategy's warm-up when later), and writes results/<id>/lookahead.json: what was checked, whether it is
 * clean, the causes (indicator or rule, with the first bar and its time) and the first findings.
 */
import { join } from 'node:path';
import { checkLookahead, DEFAULT_LOOKAHEAD_CUTS, type LookaheadFinding } from '../../engine/checks/index.ts';
import { DEFAULT_FILL_CONFIG, type FillConfig } from '../../engine/index.ts';
import type { CodeVersion } from '../code-version.ts';
import { iso } from '../dates.ts';
import { toJson } from '../json.ts';
import { createResultDir, slugOf, writeAtomic } from './result-dir.ts';
import { describeInput, loadCheckInput, type CheckDeps, type CheckSpec } from './load.ts';

export interface LookaheadCheckSpec extends CheckSpec {
  /** Number of cut points (default 50). */
  readonly cuts?: number;
  /** Seed of the cut points and the perturbed futures (default 1). */
  readonly seed?: number;
  /** When the decision-level check is clean, also run the cuts through the simulator (default true). */
  readonly simulate?: boolean;
}

/** The simulator layer's fill model: the defaults with shorting on, so that both sides' branches of decide run. */
export const LOOKAHEAD_SIM_FILL: Readonly<FillConfig> = Object.freeze({ ...DEFAULT_FILL_CONFIG, allowShort: true });

/** Findings kept in the result file and in --json (the total is always given). */
export const MAX_FINDINGS_KEPT = 100;

const code = (x: number) => (Number.isNaN(x) ? null : x);

export function findingJson(f: LookaheadFinding, ts: Float64Array) {
  return {
    cut: f.cut, cutTime: iso(ts[f.cut]), variant: f.variant, path: f.path, bar: f.bar, barTime: iso(ts[f.bar]),
    full: code(f.full), altered: code(f.altered),
    blame: f.blame.kind === 'indicator' ? `indicator '${f.blame.name}'` : `rule (${f.blame.path})`,
    indicators: f.indicators.map((x) => ({ name: x.name, bar: x.bar, barTime: iso(ts[x.bar]), full: x.full, altered: x.altered })),
    ...(f.detail ? { detail: f.detail } : {}),
  };
}

export async function runLookaheadCheck(spec: LookaheadCheckSpec, deps: CheckDeps & { code: CodeVersion }) {
  const input = await loadCheckInput(spec, deps);
  const { strategy, params, loaded } = input;
  const frame = loaded.frame;
  const first = Math.max(loaded.startIndex, Math.ceil(strategy.warmup(params)));
  const check = checkLookahead(strategy, frame, params, {
    cuts: spec.cuts ?? DEFAULT_LOOKAHEAD_CUTS, seed: spec.seed ?? 1, first, ...(spec.simulate === false ? {} : { simulate: LOOKAHEAD_SIM_FILL }),
  });
  const createdAt = deps.now();
  const cutBars = new Set(check.findings.map((f) => f.cut));
  const result = {
    schema: 'tradelab.check.lookahead/1' as const,
    checkId: null as string | null,
    createdAt: iso(createdAt),
    ...describeInput(input, spec.gaps),
    cuts: { requested: spec.cuts ?? DEFAULT_LOOKAHEAD_CUTS, tested: check.cuts.length, seed: check.seed, first, bars: check.cuts },
    method: 'for each cut, the data after it is removed (truncated) and replaced by a seeded random walk (perturbed); every decision ' +
      '(decide and signals paths) and every indicator column at bars <= cut must equal the full-data run exactly. A changed decision ' +
      'blames the indicator that changed earliest at or before the cut, else the decision rule; a changed indicator alone is reported too. ' +
      'When that is clean, the same cuts run through the simulator (per-bar decide with the true position, long and short; futures moved ' +
      'up, down or truncated) and any fill, trade, equity or position at or before the cut that differs is blamed on the decide rule.',
    paths: check.paths,
    simulated: check.simulated,
    indicators: check.indicators,
    clean: check.clean,
    cutsWithFindings: cutBars.size,
    causes: check.causes.map((c) => ({ ...c, firstBarTime: iso(frame.ts[c.firstBar]), firstCutTime: iso(frame.ts[c.firstCut]) })),
    findingsTotal: check.findings.length,
    findings: check.findings.slice(0, MAX_FINDINGS_KEPT).map((f) => findingJson(f, frame.ts)),
    code: deps.code,
  };
  let resultDir: string | null = null;
  if (deps.write !== false) {
    const { id, dir } = createResultDir(deps.resultsDir, createdAt, `check-lookahead-${strategy.id}-${slugOf(frame.symbol)}-${frame.timeframe}`);
    result.checkId = id;
    resultDir = dir;
    writeAtomic(join(dir, 'lookahead.json'), toJson(result) + '\n');
  }
  return { result, resultDir };
}

export type LookaheadCheckResult = Awaited<ReturnType<typeof runLookaheadCheck>>['result'];
