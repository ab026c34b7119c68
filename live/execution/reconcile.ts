/**
 * Reconciliation of one bot with its venue, at start and after any unknown outcome (docs/state.md):
 *  1. balances (reported), open orders per market of the bot;
 *  2. orders the venue lists as open under the bot's client-id prefix that the store does not know are cancelled
 *     or imported (policy, default cancel; always journalled); the bot's order sequence is moved past their
 *     sequence numbers so that no future client id can collide with them;
 *  3. my trades since the oldest unsettled order (or the last applied fill) are applied (idempotent);
 *  4. every order the store holds as pending / open / unknown is settled: listed open → 'open'; otherwise looked up
 *     by client id → filled, partly filled then cancelled, cancelled or rejected as the venue says; not found →
 *     cancelled (its create never reached the venue); a lookup that fails leaves it unknown (report not ok);
 *  5. the store's invariants are checked.
 */
import { clientOrderIdBotPrefix, clientOrderIdSeq } from '../exchange/client-order-id.ts';
import type { Balances, Order } from '../exchange/port.ts';
import type { StoredOrder } from '../state/types.ts';
import { applyVenueFill } from './fills.ts';
import { DEFAULT_EXEC_RETRY, asTradelabError, realExecDeps, withRetry } from './retry.ts';
import type { AppliedFill, ReconcileAction, ReconcileConfig, ReconcileDetail, ReconcileReport } from './types.ts';

/** Reason stored on an order reconciliation did not find on the venue and that never filled: it was never placed. */
export const NEVER_REACHED_VENUE = 'never reached the venue (not found by client id)';

const ACTIONS: readonly ReconcileAction[] = [
  'foreign-cancelled', 'foreign-imported', 'foreign-cancel-failed', 'resolved-open', 'resolved-filled', 'resolved-partial-cancelled',
  'resolved-cancelled', 'resolved-rejected', 'still-unknown', 'fill-applied',
];

export async function reconcileBot(cfg: ReconcileConfig): Promise<ReconcileReport> {
  const { store, port, botId } = cfg;
  const policy = cfg.policy ?? 'cancel';
  const retry = { ...DEFAULT_EXEC_RETRY, ...cfg.retry };
  const deps = { ...realExecDeps(), ...cfg.deps };
  const call = <T>(fn: () => Promise<T>) => withRetry(fn, retry, deps);
  const startedAt = deps.now();
  const bot = store.bots.require(botId);
  const prefix = clientOrderIdBotPrefix(botId);
  const details: ReconcileDetail[] = [];
  const errors: string[] = [];
  const fills: AppliedFill[] = [];
  const note = (action: ReconcileAction, o: { clientId: string; symbol: string }, text: string) => details.push({ action, clientId: o.clientId, symbol: o.symbol, note: text });

  const symbols = new Set(bot.symbols);
  for (const o of store.orders.unsettledOrders(botId)) symbols.add(o.symbol);

  let balances: Balances | undefined;
  try { balances = await call(() => port.fetchBalance()); } catch (e) { errors.push(`fetchBalance: ${asTradelabError(e, 'fetchBalance').message}`); }

  // 1-2. open orders and foreign ones
  const openBy = new Map<string, Map<string, Order>>();
  for (const s of symbols) {
    let open: Order[];
    try { open = await call(() => port.fetchOpenOrders(s)); } catch (e) { errors.push(`fetchOpenOrders ${s}: ${asTradelabError(e, 'fetchOpenOrders').message}`); continue; }
    const mine = new Map<string, Order>();
    openBy.set(s, mine);
    for (const o of open) {
      const cid = o.clientOrderId;
      if (cid === undefined || !cid.startsWith(prefix)) continue;
      mine.set(cid, o);
      if (store.orders.byClientId(cid)) continue;
      bumpSeq(cid);
      if (policy === 'import' && o.amount > 0 && (o.type === 'market' || o.price > 0)) {
        store.orders.recordOrderIntent({
          botId, clientId: cid, symbol: o.symbol, side: o.side, type: o.type === 'market' ? 'market' : 'limit',
          price: o.type === 'market' ? null : o.price, amount: o.amount, tag: `imported:${cid}`, ts: deps.now(),
        });
        store.orders.markOrderPlaced(cid, o.id, deps.now());
        note('foreign-imported', { clientId: cid, symbol: o.symbol }, `imported ${o.side} ${o.amount} @ ${o.price} (venue id ${o.id})`);
      } else {
        try {
          await call(() => port.cancelOrder({ symbol: o.symbol, clientOrderId: cid }));
          mine.delete(cid);
          note('foreign-cancelled', { clientId: cid, symbol: o.symbol }, `cancelled ${o.side} ${o.amount} @ ${o.price} (venue id ${o.id})`);
        } catch (e) {
          note('foreign-cancel-failed', { clientId: cid, symbol: o.symbol }, asTradelabError(e, 'cancelOrder').message);
          errors.push(`cancel foreign ${cid}: failed`);
        }
      }
      store.journal.audit({ ts: deps.now(), actor: 'reconcile', action: `order.foreign.${policy}`, entity: 'bot', entityId: botId, before: null, after: { clientId: cid, symbol: o.symbol, side: o.side, amount: o.amount, price: o.price, venueId: o.id } });
    }
  }

  /** Moves the bot's order sequence past a client id of its own (same strategy), so it is never handed out again. */
  function bumpSeq(cid: string): void {
    const seq = clientOrderIdSeq(cid, botId, bot.strategy);
    if (seq === undefined) return;
    let cur = store.bots.require(botId).orderSeq;
    for (let guard = 0; cur < seq && guard < 1_000_000; guard++) cur = store.bots.nextOrderSeq(botId);
  }

  // 3. fills since the oldest unsettled order / last applied fill
  const applyFrom = async (s: string, since: number): Promise<boolean> => {
    try {
      const trades = await call(() => port.fetchMyTrades(s, since));
      for (const f of trades) {
        const a = applyVenueFill(store, botId, port, f);
        if (a) { fills.push(a); note('fill-applied', a.order, `trade ${f.id}: ${f.side} ${f.amount} @ ${f.price}`); }
      }
      return true;
    } catch (e) {
      errors.push(`fetchMyTrades ${s}: ${asTradelabError(e, 'fetchMyTrades').message}`);
      return false;
    }
  };
  for (const s of symbols) {
    const last = store.db.prepare('SELECT MAX(ts) AS t FROM fills WHERE bot_id = ? AND symbol = ?').get(botId, s) as { t: number | null };
    let since = last.t ?? Infinity;
    for (const o of store.orders.unsettledOrders(botId)) if (o.symbol === s && o.createdAt < since) since = o.createdAt;
    if (since !== Infinity) await applyFrom(s, since);
  }

  // 4. settle every unsettled order
  for (const o of store.orders.unsettledOrders(botId)) {
    const open = openBy.get(o.symbol);
    if (!open) { note('still-unknown', o, 'open orders of its market could not be read'); continue; }
    const listed = open.get(o.clientId);
    if (listed) {
      if (o.status !== 'open') store.orders.markOrderPlaced(o.clientId, listed.id, deps.now());
      note('resolved-open', o, `open on the venue (venue id ${listed.id})`);
      continue;
    }
    let v: Order | undefined;
    try {
      v = await call(() => port.fetchOrderByClientId(o.clientId, o.symbol, o.createdAt));
    } catch (e) {
      note('still-unknown', o, `lookup failed: ${asTradelabError(e, 'fetchOrderByClientId').message}`);
      continue;
    }
    await settle(o, v);
  }

  async function settle(o: StoredOrder, v: Order | undefined): Promise<void> {
    const now = deps.now();
    if (!v) {
      const cur = store.orders.byClientId(o.clientId)!;
      store.orders.markOrderCancelled(o.clientId, now, cur.filled > 0 ? 'not found on the venue; partly filled' : NEVER_REACHED_VENUE);
      note(cur.filled > 0 ? 'resolved-partial-cancelled' : 'resolved-cancelled', o, 'not found on the venue by client id');
      return;
    }
    if (o.status !== 'open') {
      if (v.status === 'rejected' && o.filled === 0) {
        store.orders.markOrderRejected(o.clientId, 'the venue rejected it', now);
        note('resolved-rejected', o, `venue id ${v.id}: rejected`);
        return;
      }
      store.orders.markOrderPlaced(o.clientId, v.id, now);
    }
    if (v.status === 'open') { note('resolved-open', o, `open on the venue (venue id ${v.id}), not listed with the open orders`); return; }
    let cur = store.orders.byClientId(o.clientId)!;
    if (v.filled > cur.filled * (1 + 1e-9) && Number.isFinite(v.timestamp)) {
      await applyFrom(o.symbol, v.timestamp); // fills older than the sync window
      cur = store.orders.byClientId(o.clientId)!;
    }
    if (cur.status === 'filled') { note('resolved-filled', o, `filled ${cur.filled} @ ${cur.avgPrice}`); return; }
    if (v.status === 'closed' && cur.type === 'market' && cur.filled > 0 && cur.filled >= v.filled * (1 - 1e-9)) {
      store.orders.settleMarketAmount(o.clientId, now);
      note('resolved-filled', o, `market order filled ${cur.filled} (amount set by the venue)`);
      return;
    }
    if (v.status === 'closed') {
      note('still-unknown', o, `the venue says filled ${v.filled}, the store has fills for ${cur.filled}`);
      return;
    }
    store.orders.markOrderCancelled(o.clientId, now, `venue ${v.status}${cur.filled > 0 ? `, filled ${cur.filled}` : ''}`);
    note(cur.filled > 0 ? 'resolved-partial-cancelled' : 'resolved-cancelled', o, `venue ${v.status}, filled ${cur.filled} of ${cur.amount}`);
  }

  const invariantViolations = store.checkInvariants(botId);
  const counts = Object.fromEntries(ACTIONS.map((a) => [a, 0])) as Record<ReconcileAction, number>;
  for (const d of details) counts[d.action]++;
  const finishedAt = deps.now();
  const ok = counts['still-unknown'] === 0 && errors.length === 0 && invariantViolations.length === 0;
  store.journal.audit({ ts: finishedAt, actor: 'reconcile', action: 'bot.reconcile', entity: 'bot', entityId: botId, before: null, after: { ok, counts, errors: errors.length, invariantViolations: invariantViolations.length } });
  if (!ok || counts['foreign-cancelled'] + counts['foreign-imported'] > 0) {
    store.journal.raiseAlert({
      botId, ts: finishedAt, level: ok ? 'warning' : 'critical', code: ok ? 'RECONCILE_FOREIGN_ORDERS' : 'RECONCILE_INCOMPLETE',
      message: `reconciliation of ${botId}: ${ok ? 'foreign orders handled' : 'not complete'} (${ACTIONS.filter((a) => counts[a]).map((a) => `${a} ${counts[a]}`).join(', ') || 'nothing to do'}${errors.length ? `; ${errors.length} errors` : ''}${invariantViolations.length ? `; ${invariantViolations.length} invariant violations` : ''})`,
      details: { counts, errors, invariantViolations },
    });
  }
  return { botId, startedAt, finishedAt, ok, counts, details, fills, balances, invariantViolations, errors };
}
