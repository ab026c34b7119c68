/**
 * The cash-and-position book of the signal simulator: executes a move to a target side at a given price,
 * records fills, round-trip trades and skipped orders. Called only when the target differs from the current
 * side, so its allocations (one Fill per fill, one Trade per round trip) are per fill, never per bar.
 */
import type { CandleFrame } from '../frame.ts';
import { FLAT_POSITION, type PositionView } from '../strategy.ts';
import { roundDownToLot, type FillConfig } from './fill-config.ts';
import type { Fill, OpenPosition, SkippedOrder, Trade } from './sim-result.ts';

export const SIDE_LONG = 1;
export const SIDE_FLAT = 0;
export const SIDE_SHORT = -1;

const sideName = (s: number): 'long' | 'short' => (s > 0 ? 'long' : 'short');

export class Book {
  cash: number;
  /** Signed size: > 0 long, < 0 short. */
  pos = 0;
  /** SIDE_LONG, SIDE_FLAT or SIDE_SHORT. */
  side = SIDE_FLAT;
  feesPaid = 0;
  skippedOrders = 0;
  readonly fills: Fill[] = [];
  readonly trades: Trade[] = [];
  readonly skipped: SkippedOrder[] = [];
  /** What the strategy sees (readonly by type); a new object after each change of position. */
  view: PositionView = FLAT_POSITION;

  private entryBar = -1;
  private entryTs = NaN;
  private entryPrice = NaN;
  private entrySize = 0;
  private entryFee = 0;
  private entryReason = '';
  private readonly buyMul: number;
  private readonly sellMul: number;

  constructor(private readonly frame: CandleFrame, private readonly cfg: Readonly<FillConfig>) {
    this.cash = cfg.initialCash;
    this.buyMul = 1 + cfg.slippageBps / 1e4;
    this.sellMul = 1 - cfg.slippageBps / 1e4;
  }

  /** Move from the current side to `target` at bar `bar`'s open: close first, then open sized from the cash after closing. */
  moveTo(bar: number, target: number, reason: string): void {
    const raw = this.frame.open[bar];
    if (this.side !== SIDE_FLAT) this.close(bar, raw, reason);
    if (target !== SIDE_FLAT) this.open(bar, target, raw, reason);
  }

  /** Close the open position at `raw` (before slippage) in bar `bar`. */
  close(bar: number, raw: number, reason: string): void {
    const long = this.side === SIDE_LONG;
    const price = long ? raw * this.sellMul : raw * this.buyMul;
    const size = this.entrySize;
    const notional = price * size;
    const fee = this.cfg.feeRate * notional;
    this.cash += long ? notional - fee : -notional - fee;
    this.feesPaid += fee;
    const ts = this.frame.ts[bar];
    this.fills.push({ bar, ts, side: long ? 'sell' : 'buy', price, size, fee, reason });
    const gross = long ? (price - this.entryPrice) * size : (this.entryPrice - price) * size;
    const pnl = gross - this.entryFee - fee;
    this.trades.push({
      side: long ? 'long' : 'short',
      entryBar: this.entryBar, exitBar: bar, entryTs: this.entryTs, exitTs: ts,
      entryPrice: this.entryPrice, exitPrice: price, size, entryFee: this.entryFee, exitFee: fee,
      pnl, returnPct: (pnl / (this.entryPrice * size + this.entryFee)) * 100, barsHeld: bar - this.entryBar,
      entryReason: this.entryReason, exitReason: reason,
    });
    this.pos = 0;
    this.side = SIDE_FLAT;
    this.view = FLAT_POSITION;
  }

  /** Open `side` at `raw` (before slippage) in bar `bar`, sized fraction × cash / (price × (1 + feeRate)), rounded down to the lot. */
  private open(bar: number, side: number, raw: number, reason: string): void {
    const { feeRate, fraction, lotSize, minNotional } = this.cfg;
    const long = side === SIDE_LONG;
    const price = long ? raw * this.buyMul : raw * this.sellMul;
    const wanted = (fraction * this.cash) / (price * (1 + feeRate));
    const size = roundDownToLot(wanted, lotSize);
    const notional = price * size;
    if (!(size > 0) || notional < minNotional) {
      this.skippedOrders++;
      const why = !(size > 0)
        ? `size ${wanted > 0 ? wanted : 0} rounds down to 0 (lot ${lotSize})`
        : `notional ${notional} is below minNotional ${minNotional}`;
      this.skipped.push({ bar, ts: this.frame.ts[bar], reason: `${sideName(side)} entry skipped: ${why}` });
      return;
    }
    const fee = feeRate * notional;
    this.cash += long ? -notional - fee : notional - fee;
    this.feesPaid += fee;
    const ts = this.frame.ts[bar];
    this.fills.push({ bar, ts, side: long ? 'buy' : 'sell', price, size, fee, reason });
    this.pos = long ? size : -size;
    this.side = side;
    this.entryBar = bar;
    this.entryTs = ts;
    this.entryPrice = price;
    this.entrySize = size;
    this.entryFee = fee;
    this.entryReason = reason;
    this.view = { size: this.pos, entryPrice: price, entryBar: bar };
  }

  /** The position still open, marked at `markPrice`; null when flat. */
  openPosition(markPrice: number): OpenPosition | null {
    if (this.side === SIDE_FLAT) return null;
    const long = this.side === SIDE_LONG;
    const size = this.entrySize;
    const gross = long ? (markPrice - this.entryPrice) * size : (this.entryPrice - markPrice) * size;
    return {
      side: long ? 'long' : 'short', entryBar: this.entryBar, entryTs: this.entryTs, entryPrice: this.entryPrice,
      size, entryFee: this.entryFee, markPrice, unrealizedPnl: gross - this.entryFee,
    };
  }
}
