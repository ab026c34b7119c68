/**
 * Look-ahead check with blame: builds on engine/strategies/lookahead.ts (same perturbation, same decision paths)
 * and adds what a user needs to fix the leak: WHICH indicator or rule, at WHICH bar.
 *
 * At `cuts` cut points (one drawn at random, seeded, from each of `cuts` equal strata between the first cut bar and
 * the second-to-last bar), the strategy is re-run on two altered copies of the data:
 *   - 'truncated': the frame cut after the cut bar (rows 0..cut),
 *   - 'perturbed': rows after the cut replaced by a seeded random walk (`perturbFutureBars`).
 * Everything at or before the cut may depend on rows <= cut only, so it must equal the full-data run exactly:
 *   - every decision at bars <= cut, by the per-bar `decide` path and by the `signals` fast path when present;
 *   - every indicator column (Float64Array of the frame's length) at bars <= cut.
 * A changed decision is a finding; it blames the indicator whose column changed earliest at or before the cut
 * (declaration order breaks ties), or the decision rule itself (`decide` or `signals`) when every indicator
 * agreed. An indicator that changed while no decision did is a finding too (path null): its values leak the
 * future even if these cuts did not flip a decision, and reports plot it.
 *
 * Decisions above are collected with a flat position (`decisionsOf`), so a rule that peeks only while a position is
 * open would slip through. With `simulate` (a fill model), when the decision-level check is clean, the same cuts
 * also go through engine/sim's `findSimLookAhead` (per-bar decide with the true position; futures moved up, down
 * or truncated): a difference there is a finding on path 'simulated', blamed on the decide rule.
 * Pure: the only random source is the seeded PRNG.
 */
import { usageError } from '../errors.ts';
import { sliceFrame, type CandleFrame } from '../frame.ts';
import type { ParamValues } from '../params.ts';
import type { AnyStrategy, Indicators } from '../strategy.ts';
import { decisionsOf } from '../strategies/decisions.ts';
import { perturbFutureBars, seeded } from '../strategies/lookahead.ts';
import type { FillConfig } from '../sim/fill-config.ts';
import { findSimLookAhead, type SimLookAheadVariant } from '../sim/look-ahead.ts';

export type LookaheadVariant = 'perturbed' | 'truncated' | SimLookAheadVariant;
export type DecisionPath = 'decide' | 'signals';

export interface LookaheadCheckOptions {
  /** Number of cut points (default 50); fewer when the range has fewer bars. */
  readonly cuts?: number;
  /** Seed of the cut points and of the perturbation (default 1). */
  readonly seed?: number;
  /** First bar a cut may be at (default: the strategy's warm-up, clamped to the data). */
  readonly first?: number;
  /** Also run the cuts through the simulator with this fill model (position-dependent rules); see the module comment. */
  readonly simulate?: FillConfig;
}

/** An indicator column whose value at or before the cut changed. */
export interface IndicatorChange {
  readonly name: string;
  /** First bar <= cut where it changed. */
  readonly bar: number;
  readonly full: number;
  readonly altered: number;
}

export type LookaheadBlame = { readonly kind: 'indicator'; readonly name: string } | { readonly kind: 'rule'; readonly path: DecisionPath };

export interface LookaheadFinding {
  readonly cut: number;
  readonly variant: LookaheadVariant;
  /** The decision path whose decision changed ('simulated': a simulator run); null when only an indicator changed. */
  readonly path: DecisionPath | 'simulated' | null;
  /** First bar <= cut whose decision changed (path null: the blamed indicator's first changed bar). */
  readonly bar: number;
  /** Target codes on the full and on the altered data (NaN = no decision; both NaN when path is null). */
  readonly full: number;
  readonly altered: number;
  readonly blame: LookaheadBlame;
  /** Every indicator that changed at or before the cut, earliest first. */
  readonly indicators: readonly IndicatorChange[];
  /** Path 'simulated': what differed first (a fill, a trade, equity or position). */
  readonly detail?: string;
}

/** Findings grouped by what they blame. */
export interface LookaheadCause {
  /** `indicator 'centred'`, `rule (decide)`, `rule (signals)`. */
  readonly blame: string;
  readonly findings: number;
  /** The earliest bar any of its findings names, and that finding's cut. */
  readonly firstBar: number;
  readonly firstCut: number;
}

export interface LookaheadCheck {
  /** The cut bars tested, ascending. */
  readonly cuts: readonly number[];
  readonly seed: number;
  /** Indicator columns compared (Float64Array columns of the frame's length). */
  readonly indicators: readonly string[];
  readonly paths: readonly DecisionPath[];
  /** Whether the simulator layer ran (requested and the decision-level check was clean). */
  readonly simulated: boolean;
  readonly findings: readonly LookaheadFinding[];
  readonly causes: readonly LookaheadCause[];
  readonly clean: boolean;
}

export const DEFAULT_LOOKAHEAD_CUTS = 50;

const same = (a: number, b: number) => a === b || (a !== a && b !== b);

/** Names of the Float64Array columns of `ind` that are aligned with a frame of `n` rows, in declaration order. */
export function indicatorColumns(ind: Indicators, n: number): string[] {
  return Object.keys(ind).filter((k) => ind[k] instanceof Float64Array && ind[k].length === n);
}

/**
 * `count` distinct cut bars in [first, last], one drawn uniformly (seeded) from each of `count` equal strata,
 * ascending; all of [first, last] when it holds no more than `count` bars.
 */
export function stratifiedCuts(first: number, last: number, count: number, rnd: () => number): number[] {
  const span = last - first + 1;
  if (span <= 0) return [];
  if (span <= count) return Array.from({ length: span }, (_, k) => first + k);
  const out: number[] = [];
  for (let k = 0; k < count; k++) {
    const lo = first + Math.floor((k * span) / count);
    const hi = first + Math.floor(((k + 1) * span) / count) - 1;
    out.push(lo + Math.floor(rnd() * (hi - lo + 1)));
  }
  return out;
}

function firstChange(full: Float64Array, altered: Float64Array, upTo: number): number {
  for (let i = 0; i <= upTo; i++) if (!same(full[i], altered[i])) return i;
  return -1;
}

const blameText = (b: LookaheadBlame) => (b.kind === 'indicator' ? `indicator '${b.name}'` : `rule (${b.path})`);

/**
 * Run the check (see the module comment). `params` must be resolved (`strategy.resolveParams(overrides)`).
 * Signal strategies only: order strategies decide on fills and account state that this check does not model.
 */
export function checkLookahead(strategy: AnyStrategy, frame: CandleFrame, params: Readonly<ParamValues>, opts: LookaheadCheckOptions = {}): LookaheadCheck {
  const count = opts.cuts ?? DEFAULT_LOOKAHEAD_CUTS;
  const seed = opts.seed ?? 1;
  if (!Number.isInteger(count) || count < 1) throw usageError('BAD_CUTS', `--cuts ${count} must be a whole number >= 1`);
  if (!Number.isInteger(seed)) throw usageError('BAD_SEED', `--seed ${seed} must be a whole number`);
  if (strategy.kind !== 'signal') {
    throw usageError('STRATEGY_KIND_UNSUPPORTED', `strategy '${strategy.id}' places orders (kind '${strategy.kind}'); the look-ahead check runs signal strategies`);
  }
  const n = frame.length;
  const last = n - 2;
  const first = Math.min(Math.max(0, Math.ceil(opts.first ?? strategy.warmup(params))), last);
  if (last < 0 || first > last) {
    throw usageError('NOT_ENOUGH_DATA', `the look-ahead check needs at least 2 bars after the warm-up; got ${n} bars in all`);
  }
  const rnd = seeded(seed);
  const cuts = stratifiedCuts(first, last, count, rnd);

  const fullInd = strategy.indicators(frame, params);
  const names = indicatorColumns(fullInd, n);
  const paths: DecisionPath[] = strategy.signals ? ['decide', 'signals'] : ['decide'];
  const fullDec: Record<DecisionPath, Float64Array | undefined> = {
    decide: decisionsOf(strategy, frame, params, fullInd),
    signals: strategy.signals?.(frame, fullInd, params),
  };

  const findings: LookaheadFinding[] = [];
  for (const cut of cuts) {
    const variants: [LookaheadVariant, CandleFrame][] = [
      ['truncated', sliceFrame(frame, 0, cut + 1)],
      ['perturbed', perturbFutureBars(frame, cut, rnd)],
    ];
    for (const [variant, f] of variants) {
      const ind = strategy.indicators(f, params);
      const changes: IndicatorChange[] = [];
      for (const name of names) {
        const col = ind[name];
        if (!(col instanceof Float64Array) || col.length !== f.length) {
          changes.push({ name, bar: 0, full: fullInd[name][0], altered: NaN });
          continue;
        }
        const bar = firstChange(fullInd[name], col, cut);
        if (bar >= 0) changes.push({ name, bar, full: fullInd[name][bar], altered: col[bar] });
      }
      changes.sort((a, b) => a.bar - b.bar); // stable: declaration order breaks ties
      let decisionChanged = false;
      for (const path of paths) {
        const alt = path === 'decide' ? decisionsOf(strategy, f, params, ind) : strategy.signals!(f, ind, params);
        const full = fullDec[path]!;
        const bar = firstChange(full, alt, cut);
        if (bar < 0) continue;
        decisionChanged = true;
        const blame: LookaheadBlame = changes.length ? { kind: 'indicator', name: changes[0].name } : { kind: 'rule', path };
        findings.push({ cut, variant, path, bar, full: full[bar], altered: alt[bar], blame, indicators: changes });
      }
      if (!decisionChanged && changes.length) {
        findings.push({ cut, variant, path: null, bar: changes[0].bar, full: NaN, altered: NaN, blame: { kind: 'indicator', name: changes[0].name }, indicators: changes });
      }
    }
  }

  let simulated = false;
  if (opts.simulate && findings.length === 0 && cuts.length) {
    simulated = true;
    const v = findSimLookAhead(strategy, frame, params, opts.simulate, { startIndex: first, cuts, path: 'per-bar' });
    if (v) {
      findings.push({ cut: v.cut, variant: v.variant, path: 'simulated', bar: v.cut, full: NaN, altered: NaN, blame: { kind: 'rule', path: 'decide' }, indicators: [], detail: v.what });
    }
  }

  const byCause = new Map<string, { findings: number; firstBar: number; firstCut: number }>();
  for (const f of findings) {
    const key = blameText(f.blame);
    const c = byCause.get(key);
    if (!c) byCause.set(key, { findings: 1, firstBar: f.bar, firstCut: f.cut });
    else {
      c.findings++;
      if (f.bar < c.firstBar) { c.firstBar = f.bar; c.firstCut = f.cut; }
    }
  }
  const causes = [...byCause.entries()].map(([blame, c]) => ({ blame, ...c })).sort((a, b) => b.findings - a.findings || a.firstBar - b.firstBar);
  return { cuts, seed, indicators: names, paths, simulated, findings, causes, clean: findings.length === 0 };
}
