/**
 * One strategy definition for backtest, paper and live (CONVENTIONS §3).
 *
 * A strategy is a plain object made by one `defineStrategy({...})` call. It computes its indicators as
 * whole columns, then decides bar by bar: `decide(ctx)` sees bar `ctx.i` (and may read rows <= i only;
 * the look-ahead tests perturb the future to prove it) and returns intents. It never calls an exchange,
 * never awaits, never asks whether it is live. Runners (the backtest simulator, the replay / paper / live
 * runners) feed the same definition.
 *
 * Signal strategies return `target` intents (go long / short / flat); a decision taken at bar i's close is
 * filled at bar i+1's open at the earliest. Order-level strategies (grid, DCA, TWAP...) return `limit`,
 * `market` and `cancel` intents and react to fills.
 *
 * A signal strategy whose whole decision is a function of its columns may also provide `signals`, a
 * vectorised fast path returning one target per bar (NaN = no decision); tests prove it produces the same
 * decisions, and so the same trades, as `decide`.
 */
import type { Static, TObject } from '@sinclair/typebox';
import type { CandleFrame } from './frame.ts';
import { resolveParams, type ParamConstraint, type ParamValues } from './params.ts';
import { usageError } from './errors.ts';
import type { AccountView, FillView, OrdersView } from './orders/views.ts';

/** Named indicator columns, each aligned with the frame (NaN during warm-up). */
export type Indicators = Record<string, Float64Array>;

/**
 * A cache of indicator columns over ONE frame, shared by the many runs of a parameter sweep: `column(key, compute)`
 * returns the column stored under `key`, calling `compute` only the first time. The key must name everything the
 * column depends on (indicator, source column, arguments), e.g. `sma(close,20)`. Runners that are not sweeping pass
 * no memo; use `memoColumn` so both cases read the same.
 *
 * A memo may hand `compute` an output column (frame.length values) to write the indicator into, e.g.
 * `(out) => sma(frame.close, p.fast, out)`: the signal simulator does, lending scratch columns that its next run
 * reuses (a fresh 4 MB column costs about a millisecond in page faults). So a column obtained through a memo is
 * valid for the run it was computed in; do not keep it beyond (in state or closures). `compute` may ignore `out`
 * and return a fresh column.
 */
export interface IndicatorMemo {
  column(key: string, compute: (out?: Float64Array) => Float64Array): Float64Array;
}

/** `memo.column(key, compute)`, or `compute()` when there is no memo. */
export function memoColumn(memo: IndicatorMemo | undefined, key: string, compute: (out?: Float64Array) => Float64Array): Float64Array {
  return memo ? memo.column(key, compute) : compute();
}

/** Target codes used by the vectorised fast path and the simulators. */
export const TARGET_LONG = 1;
export const TARGET_FLAT = 0;
export const TARGET_SHORT = -1;

export type TargetSide = 'long' | 'short' | 'flat';

/** Go long / short / flat. Under long-only simulation, `short` means flat. */
export interface TargetIntent {
  readonly type: 'target';
  readonly side: TargetSide;
  /** Human-readable cause, kept with the trade (e.g. 'fast crossed above slow'). */
  readonly reason?: string;
}

export interface MarketIntent {
  readonly type: 'market';
  readonly side: 'buy' | 'sell';
  /** Amount in base units. */
  readonly amount: number;
  readonly tag: string;
  /** Sell only (order-level strategies): the lot id (from a buy fill) this sell closes; omitted = FIFO. */
  readonly lot?: number;
}

export interface LimitIntent {
  readonly type: 'limit';
  readonly side: 'buy' | 'sell';
  readonly price: number;
  readonly amount: number;
  readonly tag: string;
  /** Sell only (order-level strategies): the lot id (from a buy fill) this sell closes; omitted = FIFO. */
  readonly lot?: number;
}

export interface CancelIntent {
  readonly type: 'cancel';
  readonly tag: string;
}

export type Intent = TargetIntent | MarketIntent | LimitIntent | CancelIntent;

/** What a strategy sees of its own position. */
export interface PositionView {
  /** Signed size in base units: > 0 long, < 0 short, 0 flat. */
  readonly size: number;
  /** Average entry price; NaN when flat. */
  readonly entryPrice: number;
  /** Bar index of the entry fill; -1 when flat. */
  readonly entryBar: number;
}

export const FLAT_POSITION: PositionView = Object.freeze({ size: 0, entryPrice: NaN, entryBar: -1 });

/** Everything `decide` may use at bar `i`. */
export interface BarContext<P, I extends Indicators = Indicators, S = unknown> {
  /** The bar being decided on (its close has just happened). */
  readonly i: number;
  readonly frame: CandleFrame;
  readonly ind: I;
  readonly params: P;
  readonly position: PositionView;
  /** Strategy-owned mutable state (from `initState`), kept by the runner across bars and restarts. */
  readonly state: S;
  // --- Order-level runs only (`kind: 'orders'`); signal runners leave these undefined. -----------------
  // One state object serves every market of a run; `market` says which one is deciding.
  /** Index of the market deciding, in the run's market list. */
  readonly market?: number;
  /** Symbol of that market. */
  readonly symbol?: string;
  /** This market's fills during bar i, in the order they happened along the intrabar path. */
  readonly fills?: readonly FillView[];
  /** Open orders across every market of the run. */
  readonly orders?: OrdersView;
  /** The shared account (one budget for every market). */
  readonly account?: AccountView;
  /** Record a named step series for this market (e.g. AnchorHigh); only changes are stored. */
  readonly record?: (name: string, value: number) => void;
}

/**
 * What `onFill` sees: the bar context of the market where the fill happened, plus the fill. Row `i` is IN
 * PROGRESS (the fill happened inside it): read rows < i, and the fill, only.
 * Intents returned from `onFill` are live from that point of the bar's path on.
 */
export interface FillContext<P, I extends Indicators = Indicators, S = unknown> extends BarContext<P, I, S> {
  readonly fill: FillView;
}

export type DecideResult = Intent | readonly Intent[] | undefined | void;

/** A strategy's signals as the strict cross of two of its indicator columns (see StrategySpec.crossSignals). */
export interface CrossSignals<P> {
  /** Indicator name of the column whose crossing above `slow` means long. */
  readonly fast: string;
  /** Indicator name of the column it is compared with. */
  readonly slow: string;
  /** First bar that may carry a target (earlier bars are NaN); default 0. */
  readonly from?: (p: P) => number;
}

export interface StrategySpec<TParams extends TObject, I extends Indicators, S> {
  /** kebab-case id, e.g. 'sma-cross'. */
  readonly id: string;
  /** Semver of the decision logic: bump it whenever the same inputs could produce different trades. */
  readonly version: string;
  readonly description: string;
  /** 'signal' strategies return target intents; 'orders' strategies place and cancel orders. */
  readonly kind?: 'signal' | 'orders';
  /** Parameter schema (TypeBox object): every property has a default; numbers have bounds. */
  readonly params: TParams;
  readonly constraints?: readonly ParamConstraint<Static<TParams>>[];
  /** Bars of history the indicators need before decisions are meaningful. */
  readonly warmup: (p: Static<TParams>) => number;
  /**
   * Vectorised indicator computation over whole columns. A sweep passes `memo` so that columns shared by many
   * parameter combinations are computed once (wrap each column in `memoColumn(memo, key, () => ...)`); the
   * returned columns may then be shared and must not be written to.
   */
  readonly indicators: (frame: CandleFrame, p: Static<TParams>, memo?: IndicatorMemo) => I;
  /** The per-bar decision: the one required hook. */
  readonly decide: (ctx: BarContext<Static<TParams>, I, S>) => DecideResult;
  /**
   * Optional vectorised fast path for signal strategies: target per bar (1, 0, -1; NaN = no decision). When `out`
   * (frame.length values) is given the strategy may write the targets into it and return it, so that a sweep reuses
   * one buffer instead of allocating a column per run; returning a fresh array is also allowed.
   */
  readonly signals?: (frame: CandleFrame, ind: I, p: Static<TParams>, out?: Float64Array) => Float64Array;
  /**
   * Optional promise about `signals`: the target at bar i reads frame and indicator rows i − signalsLookback .. i
   * only. Then `signals` over any row slice [lo, hi) gives the whole-column targets for rows lo + signalsLookback ..
   * hi − 1, and a sweep may compute targets in cache-sized blocks (engine/sweep tests check the promise for the
   * built-ins). Leave it out when the targets carry state from bar to bar.
   */
  readonly signalsLookback?: number;
  /**
   * Optional declaration that `signals` is exactly the strict cross of two indicator columns (`crossTargets` in
   * engine/strategies/ma-cross.ts): target 1 at bar i when `ind[fast][i-1] < ind[slow][i-1]` and
   * `ind[fast][i] > ind[slow][i]`, -1 at the opposite cross, NaN elsewhere and at every bar before `from(p)` (default
   * 0). A sweep then compares the two columns inside its kernel instead of writing a target column per combination
   * (engine/sweep tests check the declaration against `signals` for the built-ins that make it).
   */
  readonly crossSignals?: CrossSignals<Static<TParams>>;
  /** Initial strategy state (order-level strategies keep grids, anchors, schedules here). */
  readonly initState?: (p: Static<TParams>) => S;
  /** Order-level strategies: react to each fill as it happens (e.g. place a grid's paired sell). */
  readonly onFill?: (ctx: FillContext<Static<TParams>, I, S>) => DecideResult;
  /**
   * Optional: the state as a JSON-able value (plain objects, arrays, finite numbers, strings, booleans, null), for
   * runners that save it between bars and across restarts. Needed when the state holds class instances, typed arrays,
   * Maps or non-finite numbers; without it the state must be plain JSON itself (the default: a JSON round trip).
   * `loadState(saveState(s), p)` must continue exactly like `s`.
   */
  readonly saveState?: (state: S) => unknown;
  /** Optional, with `saveState`: the state back from its saved form. */
  readonly loadState?: (saved: unknown, p: Static<TParams>) => S;
}

export interface Strategy<P extends ParamValues = ParamValues, I extends Indicators = Indicators, S = unknown> {
  readonly id: string;
  readonly version: string;
  readonly description: string;
  readonly kind: 'signal' | 'orders';
  readonly params: TObject;
  readonly constraints: readonly ParamConstraint<P>[];
  readonly warmup: (p: P) => number;
  readonly indicators: (frame: CandleFrame, p: P, memo?: IndicatorMemo) => I;
  readonly decide: (ctx: BarContext<P, I, S>) => DecideResult;
  readonly signals?: (frame: CandleFrame, ind: I, p: P, out?: Float64Array) => Float64Array;
  readonly signalsLookback?: number;
  readonly crossSignals?: CrossSignals<P>;
  readonly initState: (p: P) => S;
  /** Order-level strategies: react to each fill as it happens. */
  readonly onFill?: (ctx: FillContext<P, I, S>) => DecideResult;
  /** Optional state hooks (see StrategySpec.saveState); use saveStrategyState / loadStrategyState, which default them. */
  readonly saveState?: (state: S) => unknown;
  readonly loadState?: (saved: unknown, p: P) => S;
  /** Defaults, then overrides; throws a usage error naming every problem (unknown names get "did you mean"). */
  readonly resolveParams: (overrides?: Readonly<Record<string, unknown>>) => P;
  /** `id@version` as recorded in manifests. */
  readonly ref: string;
}

/** Any strategy, whatever its parameter and indicator types. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyStrategy = Strategy<any, any, any>;

const ID_RE = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const SEMVER_RE = /^\d+\.\d+\.\d+$/;

export function defineStrategy<TParams extends TObject, I extends Indicators, S = undefined>(
  spec: StrategySpec<TParams, I, S>,
): Strategy<Static<TParams> & ParamValues, I, S> {
  if (!ID_RE.test(spec.id)) throw usageError('BAD_STRATEGY_ID', `strategy id '${spec.id}' must be kebab-case (e.g. 'sma-cross')`);
  if ((spec.saveState === undefined) !== (spec.loadState === undefined)) throw usageError('STRATEGY_STATE_HOOKS', `strategy '${spec.id}' must give both saveState and loadState, or neither`);
  if (!SEMVER_RE.test(spec.version)) throw usageError('BAD_STRATEGY_VERSION', `strategy '${spec.id}' version '${spec.version}' must be semver like 1.0.0`);
  for (const [k, s] of Object.entries(spec.params.properties)) {
    if ((s as { default?: unknown }).default === undefined) {
      throw usageError('PARAM_WITHOUT_DEFAULT', `strategy '${spec.id}' parameter '${k}' needs a default`);
    }
  }
  type P = Static<TParams> & ParamValues;
  const constraints = (spec.constraints ?? []) as readonly ParamConstraint<P>[];
  return Object.freeze({
    id: spec.id,
    version: spec.version,
    description: spec.description,
    kind: spec.kind ?? 'signal',
    params: spec.params,
    constraints,
    warmup: spec.warmup as (p: P) => number,
    indicators: spec.indicators as (frame: CandleFrame, p: P, memo?: IndicatorMemo) => I,
    decide: spec.decide as (ctx: BarContext<P, I, S>) => DecideResult,
    signals: spec.signals as ((frame: CandleFrame, ind: I, p: P, out?: Float64Array) => Float64Array) | undefined,
    signalsLookback: spec.signalsLookback,
    crossSignals: spec.crossSignals as CrossSignals<P> | undefined,
    initState: (spec.initState ?? (() => undefined as S)) as (p: P) => S,
    onFill: spec.onFill as ((ctx: FillContext<P, I, S>) => DecideResult) | undefined,
    saveState: spec.saveState,
    loadState: spec.loadState as ((saved: unknown, p: P) => S) | undefined,
    resolveParams: (overrides?: Readonly<Record<string, unknown>>) => resolveParams<P>(spec.id, spec.params, constraints, overrides),
    ref: `${spec.id}@${spec.version}`,
  });
}

/** The strategy's state in a JSON-able form: its `saveState` hook, or a JSON round trip of plain state. */
export function saveStrategyState<S>(strategy: Strategy<ParamValues, Indicators, S> | AnyStrategy, state: S): unknown {
  if (strategy.saveState) return strategy.saveState(state);
  return state; // plain JSON already: the runner stores it as JSON
}

/** The state back from `saveStrategyState`'s value: the `loadState` hook, or the value itself. */
export function loadStrategyState<S>(strategy: Strategy<ParamValues, Indicators, S> | AnyStrategy, saved: unknown, params: ParamValues): S {
  if (strategy.loadState) return strategy.loadState(saved, params) as S;
  return saved as S;
}

/** Normalise a decide() result to an array. */
export function intentsOf(r: DecideResult): readonly Intent[] {
  if (r === undefined) return [];
  return Array.isArray(r) ? (r as readonly Intent[]) : [r as Intent];
}

/** Shorthands for signal strategies. */
export const goLong = (reason?: string): TargetIntent => ({ type: 'target', side: 'long', reason });
export const goShort = (reason?: string): TargetIntent => ({ type: 'target', side: 'short', reason });
export const goFlat = (reason?: string): TargetIntent => ({ type: 'target', side: 'flat', reason });

/** The target code of a target intent. */
export function targetCode(side: TargetSide): number {
  return side === 'long' ? TARGET_LONG : side === 'short' ? TARGET_SHORT : TARGET_FLAT;
}
