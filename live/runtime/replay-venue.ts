/**
 * The runner's replay venue for signal strategies: market orders filled at the current bar's open, moved against
 * the trader by `slippageBps`, paying `feeRate` x notional, exactly as engine/sim's Book fills them. It is the
 * subset of the ExchangePort the runner calls (createOrder, cancelOrder, fetchOpenOrders, fetchOrderByClientId,
 * fetchMyTrades) plus a bar clock (`setBar`).
 *
 * It plays the exchange's side of a crash test: every accepted order and fill is appended (synchronously) to a
 * JSONL journal before `createOrder` returns, so a restarted process sees the same "exchange" state a real venue
 * would keep; a second createOrder with a used client id returns the existing order (venues refuse duplicates).
 *
 * Limit orders are refused: order-level strategies run on the execution core's replay adapter (live/execution).
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { usageError } from '../../engine/errors.ts';
import type { CandleFrame } from '../../engine/frame.ts';
import type { CancelResult, Fill, Order, OrderRef, OrderRequest } from '../exchange/port.ts';

/** What the bot runner needs of an exchange (a subset of ExchangePort). */
export interface RunnerVenue {
  readonly kind: 'ccxt' | 'paper' | 'replay';
  createOrder(req: OrderRequest): Promise<Order>;
  cancelOrder(ref: OrderRef): Promise<CancelResult>;
  fetchOpenOrders(symbol?: string): Promise<Order[]>;
  fetchOrderByClientId(clientOrderId: string, symbol: string, since?: number): Promise<Order | undefined>;
  fetchMyTrades(symbol: string, since?: number, limit?: number): Promise<Fill[]>;
}

export interface ReplayVenueOptions {
  readonly feeRate: number;
  readonly slippageBps: number;
  /** Append-only journal of the venue's orders and fills (crash tests, restarts); omitted = in memory only. */
  readonly journalPath?: string;
  /** Called when createOrder is entered (latency benchmark, fault injection). */
  readonly onCreate?: (req: OrderRequest) => void;
}

type JournalRow = { t: 'order'; o: Order } | { t: 'fill'; f: Fill };

export class ReplayVenue implements RunnerVenue {
  readonly kind = 'replay' as const;
  private bar = -1;
  private readonly orders = new Map<string, Order>();
  private readonly fills: Fill[] = [];
  private readonly buyMul: number;
  private readonly sellMul: number;

  constructor(private readonly frames: ReadonlyMap<string, CandleFrame>, private readonly opts: ReplayVenueOptions) {
    this.buyMul = 1 + opts.slippageBps / 1e4;
    this.sellMul = 1 - opts.slippageBps / 1e4;
    if (opts.journalPath && existsSync(opts.journalPath)) {
      for (const line of readFileSync(opts.journalPath, 'utf8').split('\n')) {
        if (!line) continue;
        let row: JournalRow;
        try { row = JSON.parse(line) as JournalRow; } catch { continue; } // a torn last line: the write never completed
        if (row.t === 'order') this.orders.set(row.o.clientOrderId as string, row.o);
        else this.fills.push(row.f);
      }
    }
  }

  /** Moves the clock to bar `k` (its open has happened). */
  setBar(k: number): void { this.bar = k; }

  private frame(symbol: string): CandleFrame {
    const f = this.frames.get(symbol);
    if (!f) throw usageError('UNKNOWN_SYMBOL', `replay has no candles for ${symbol}; loaded: ${[...this.frames.keys()].join(', ')}`);
    return f;
  }

  private record(row: JournalRow): void {
    if (this.opts.journalPath) appendFileSync(this.opts.journalPath, JSON.stringify(row) + '\n');
  }

  async createOrder(req: OrderRequest): Promise<Order> {
    this.opts.onCreate?.(req);
    const known = this.orders.get(req.clientOrderId);
    if (known) return known;
    if (req.type !== 'market') {
      throw usageError('REPLAY_LIMIT_UNSUPPORTED', `the runner's replay venue fills market orders only; order strategies need the execution core's replay adapter (${req.clientOrderId})`);
    }
    const f = this.frame(req.symbol);
    const k = this.bar;
    if (k < 0 || k >= f.length) throw usageError('REPLAY_NO_BAR', `replay clock is at bar ${k}; no open to fill ${req.clientOrderId} at`);
    const raw = f.open[k];
    const price = req.side === 'buy' ? raw * this.buyMul : raw * this.sellMul;
    const cost = price * req.amount;
    const fee = this.opts.feeRate * cost;
    const ts = f.ts[k];
    const id = `r${this.orders.size + 1}`;
    const order: Order = {
      id, clientOrderId: req.clientOrderId, symbol: req.symbol, side: req.side, type: 'market', price, average: price,
      amount: req.amount, filled: req.amount, remaining: 0, cost, status: 'closed', fee: { cost: fee, currency: 'quote' },
      timeInForce: undefined, postOnly: false, timestamp: ts, lastUpdateTimestamp: ts,
    };
    const fill: Fill = {
      id: `t-${req.clientOrderId}`, orderId: id, clientOrderId: req.clientOrderId, symbol: req.symbol, side: req.side, price, amount: req.amount,
      cost, fee: { cost: fee, currency: 'quote' }, takerOrMaker: 'taker', timestamp: ts,
    };
    // The fill first, then the order: a crash between them leaves a fill the order lookup cannot see, so the
    // journal is read back as a whole and an order without its row is never reported.
    this.record({ t: 'fill', f: fill });
    this.record({ t: 'order', o: order });
    this.fills.push(fill);
    this.orders.set(req.clientOrderId, order);
    return order;
  }

  async cancelOrder(ref: OrderRef): Promise<CancelResult> {
    const o = ref.clientOrderId ? this.orders.get(ref.clientOrderId) : [...this.orders.values()].find((x) => x.id === ref.id);
    return o ? { outcome: 'already-closed', order: o } : { outcome: 'not-found', order: undefined };
  }

  async fetchOpenOrders(): Promise<Order[]> { return []; }

  async fetchOrderByClientId(clientOrderId: string): Promise<Order | undefined> { return this.orders.get(clientOrderId); }

  async fetchMyTrades(symbol: string, since = -Infinity): Promise<Fill[]> {
    return this.fills.filter((f) => f.symbol === symbol && f.timestamp >= since && this.orders.has(f.clientOrderId as string));
  }

  /** Every order the venue accepted (tests: no client id twice). */
  allOrders(): Order[] { return [...this.orders.values()]; }
}
