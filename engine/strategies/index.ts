// Built-in signal strategies and the helpers that collect their decisions.
import type { AnyStrategy } from '../strategy.ts';
import { bollingerReversion } from './bollinger-reversion.ts';
import { breakout } from './breakout.ts';
import { emaCross } from './ema-cross.ts';
import { rsiReversion } from './rsi-reversion.ts';
import { smaCross } from './sma-cross.ts';

export { bollingerReversion, breakout, emaCross, rsiReversion, smaCross };
export { decisionsOf, signalsOf } from './decisions.ts';
export { findLookahead, type LookaheadOptions, type LookaheadViolation } from './lookahead.ts';

/** Every built-in strategy, in listing order. */
export const builtinStrategies: readonly AnyStrategy[] = Object.freeze([smaCross, emaCross, bollingerReversion, breakout, rsiReversion]);

/** The built-in strategy with this id, or undefined (callers report unknown ids with a "did you mean"). */
export function findBuiltinStrategy(id: string): AnyStrategy | undefined {
  return builtinStrategies.find((s) => s.id === id);
}
