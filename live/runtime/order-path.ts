/**
 * The runner's order path over a RunnerVenue, following the store's write protocol (docs/state.md):
 * nextOrderSeq → recordOrderIntent ('pending') → venue.createOrder(clientId) → markOrderPlaced → applyFill(s).
 * Also fill sync (every venue fill of the bot's orders applied once), startup reconciliation by client id, and the
 * kill switch (cancel every unsettled order; never liquidate).
 *
 * This is the runtime's own small order path for the venues in this folder; the execution core's order manager
 * (live/execution: risk checks, retries, foreign orders) has the same shape (`OrderPath`) and replaces it when a
 * bot runs on the ccxt / paper / replay adapters of live/exchange.
 */
import { isTradelabError, TradelabError } from '../../engine/errors.ts';
import { clientOrderId } from '../exchange/client-order-id.ts';
import type { Fill, Order } from '../exchange/port.ts';
import type { StateStore } from '../state/store.ts';
import type { StoredOrder } from '../state/types.ts';
import type { RunnerVenue } from './replay-venue.ts';

/** One order the runner wants placed (amount in base, already sized). */
export interface PlaceRequest {
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly type: 'market' | 'limit';
  /** Base amount; a market buy on a path with `buyByCost` gives `cost` instead. */
  readonly amount?: number;
  /** Market buys on a `buyByCost` path: quote to spend (fees on top); the venue sizes it at the fill price. */
  readonly cost?: number;
  readonly price?: number;
  readonly tag: string;
  readonly lot?: number | null;
}

/** A fill newly applied to the store. */
export interface NewFill {
  readonly order: StoredOrder;
  readonly fill: Fill;
  readonly openedLot: number | null;
}

export interface PlaceOutcome {
  /** denied: a risk rule refused it; invalid: the intent itself was (both before any adapter call). */
  readonly kind: 'placed' | 'rejected' | 'unknown' | 'denied' | 'invalid';
  readonly order?: StoredOrder;
  readonly reason?: string;
  readonly fills: readonly NewFill[];
  readonly error?: TradelabError;
}

export interface ReconcileSummary {
  readonly resolved: number;
  readonly cancelled: number;
  readonly fillsApplied: readonly NewFill[];
  readonly violations: readonly string[];
}

/** What the bot runner needs from an order path (the execution core's order manager offers the same). */
export interface OrderPath {
  /** True when market buys are sized by quote cost at the fill price (the runner then gives `cost`). */
  readonly buyByCost: boolean;
  place(req: PlaceRequest): Promise<PlaceOutcome>;
  syncFills(symbols: readonly string[]): Promise<NewFill[]>;
  /** Cancel the bot's unsettled order with this tag in this market (nothing when there is none). */
  cancel(symbol: string, tag: string): Promise<void>;
  reconcile(symbols: readonly string[]): Promise<ReconcileSummary>;
  cancelAll(): Promise<{ cancelled: string[]; failed: { clientId: string; error: string }[] }>;
}

export class VenueOrderPath implements OrderPath {
  readonly buyByCost = false;
  /** Time of the latest fill applied: per-bar syncs ask the venue for fills from then on only. */
  private lastFillTs = -Infinity;

  constructor(
    private readonly store: StateStore,
    private readonly venue: RunnerVenue,
    private readonly botId: string,
    private readonly strategyId: string,
    private readonly now: () => number,
  ) {}

  async place(req: PlaceRequest): Promise<PlaceOutcome> {
    if (!(req.amount !== undefined && req.amount > 0)) {
      return { kind: 'invalid', fills: [], reason: `order ${req.tag}: this venue needs a positive base amount, got ${String(req.amount)}` };
    }
    const amount = req.amount;
    const seq = this.store.bots.nextOrderSeq(this.botId);
    const clientId = clientOrderId(this.botId, this.strategyId, seq);
    let order = this.store.orders.recordOrderIntent({
      botId: this.botId, clientId, symbol: req.symbol, side: req.side, type: req.type, price: req.price ?? null,
      amount, tag: req.tag, lotId: req.lot ?? null, ts: this.now(),
    });
    let venueOrder: Order;
    try {
      venueOrder = await this.venue.createOrder({ symbol: req.symbol, type: req.type, side: req.side, amount, price: req.price, clientOrderId: clientId });
    } catch (e) {
      const err = isTradelabError(e) ? e : new TradelabError('VENUE_ERROR', 'venue-unknown', String(e), { cause: e });
      if (err.family === 'venue-rejected' || err.family === 'usage') {
        order = this.store.orders.markOrderRejected(clientId, err.message, this.now());
        return { kind: 'rejected', order, fills: [], error: err };
      }
      order = this.store.orders.markOrderUnknown(clientId, err.message, this.now());
      return { kind: 'unknown', order, fills: [], error: err };
    }
    this.store.orders.markOrderPlaced(clientId, venueOrder.id, this.now());
    const fills = await this.applyVenueFills(req.symbol, clientId);
    return { kind: 'placed', order: this.store.orders.byClientId(clientId) as StoredOrder, fills };
  }

  private async applyVenueFills(symbol: string, clientId?: string, since?: number): Promise<NewFill[]> {
    const out: NewFill[] = [];
    for (const f of await this.venue.fetchMyTrades(symbol, since)) {
      if (clientId !== undefined && f.clientOrderId !== clientId) continue;
      const o = f.clientOrderId ? this.store.orders.byClientId(f.clientOrderId) : undefined;
      if (!o || o.botId !== this.botId) continue;
      const r = this.store.orders.applyFill({
        botId: this.botId, clientId: o.clientId, tradeId: f.id, ts: f.timestamp, price: f.price, amount: f.amount,
        fee: f.fee?.cost ?? 0, liquidity: f.takerOrMaker ?? null,
      });
      if (r.applied) out.push({ order: r.order, fill: f, openedLot: r.openedLot });
      if (f.timestamp > this.lastFillTs) this.lastFillTs = f.timestamp;
    }
    return out;
  }

  /** New venue fills of the bot's orders since the last one applied (all of them with `full`). */
  async cancel(symbol: string, tag: string): Promise<void> {
    const o = this.store.orders.unsettledOrders(this.botId).find((x) => x.symbol === symbol && x.tag === tag);
    if (!o) return;
    const r = await this.venue.cancelOrder({ symbol, clientOrderId: o.clientId });
    await this.applyVenueFills(symbol, o.clientId);
    this.store.orders.markOrderCancelled(o.clientId, this.now(), r.outcome === 'canceled' ? 'cancelled by the strategy' : `cancel: ${r.outcome}`);
  }

  async syncFills(symbols: readonly string[], full = false): Promise<NewFill[]> {
    const out: NewFill[] = [];
    const since = full ? undefined : this.lastFillTs;
    for (const s of symbols) out.push(...await this.applyVenueFills(s, undefined, since === -Infinity ? undefined : since));
    return out;
  }

  /**
   * Settles every pending/open/unknown order by its client id: found on the venue → placed, fills applied,
   * closed/cancelled followed; not found → it never reached the venue: cancelled (reason 'not on venue').
   * Then every venue fill of the bot's orders is applied (none lost).
   */
  async reconcile(symbols: readonly string[]): Promise<ReconcileSummary> {
    let resolved = 0, cancelled = 0;
    const fills: NewFill[] = [];
    for (const o of this.store.orders.unsettledOrders(this.botId)) {
      const v = await this.venue.fetchOrderByClientId(o.clientId, o.symbol);
      if (!v) {
        this.store.orders.markOrderCancelled(o.clientId, this.now(), NOT_ON_VENUE);
        this.store.journal.audit({ ts: this.now(), actor: 'reconcile', action: 'order.not-on-venue', entity: 'order', entityId: o.clientId });
        cancelled++;
        continue;
      }
      this.store.orders.markOrderPlaced(o.clientId, v.id, this.now());
      fills.push(...await this.applyVenueFills(o.symbol, o.clientId));
      if (v.status === 'canceled' || v.status === 'expired' || v.status === 'rejected') this.store.orders.markOrderCancelled(o.clientId, this.now(), `venue says ${v.status}`);
      resolved++;
    }
    fills.push(...await this.syncFills(symbols, true));
    return { resolved, cancelled, fillsApplied: fills, violations: this.store.checkInvariants(this.botId) };
  }

  async cancelAll(): Promise<{ cancelled: string[]; failed: { clientId: string; error: string }[] }> {
    const cancelled: string[] = [];
    const failed: { clientId: string; error: string }[] = [];
    for (const o of this.store.orders.unsettledOrders(this.botId)) {
      try {
        const r = await this.venue.cancelOrder({ symbol: o.symbol, clientOrderId: o.clientId });
        await this.applyVenueFills(o.symbol, o.clientId);
        this.store.orders.markOrderCancelled(o.clientId, this.now(), r.outcome === 'canceled' ? 'kill switch' : `kill switch: ${r.outcome}`);
        cancelled.push(o.clientId);
      } catch (e) {
        failed.push({ clientId: o.clientId, error: e instanceof Error ? e.message : String(e) });
      }
    }
    return { cancelled, failed };
  }
}

/** Reason stored on an order reconciliation found was never received by the venue. */
export const NOT_ON_VENUE = 'not on venue (never placed)';
