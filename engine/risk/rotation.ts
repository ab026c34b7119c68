/**
 * Consecutive-loss rotation, a pure state machine. After `maxConsecutiveLosses` losing trades in a row the bot
 * rotates to another candidate strategy — never to the one that just lost, nor to any it already left since the
 * last manual resume — up to `maxRotations` times; when no rotation is left (or no candidate), it pauses and alerts.
 * A winning trade resets the loss streak; rotations and the set of abandoned strategies persist until
 * `resumeRotation` (a manual resume).
 */
import { usageError } from '../errors.ts';

export interface RotationConfig {
  /** Losing trades in a row that trigger a rotation (>= 1). */
  readonly maxConsecutiveLosses: number;
  /** Rotations allowed before pausing (>= 0; 0 = pause at the first streak). */
  readonly maxRotations: number;
}

/** A strategy the bot may rotate to: `id` or `id@version`, with its parameters (defaults for those omitted). */
export interface RotationCandidate {
  readonly strategy: string;
  readonly params?: Readonly<Record<string, unknown>>;
}

/** The bot's risk setting `rotation`: the state machine's config and the candidates, in order of preference. */
export interface RotationSettings extends RotationConfig {
  readonly candidates: readonly RotationCandidate[];
}

export interface RotationState {
  /** Strategy in use (`id@version` or any label the caller uses in `candidates`). */
  readonly current: string;
  readonly consecutiveLosses: number;
  readonly rotations: number;
  /** Strategies left after a losing streak, oldest first. */
  readonly abandoned: readonly string[];
  readonly paused: boolean;
}

/** A closed trade: only its net P&L matters (< 0 is a loss; 0 neither breaks nor extends a streak). */
export interface ClosedTrade {
  readonly pnl: number;
}

export type RotationDecision =
  | { readonly action: 'none'; readonly next: RotationState }
  | { readonly action: 'rotate'; readonly from: string; readonly to: string; readonly reason: string; readonly next: RotationState }
  | { readonly action: 'pause'; readonly reason: string; readonly next: RotationState };

export function initialRotationState(current: string): RotationState {
  return { current, consecutiveLosses: 0, rotations: 0, abandoned: [], paused: false };
}

export function validateRotationConfig(cfg: RotationConfig): void {
  if (!Number.isInteger(cfg.maxConsecutiveLosses) || cfg.maxConsecutiveLosses < 1) {
    throw usageError('RISK_CONFIG_INVALID', `rotation.maxConsecutiveLosses must be an integer >= 1, got ${cfg.maxConsecutiveLosses}`);
  }
  if (!Number.isInteger(cfg.maxRotations) || cfg.maxRotations < 0) {
    throw usageError('RISK_CONFIG_INVALID', `rotation.maxRotations must be an integer >= 0, got ${cfg.maxRotations}`);
  }
}

/** Throws a usage error (RISK_CONFIG_INVALID) naming what is wrong with a `rotation` setting. */
export function validateRotationSettings(s: RotationSettings): void {
  if (s === null || typeof s !== 'object') throw usageError('RISK_CONFIG_INVALID', `rotation must be an object { maxConsecutiveLosses, maxRotations, candidates: [{ strategy, params? }] }, got ${JSON.stringify(s)}`);
  for (const k of Object.keys(s)) {
    if (!['maxConsecutiveLosses', 'maxRotations', 'candidates'].includes(k)) throw usageError('RISK_CONFIG_INVALID', `unknown rotation setting '${k}'; known: maxConsecutiveLosses, maxRotations, candidates`);
  }
  validateRotationConfig(s);
  if (!Array.isArray(s.candidates)) throw usageError('RISK_CONFIG_INVALID', `rotation.candidates must be a list of { strategy: 'id' or 'id@version', params?: {...} }, got ${JSON.stringify(s.candidates)}`);
  s.candidates.forEach((c, j) => {
    if (c === null || typeof c !== 'object' || typeof c.strategy !== 'string' || c.strategy === '') {
      throw usageError('RISK_CONFIG_INVALID', `rotation.candidates[${j}] must be { strategy: 'id' or 'id@version', params?: {...} }, got ${JSON.stringify(c)}`);
    }
    if (c.params !== undefined && (c.params === null || typeof c.params !== 'object' || Array.isArray(c.params))) {
      throw usageError('RISK_CONFIG_INVALID', `rotation.candidates[${j}].params must be an object of parameter values, got ${JSON.stringify(c.params)}`);
    }
  });
}

/**
 * Feed one closed trade. `candidates` are the strategies the bot may rotate to, in order of preference (the
 * current one and abandoned ones are skipped). While paused, trades are counted but no decision is taken.
 */
export function onTradeClosed(state: RotationState, trade: ClosedTrade, candidates: readonly string[], cfg: RotationConfig): RotationDecision {
  const losses = trade.pnl < 0 ? state.consecutiveLosses + 1 : trade.pnl > 0 ? 0 : state.consecutiveLosses;
  const counted: RotationState = { ...state, consecutiveLosses: losses };
  if (state.paused || losses < cfg.maxConsecutiveLosses) return { action: 'none', next: counted };
  const streak = `${losses} losing trades in a row on ${state.current}`;
  if (state.rotations >= cfg.maxRotations) {
    return { action: 'pause', reason: `${streak}; ${state.rotations} of ${cfg.maxRotations} rotations used`, next: { ...counted, paused: true } };
  }
  const abandoned = [...state.abandoned, state.current];
  const to = candidates.find((c) => !abandoned.includes(c));
  if (to === undefined) {
    return { action: 'pause', reason: `${streak}; no candidate strategy left (abandoned: ${abandoned.join(', ')})`, next: { ...counted, abandoned, paused: true } };
  }
  return {
    action: 'rotate', from: state.current, to, reason: streak,
    next: { current: to, consecutiveLosses: 0, rotations: state.rotations + 1, abandoned, paused: false },
  };
}

/** Manual resume: clears the pause, the streak, the rotation count and the abandoned list. */
export function resumeRotation(state: RotationState): RotationState {
  return initialRotationState(state.current);
}
