/**
 * What an order strategy sees of its orders and account in the live runner, read from the state store: the same
 * OrdersView / AccountView interfaces the order simulator gives it (engine/orders/views.ts). One market per strategy
 * instance (index 0; a bot of several symbols runs one instance per symbol over one shared wallet). Refreshed once per
 * decision (a query each), never inside the strategy's loop.
 */
import type { AccountView, OpenOrderView, OrderSide, OrdersView } from '../../engine/orders/views.ts';
import type { StateStore } from '../state/store.ts';
import type { StoredOrder } from '../state/types.ts';

class OpenOrder implements OpenOrderView {
  readonly market = 0;
  constructor(private readonly o: StoredOrder, readonly placedBar: number) {}
  get id(): number { return this.o.id; }
  get tag(): string { return this.o.tag; }
  get side(): OrderSide { return this.o.side; }
  get price(): number { return this.o.price ?? NaN; }
  get amount(): number { return this.o.amount; }
  get remaining(): number { return this.o.amount - this.o.filled; }
  get lot(): number { return this.o.lotId ?? -1; }
}

export class StoreViews {
  private open: StoredOrder[] = [];
  private byTag = new Map<string, StoredOrder>();
  private rejectedN = 0;
  private base = 0;
  private openCostV = 0;
  private realised = 0;
  private fees = 0;
  private mark = NaN;
  /** Other markets of the bot: their resting buys' notional and their open lots' cost. */
  private otherBuys = 0;
  private otherCost = 0;
  /** Other markets' positions at their marks. */
  private otherValue = 0;
  readonly orders: OrdersView;
  readonly account: AccountView;

  constructor(private readonly store: StateStore, private readonly botId: string, private readonly symbol: string, private readonly budget: number,
    private readonly feeRate: number, private readonly barOf: (ts: number) => number,
    /** The mark of another market of the bot (NaN: unknown, its position is valued at cost). */
    private readonly markOf: (symbol: string) => number = () => NaN) {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const v = this;
    this.orders = {
      get total() { return v.open.length; },
      get rejected() { return v.rejectedN; },
      count: (_m, side) => (side ? v.open.filter((o) => o.side === side).length : v.open.length),
      has: (_m, tag) => v.byTag.has(tag),
      get: (_m, tag) => { const o = v.byTag.get(tag); return o ? new OpenOrder(o, v.barOf(o.createdAt)) : undefined; },
      list: () => v.open.map((o) => new OpenOrder(o, v.barOf(o.createdAt))),
    };
    this.account = {
      get initialCapital() { return v.budget; },
      get cash() { return v.cash(); },
      get freeCash() { return v.cash() - v.buyNotional() * (1 + v.feeRate); },
      get equity() { return v.cash() + v.base * v.mark + v.otherValue; },
      get capitalInUse() { return v.openCostV; },
      get openBuyNotional() { return v.buyNotional(); },
      get markets() { return 1; },
      base: () => v.base,
      freeBase: () => v.base - v.open.filter((o) => o.side === 'sell').reduce((s, o) => s + o.amount - o.filled, 0),
      openCost: () => v.openCostV - v.otherCost,
    };
  }

  private cash(): number { return this.budget + this.realised - this.fees - this.openCostV; }
  private buyNotional(): number {
    let s = this.otherBuys;
    for (const o of this.open) if (o.side === 'buy' && o.price !== null) s += o.price * (o.amount - o.filled);
    return s;
  }

  /**
   * Reload orders and the position; `mark` = the price equity is valued at (the bar's close). Orders and base are
   * this market's; the wallet (cash, fees, capital in use, resting buys) is the bot's, shared by all its markets
   * (another market's position is valued at cost).
   */
  refresh(mark: number): void {
    this.mark = mark;
    const all = this.store.orders.unsettledOrders(this.botId);
    this.open = all.length && all.some((o) => o.symbol !== this.symbol) ? all.filter((o) => o.symbol === this.symbol) : all;
    this.otherBuys = 0;
    for (const o of all) if (o.symbol !== this.symbol && o.side === 'buy' && o.price !== null) this.otherBuys += o.price * (o.amount - o.filled);
    this.byTag = new Map(this.open.map((o) => [o.tag, o]));
    this.rejectedN = this.store.orders.countOrders(this.botId, 'rejected');
    this.base = 0; this.openCostV = 0; this.realised = 0; this.fees = 0; this.otherCost = 0; this.otherValue = 0;
    for (const p of this.store.orders.positionsFor(this.botId)) {
      this.openCostV += p.openCost;
      this.realised += p.realised;
      this.fees += p.fees;
      if (p.symbol === this.symbol) this.base = p.base;
      else {
        this.otherCost += p.openCost;
        const m = p.base > 0 ? this.markOf(p.symbol) : NaN;
        this.otherValue += Number.isFinite(m) ? p.base * m : p.openCost;
      }
    }
  }
}
