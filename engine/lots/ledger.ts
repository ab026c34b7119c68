/**
 * Lot accounting (pure). A buy fill opens a lot (price, size, cost, fee); sells close lots, either the one
 * they name (a grid's paired sell) or first-in-first-out, and realise profit.
 *
 * Definitions (exact, used by the identity test):
 *  - cost of a lot = entryPrice x size (fees EXCLUDED); `openCost` = cost of the still-open part.
 *  - realised (gross) of a close = (exitPrice - entryPrice) x closedSize (fees EXCLUDED).
 *  - unrealised at mark = size_open x mark - openCost (fees EXCLUDED).
 *  - fees: every buy and sell fee, in quote, counted once, in `fees` (open lots' buy fees included).
 *  - realisedNet of a lot = realised - its buy fee share of the closed part - its sell fees.
 * Identity at every bar: cash + inventory at mark = initialCapital + realised + unrealised - fees.
 */

export type LotStatus = 'open' | 'closed';

/** One lot. `remaining` > 0 while open; partial closes accumulate into exitValue, sellFees and realised. */
export interface Lot {
  readonly id: number;
  readonly market: number;
  readonly symbol: string;
  /** Tag of the buy order that opened it ('(initial)' for initial inventory). */
  readonly buyTag: string;
  readonly openTs: number;
  readonly openBar: number;
  readonly entryPrice: number;
  /** Size bought (base). */
  readonly size: number;
  /** Size still open. */
  readonly remaining: number;
  /** Fee paid on the buy (quote). */
  readonly buyFee: number;
  /** Size closed so far. */
  readonly closedSize: number;
  /** Sum of exitPrice x closedSize. */
  readonly exitValue: number;
  readonly sellFees: number;
  /** Gross realised P&L: exitValue - entryPrice x closedSize. */
  readonly realised: number;
  /** Timestamp of the close that emptied the lot (NaN while open). */
  readonly closeTs: number;
  readonly closeBar: number;
  readonly status: LotStatus;
  /** Tag of the last sell order that closed part of it ('' if none). */
  readonly sellTag: string;
}

class LotRow implements Lot {
  remaining: number;
  closedSize = 0;
  exitValue = 0;
  sellFees = 0;
  realised = 0;
  closeTs = NaN;
  closeBar = -1;
  status: LotStatus = 'open';
  sellTag = '';
  /** Size reserved by open sell orders naming this lot (simulator bookkeeping). */
  reserved = 0;
  constructor(
    readonly id: number, readonly market: number, readonly symbol: string, readonly buyTag: string,
    readonly openTs: number, readonly openBar: number, readonly entryPrice: number, readonly size: number, readonly buyFee: number,
  ) {
    this.remaining = size;
  }
}

/** Realised P&L net of the lot's fees (buy fee pro rata to the closed part). */
export function lotRealisedNet(l: Lot): number {
  return l.realised - (l.size > 0 ? l.buyFee * (l.closedSize / l.size) : 0) - l.sellFees;
}

/** Unrealised P&L of a lot's open part at `mark` (fees excluded). */
export function lotUnrealised(l: Lot, mark: number): number {
  return l.remaining * (mark - l.entryPrice);
}

// Sizes below this are float dust left by partial closes; a lot whose remaining falls below it is closed.
const DUST = 1e-12;

export class LotLedger {
  readonly lots: LotRow[] = [];
  /** Per market: base inventory, cost of open lots, gross realised, fees. */
  readonly base: Float64Array;
  readonly openCost: Float64Array;
  readonly realisedBy: Float64Array;
  readonly feesBy: Float64Array;
  /** Base reserved by open sell orders (simulator bookkeeping). */
  readonly reservedBase: Float64Array;
  private readonly openIds: number[][];
  private readonly head: Int32Array;
  realised = 0;
  fees = 0;
  totalOpenCost = 0;

  constructor(readonly symbols: readonly string[]) {
    const n = symbols.length;
    this.base = new Float64Array(n);
    this.openCost = new Float64Array(n);
    this.realisedBy = new Float64Array(n);
    this.feesBy = new Float64Array(n);
    this.reservedBase = new Float64Array(n);
    this.openIds = symbols.map(() => []);
    this.head = new Int32Array(n);
  }

  /** Open a lot; returns its id. */
  open(market: number, ts: number, bar: number, price: number, size: number, fee: number, tag: string): number {
    const id = this.lots.length;
    this.lots.push(new LotRow(id, market, this.symbols[market], tag, ts, bar, price, size, fee));
    this.openIds[market].push(id);
    this.base[market] += size;
    const cost = price * size;
    this.openCost[market] += cost;
    this.totalOpenCost += cost;
    this.feesBy[market] += fee;
    this.fees += fee;
    return id;
  }

  get(id: number): LotRow {
    return this.lots[id];
  }

  /** Close `size` of lot `id` at `price`; `fee` is the sell fee for this part. Returns the gross realised P&L. */
  close(id: number, size: number, price: number, fee: number, ts: number, bar: number, tag: string): number {
    const l = this.lots[id];
    const m = l.market;
    const take = size > l.remaining ? l.remaining : size;
    const cost = l.entryPrice * take;
    const pnl = price * take - cost;
    l.remaining -= take;
    l.closedSize += take;
    l.exitValue += price * take;
    l.sellFees += fee;
    l.realised += pnl;
    l.sellTag = tag;
    this.base[m] -= take;
    this.openCost[m] -= cost;
    this.totalOpenCost -= cost;
    this.realisedBy[m] += pnl;
    this.realised += pnl;
    this.feesBy[m] += fee;
    this.fees += fee;
    if (l.remaining <= DUST * l.size) {
      l.remaining = 0;
      l.status = 'closed';
      l.closeTs = ts;
      l.closeBar = bar;
    }
    return pnl;
  }

  /** Open lots of a market, oldest first (skips closed ones). */
  openLots(market: number): LotRow[] {
    const ids = this.openIds[market];
    let h = this.head[market];
    while (h < ids.length && this.lots[ids[h]].status === 'closed') h++;
    this.head[market] = h;
    if (h > 64 && h * 2 > ids.length) { ids.splice(0, h); this.head[market] = 0; h = 0; }
    const out: LotRow[] = [];
    for (let k = h; k < ids.length; k++) { const l = this.lots[ids[k]]; if (l.status === 'open') out.push(l); }
    return out;
  }

  /**
   * Close `size` first-in-first-out over the parts of open lots not reserved by other sells; the fee is
   * shared pro rata. Returns the first lot closed (-1 if none).
   */
  closeFifo(market: number, size: number, price: number, fee: number, ts: number, bar: number, tag: string): number {
    let left = size;
    let first = -1;
    for (const l of this.openLots(market)) {
      if (left <= DUST * size) break;
      const free = l.remaining - l.reserved;
      if (free <= 0) continue;
      const take = free < left ? free : left;
      this.close(l.id, take, price, fee * (take / size), ts, bar, tag);
      if (first < 0) first = l.id;
      left -= take;
    }
    return first;
  }

  /** Gross unrealised P&L of a market at `mark`. */
  unrealised(market: number, mark: number): number {
    return this.base[market] === 0 ? 0 : this.base[market] * mark - this.openCost[market];
  }
}
