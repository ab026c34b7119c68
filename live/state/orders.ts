/**
 * Orders, fills, lots and positions: every step that touches the exchange is recorded before and after.
 *
 *   recordOrderIntent  (status 'pending', before the adapter call)
 *   markOrderPlaced    (→ 'open', with the exchange id)  | markOrderRejected (→ 'rejected') | markOrderUnknown (→ 'unknown')
 *   applyFill          (one transaction: the fill, the order's filled amount, the lot opened or closed, the position)
 *   markOrderCancelled (→ 'cancelled')
 *
 * A crash at any instant leaves either the state before or after a step, never half of one: reconciliation then
 * looks 'pending' and 'unknown' orders up by client id and replays fills (applyFill is idempotent by trade id).
 * Lot accounting follows engine/lots: cost and realised P&L exclude fees, fees are counted once in `fees`.
 */
import { TradelabError, invariantError, usageError } from '../../engine/errors.ts';
import type { WalletState } from '../../engine/risk/index.ts';
import { prep, type StateDb } from './db.ts';
import type {
  ApplyFillResult, FillInput, OrderIntentInput, PnlSnapshot, StoredFill, StoredLot, StoredOrder, StoredOrderStatus, StoredPosition,
} from './types.ts';

/** Named points inside the store's transactions, for tracing and crash-injection tests. */
export type StoreStep = 'fill:inserted' | 'fill:order-updated' | 'fill:lots-applied';

// A size below this share of the lot / order is float dust from partial fills.
const DUST = 1e-9;

interface OrderDbRow {
  id: number; bot_id: string; client_id: string; exchange_id: string | null; symbol: string; side: 'buy' | 'sell'; type: 'limit' | 'market';
  price: number | null; amount: number; filled: number; cost: number; fees: number; tag: string; lot_id: number | null;
  status: StoredOrderStatus; reason: string | null; created_at: number; updated_at: number;
}
interface LotDbRow {
  id: number; bot_id: string; symbol: string; open_fill_id: number; buy_tag: string; open_ts: number; entry_price: number; size: number;
  remaining: number; buy_fee: number; closed_size: number; exit_value: number; sell_fees: number; realised: number; close_ts: number | null;
  status: 'open' | 'closed'; sell_tag: string;
}

const toOrder = (r: OrderDbRow): StoredOrder => ({
  id: r.id, botId: r.bot_id, clientId: r.client_id, exchangeId: r.exchange_id, symbol: r.symbol, side: r.side, type: r.type, price: r.price,
  amount: r.amount, filled: r.filled, avgPrice: r.filled > 0 ? r.cost / r.filled : null, fees: r.fees, tag: r.tag, lotId: r.lot_id,
  status: r.status, reason: r.reason, createdAt: r.created_at, updatedAt: r.updated_at,
});
const toLot = (r: LotDbRow): StoredLot => ({
  id: r.id, botId: r.bot_id, symbol: r.symbol, openFillId: r.open_fill_id, buyTag: r.buy_tag, openTs: r.open_ts, entryPrice: r.entry_price,
  size: r.size, remaining: r.remaining, buyFee: r.buy_fee, closedSize: r.closed_size, exitValue: r.exit_value, sellFees: r.sell_fees,
  realised: r.realised, closeTs: r.close_ts, status: r.status, sellTag: r.sell_tag,
});
const toFill = (r: { id: number; bot_id: string; order_id: number; trade_id: string; symbol: string; side: 'buy' | 'sell'; price: number; amount: number; fee: number; liquidity: 'maker' | 'taker' | null; unmatched: number; ts: number }): StoredFill => ({
  id: r.id, botId: r.bot_id, orderId: r.order_id, tradeId: r.trade_id, symbol: r.symbol, side: r.side, price: r.price, amount: r.amount,
  fee: r.fee, liquidity: r.liquidity, unmatched: r.unmatched, ts: r.ts,
});

/** Statuses from which the exchange may still hold the order (reconciliation looks these up). */
export const UNSETTLED_STATUSES: readonly StoredOrderStatus[] = ['pending', 'open', 'unknown'];

export class OrdersRepo {
  constructor(private readonly db: StateDb, private readonly onStep: (step: StoreStep) => void = () => {}) {}

  // ---------- orders ----------

  /**
   * Records the intent before the adapter call (status 'pending'). Idempotent: recording the same client id with
   * the same order again returns the stored order unchanged (a restarted runner replaying its step); a different
   * order under a used client id is a bug and throws.
   */
  recordOrderIntent(o: OrderIntentInput): StoredOrder {
    if (!(o.amount > 0 && Number.isFinite(o.amount))) throw usageError('ORDER_AMOUNT_INVALID', `order ${o.clientId}: amount must be a positive number, got ${o.amount}`);
    if (o.type === 'limit' && !(typeof o.price === 'number' && o.price > 0 && Number.isFinite(o.price))) {
      throw usageError('ORDER_PRICE_INVALID', `limit order ${o.clientId}: price must be a positive number, got ${o.price}`);
    }
    const price = o.type === 'market' ? null : (o.price as number);
    return this.db.transaction(() => {
      const existing = this.byClientId(o.clientId);
      if (existing) {
        const same = existing.botId === o.botId && existing.symbol === o.symbol && existing.side === o.side && existing.type === o.type &&
          existing.price === price && existing.amount === o.amount && (existing.lotId ?? null) === (o.lotId ?? null);
        if (!same) throw invariantError('ORDER_CLIENT_ID_REUSED', `client order id ${o.clientId} is already recorded for a different order (${existing.side} ${existing.amount} ${existing.symbol} @ ${existing.price})`);
        return existing;
      }
      prep(this.db, `INSERT INTO orders (bot_id, client_id, symbol, side, type, price, amount, tag, lot_id, status, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`)
        .run(o.botId, o.clientId, o.symbol, o.side, o.type, price, o.amount, o.tag ?? '', o.lotId ?? null, o.ts, o.ts);
      return this.requireOrder(o.clientId);
    }).immediate();
  }

  /** The exchange accepted the order: pending/unknown → open (a filled or cancelled order keeps its status; the exchange id is recorded). */
  markOrderPlaced(clientId: string, exchangeId: string, ts: number): StoredOrder {
    return this.transition(clientId, ts, ['pending', 'unknown', 'open', 'filled', 'cancelled'], (o) => ({
      status: o.status === 'pending' || o.status === 'unknown' ? 'open' : o.status,
      exchangeId: o.exchangeId !== null && o.exchangeId !== exchangeId
        ? fail(`order ${clientId} already has exchange id ${o.exchangeId}, not ${exchangeId}`) : exchangeId,
    }));
  }

  /** The exchange refused the order (never retried): pending/unknown → rejected. */
  markOrderRejected(clientId: string, reason: string, ts: number): StoredOrder {
    return this.transition(clientId, ts, ['pending', 'unknown', 'rejected'], (o) => {
      if (o.filled > 0) fail(`order ${clientId} has fills and cannot be rejected`);
      return { status: 'rejected', reason };
    });
  }

  /** The write's outcome is unknown (e.g. a timeout): pending → unknown. Reconciliation resolves it by client id. */
  markOrderUnknown(clientId: string, reason: string, ts: number): StoredOrder {
    return this.transition(clientId, ts, ['pending', 'unknown', 'open', 'filled', 'cancelled', 'rejected'], (o) =>
      o.status === 'pending' ? { status: 'unknown', reason } : {});
  }

  /** The order left the book unfilled or partly filled: pending/open/unknown → cancelled (a filled order stays filled). */
  markOrderCancelled(clientId: string, ts: number, reason?: string): StoredOrder {
    return this.transition(clientId, ts, ['pending', 'open', 'unknown', 'cancelled', 'filled'], (o) =>
      o.status === 'filled' ? {} : { status: 'cancelled', reason: reason ?? o.reason });
  }

  /**
   * A market order the venue closed as complete with another amount than recorded (a buy sized by quote cost is
   * sized at the fill price): its amount becomes what filled, so it is 'filled'. Only for market orders with fills.
   */
  settleMarketAmount(clientId: string, ts: number): StoredOrder {
    return this.db.transaction(() => {
      const o = this.requireOrder(clientId);
      if (o.type !== 'market' || !(o.filled > 0)) fail(`order ${clientId}: only a market order with fills can take its filled amount (it is a ${o.type} order, filled ${o.filled})`);
      if (o.amount === o.filled && o.status === 'filled') return o;
      prep(this.db, "UPDATE orders SET amount = filled, status = 'filled', updated_at = ? WHERE id = ?").run(ts, o.id);
      return this.requireOrder(clientId);
    }).immediate();
  }

  byClientId(clientId: string): StoredOrder | undefined {
    const r = prep(this.db, 'SELECT * FROM orders WHERE client_id = ?').get(clientId) as OrderDbRow | undefined;
    return r && toOrder(r);
  }

  byExchangeId(botId: string, symbol: string, exchangeId: string): StoredOrder | undefined {
    const r = prep(this.db, 'SELECT * FROM orders WHERE bot_id = ? AND symbol = ? AND exchange_id = ?').get(botId, symbol, exchangeId) as OrderDbRow | undefined;
    return r && toOrder(r);
  }

  /** Orders of a bot in the given statuses (default: every status), oldest first. */
  ordersFor(botId: string, statuses?: readonly StoredOrderStatus[], symbol?: string): StoredOrder[] {
    if (statuses && statuses.length === 0) return [];
    // the status filter runs in SQL: a long-running bot has many settled orders and few open ones
    const rows = (statuses
      ? prep(this.db, `SELECT * FROM orders WHERE bot_id = ? AND (? IS NULL OR symbol = ?) AND status IN (${statuses.map(() => '?').join(', ')}) ORDER BY id`).all(botId, symbol ?? null, symbol ?? null, ...statuses)
      : prep(this.db, 'SELECT * FROM orders WHERE bot_id = ? AND (? IS NULL OR symbol = ?) ORDER BY id').all(botId, symbol ?? null, symbol ?? null)) as OrderDbRow[];
    return rows.map(toOrder);
  }

  /** How many orders of the bot are in `status` (an index count, no rows read). */
  countOrders(botId: string, status: StoredOrderStatus): number {
    return (prep(this.db, 'SELECT COUNT(*) AS n FROM orders WHERE bot_id = ? AND status = ?').get(botId, status) as { n: number }).n;
  }

  /** The bot's unsettled (pending, open, unknown) order with this tag in this market, if any (index orders_unsettled). */
  unsettledByTag(botId: string, symbol: string, tag: string): StoredOrder | undefined {
    const r = prep(this.db, `SELECT * FROM orders WHERE bot_id = ? AND symbol = ? AND tag = ? AND status IN ('pending', 'open', 'unknown') ORDER BY id LIMIT 1`)
      .get(botId, symbol, tag) as OrderDbRow | undefined;
    return r && toOrder(r);
  }

  /** Orders reconciliation must settle: pending, open and unknown. */
  unsettledOrders(botId: string): StoredOrder[] {
    return this.ordersFor(botId, UNSETTLED_STATUSES);
  }

  /**
   * Open orders ('open', 'pending' and 'unknown' count: the exchange may hold them) per symbol: of one bot, of
   * every bot on one exchange (the account-wide cap), or of every bot.
   */
  openOrderCounts(filter: { botId?: string; exchange?: string } = {}): { total: number; bySymbol: Record<string, number> } {
    const rows = prep(this.db, `SELECT o.symbol, COUNT(*) AS n FROM orders o JOIN bots b ON b.id = o.bot_id
      WHERE o.status IN ('pending','open','unknown') AND (@bot IS NULL OR o.bot_id = @bot) AND (@ex IS NULL OR b.exchange = @ex) GROUP BY o.symbol`)
      .all({ bot: filter.botId ?? null, ex: filter.exchange ?? null }) as { symbol: string; n: number }[];
    const bySymbol: Record<string, number> = {};
    let total = 0;
    for (const r of rows) { bySymbol[r.symbol] = r.n; total += r.n; }
    return { total, bySymbol };
  }

  // ---------- fills and lots ----------

  /**
   * Applies one fill in a single transaction: records it (once per trade id: a repeat returns `applied: false`
   * and changes nothing), adds it to its order (→ 'filled' when complete, else 'open'), opens a lot (buy) or
   * closes the order's lot, then FIFO (sell), and updates the position.
   */
  applyFill(f: FillInput): ApplyFillResult {
    if (!(f.amount > 0) || !(f.price > 0) || !(f.fee >= 0)) {
      throw usageError('FILL_INVALID', `fill ${f.tradeId}: amount and price must be > 0 and fee >= 0, got amount ${f.amount}, price ${f.price}, fee ${f.fee}`);
    }
    return this.db.transaction((): ApplyFillResult => {
      const order = this.byClientId(f.clientId);
      if (!order || order.botId !== f.botId) {
        throw invariantError('FILL_UNKNOWN_ORDER', `fill ${f.tradeId}: bot ${f.botId} has no order with client id ${f.clientId} (reconciliation must import the order first)`);
      }
      const ins = prep(this.db, `INSERT INTO fills (bot_id, order_id, trade_id, symbol, side, price, amount, fee, liquidity, ts)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (bot_id, symbol, trade_id) DO NOTHING`)
        .run(f.botId, order.id, f.tradeId, order.symbol, order.side, f.price, f.amount, f.fee, f.liquidity ?? null, f.ts);
      if (ins.changes === 0) {
        const prev = prep(this.db, 'SELECT id, order_id FROM fills WHERE bot_id = ? AND symbol = ? AND trade_id = ?').get(f.botId, order.symbol, f.tradeId) as { id: number; order_id: number };
        if (prev.order_id !== order.id) throw invariantError('FILL_ORDER_MISMATCH', `trade ${f.tradeId} was applied to another order (id ${prev.order_id}) than ${f.clientId}`);
        return { applied: false, fillId: prev.id, order, openedLot: null, closedLots: [], unmatched: 0 };
      }
      const fillId = Number(ins.lastInsertRowid);
      this.onStep('fill:inserted');

      const filled = order.filled + f.amount;
      const status: StoredOrderStatus = filled >= order.amount * (1 - DUST) ? 'filled' : order.status === 'cancelled' ? 'cancelled' : 'open';
      prep(this.db, 'UPDATE orders SET filled = ?, cost = cost + ?, fees = fees + ?, status = ?, updated_at = ? WHERE id = ?')
        .run(filled, f.price * f.amount, f.fee, status, f.ts, order.id);
      this.onStep('fill:order-updated');

      let openedLot: number | null = null;
      const closedLots: number[] = [];
      let unmatched = 0;
      this.ensurePosition(f.botId, order.symbol, f.ts);
      if (order.side === 'buy') {
        const r = prep(this.db, `INSERT INTO lots (bot_id, symbol, open_fill_id, buy_tag, open_ts, entry_price, size, remaining, buy_fee)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(f.botId, order.symbol, fillId, order.tag, f.ts, f.price, f.amount, f.amount, f.fee);
        openedLot = Number(r.lastInsertRowid);
        prep(this.db, 'UPDATE positions SET base = base + ?, open_cost = open_cost + ?, fees = fees + ?, updated_at = ? WHERE bot_id = ? AND symbol = ?')
          .run(f.amount, f.price * f.amount, f.fee, f.ts, f.botId, order.symbol);
      } else {
        let left = f.amount;
        const targets: LotDbRow[] = [];
        if (order.lotId !== null) {
          const named = prep(this.db, "SELECT * FROM lots WHERE id = ? AND bot_id = ? AND status = 'open'").get(order.lotId, f.botId) as LotDbRow | undefined;
          if (named) targets.push(named);
        }
        const fifo = prep(this.db, "SELECT * FROM lots WHERE bot_id = ? AND symbol = ? AND status = 'open' ORDER BY id").all(f.botId, order.symbol) as LotDbRow[];
        for (const l of fifo) if (l.id !== order.lotId) targets.push(l);
        for (const l of targets) {
          if (left <= DUST * f.amount) break;
          const take = Math.min(l.remaining, left);
          this.closeLot(l, fillId, take, f.price, f.fee * (take / f.amount), f.ts, order.tag);
          closedLots.push(l.id);
          left -= take;
        }
        unmatched = left > DUST * f.amount ? left : 0;
        if (unmatched > 0) prep(this.db, 'UPDATE fills SET unmatched = ? WHERE id = ?').run(unmatched, fillId);
        // Fees of the unmatched part still count in the position.
        if (unmatched > 0) prep(this.db, 'UPDATE positions SET fees = fees + ? WHERE bot_id = ? AND symbol = ?').run(f.fee * (unmatched / f.amount), f.botId, order.symbol);
      }
      this.onStep('fill:lots-applied');
      return { applied: true, fillId, order: this.requireOrder(f.clientId), openedLot, closedLots, unmatched };
    }).immediate();
  }

  fillsFor(botId: string, filter: { clientId?: string; sinceTs?: number } = {}): StoredFill[] {
    const rows = prep(this.db, `SELECT f.* FROM fills f JOIN orders o ON o.id = f.order_id WHERE f.bot_id = ? AND (? IS NULL OR o.client_id = ?) AND f.ts >= ? ORDER BY f.id`)
      .all(botId, filter.clientId ?? null, filter.clientId ?? null, filter.sinceTs ?? -Number.MAX_VALUE) as Parameters<typeof toFill>[0][];
    return rows.map(toFill);
  }

  hasTrade(botId: string, symbol: string, tradeId: string): boolean {
    return prep(this.db, 'SELECT 1 FROM fills WHERE bot_id = ? AND symbol = ? AND trade_id = ?').get(botId, symbol, tradeId) !== undefined;
  }

  /** Open lots of a bot in a market (every market when symbol is omitted), oldest first. */
  openLotsFor(botId: string, symbol?: string): StoredLot[] {
    return (prep(this.db, "SELECT * FROM lots WHERE bot_id = ? AND (? IS NULL OR symbol = ?) AND status = 'open' ORDER BY id").all(botId, symbol ?? null, symbol ?? null) as LotDbRow[]).map(toLot);
  }

  lotsFor(botId: string, symbol?: string): StoredLot[] {
    return (prep(this.db, 'SELECT * FROM lots WHERE bot_id = ? AND (? IS NULL OR symbol = ?) ORDER BY id').all(botId, symbol ?? null, symbol ?? null) as LotDbRow[]).map(toLot);
  }

  positionsFor(botId: string): StoredPosition[] {
    return (prep(this.db, 'SELECT * FROM positions WHERE bot_id = ? ORDER BY symbol').all(botId) as
      { bot_id: string; symbol: string; base: number; open_cost: number; realised: number; fees: number; updated_at: number }[])
      .map((r) => ({ botId: r.bot_id, symbol: r.symbol, base: r.base, openCost: r.open_cost, realised: r.realised, fees: r.fees, updatedAt: r.updated_at }));
  }

  // ---------- P&L and risk inputs ----------

  /** Realised P&L net of fees (gross − sell fees − the closed share of buy fees) of closes in [fromTs, toTs). */
  realisedNetBetween(botId: string, fromTs: number, toTs: number): number {
    const r = prep(this.db, 'SELECT COALESCE(SUM(realised - sell_fee - buy_fee_share), 0) AS v FROM lot_closes WHERE bot_id = ? AND ts >= ? AND ts < ?').get(botId, fromTs, toTs) as { v: number };
    return r.v;
  }

  /** Net P&L of the most recently closed lots, oldest first (Kelly sizing, loss streaks). */
  recentClosedLotPnl(botId: string, limit: number): number[] {
    const rows = prep(this.db, `SELECT realised - sell_fees - buy_fee AS pnl FROM lots WHERE bot_id = ? AND status = 'closed' ORDER BY close_ts DESC, id DESC LIMIT ?`).all(botId, limit) as { pnl: number }[];
    return rows.map((r) => r.pnl).reverse();
  }

  /**
   * Closed lots at the end of the bot's history that lost money (net of fees), counted back to the last one that did
   * not: the loss streak. Reads the lots after the last non-losing one only (index lots_closed).
   */
  lossStreak(botId: string): number {
    const last = prep(this.db, `SELECT close_ts AS t, id FROM lots WHERE bot_id = ? AND status = 'closed' AND realised - sell_fees - buy_fee >= 0
      ORDER BY close_ts DESC, id DESC LIMIT 1`).get(botId) as { t: number; id: number } | undefined;
    const r = prep(this.db, `SELECT COUNT(*) AS n FROM lots WHERE bot_id = @bot AND status = 'closed'
      AND (@t IS NULL OR close_ts > @t OR (close_ts = @t AND id > @id))`).get({ bot: botId, t: last?.t ?? null, id: last?.id ?? null }) as { n: number };
    return r.n;
  }

  /** The virtual wallet for the risk rules: realised net P&L, and quote committed to open lots (with their buy fees) and resting buys. */
  walletState(botId: string, budget: number): WalletState {
    const lots = prep(this.db, "SELECT COALESCE(SUM(entry_price * remaining + buy_fee * remaining / size), 0) AS v FROM lots WHERE bot_id = ? AND status = 'open'").get(botId) as { v: number };
    const buys = prep(this.db, `SELECT COALESCE(SUM(price * (amount - filled)), 0) AS v FROM orders WHERE bot_id = ? AND side = 'buy' AND type = 'limit' AND status IN ('pending','open','unknown')`).get(botId) as { v: number };
    return { budget, realisedNet: this.realisedNetBetween(botId, -Number.MAX_VALUE, Number.MAX_VALUE) - this.unmatchedFees(botId), committed: lots.v + buys.v };
  }

  /**
   * Computes and stores a P&L snapshot at `ts` from the positions, marking each open position at `marks[symbol]`
   * (a position without a mark is valued at cost and counted as 0 unrealised). It replaces a snapshot of the bot at
   * the same `ts`.
   */
  snapshotPnl(botId: string, budget: number, ts: number, marks: Readonly<Record<string, number>>): PnlSnapshot {
    return this.db.transaction(() => {
      let realised = 0, unrealised = 0, fees = 0, openCost = 0;
      for (const p of this.positionsFor(botId)) {
        realised += p.realised;
        fees += p.fees;
        openCost += p.openCost;
        const m = marks[p.symbol];
        if (p.base > 0 && m !== undefined) unrealised += p.base * m - p.openCost;
      }
      const openOrders = this.openOrderCounts({ botId }).total;
      const snap: PnlSnapshot = {
        botId, ts, equity: budget + realised + unrealised - fees, cash: budget - openCost + realised - fees,
        realised, unrealised, fees, capitalInUse: openCost, openOrders,
      };
      // one snapshot per bot and time: the runtime (drawdown limit) and the server may both write the same bar's close
      prep(this.db, 'DELETE FROM pnl_snapshots WHERE bot_id = ? AND ts = ?').run(botId, ts);
      prep(this.db, `INSERT INTO pnl_snapshots (bot_id, ts, equity, cash, realised, unrealised, fees, capital_in_use, open_orders)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(botId, ts, snap.equity, snap.cash, realised, unrealised, fees, openCost, openOrders);
      return snap;
    }).immediate();
  }

  pnlHistory(botId: string, sinceTs = -Number.MAX_VALUE): PnlSnapshot[] {
    return (prep(this.db, 'SELECT * FROM pnl_snapshots WHERE bot_id = ? AND ts >= ? ORDER BY ts, id').all(botId, sinceTs) as
      { bot_id: string; ts: number; equity: number; cash: number; realised: number; unrealised: number; fees: number; capital_in_use: number; open_orders: number }[])
      .map((r) => ({ botId: r.bot_id, ts: r.ts, equity: r.equity, cash: r.cash, realised: r.realised, unrealised: r.unrealised, fees: r.fees, capitalInUse: r.capital_in_use, openOrders: r.open_orders }));
  }

  // ---------- internals ----------

  private unmatchedFees(botId: string): number {
    const r = prep(this.db, 'SELECT COALESCE(SUM(fee * unmatched / amount), 0) AS v FROM fills WHERE bot_id = ? AND unmatched > 0').get(botId) as { v: number };
    return r.v;
  }

  private requireOrder(clientId: string): StoredOrder {
    const o = this.byClientId(clientId);
    if (!o) throw usageError('ORDER_NOT_FOUND', `no order with client id ${clientId}`);
    return o;
  }

  private transition(clientId: string, ts: number, from: readonly StoredOrderStatus[], next: (o: StoredOrder) => { status?: StoredOrderStatus; exchangeId?: string; reason?: string | null }): StoredOrder {
    return this.db.transaction(() => {
      const o = this.requireOrder(clientId);
      if (!from.includes(o.status)) {
        throw invariantError('ORDER_TRANSITION_INVALID', `order ${clientId} is '${o.status}'; this step needs one of ${from.join(', ')}`);
      }
      const n = next(o);
      const status = n.status ?? o.status, exchangeId = n.exchangeId ?? o.exchangeId, reason = n.reason === undefined ? o.reason : n.reason;
      if (status === o.status && exchangeId === o.exchangeId && reason === o.reason) return o; // a replayed step: nothing to write
      prep(this.db, 'UPDATE orders SET status = ?, exchange_id = ?, reason = ?, updated_at = ? WHERE id = ?')
        .run(status, exchangeId, reason, ts, o.id);
      return this.requireOrder(clientId);
    }).immediate();
  }

  private ensurePosition(botId: string, symbol: string, ts: number): void {
    prep(this.db, 'INSERT INTO positions (bot_id, symbol, updated_at) VALUES (?, ?, ?) ON CONFLICT (bot_id, symbol) DO NOTHING').run(botId, symbol, ts);
  }

  private closeLot(l: LotDbRow, fillId: number, take: number, price: number, fee: number, ts: number, tag: string): void {
    const cost = l.entry_price * take;
    const pnl = price * take - cost;
    const buyFeeShare = l.buy_fee * (take / l.size);
    let remaining = l.remaining - take;
    const closed = remaining <= DUST * l.size;
    if (closed) remaining = 0;
    prep(this.db, `UPDATE lots SET remaining = ?, closed_size = closed_size + ?, exit_value = exit_value + ?, sell_fees = sell_fees + ?,
      realised = realised + ?, sell_tag = ?, status = ?, close_ts = ? WHERE id = ?`)
      .run(remaining, take, price * take, fee, pnl, tag, closed ? 'closed' : 'open', closed ? ts : null, l.id);
    prep(this.db, 'INSERT INTO lot_closes (lot_id, fill_id, bot_id, ts, size, price, realised, sell_fee, buy_fee_share) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(l.id, fillId, l.bot_id, ts, take, price, pnl, fee, buyFeeShare);
    // A dust remainder leaves the position together with the lot.
    const baseOut = closed ? l.remaining : take;
    const costOut = closed ? l.entry_price * l.remaining : cost;
    prep(this.db, 'UPDATE positions SET base = base - ?, open_cost = open_cost - ?, realised = realised + ?, fees = fees + ?, updated_at = ? WHERE bot_id = ? AND symbol = ?')
      .run(baseOut, costOut, pnl, fee, ts, l.bot_id, l.symbol);
  }
}

function fail(message: string): never {
  throw new TradelabError('ORDER_TRANSITION_INVALID', 'invariant', message);
}
