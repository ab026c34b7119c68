/**
 * Consistency checks over a bot's stored orders, fills, lots and positions. Reconciliation and the crash tests
 * run them; an empty list means the state is consistent. Tolerance: relative 1e-9 (float sums).
 */
import type { StateDb } from './db.ts';

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

/** Every violated invariant of `botId`, as readable sentences (empty = consistent). */
export function checkStateInvariants(db: StateDb, botId: string): string[] {
  const out: string[] = [];
  const orders = db.prepare(`SELECT o.client_id, o.side, o.amount, o.filled, o.cost, o.fees, o.status,
      COALESCE(SUM(f.amount), 0) AS fa, COALESCE(SUM(f.price * f.amount), 0) AS fc, COALESCE(SUM(f.fee), 0) AS ff, COUNT(f.id) AS n
    FROM orders o LEFT JOIN fills f ON f.order_id = o.id WHERE o.bot_id = ? GROUP BY o.id ORDER BY o.id`).all(botId) as
    { client_id: string; side: string; amount: number; filled: number; cost: number; fees: number; status: string; fa: number; fc: number; ff: number; n: number }[];
  for (const o of orders) {
    if (!close(o.filled, o.fa)) out.push(`order ${o.client_id}: filled ${o.filled} != sum of its fills ${o.fa}`);
    if (!close(o.cost, o.fc)) out.push(`order ${o.client_id}: cost ${o.cost} != sum of its fills ${o.fc}`);
    if (!close(o.fees, o.ff)) out.push(`order ${o.client_id}: fees ${o.fees} != sum of its fills ${o.ff}`);
    if (o.filled > o.amount * (1 + 1e-9)) out.push(`order ${o.client_id}: filled ${o.filled} exceeds its amount ${o.amount}`);
    const complete = o.filled >= o.amount * (1 - 1e-9);
    if (complete !== (o.status === 'filled')) out.push(`order ${o.client_id}: status '${o.status}' but filled ${o.filled} of ${o.amount}`);
    if ((o.status === 'pending' || o.status === 'rejected') && o.n > 0) out.push(`order ${o.client_id}: status '${o.status}' but it has ${o.n} fills`);
  }
  const buyFills = db.prepare(`SELECT f.id, f.trade_id, f.amount, f.price, f.fee, l.size, l.entry_price, l.buy_fee
    FROM fills f LEFT JOIN lots l ON l.open_fill_id = f.id WHERE f.bot_id = ? AND f.side = 'buy'`).all(botId) as
    { id: number; trade_id: string; amount: number; price: number; fee: number; size: number | null; entry_price: number | null; buy_fee: number | null }[];
  for (const f of buyFills) {
    if (f.size === null) out.push(`buy fill ${f.trade_id} opened no lot`);
    else if (!close(f.size, f.amount) || f.entry_price !== f.price || !close(f.buy_fee!, f.fee)) out.push(`buy fill ${f.trade_id}: its lot does not match it`);
  }
  const sellFills = db.prepare(`SELECT f.trade_id, f.amount, f.unmatched, COALESCE(SUM(c.size), 0) AS closed, COALESCE(SUM(c.sell_fee), 0) AS fee, f.fee AS ffee
    FROM fills f LEFT JOIN lot_closes c ON c.fill_id = f.id WHERE f.bot_id = ? AND f.side = 'sell' GROUP BY f.id`).all(botId) as
    { trade_id: string; amount: number; unmatched: number; closed: number; fee: number; ffee: number }[];
  for (const f of sellFills) {
    if (!close(f.closed + f.unmatched, f.amount)) out.push(`sell fill ${f.trade_id}: lots closed ${f.closed} + unmatched ${f.unmatched} != ${f.amount}`);
    if (!close(f.fee + f.ffee * (f.unmatched / f.amount), f.ffee)) out.push(`sell fill ${f.trade_id}: fee shares ${f.fee} do not add up to ${f.ffee}`);
  }
  const lots = db.prepare(`SELECT l.id, l.size, l.remaining, l.closed_size, l.status, l.realised, l.sell_fees, COALESCE(SUM(c.size), 0) AS cs,
      COALESCE(SUM(c.realised), 0) AS cr, COALESCE(SUM(c.sell_fee), 0) AS cf
    FROM lots l LEFT JOIN lot_closes c ON c.lot_id = l.id WHERE l.bot_id = ? GROUP BY l.id`).all(botId) as
    { id: number; size: number; remaining: number; closed_size: number; status: string; realised: number; sell_fees: number; cs: number; cr: number; cf: number }[];
  for (const l of lots) {
    if (!close(l.closed_size, l.cs)) out.push(`lot ${l.id}: closed_size ${l.closed_size} != sum of its closes ${l.cs}`);
    if (l.status === 'open' && !close(l.remaining + l.closed_size, l.size)) out.push(`lot ${l.id}: remaining ${l.remaining} + closed ${l.closed_size} != size ${l.size}`);
    if (l.status === 'closed' && (l.remaining !== 0 || !close(l.closed_size, l.size))) out.push(`lot ${l.id}: closed but remaining ${l.remaining}, closed ${l.closed_size} of ${l.size}`);
    if (l.remaining < 0) out.push(`lot ${l.id}: negative remaining ${l.remaining}`);
    if (!close(l.realised, l.cr) || !close(l.sell_fees, l.cf)) out.push(`lot ${l.id}: realised/sell fees do not match its closes`);
  }
  const pos = db.prepare(`SELECT p.symbol, p.base, p.open_cost, p.realised, p.fees,
      (SELECT COALESCE(SUM(remaining), 0) FROM lots WHERE bot_id = p.bot_id AND symbol = p.symbol AND status = 'open') AS lb,
      (SELECT COALESCE(SUM(remaining * entry_price), 0) FROM lots WHERE bot_id = p.bot_id AND symbol = p.symbol AND status = 'open') AS lc,
      (SELECT COALESCE(SUM(c.realised), 0) FROM lot_closes c JOIN lots l ON l.id = c.lot_id WHERE l.bot_id = p.bot_id AND l.symbol = p.symbol) AS lr,
      (SELECT COALESCE(SUM(fee), 0) FROM fills WHERE bot_id = p.bot_id AND symbol = p.symbol) AS ff
    FROM positions p WHERE p.bot_id = ?`).all(botId) as
    { symbol: string; base: number; open_cost: number; realised: number; fees: number; lb: number; lc: number; lr: number; ff: number }[];
  for (const p of pos) {
    if (!close(p.base, p.lb)) out.push(`position ${p.symbol}: base ${p.base} != open lots ${p.lb}`);
    if (!close(p.open_cost, p.lc)) out.push(`position ${p.symbol}: open cost ${p.open_cost} != open lots ${p.lc}`);
    if (!close(p.realised, p.lr)) out.push(`position ${p.symbol}: realised ${p.realised} != lot closes ${p.lr}`);
    if (!close(p.fees, p.ff)) out.push(`position ${p.symbol}: fees ${p.fees} != fills ${p.ff}`);
  }
  const orphan = db.prepare('SELECT COUNT(*) AS n FROM fills f WHERE f.bot_id = ? AND NOT EXISTS (SELECT 1 FROM positions p WHERE p.bot_id = f.bot_id AND p.symbol = f.symbol)').get(botId) as { n: number };
  if (orphan.n > 0) out.push(`${orphan.n} fills in markets without a position row`);
  return out;
}
