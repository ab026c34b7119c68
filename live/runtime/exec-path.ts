/**
 * The execution core's order manager (live/execution) as the runner's OrderPath: risk checks before every adapter
 * call, the store's write protocol, unknown outcomes resolved by client id, fill sync, cancelAll, reconciliation.
 * Market buys are sized by quote cost at the fill price (the venue does it), so `buyByCost` is true.
 *
 * On a simulated venue (paper, replay) it is also in-bar capable: the venue's fill hook applies each fill to the
 * store at once and hands it to the runner's handler, which may place and cancel orders synchronously (`inBar`):
 * they act from that point of the bar's path on, exactly as the order simulator's onFill orders.
 */
import type { OrderManager, SyncVenue } from '../execution/order-manager.ts';
import type { AppliedFill, ExecIntent, SubmitOutcome } from '../execution/types.ts';
import type { FillHook } from '../exchange/sim-venue.ts';
import type { InBarPath, NewFill, OrderPath, PlaceOutcome, PlaceRequest, ReconcileSummary } from './order-path.ts';

const toNew = (a: AppliedFill): NewFill => ({ order: a.order, fill: a.venueFill, openedLot: a.result.openedLot });

function toIntent(req: PlaceRequest): ExecIntent {
  return req.type === 'limit'
    ? { type: 'limit', symbol: req.symbol, side: req.side, price: req.price as number, amount: req.amount as number, tag: req.tag, lot: req.lot ?? null }
    : req.cost !== undefined
      ? { type: 'market', symbol: req.symbol, side: req.side, cost: req.cost, tag: req.tag, lot: req.lot ?? null }
      : { type: 'market', symbol: req.symbol, side: req.side, amount: req.amount, tag: req.tag, lot: req.lot ?? null };
}

function toOutcome(out: SubmitOutcome): PlaceOutcome {
  switch (out.kind) {
    case 'placed': return { kind: 'placed', order: out.order, fills: [] };
    case 'denied': return { kind: 'denied', reason: out.denial.reason, denial: out.denial, fills: [] };
    case 'invalid': return { kind: 'invalid', reason: out.reason, fills: [] };
    case 'rejected': return { kind: 'rejected', order: out.order, reason: out.error.message, fills: [] };
    case 'unknown': return { kind: 'unknown', order: out.order, reason: out.error.message, fills: [] };
    default: return { kind: 'invalid', reason: `unexpected outcome '${out.kind}' for an order`, fills: [] };
  }
}

export class ExecOrderPath implements OrderPath {
  readonly buyByCost = true;
  readonly inBar: InBarPath | undefined;

  /** `venue`: the simulated venue behind the adapter (paper, replay), for in-bar fills and writes. */
  constructor(readonly om: OrderManager, venue?: SyncVenue & { fillHook: FillHook | undefined }) {
    if (!venue) { this.inBar = undefined; return; }
    let handler: ((f: NewFill) => void) | undefined;
    const bySymbol = new Map<string, (f: NewFill) => void>();
    venue.fillHook = (fill, order) => {
      const a = om.applyNow(fill, order);
      const h = bySymbol.get(fill.symbol) ?? handler;
      if (a && h) h(toNew(a));
    };
    this.inBar = {
      setHandler: (h, symbol) => {
        if (symbol === undefined) handler = h;
        else if (h) bySymbol.set(symbol, h);
        else bySymbol.delete(symbol);
      },
      placeNow: (req, refPrice) => toOutcome(om.submitNow(toIntent(req), venue, refPrice)),
      cancelNow: (symbol, tag) => { om.submitNow({ type: 'cancel', symbol, tag }, venue, NaN); },
    };
  }

  async place(req: PlaceRequest): Promise<PlaceOutcome> {
    return toOutcome(await this.om.submit(toIntent(req)));
  }

  async cancel(symbol: string, tag: string): Promise<void> {
    await this.om.submit({ type: 'cancel', symbol, tag });
  }

  async syncFills(symbols?: readonly string[]): Promise<NewFill[]> {
    return (await this.om.syncFills(symbols)).map(toNew);
  }

  async reconcile(): Promise<ReconcileSummary> {
    const r = await this.om.reconcile();
    const c = r.counts;
    return {
      resolved: c['resolved-open'] + c['resolved-filled'] + c['resolved-partial-cancelled'] + c['resolved-rejected'],
      cancelled: c['resolved-cancelled'] + c['foreign-cancelled'],
      fillsApplied: r.fills.map(toNew),
      violations: r.invariantViolations,
    };
  }

  async cancelAll(): Promise<{ cancelled: string[]; failed: { clientId: string; error: string }[] }> {
    const r = await this.om.cancelAll();
    return { cancelled: [...r.cancelled], failed: r.stillOpen.map((x) => ({ clientId: x.clientId, error: x.error })) };
  }
}
