/**
 * The fill model of the signal simulator (CONVENTIONS §6): stated, configurable, recorded in every result.
 * A decision taken at bar i's close fills at bar i+1's open, moved against the trader by `slippageBps`,
 * and pays `feeRate` × notional on every fill.
 */
import { usageError } from '../errors.ts';

export interface FillConfig {
  /** Starting cash in the quote currency (> 0). */
  initialCash: number;
  /** Fraction of each fill's notional paid as fee, in [0, 1) (0.001 = 0.1 %). */
  feeRate: number;
  /** Adverse slippage in basis points, in [0, 10000): buys fill at open × (1 + bps/1e4), sells at open × (1 − bps/1e4). */
  slippageBps: number;
  /** Size is rounded DOWN to a multiple of this (e.g. 1, 0.00001); 0 = no rounding. */
  lotSize: number;
  /** An entry whose notional after rounding is below this (or whose size rounds to 0) is skipped and counted; never bumped. */
  minNotional: number;
  /** Share of equity deployed on each entry, in (0, 1]. */
  fraction: number;
  /** false: a 'short' target means flat (long-only). */
  allowShort: boolean;
  /** Close a position still open at the end at the last close (with slippage and fees) and count it as a trade. */
  closeAtEnd: boolean;
}

export const DEFAULT_FILL_CONFIG: Readonly<FillConfig> = Object.freeze({
  initialCash: 10_000,
  feeRate: 0.001,
  slippageBps: 0,
  lotSize: 0,
  minNotional: 0,
  fraction: 1,
  allowShort: false,
  closeAtEnd: false,
});

/**
 * Check every field and throw one usage error naming each problem and what is allowed.
 * Returns a frozen copy so that the simulator never sees the caller mutate it.
 */
export function validateFillConfig(config: FillConfig): Readonly<FillConfig> {
  const problems: string[] = [];
  const num = (name: keyof FillConfig, ok: (v: number) => boolean, allowed: string) => {
    const v = config[name] as unknown;
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) problems.push(`${name}=${String(v)} is not allowed; expected ${allowed}`);
  };
  const bool = (name: keyof FillConfig) => {
    const v = config[name] as unknown;
    if (typeof v !== 'boolean') problems.push(`${name}=${String(v)} is not allowed; expected true or false`);
  };
  num('initialCash', (v) => v > 0, 'a finite number > 0 (quote currency)');
  num('feeRate', (v) => v >= 0 && v < 1, 'a fraction in [0, 1), e.g. 0.001 for 0.1 %');
  num('slippageBps', (v) => v >= 0 && v < 10_000, 'basis points in [0, 10000), e.g. 5');
  num('lotSize', (v) => v >= 0, 'a finite number >= 0 (0 = no rounding)');
  num('minNotional', (v) => v >= 0, 'a finite number >= 0 (quote currency; 0 = no minimum)');
  num('fraction', (v) => v > 0 && v <= 1, 'a fraction in (0, 1] of equity per entry');
  bool('allowShort');
  bool('closeAtEnd');
  if (problems.length) {
    throw usageError('INVALID_FILL_CONFIG', `invalid fill configuration:\n${problems.join('\n')}`, { problems });
  }
  return Object.freeze({ ...config });
}

/**
 * `x` rounded down to a multiple of `lot` (x itself when lot is 0; 0 when x <= 0). A quotient within 1e-9 lot of
 * the next whole number counts as reaching it, so float error cannot drop a lot (0.3 / 0.1 = 2.9999999999999996
 * still gives 3 lots), and the result is cleaned to 15 significant digits (3 × 0.1 gives 0.3, not 0.30000000000000004).
 */
export function roundDownToLot(x: number, lot: number): number {
  if (!(x > 0)) return 0;
  if (lot === 0) return x;
  const k = Math.floor(x / lot + 1e-9);
  return k > 0 ? Number((k * lot).toPrecision(15)) : 0;
}
