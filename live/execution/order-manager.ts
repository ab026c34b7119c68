/**
 * The order manager of one bot: engine intents → risk check → store → adapter → store (docs/state.md's write
 * protocol), fill sync, the kill switch's cancelAll, and reconciliation after unknown outcomes.
 *
 *   submit(limit | market):  risk check (pure rules; a denial is recorded and returned, no adapter call)
 *                            → nextOrderSeq → recordOrderIntent ('pending', client id from (bot, strategy, seq))
 *                            → adapter.createOrder → markOrderPlaced | markOrderRejected | markOrderUnknown
 *   an unknown outcome:      look the order up by its client id (never place it under a new id); found → placed;
 *                            not found → resend under the SAME client id (policy 'same-client-id') or leave it
 *                            'unknown' and ask for reconciliation (policy 'never', the ccxt default)
 *   submit(cancel):          cancel by client id (idempotent, retried); the store follows the venue's answer
 *   syncFills(symbols?):     my trades since the oldest unsettled order / last applied fill → applyFill (idempotent)
 */
import { TradelabError } from '../../engine/errors.ts';
import { roundAmount, roundPrice } from '../../engine/orders/market-spec.ts';
import { buildRiskRules, checkRisk, type RiskConfig, type RiskIntent, type RiskRule } from '../../engine/risk/index.ts';
import { clientOrderId, clientOrderIdBotPrefix } from '../exchange/client-order-id.ts';
import type { CancelResult, ExchangePort, Fill, Order, OrderRef, OrderRequest } from '../exchange/port.ts';
import { buildRiskState } from '../state/risk-state.ts';
import type { StateStore } from '../state/store.ts';
import type { StoredOrder } from '../state/types.ts';
import { applyVenueFill } from './fills.ts';
import { reconcileBot } from './reconcile.ts';
import { DEFAULT_EXEC_RETRY, asTradelabError, execBackoff, isTransient, realExecDeps, withRetry } from './retry.ts';
import type {
  AppliedFill, CancelAllOptions, CancelAllReport, ExecCancelIntent, ExecDeps, ExecIntent, ExecLimitIntent, ExecMarketIntent,
  ExecRetryPolicy, ForeignOrderPolicy, OrderManagerConfig, ReconcileReport, ResendPolicy, SubmitContext, SubmitOutcome,
} from './types.ts';

/** A venue that writes synchronously, in process (the simulated venue of paper and replay, mid-bar). */
export interface SyncVenue {
  createOrder(req: OrderRequest & { cost?: number }, refPrice: number): Order;
  cancelOrder(ref: OrderRef): CancelResult;
}

type CostCapable = ExchangePort & { createMarketBuyOrderWithCost?: (symbol: string, cost: number, clientOrderId: string) => Promise<Order> };

export class OrderManager {
  readonly botId: string;
  readonly strategyId: string;
  /** Set after an outcome stayed unknown: the runtime should call `reconcile()` before new orders. */
  needsReconcile = false;
  private readonly errorTs: number[] = [];
  /** Per symbol: the latest trade time seen by a fill sync. */
  private readonly cursor = new Map<string, number>();
  private readonly overlapMs: number;
  private readonly rules: readonly RiskRule[];
  private readonly retry: ExecRetryPolicy;
  private readonly deps: ExecDeps;
  private readonly resend: ResendPolicy;
  private readonly foreign: ForeignOrderPolicy;
  private readonly store: StateStore;
  private readonly port: ExchangePort;

  constructor(private readonly cfg: OrderManagerConfig) {
    this.store = cfg.store;
    this.port = cfg.port;
    const bot = cfg.store.bots.require(cfg.botId);
    this.botId = bot.id;
    this.strategyId = cfg.strategyId ?? bot.strategy;
    const risk = cfg.risk ?? (bot.risk as RiskConfig);
    this.rules = Array.isArray(risk) ? (risk as readonly RiskRule[]) : buildRiskRules(risk as RiskConfig);
    this.retry = { ...DEFAULT_EXEC_RETRY, ...cfg.retry };
    this.deps = { ...realExecDeps(), ...cfg.deps };
    this.resend = cfg.resend ?? (cfg.port.kind === 'ccxt' ? 'never' : 'same-client-id');
    this.foreign = cfg.foreignOrders ?? 'cancel';
    this.overlapMs = cfg.fillOverlapMs ?? 60_000;
  }

  /** Times of the exchange errors met (ascending, last hour), for the risk state's API error breaker. */
  get apiErrorTs(): readonly number[] { return this.errorTs; }

  private noteError = (e: unknown): void => {
    if (!isTransient(e)) return;
    const t = this.deps.now();
    this.errorTs.push(t);
    while (this.errorTs.length && this.errorTs[0] < t - 3_600_000) this.errorTs.shift();
  };

  private call<T>(fn: () => Promise<T>): Promise<T> {
    return withRetry(fn, this.retry, this.deps, this.noteError);
  }

  /** Intents one after the other, in order. */
  async submitAll(intents: readonly ExecIntent[], ctx: SubmitContext = {}): Promise<SubmitOutcome[]> {
    const out: SubmitOutcome[] = [];
    for (const it of intents) out.push(await this.submit(it, ctx));
    return out;
  }

  async submit(intent: ExecIntent, ctx: SubmitContext = {}): Promise<SubmitOutcome> {
    if (intent.type === 'cancel') return this.cancelByTag(intent);
    return this.place(intent, ctx);
  }

  // ---------- placing ----------

  private async place(it: ExecLimitIntent | ExecMarketIntent, ctx: SubmitContext): Promise<SubmitOutcome> {
    if (it.type === 'market' && !((ctx.refPrice ?? NaN) > 0)) {
      try {
        ctx = { ...ctx, refPrice: (await this.call(() => this.port.fetchTicker(it.symbol))).last };
      } catch (e) {
        return { kind: 'invalid', code: 'INTENT_NO_PRICE', reason: `market order ${it.tag}: no reference price (${asTradelabError(e, 'fetchTicker').message})` };
      }
    }
    const p = this.prepare(it, ctx);
    return 'req' in p ? this.write(p.req) : p;
  }

  /**
   * Checks an intent (shape, duplicate tag, risk rules: a denial is recorded) and records it 'pending' under the next
   * client id: everything of a placement before the adapter call, synchronous.
   */
  private prepare(it: ExecLimitIntent | ExecMarketIntent, ctx: SubmitContext): SubmitOutcome | { req: OrderRequest & { cost?: number } } {
    const invalid = (code: string, reason: string): SubmitOutcome => ({ kind: 'invalid', code, reason });
    const market = this.port.market(it.symbol);
    const byCost = it.type === 'market' && it.cost !== undefined;
    if (it.type === 'market' && (it.amount === undefined) === (it.cost === undefined)) return invalid('INTENT_AMOUNT_OR_COST', `market order ${it.tag}: give exactly one of amount (base) or cost (quote)`);
    if (byCost && it.side !== 'buy') return invalid('INTENT_COST_SELL', `market order ${it.tag}: only buys may be sized by cost`);
    const qty = byCost ? (it as ExecMarketIntent).cost! : it.amount!;
    if (!(qty > 0 && Number.isFinite(qty))) return invalid('INTENT_AMOUNT_INVALID', `order ${it.tag}: ${byCost ? 'cost' : 'amount'} must be a positive number, got ${qty}`);
    if (it.type === 'limit' && !(it.price > 0 && Number.isFinite(it.price))) return invalid('INTENT_PRICE_INVALID', `limit order ${it.tag}: price must be a positive number, got ${it.price}`);
    if (this.store.orders.unsettledByTag(this.botId, it.symbol, it.tag)) {
      return invalid('INTENT_DUPLICATE_TAG', `an order tagged '${it.tag}' is already open in ${it.symbol}`);
    }
    // The order as the venue will hold it: a limit price on the market's tick (buys down, sells up) and an amount on
    // its step (down), as the backtest rounds it, so that the store's amount, `remaining` and prices are the venue's.
    const price = it.type === 'limit' ? roundPrice(market.spec, it.price, it.side) : NaN;
    const ref = it.type === 'limit' ? price : ctx.refPrice ?? NaN;
    if (!(ref > 0)) return invalid('INTENT_NO_PRICE', `market order ${it.tag}: no reference price`);
    const amount = roundAmount(market.spec, byCost ? qty / ref : it.amount!);
    if (!(amount > 0)) {
      return byCost
        ? invalid('INTENT_COST_TOO_SMALL', `market buy ${it.tag}: cost ${qty} buys nothing at ${ref} (step ${market.spec.amountStep})`)
        : invalid('INTENT_AMOUNT_TOO_SMALL', `order ${it.tag}: amount ${it.amount} is below the market's step ${market.spec.amountStep} of ${it.symbol}`);
    }
    const now = this.deps.now();
    const rIntent: RiskIntent = {
      symbol: it.symbol, side: it.side, type: it.type, price: ref, amount, tag: it.tag,
      feeRate: it.type === 'limit' ? market.spec.makerFee : market.spec.takerFee,
    };
    const decision = checkRisk(rIntent, buildRiskState(this.store, this.botId, {
      now, recentPrices: this.cfg.riskInputs?.().recentPrices, apiErrorTs: this.errorTs,
      // after a manual resume from a drawdown stop, the drawdown is measured from the resume (live/runtime/risk-supervisor.ts)
      equitySinceTs: this.store.bots.getState<number>(this.botId, '', 'risk.equitySince'),
    }), this.rules);
    if (!decision.allow) {
      this.store.journal.recordRiskDenial({
        botId: this.botId, ts: now, rule: decision.rule, effect: decision.effect, reason: decision.reason,
        intent: { ...rIntent, ...(byCost ? { cost: qty } : {}), ...(it.lot !== undefined && it.lot !== null ? { lot: it.lot } : {}) },
      });
      return { kind: 'denied', denial: decision };
    }
    const seq = this.store.bots.nextOrderSeq(this.botId);
    const clientId = clientOrderId(this.botId, this.strategyId, seq);
    this.store.orders.recordOrderIntent({
      botId: this.botId, clientId, symbol: it.symbol, side: it.side, type: it.type, price: it.type === 'limit' ? price : null,
      amount, tag: it.tag, lotId: it.lot ?? null, ts: now,
    });
    const req: OrderRequest & { cost?: number } = {
      symbol: it.symbol, type: it.type, side: it.side, amount, clientOrderId: clientId,
      ...(it.type === 'limit' ? { price } : {}), ...(byCost ? { cost: qty } : {}),
    };
    return { req };
  }

  // ---------- in-bar (a simulated venue's fill hook) ----------

  /**
   * Submits an intent DURING a bar, from a simulated venue's fill hook (paper / replay: the order simulator's onFill
   * semantics, see sim-venue.ts FillHook): the same checks, risk rules and store protocol as `submit`, with the
   * venue's synchronous in-process write, so that the order joins the rest of the bar's path. `refPrice`: the fill's
   * price (the price of the moment). An in-process write has no transport: a refusal is 'rejected', anything else
   * thrown is 'unknown' (reconciliation settles it).
   */
  submitNow(intent: ExecIntent, venue: SyncVenue, refPrice: number): SubmitOutcome {
    if (intent.type === 'cancel') {
      const order = this.store.orders.unsettledByTag(this.botId, intent.symbol, intent.tag);
      if (!order) return { kind: 'invalid', code: 'INTENT_UNKNOWN_TAG', reason: `no open order tagged '${intent.tag}' in ${intent.symbol}` };
      const result = venue.cancelOrder({ symbol: order.symbol, clientOrderId: order.clientId });
      const now = this.deps.now();
      const cur = this.store.orders.byClientId(order.clientId)!;
      if (cur.status === 'filled') return { kind: 'cancelled', order: cur, result };
      const reason = cancelReason(result.outcome, cur.filled);
      return { kind: 'cancelled', order: this.store.orders.markOrderCancelled(cur.clientId, now, reason), result };
    }
    const p = this.prepare(intent, { refPrice });
    if (!('req' in p)) return p;
    const cid = p.req.clientOrderId;
    try {
      const venueOrder = venue.createOrder(p.req, refPrice);
      const order = this.store.orders.markOrderPlaced(cid, venueOrder.id, this.deps.now());
      this.settleIfClosed(venueOrder);
      return { kind: 'placed', order: this.store.orders.byClientId(cid) ?? order, venueOrder };
    } catch (e) {
      const err = asTradelabError(e, `createOrder ${cid}`);
      if (err.family !== 'venue-unavailable' && err.family !== 'venue-unknown') {
        return { kind: 'rejected', order: this.store.orders.markOrderRejected(cid, err.message, this.deps.now()), error: err };
      }
      this.needsReconcile = true;
      return { kind: 'unknown', order: this.store.orders.markOrderUnknown(cid, err.message, this.deps.now()), error: err };
    }
  }

  /**
   * Applies one venue fill at once (from a simulated venue's fill hook; idempotent by trade id, like syncFills) and
   * settles a market order the venue has closed. Returns the applied fill, or undefined when it was known already or
   * is not the bot's.
   */
  applyNow(fill: Fill, venueOrder: Order): AppliedFill | undefined {
    const a = applyVenueFill(this.store, this.botId, this.port, fill);
    if (fill.timestamp > (this.cursor.get(fill.symbol) ?? -Infinity)) this.cursor.set(fill.symbol, fill.timestamp);
    this.settleIfClosed(venueOrder);
    return a;
  }

  /** A market order the venue closed with fills takes its filled amount (a buy by cost is sized at the fill price). */
  private settleIfClosed(v: Order): void {
    if (v.type !== 'market' || v.status !== 'closed' || v.clientOrderId === undefined) return;
    const o = this.store.orders.byClientId(v.clientOrderId);
    // (also when the fills went past the recorded estimate: a buy by cost filled at a lower price than estimated)
    if (o && o.botId === this.botId && o.filled > 0 && o.amount !== o.filled && o.filled >= v.filled * (1 - 1e-9)) this.store.orders.settleMarketAmount(o.clientId, this.deps.now());
  }

  /** The adapter write and its outcome in the store; unknown outcomes are looked up by client id. */
  private async write(req: OrderRequest & { cost?: number }): Promise<SubmitOutcome> {
    const cid = req.clientOrderId;
    const port = this.port as CostCapable;
    let lastErr: TradelabError | undefined;
    for (let attempt = 0; attempt < this.retry.attempts; attempt++) {
      if (attempt > 0) await this.deps.sleep(execBackoff(attempt - 1, this.retry, this.deps.random));
      try {
        const venueOrder = req.cost !== undefined && port.createMarketBuyOrderWithCost
          ? await port.createMarketBuyOrderWithCost(req.symbol, req.cost, cid)
          : await port.createOrder(req);
        const order = this.store.orders.markOrderPlaced(cid, venueOrder.id, this.deps.now());
        return { kind: 'placed', order, venueOrder };
      } catch (e) {
        this.noteError(e);
        const err = asTradelabError(e, `createOrder ${cid}`);
        lastErr = err;
        const duplicate = err.code === 'VENUE_DUPLICATE_ORDER_ID';
        if (err.family !== 'venue-unavailable' && err.family !== 'venue-unknown' && !duplicate) {
          const order = this.store.orders.markOrderRejected(cid, err.message, this.deps.now());
          return { kind: 'rejected', order, error: err };
        }
        this.store.orders.markOrderUnknown(cid, err.message, this.deps.now());
        let found: Order | undefined;
        try {
          found = await this.call(() => this.port.fetchOrderByClientId(cid, req.symbol));
        } catch (le) {
          lastErr = asTradelabError(le, `fetchOrderByClientId ${cid}`);
          break; // cannot tell: leave it unknown for reconciliation
        }
        if (found) {
          const order = this.store.orders.markOrderPlaced(cid, found.id, this.deps.now());
          return { kind: 'placed', order, venueOrder: found };
        }
        if (this.resend === 'never') break;
      }
    }
    this.needsReconcile = true;
    const order = this.store.orders.byClientId(cid)!;
    return { kind: 'unknown', order, error: lastErr ?? new TradelabError('VENUE_UNKNOWN_OUTCOME', 'venue-unknown', `order ${cid}: outcome unknown`) };
  }

  // ---------- cancelling ----------

  private async cancelByTag(it: ExecCancelIntent): Promise<SubmitOutcome> {
    const order = this.store.orders.unsettledByTag(this.botId, it.symbol, it.tag);
    if (!order) return { kind: 'invalid', code: 'INTENT_UNKNOWN_TAG', reason: `no open order tagged '${it.tag}' in ${it.symbol}` };
    try {
      const result = await this.call(() => this.port.cancelOrder({ symbol: order.symbol, clientOrderId: order.clientId }));
      return { kind: 'cancelled', order: await this.afterCancel(order, result), result };
    } catch (e) {
      return { kind: 'cancel-failed', order, error: asTradelabError(e, `cancelOrder ${order.clientId}`) };
    }
  }

  /** The store follows a cancel's answer: fills first (a cancelled order may have filled in part), then the status. */
  private async afterCancel(order: StoredOrder, result: CancelResult): Promise<StoredOrder> {
    const now = this.deps.now();
    const venue = result.order;
    if (venue && (order.status === 'pending' || order.status === 'unknown')) this.store.orders.markOrderPlaced(order.clientId, venue.id, now);
    if (venue && venue.filled > 0) await this.syncSymbol(order.symbol, Math.min(order.createdAt, Number.isFinite(venue.timestamp) ? venue.timestamp : order.createdAt)).catch(() => []);
    const cur = this.store.orders.byClientId(order.clientId)!;
    if (cur.status === 'filled') return cur;
    if (result.outcome === 'already-closed' && venue?.status === 'closed') {
      if (cur.type === 'market' && cur.filled > 0) return this.store.orders.settleMarketAmount(cur.clientId, now);
      this.needsReconcile = true; // closed as filled, yet our fills fall short: reconciliation fetches them
      return cur;
    }
    const reason = cancelReason(result.outcome, cur.filled);
    return this.store.orders.markOrderCancelled(cur.clientId, now, reason);
  }

  /**
   * Kill switch: cancel every resting order of the bot (and any open order on the venue under its client-id
   * prefix), never liquidating. A failed cancel is recorded as an alert and tried again next round, with backoff.
   */
  async cancelAll(opts: CancelAllOptions = {}): Promise<CancelAllReport> {
    const rounds = opts.rounds ?? 5;
    const inScope = (s: string) => !opts.symbols || opts.symbols.includes(s);
    const cancelled: string[] = [];
    const lastError = new Map<string, string>();
    let failures = 0, round = 0;
    let todo = this.store.orders.unsettledOrders(this.botId).filter((o) => inScope(o.symbol));
    for (; round < rounds && todo.length; round++) {
      if (round > 0) await this.deps.sleep(execBackoff(round - 1, this.retry, this.deps.random));
      const next: StoredOrder[] = [];
      for (const o of todo) {
        try {
          const result = await this.port.cancelOrder({ symbol: o.symbol, clientOrderId: o.clientId });
          await this.afterCancel(o, result);
          cancelled.push(o.clientId);
          lastError.delete(o.clientId);
        } catch (e) {
          this.noteError(e);
          failures++;
          const msg = asTradelabError(e, `cancelOrder ${o.clientId}`).message;
          lastError.set(o.clientId, msg);
          this.store.journal.raiseAlert({ botId: this.botId, ts: this.deps.now(), level: 'warning', code: 'CANCEL_FAILED', message: `kill switch: cancel of ${o.clientId} (${o.symbol}) failed, round ${round + 1}: ${msg}`, details: { clientId: o.clientId, round: round + 1 } });
          next.push(o);
        }
      }
      todo = next;
    }
    const stillOpen = todo.map((o) => ({ clientId: o.clientId, error: lastError.get(o.clientId) ?? '' }));
    // orders open on the venue under the bot's prefix that the store does not know (e.g. rows lost with the disk)
    const prefix = clientOrderIdBotPrefix(this.botId);
    for (const s of this.store.bots.require(this.botId).symbols.filter(inScope)) {
      let open: Order[];
      try { open = await this.call(() => this.port.fetchOpenOrders(s)); } catch (e) {
        stillOpen.push({ clientId: `${s}:*`, error: `open orders could not be listed: ${asTradelabError(e, 'fetchOpenOrders').message}` });
        continue;
      }
      for (const o of open) {
        const cid = o.clientOrderId;
        if (cid === undefined || !cid.startsWith(prefix) || this.store.orders.byClientId(cid)) continue;
        try {
          await this.call(() => this.port.cancelOrder({ symbol: s, clientOrderId: cid }));
          cancelled.push(cid);
        } catch (e) {
          failures++;
          stillOpen.push({ clientId: cid, error: asTradelabError(e, `cancelOrder ${cid}`).message });
        }
      }
    }
    if (stillOpen.length) {
      this.store.journal.raiseAlert({ botId: this.botId, ts: this.deps.now(), level: 'critical', code: 'CANCEL_ALL_INCOMPLETE', message: `kill switch: ${stillOpen.length} order(s) still open after ${round} rounds`, details: { stillOpen: stillOpen.map((s) => s.clientId) } });
    }
    this.store.journal.audit({ ts: this.deps.now(), actor: 'kill-switch', action: 'orders.cancel-all', entity: 'bot', entityId: this.botId, before: null, after: { cancelled: cancelled.length, stillOpen: stillOpen.length, failures } });
    return { botId: this.botId, cancelled, stillOpen, failures, rounds: round };
  }

  // ---------- fills ----------

  /**
   * Where a fill sync of `symbol` starts: after the first sync, the latest trade time seen minus `overlapMs`
   * (trades are applied once by id, so the overlap only costs a few repeated rows); at first, the oldest unsettled
   * order of the bot, else the last applied fill.
   */
  private syncSince(symbol: string): number {
    const cursor = this.cursor.get(symbol);
    if (cursor !== undefined) return cursor - this.overlapMs;
    const last = this.store.db.prepare('SELECT MAX(ts) AS t FROM fills WHERE bot_id = ? AND symbol = ?').get(this.botId, symbol) as { t: number | null };
    let since = last.t ?? Infinity;
    for (const o of this.store.orders.unsettledOrders(this.botId)) if (o.symbol === symbol && o.createdAt < since) since = o.createdAt;
    // A simulated venue (paper) stamps a fill with the open of the bar the order entered, up to its grace period
    // before the order was written: read the overlap before the oldest unsettled order too.
    return since === Infinity ? since : since - this.overlapMs;
  }

  private async syncSymbol(symbol: string, since: number): Promise<AppliedFill[]> {
    if (since === Infinity) return [];
    const trades = await this.call(() => this.port.fetchMyTrades(symbol, since));
    const out: AppliedFill[] = [];
    let latest = this.cursor.get(symbol) ?? -Infinity;
    for (const f of trades) {
      const a = applyVenueFill(this.store, this.botId, this.port, f);
      if (a) out.push(a);
      if (f.timestamp > latest) latest = f.timestamp;
    }
    if (latest > -Infinity) this.cursor.set(symbol, latest);
    return out;
  }

  /**
   * New fills of the bot's orders, applied to the store (idempotent by trade id), in venue order; then market
   * orders the venue has closed are settled (a buy by cost takes its filled amount; an unfilled or partly filled
   * one that the venue cancelled or rejected becomes 'cancelled'). Read failures are retried, then thrown.
   */
  async syncFills(only?: readonly string[]): Promise<AppliedFill[]> {
    // `only`: these markets (a bot of several symbols syncs each runner's market apart, so each gets its own fills)
    const symbols = new Set(only ?? this.store.bots.require(this.botId).symbols);
    if (!only) for (const o of this.store.orders.unsettledOrders(this.botId)) symbols.add(o.symbol);
    const out: AppliedFill[] = [];
    for (const s of symbols) out.push(...(await this.syncSymbol(s, this.syncSince(s))));
    for (const o of this.store.orders.unsettledOrders(this.botId)) {
      if (o.type !== 'market' || o.status !== 'open' || !symbols.has(o.symbol)) continue;
      const v = await this.call(() => this.port.fetchOrderByClientId(o.clientId, o.symbol));
      if (!v || v.status === 'open') continue;
      const now = this.deps.now();
      if (v.status === 'closed' && o.filled > 0 && o.filled >= v.filled * (1 - 1e-9)) this.store.orders.settleMarketAmount(o.clientId, now);
      else if (v.status !== 'closed') this.store.orders.markOrderCancelled(o.clientId, now, `venue ${v.status}`);
    }
    return out;
  }

  // ---------- reconciliation ----------

  /** Reconciles the bot with the venue (reconcile.ts); clears `needsReconcile` when nothing stays unknown. */
  async reconcile(): Promise<ReconcileReport> {
    const report = await reconcileBot({ store: this.store, port: this.port, botId: this.botId, policy: this.foreign, retry: this.retry, deps: this.deps });
    if (report.counts['still-unknown'] === 0 && report.errors.length === 0) this.needsReconcile = false;
    return report;
  }
}

export function createOrderManager(cfg: OrderManagerConfig): OrderManager {
  return new OrderManager(cfg);
}

/**
 * The reason stored with a cancelled order. A cancel the venue confirms reads exactly as reconciliation writes it
 * when it finds the order cancelled on the venue (`venue canceled[, filled x]`), so a run interrupted between the
 * cancel and its answer ends with the same rows as an uninterrupted one.
 */
export function cancelReason(outcome: CancelResult['outcome'], filled: number): string {
  if (outcome === 'not-found') return 'not found on the venue when cancelled';
  if (outcome === 'canceled') return `venue canceled${filled > 0 ? `, filled ${filled}` : ''}`;
  return `cancelled (${outcome})`;
}
