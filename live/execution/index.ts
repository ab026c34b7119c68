// The execution core (issue 5): the order manager (intents → risk check → store → adapter → store), fill sync,
// the kill switch's cancelAll, and reconciliation with the exchange. Adapters: live/exchange (ccxt, paper, replay).
//
// Coming in this folder (signatures fixed):
//   createOrderManager(cfg: OrderManagerConfig): OrderManager                      (order-manager.ts)
//     om.submit(intent: ExecIntent, ctx?: SubmitContext): Promise<SubmitOutcome>
//     om.submitAll(intents: readonly ExecIntent[], ctx?: SubmitContext): Promise<SubmitOutcome[]>
//     om.syncFills(): Promise<AppliedFill[]>
//     om.cancelAll(opts?: CancelAllOptions): Promise<CancelAllReport>
//     om.reconcile(): Promise<ReconcileReport>
//     om.needsReconcile: boolean; om.apiErrorTs: readonly number[]
//   reconcileBot(cfg: ReconcileConfig): Promise<ReconcileReport>                    (reconcile.ts)
export type * from './types.ts';
