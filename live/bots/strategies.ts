/**
 * Strategies a bot may run: the engine's built-in signal and order strategies, by id or `id@version`. A bot
 * records `id@version`; resuming it with a different code version of the strategy is refused (the decision
 * logic changed: create a new bot).
 */
import { usageError } from '../../engine/errors.ts';
import { builtinStrategies } from '../../engine/strategies/index.ts';
import { orderStrategies } from '../../engine/strategies-orders/index.ts';
import type { AnyStrategy } from '../../engine/strategy.ts';

export const LIVE_STRATEGIES: readonly AnyStrategy[] = Object.freeze([...builtinStrategies, ...orderStrategies]);

/** The strategy named `id` or `id@version`; a usage error listing the known ids otherwise. */
export function resolveBotStrategy(ref: string, extra: readonly AnyStrategy[] = []): AnyStrategy {
  const [id, version] = ref.split('@');
  const all = [...extra, ...LIVE_STRATEGIES];
  const s = all.find((x) => x.id === id);
  if (!s) throw usageError('UNKNOWN_STRATEGY', `unknown strategy '${id}'; known: ${all.map((x) => x.id).join(', ')}`);
  if (version !== undefined && version !== s.version) {
    throw usageError('STRATEGY_VERSION_MISMATCH', `strategy '${id}' is at version ${s.version} in this code, the bot asks for ${version}; create a new bot for the new version`);
  }
  return s;
}
