/**
 * A running bot's order path shared by its runner and the server: every call goes through one queue, so an
 * operator's action (cancel one order) never runs in the middle of the runner's own path call (placing the outbox,
 * a fill sync, reconciliation) on the same order manager and venue. The runner's in-bar capability (`inBar`: the
 * simulated venue's synchronous place/cancel inside a bar) is passed through untouched: it is synchronous, so nothing
 * can interleave with it.
 */
import type { NewFill, OrderPath, PlaceOutcome, PlaceRequest, ReconcileSummary } from '../runtime/order-path.ts';

export class SerialPath implements OrderPath {
  readonly buyByCost: boolean;
  readonly inBar: OrderPath['inBar'];
  #tail: Promise<unknown> = Promise.resolve();
  #busy = 0;
  #reconciled = false;

  constructor(readonly inner: OrderPath) {
    this.buyByCost = inner.buyByCost;
    this.inBar = inner.inBar;
  }

  /** Calls in flight or queued (the runner's and the server's). */
  get busy(): number { return this.#busy; }

  /** True once the runner's startup reconciliation has completed: the venue and the store agree from then on. */
  get reconciled(): boolean { return this.#reconciled; }

  /** Runs `f` alone: after every call queued before it, before any queued after it. */
  exclusive<T>(f: () => T | Promise<T>): Promise<T> {
    this.#busy++;
    const run = this.#tail.then(f).finally(() => { this.#busy--; });
    this.#tail = run.then(() => undefined, () => undefined);
    return run;
  }

  place(req: PlaceRequest): Promise<PlaceOutcome> { return this.exclusive(() => this.inner.place(req)); }
  syncFills(symbols: readonly string[]): Promise<NewFill[]> { return this.exclusive(() => this.inner.syncFills(symbols)); }
  cancel(symbol: string, tag: string): Promise<void> { return this.exclusive(() => this.inner.cancel(symbol, tag)); }
  reconcile(symbols: readonly string[]): Promise<ReconcileSummary> {
    return this.exclusive(async () => {
      const r = await this.inner.reconcile(symbols);
      this.#reconciled = true;
      return r;
    });
  }
  cancelAll(): Promise<{ cancelled: string[]; failed: { clientId: string; error: string }[] }> { return this.exclusive(() => this.inner.cancelAll()); }
}
