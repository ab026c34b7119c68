/**
 * The execution core's order manager (live/execution) as the runner's OrderPath: risk checks before every adapter
 * call, the store's write protocol, unknown outcomes resolved by client id, fill sync, cancelAll, reconciliation.
 * Market buys are sized by quote cost at the fill price (the venue does it), so `buyByCost` is true.
 */
import type { OrderManager } from '../execution/order-manager.ts';
import type { AppliedFill, ExecIntent } from '../execution/types.ts';
import type { NewFill, OrderPath, PlaceOutcome, PlaceRequest, ReconcileSummary } from './order-path.ts';

const toNew = (a: AppliedFill): NewFill => ({ order: a.order, fill: a.venueFill, openedLot: a.result.openedLot });

export class ExecOrderPath implements OrderPath {
  readonly buyByCost = true;

  constructor(readonly om: OrderManager) {}

  async place(req: PlaceRequest): Promise<PlaceOutcome> {
    const intent: ExecIntent = req.type === 'limit'
      ? { type: 'limit', symbol: req.symbol, side: req.side, price: req.price as number, amount: req.amount as number, tag: req.tag, lot: req.lot ?? null }
      : req.cost !== undefined
        ? { type: 'market', symbol: req.symbol, side: req.side, cost: req.cost, tag: req.tag, lot: req.lot ?? null }
        : { type: 'market', symbol: req.symbol, side: req.side, amount: req.amount, tag: req.tag, lot: req.lot ?? null };
    const out = await this.om.submit(intent);
    switch (out.kind) {
      case 'placed': return { kind: 'placed', order: out.order, fills: [] };
      case 'denied': return { kind: 'denied', reason: out.denial.reason, fills: [] };
      case 'invalid': return { kind: 'invalid', reason: out.reason, fills: [] };
      case 'rejected': return { kind: 'rejected', order: out.order, reason: out.error.message, fills: [] };
      case 'unknown': return { kind: 'unknown', order: out.order, reason: out.error.message, fills: [] };
      default: return { kind: 'invalid', reason: `unexpected outcome '${out.kind}' for an order`, fills: [] };
    }
  }

  async cancel(symbol: string, tag: string): Promise<void> {
    await this.om.submit({ type: 'cancel', symbol, tag });
  }

  async syncFills(): Promise<NewFill[]> {
    return (await this.om.syncFills()).map(toNew);
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
