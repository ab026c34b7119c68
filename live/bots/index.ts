// Bots: the record (strategy, params, symbols, exchange, mode, budget, running time, risk), the lifecycle and promotion.
export { parseRunningTime, formatRunningTime } from './running-time.ts';
export { TRANSITIONS, ACTIVE_STATUSES, canTransition, assertTransition, mayPlace } from './lifecycle.ts';
export { LIVE_STRATEGIES, resolveBotStrategy } from './strategies.ts';
export {
  BotService, validateSettings, DEFAULT_RUNNER_SETTINGS,
  type RunnerSettings, type CreateBotInput, type LiveGate,
} from './service.ts';
