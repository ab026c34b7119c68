/**
 * Collect a strategy's per-bar decisions as target codes, the reference against which every vectorised
 * `signals` fast path is checked (and which simulators may use for strategies without one).
 */
import type { CandleFrame } from '../frame.ts';
import type { ParamValues } from '../params.ts';
import { FLAT_POSITION, intentsOf, targetCode, type AnyStrategy, type BarContext, type Indicators } from '../strategy.ts';

/**
 * Call `strategy.decide` bar by bar over the whole frame, with a FLAT position view and the state from
 * `initState(params)`, and return one target code per bar: 1 long, 0 flat, -1 short (the last `target` intent
 * of the bar), NaN when the bar returned no target intent. `params` must already be resolved
 * (`strategy.resolveParams(overrides)`); `ind` defaults to `strategy.indicators(frame, params)`.
 * One context object is reused across bars (no per-bar allocation besides what `decide` returns).
 */
export function decisionsOf(strategy: AnyStrategy, frame: CandleFrame, params: Readonly<ParamValues>, ind?: Indicators): Float64Array {
  const indicators = ind ?? strategy.indicators(frame, params);
  const n = frame.length;
  const out = new Float64Array(n);
  const ctx: { -readonly [K in keyof BarContext<unknown>]: BarContext<unknown>[K] } = {
    i: 0, frame, ind: indicators, params, position: FLAT_POSITION, state: strategy.initState(params),
  };
  for (let i = 0; i < n; i++) {
    ctx.i = i;
    let code = NaN;
    for (const intent of intentsOf(strategy.decide(ctx))) {
      if (intent.type === 'target') code = targetCode(intent.side);
    }
    out[i] = code;
  }
  return out;
}

/**
 * Target codes per bar by the fastest available path: the strategy's vectorised `signals` when it has one,
 * else `decisionsOf` (tests prove the two agree for every built-in strategy).
 */
export function signalsOf(strategy: AnyStrategy, frame: CandleFrame, params: Readonly<ParamValues>, ind?: Indicators): Float64Array {
  const indicators = ind ?? strategy.indicators(frame, params);
  return strategy.signals ? strategy.signals(frame, indicators, params) : decisionsOf(strategy, frame, params, indicators);
}
