import { usageError } from './errors.ts';

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const YEAR_MS = 365 * 86_400_000;

/** Timeframes tradelab knows (ccxt's names). Anything else is a usage error. */
export const TIMEFRAMES = ['1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d', '3d', '1w'] as const;

/** Milliseconds in one candle of `tf` ('1m' → 60,000). Unknown timeframes throw, naming the allowed ones. */
export function timeframeMs(tf: string): number {
  if (!(TIMEFRAMES as readonly string[]).includes(tf)) {
    throw usageError('UNKNOWN_TIMEFRAME', `unknown timeframe '${tf}'; allowed: ${TIMEFRAMES.join(', ')}`, { timeframe: tf });
  }
  const m = /^(\d+)([mhdw])$/.exec(tf)!;
  return Number(m[1]) * UNIT_MS[m[2]];
}

/**
 * Bars per year for annualisation in 24/7 markets: 365 days of bars (1m → 525,600, 1h → 8,760, 1d → 365,
 * 1w → 365/7). Unknown timeframes are an error, never a guess.
 */
export function periodsPerYear(tf: string): number {
  return YEAR_MS / timeframeMs(tf);
}
