/**
 * The stated intrabar path: how a candle is assumed to have traded between its open and close.
 *  - 'nearest-extreme-first' (default): open, the extreme nearer the open, the farther extreme, close
 *    (a tie goes to the LOW first: the conservative choice for resting buys below and sells above).
 *  - 'high-first': open, high, low, close.   - 'low-first': open, low, high, close.
 * The price moves in straight lines between these points, so a resting limit fills where a leg crosses it.
 */
export type IntrabarPath = 'nearest-extreme-first' | 'high-first' | 'low-first';
export const INTRABAR_PATHS: readonly IntrabarPath[] = ['nearest-extreme-first', 'high-first', 'low-first'];

/** Whether a resting limit needs the price to trade strictly beyond it ('through') or just reach it ('touch'). */
export type FillOn = 'through' | 'touch';
export const FILL_ON: readonly FillOn[] = ['through', 'touch'];

/** Writes the 4 path points into `out` (no allocation). */
export function pathPoints(open: number, high: number, low: number, close: number, path: IntrabarPath, out: Float64Array): void {
  let highFirst: boolean;
  if (path === 'high-first') highFirst = true;
  else if (path === 'low-first') highFirst = false;
  else highFirst = high - open < open - low;
  out[0] = open;
  out[1] = highFirst ? high : low;
  out[2] = highFirst ? low : high;
  out[3] = close;
}
