/**
 * What the server needs from the bot runtime (live/runtime) to control bots. The routes call this interface; the
 * serve entry point wires the runtime's implementation in (deps.bots). Reads of bots, orders, fills, lots and
 * positions do not go through it: the server reads them from the state store that the runtime writes.
 *
 * Contract for the implementation:
 *  - every method validates its input and throws TradelabError (usage/config family: 400/404/409 by code, see
 *    errors.ts; BOT_NOT_FOUND → 404, BOT_TRANSITION_INVALID / BOT_RUNNING / BOT_EXISTS → 409,
 *    LIVE_TRADING_DISABLED → 409, venue errors → 422/503/504);
 *  - `actor` is the user name: it goes into the audit rows the runtime writes (bots.setStatus etc.);
 *  - methods resolve once the state change is recorded in the database (not when the bot task finishes);
 *  - `subscribe` delivers runtime events for the websocket; the listener must never throw back into the runtime.
 */
import type { CreateBotInput } from '../bots/service.ts';
import type { BotMode, BotRow, BotStatus } from '../state/types.ts';

/**
 * A bot as the API receives it: live/bots' CreateBotInput with `risk` (RiskConfig, engine/risk, docs/risk.md) and
 * `settings` (RunnerSettings: timeframe, feeRate, slippageBps, fraction, runningMs, speed, data...) still plain JSON,
 * validated by the runtime.
 */
export type BotCreateInput = Omit<CreateBotInput, 'risk' | 'settings'> & {
  readonly risk?: Readonly<Record<string, unknown>>;
  readonly settings?: Readonly<Record<string, unknown>>;
};

/** Config update: allowed only while the bot is created, paused or stopped. */
export interface BotUpdateInput {
  readonly params?: Readonly<Record<string, unknown>>;
  readonly budget?: number;
  readonly risk?: Readonly<Record<string, unknown>>;
  readonly settings?: Readonly<Record<string, unknown>>;
}

export interface CancelResult {
  readonly botId: string;
  readonly cancelled: readonly string[];
  readonly failed: readonly { readonly clientId: string; readonly error: string }[];
}

/** A runtime event for the websocket. Topics are dotted lowercase (CONVENTIONS §12). */
export interface LiveEvent {
  readonly topic: 'price.update' | 'order.placed' | 'order.filled' | 'order.cancelled' | 'bot.state' | 'pnl.update' | 'log.line' | 'alert' | 'job.progress' | 'job.done';
  readonly ts: number;
  readonly botId?: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export const EVENT_TOPICS: readonly LiveEvent['topic'][] = ['price.update', 'order.placed', 'order.filled', 'order.cancelled', 'bot.state', 'pnl.update', 'log.line', 'alert', 'job.progress', 'job.done'];

export interface BotService {
  create(input: BotCreateInput, actor: string): Promise<BotRow>;
  update(id: string, patch: BotUpdateInput, actor: string): Promise<BotRow>;
  /** Deletes a bot that is not running and has no resting orders (its history stays in the audit log). */
  remove(id: string, actor: string): Promise<BotRow>;
  start(id: string, actor: string): Promise<BotRow>;
  pause(id: string, actor: string): Promise<BotRow>;
  /** `orders`: cancel the resting orders or keep them (required when the bot has any: STOP_NEEDS_CHOICE). */
  stop(id: string, orders: 'cancel' | 'keep' | undefined, actor: string): Promise<BotRow>;
  /** Kill switch: cancel every resting order of the bot, never liquidate; the bot ends emergency-stopped. */
  kill(id: string, actor: string): Promise<CancelResult>;
  /** Global kill switch: kill every bot. */
  killAll(actor: string): Promise<CancelResult[]>;
  /** Go live: in place (keeps history) or as a new live bot `newName`. Refused unless LIVE_TRADING_ENABLED. */
  promote(id: string, opts: { readonly inPlace: boolean; readonly newName?: string; readonly exchange?: string }, actor: string): Promise<BotRow>;
  /** A new bot with the same strategy, params, symbols, risk and settings. */
  copy(id: string, opts: { readonly name: string; readonly mode?: BotMode; readonly budget?: number; readonly exchange?: string }, actor: string): Promise<BotRow>;
  /** Cancels one resting order by client id. */
  cancelOrder(botId: string, clientId: string, actor: string): Promise<{ readonly clientId: string; readonly status: string }>;
  /** Runtime events; returns the unsubscribe function. */
  subscribe(listener: (e: LiveEvent) => void): () => void;
  /**
   * Optional: the last mark price of a bot's market (the runtime's last bar close), for unrealised P&L of positions and
   * open lots. The routes use it when `deps.markPrice` is not given.
   */
  markPrice?(botId: string, symbol: string): number | undefined;
}

export type { BotMode, BotRow, BotStatus };
