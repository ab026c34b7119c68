/**
 * The bot state machine (issue 5 "Bots"). Every status change goes through `assertTransition`, which names the
 * allowed moves when a move is refused.
 *
 *   created            → running | stopped
 *   running            → paused | stopped | hold | emergency-stopped
 *   paused             → running | stopped | emergency-stopped      (no new orders; resting orders stay)
 *   hold               → running | paused | stopped | emergency-stopped   (grid capital cap, daily/weekly loss limit: sells only)
 *   stopped            → running | stopped                          (restart; stop again = cancel leftovers)
 *   emergency-stopped  → running (manual resume only) | stopped
 */
import { usageError } from '../../engine/errors.ts';
import type { BotStatus } from '../state/types.ts';

export const TRANSITIONS: Readonly<Record<BotStatus, readonly BotStatus[]>> = Object.freeze({
  created: ['running', 'stopped'],
  running: ['paused', 'stopped', 'hold', 'emergency-stopped'],
  paused: ['running', 'stopped', 'emergency-stopped'],
  hold: ['running', 'paused', 'stopped', 'emergency-stopped'],
  stopped: ['running', 'stopped'],
  'emergency-stopped': ['running', 'stopped'],
});

export function canTransition(from: BotStatus, to: BotStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Throws BOT_TRANSITION_INVALID (usage) when `from → to` is not allowed. */
export function assertTransition(botId: string, from: BotStatus, to: BotStatus): void {
  if (!canTransition(from, to)) {
    const allowed = TRANSITIONS[from];
    throw usageError('BOT_TRANSITION_INVALID', `bot '${botId}' is ${from}; it cannot become ${to} (allowed from ${from}: ${allowed.join(', ') || 'none'})`);
  }
}

/** Statuses in which the runner keeps a task alive for the bot (auto-resumed on start). */
export const ACTIVE_STATUSES: readonly BotStatus[] = ['running', 'hold', 'paused'];

/** Whether the runner may place new buy orders / any new orders in this status. */
export function mayPlace(status: BotStatus, side: 'buy' | 'sell'): boolean {
  if (status === 'running') return true;
  if (status === 'hold') return side === 'sell';
  return false;
}
