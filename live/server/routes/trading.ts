/** Orders (filterable; cancel one through the bot runtime), fills, lots (open with unrealised P&L), positions. */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { httpError } from '../errors.ts';
import { EmptyBody, Id, Limit, Offset, responses, Symbol as SymbolS, Ts } from '../schemas.ts';
import type { ServerContext } from '../context.ts';
import { prep } from '../../state/db.ts';

const Nullable = <T extends ReturnType<typeof Type.Number>>(t: T) => Type.Union([t, Type.Null()]);
const NNum = Nullable(Type.Number());
const Side = Type.Union([Type.Literal('buy'), Type.Literal('sell')]);
const OrderStatus = Type.Union(['pending', 'open', 'filled', 'cancelled', 'rejected', 'unknown'].map((s) => Type.Literal(s)));

const Order = Type.Object({
  id: Type.Integer(), botId: Type.String(), clientId: Type.String(), exchangeId: Type.Union([Type.String(), Type.Null()]), symbol: Type.String(),
  side: Side, type: Type.String(), price: NNum, amount: Type.Number(), filled: Type.Number(), avgPrice: NNum, fees: Type.Number(),
  tag: Type.String(), lotId: Type.Union([Type.Integer(), Type.Null()]), status: OrderStatus, reason: Type.Union([Type.String(), Type.Null()]), createdAt: Ts, updatedAt: Ts,
});
const Fill = Type.Object({
  id: Type.Integer(), botId: Type.String(), orderId: Type.Integer(), clientId: Type.String(), tradeId: Type.String(), symbol: Type.String(), side: Side,
  price: Type.Number(), amount: Type.Number(), fee: Type.Number(), liquidity: Type.Union([Type.String(), Type.Null()]), unmatched: Type.Number(), ts: Ts,
});
const Lot = Type.Object({
  id: Type.Integer(), botId: Type.String(), symbol: Type.String(), status: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
  openTs: Ts, closeTs: NNum, entryPrice: Type.Number(), size: Type.Number(), remaining: Type.Number(), buyFee: Type.Number(),
  closedSize: Type.Number(), exitValue: Type.Number(), sellFees: Type.Number(),
  /** Gross realised P&L of the closed part (fees excluded). */
  realised: Type.Number(),
  /** (mark − entry) × remaining when a mark price is known, else null. */
  unrealised: NNum, markPrice: NNum, buyTag: Type.String(), sellTag: Type.String(),
});
const Position = Type.Object({
  botId: Type.String(), symbol: Type.String(), base: Type.Number(), openCost: Type.Number(), realised: Type.Number(), fees: Type.Number(), updatedAt: Ts,
  /** The market's last mark (the bot's last bar close), null when none is known. */
  markPrice: NNum,
  /** base × mark − openCost (fees excluded, as in the P&L snapshots) when a mark is known; 0 for a flat position. */
  unrealised: NNum,
});

const Common = {
  botId: Type.Optional(Id), symbol: Type.Optional(SymbolS),
  from: Type.Optional(Type.Integer({ minimum: 0, description: 'epoch ms, inclusive' })), to: Type.Optional(Type.Integer({ minimum: 0, description: 'epoch ms, exclusive' })),
  limit: Type.Optional(Limit), offset: Type.Optional(Offset),
};
const OrdersQuery = Type.Object({ ...Common, status: Type.Optional(Type.Union([OrderStatus, Type.Literal('resting')])), side: Type.Optional(Side) }, { additionalProperties: false });
const FillsQuery = Type.Object({ ...Common, side: Type.Optional(Side) }, { additionalProperties: false });
const LotsQuery = Type.Object({ ...Common, status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('closed')])) }, { additionalProperties: false });
const PositionsQuery = Type.Object({ botId: Type.Optional(Id), symbol: Type.Optional(SymbolS), open: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
const CancelParams = Type.Object({ clientId: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9._:-]+$' }) });

/** The mark of a bot's market: deps.markPrice, else the bot runtime's (its last bar close); null when unknown. */
export function markOf(ctx: ServerContext, botId: string, symbol: string): number | null {
  const { markPrice, bots } = ctx.deps;
  const m = markPrice ? markPrice(botId, symbol) : bots.markPrice?.(botId, symbol);
  return m !== undefined && Number.isFinite(m) ? m : null;
}

/** Unrealised P&L of a position at a mark: base × mark − open cost (fees excluded); 0 when flat, null without a mark. */
export function unrealisedOf(base: number, openCost: number, mark: number | null): number | null {
  if (base <= 0) return 0;
  return mark === null ? null : base * mark - openCost;
}

/** A WHERE clause from optional equality / range filters (parameterised). */
function where(parts: [string, unknown][]): { sql: string; args: unknown[] } {
  const used = parts.filter(([, v]) => v !== undefined);
  return { sql: used.length ? `WHERE ${used.map(([c]) => c).join(' AND ')}` : '', args: used.map(([, v]) => v) };
}

export function tradingRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const db = ctx.deps.store.db;

  app.get<{ Querystring: Static<typeof OrdersQuery> }>('/api/orders', {
    config: { access: 'viewer' },
    schema: { tags: ['trading'], summary: "Orders, newest first ('resting' = pending, open or unknown)", querystring: OrdersQuery, response: responses(Type.Object({ total: Type.Integer(), items: Type.Array(Order) })) },
  }, async (req) => {
    const q = req.query;
    const w = where([['bot_id = ?', q.botId], ['symbol = ?', q.symbol], ['side = ?', q.side], ['created_at >= ?', q.from], ['created_at < ?', q.to],
      [q.status === 'resting' ? "status IN ('pending','open','unknown')" : 'status = ?', q.status === 'resting' ? undefined : q.status]]);
    if (q.status === 'resting') w.sql = w.sql ? `${w.sql} AND status IN ('pending','open','unknown')` : "WHERE status IN ('pending','open','unknown')";
    const total = (prep(db, `SELECT COUNT(*) AS n FROM orders ${w.sql}`).get(...w.args) as { n: number }).n;
    const rows = prep(db, `SELECT * FROM orders ${w.sql} ORDER BY id DESC LIMIT ? OFFSET ?`).all(...w.args, q.limit ?? 500, q.offset ?? 0) as Record<string, never>[];
    return {
      total,
      items: rows.map((r: Record<string, number & string>) => ({
        id: r.id, botId: r.bot_id, clientId: r.client_id, exchangeId: r.exchange_id, symbol: r.symbol, side: r.side, type: r.type, price: r.price,
        amount: r.amount, filled: r.filled, avgPrice: r.filled > 0 ? r.cost / r.filled : null, fees: r.fees, tag: r.tag, lotId: r.lot_id,
        status: r.status, reason: r.reason, createdAt: r.created_at, updatedAt: r.updated_at,
      })),
    };
  });

  app.post<{ Params: Static<typeof CancelParams> }>('/api/orders/:clientId/cancel', {
    config: { access: 'operator' },
    schema: { tags: ['trading'], summary: 'Cancel one resting order (through the bot runtime; audited)', params: CancelParams, body: EmptyBody, response: responses(Type.Object({ clientId: Type.String(), status: Type.String() })) },
  }, async (req) => {
    const o = prep(db, 'SELECT bot_id, status FROM orders WHERE client_id = ?').get(req.params.clientId) as { bot_id: string; status: string } | undefined;
    if (!o) throw httpError('ORDER_NOT_FOUND', `no order with client id '${req.params.clientId}'`);
    const r = await ctx.deps.bots.cancelOrder(o.bot_id, req.params.clientId, req.user!.name);
    ctx.audit(req, 'order.cancel', 'order', req.params.clientId, { status: o.status }, { status: r.status });
    return r;
  });

  app.get<{ Querystring: Static<typeof FillsQuery> }>('/api/fills', {
    config: { access: 'viewer' },
    schema: { tags: ['trading'], summary: 'Fills, newest first', querystring: FillsQuery, response: responses(Type.Object({ total: Type.Integer(), items: Type.Array(Fill) })) },
  }, async (req) => {
    const q = req.query;
    const w = where([['f.bot_id = ?', q.botId], ['f.symbol = ?', q.symbol], ['f.side = ?', q.side], ['f.ts >= ?', q.from], ['f.ts < ?', q.to]]);
    const total = (prep(db, `SELECT COUNT(*) AS n FROM fills f ${w.sql}`).get(...w.args) as { n: number }).n;
    const rows = prep(db, `SELECT f.*, o.client_id FROM fills f JOIN orders o ON o.id = f.order_id ${w.sql} ORDER BY f.ts DESC, f.id DESC LIMIT ? OFFSET ?`)
      .all(...w.args, q.limit ?? 500, q.offset ?? 0) as Record<string, number & string>[];
    return {
      total,
      items: rows.map((r) => ({ id: r.id, botId: r.bot_id, orderId: r.order_id, clientId: r.client_id, tradeId: r.trade_id, symbol: r.symbol, side: r.side, price: r.price, amount: r.amount, fee: r.fee, liquidity: r.liquidity, unmatched: r.unmatched, ts: r.ts })),
    };
  });

  app.get<{ Querystring: Static<typeof LotsQuery> }>('/api/lots', {
    config: { access: 'viewer' },
    schema: { tags: ['trading'], summary: 'Lots: open (with unrealised P&L when a price is known) and closed (realised)', querystring: LotsQuery, response: responses(Type.Object({ total: Type.Integer(), items: Type.Array(Lot) })) },
  }, async (req) => {
    const q = req.query;
    const w = where([['bot_id = ?', q.botId], ['symbol = ?', q.symbol], ['status = ?', q.status], ['open_ts >= ?', q.from], ['open_ts < ?', q.to]]);
    const total = (prep(db, `SELECT COUNT(*) AS n FROM lots ${w.sql}`).get(...w.args) as { n: number }).n;
    const rows = prep(db, `SELECT * FROM lots ${w.sql} ORDER BY id DESC LIMIT ? OFFSET ?`).all(...w.args, q.limit ?? 500, q.offset ?? 0) as Record<string, number & string>[];
    return {
      total,
      items: rows.map((r) => {
        const mark = r.status === 'open' ? markOf(ctx, r.bot_id, r.symbol) : null;
        return {
          id: r.id, botId: r.bot_id, symbol: r.symbol, status: r.status, openTs: r.open_ts, closeTs: r.close_ts, entryPrice: r.entry_price, size: r.size,
          remaining: r.remaining, buyFee: r.buy_fee, closedSize: r.closed_size, exitValue: r.exit_value, sellFees: r.sell_fees, realised: r.realised,
          unrealised: mark !== null ? (mark - r.entry_price) * r.remaining : null, markPrice: mark, buyTag: r.buy_tag, sellTag: r.sell_tag,
        };
      }),
    };
  });

  app.get<{ Querystring: Static<typeof PositionsQuery> }>('/api/positions', {
    config: { access: 'viewer' },
    schema: { tags: ['trading'], summary: 'Positions per bot and market', querystring: PositionsQuery, response: responses(Type.Array(Position)) },
  }, async (req) => {
    const q = req.query;
    const w = where([['bot_id = ?', q.botId], ['symbol = ?', q.symbol]]);
    const sql = q.open === undefined ? w.sql : `${w.sql ? `${w.sql} AND` : 'WHERE'} ${q.open ? 'base > 0' : 'base <= 0'}`;
    const rows = prep(db, `SELECT * FROM positions ${sql} ORDER BY bot_id, symbol`).all(...w.args) as Record<string, number & string>[];
    return rows.map((r) => {
      const mark = markOf(ctx, r.bot_id, r.symbol);
      return {
        botId: r.bot_id, symbol: r.symbol, base: r.base, openCost: r.open_cost, realised: r.realised, fees: r.fees, updatedAt: r.updated_at,
        markPrice: mark, unrealised: unrealisedOf(r.base, r.open_cost, mark),
      };
    });
  });
}
