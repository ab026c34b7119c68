/**
 * Bots: reads come from the state store (the runtime writes it); control goes through the injected BotService
 * (bot-service.ts). Operators control bots and kill switches; creating or copying a live bot and promoting need
 * admin. Every mutating call writes an audit row (who, what, before, after).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { httpError } from '../errors.ts';
import { roleRank } from '../users.ts';
import { AnyObject, BotModeS, BotSchema, BotStatusS, Id, responses, Symbol as SymbolS } from '../schemas.ts';
import type { ServerContext } from '../context.ts';
import { ReadCache } from '../read-cache.ts';
import type { BotRow } from '../../state/types.ts';
import { prep } from '../../state/db.ts';
import { markOf, unrealisedOf } from './trading.ts';
import { assertMarketsEnabled } from './markets.ts';

const Pnl = Type.Union([Type.Object({ ts: Type.Number(), equity: Type.Number(), realised: Type.Number(), unrealised: Type.Number(), fees: Type.Number(), openOrders: Type.Integer() }), Type.Null()]);
const BotListItem = Type.Object({ ...BotSchema.properties, pnl: Pnl });
const BotDetail = Type.Object({
  ...BotSchema.properties, pnl: Pnl, settings: Type.Union([AnyObject, Type.Null()]),
  state: Type.Record(Type.String(), AnyObject),
  positions: Type.Array(Type.Object({
    symbol: Type.String(), base: Type.Number(), openCost: Type.Number(), realised: Type.Number(), fees: Type.Number(),
    /** Last mark of the market (the bot's last bar close) and base × mark − openCost; null when no mark is known. */
    markPrice: Type.Union([Type.Number(), Type.Null()]), unrealised: Type.Union([Type.Number(), Type.Null()]),
  })),
  openOrders: Type.Integer(),
});
const ListQuery = Type.Object({ status: Type.Optional(BotStatusS), mode: Type.Optional(BotModeS) }, { additionalProperties: false });
const IdParams = Type.Object({ id: Id });
const Name = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' });
const Budget = Type.Number({ exclusiveMinimum: 0, maximum: 1e12 });
const Json = Type.Record(Type.String({ maxLength: 100 }), Type.Unknown(), { maxProperties: 100 });
const CreateBody = Type.Object({
  name: Name,
  strategy: Type.String({ minLength: 1, maxLength: 100, pattern: '^[a-z0-9][a-z0-9-]*(@[0-9A-Za-z.+-]+)?$' }),
  params: Type.Optional(Json),
  symbols: Type.Array(SymbolS, { minItems: 1, maxItems: 50, uniqueItems: true }),
  exchange: Type.String({ minLength: 1, maxLength: 40, pattern: '^[a-z0-9]+$' }),
  mode: BotModeS,
  budget: Budget,
  risk: Type.Optional(Json),
  settings: Type.Optional(Json),
}, { additionalProperties: false });
const UpdateBody = Type.Object({ params: Type.Optional(Json), budget: Type.Optional(Budget), risk: Type.Optional(Json), settings: Type.Optional(Json) }, { additionalProperties: false, minProperties: 1 });
const Empty = Type.Object({}, { additionalProperties: false });
const StopBody = Type.Object({ orders: Type.Optional(Type.Union([Type.Literal('cancel'), Type.Literal('keep')])) }, { additionalProperties: false });
const PromoteBody = Type.Object({ inPlace: Type.Boolean(), newName: Type.Optional(Name), exchange: Type.Optional(Type.String({ minLength: 1, maxLength: 40, pattern: '^[a-z0-9]+$' })) }, { additionalProperties: false });
const CopyBody = Type.Object({ name: Name, mode: Type.Optional(BotModeS), budget: Type.Optional(Budget), exchange: Type.Optional(Type.String({ minLength: 1, maxLength: 40, pattern: '^[a-z0-9]+$' })) }, { additionalProperties: false });
const CancelResult = Type.Object({ botId: Type.String(), cancelled: Type.Array(Type.String()), failed: Type.Array(Type.Object({ clientId: Type.String(), error: Type.String() })) });

const view = (b: BotRow) => ({
  id: b.id, name: b.name, strategy: b.strategy, params: b.params, symbols: b.symbols, exchange: b.exchange, mode: b.mode, status: b.status,
  budget: b.budget, risk: b.risk, runUntil: b.runUntil, createdAt: b.createdAt, updatedAt: b.updatedAt,
});

function requireAdminForLive(req: FastifyRequest, mode: string | undefined, what: string): void {
  if (mode === 'live' && roleRank(req.user!.role) < roleRank('admin')) {
    throw httpError('FORBIDDEN', `${what} a live bot needs the admin role; user '${req.user!.name}' is ${req.user!.role}`, { required: 'admin', role: req.user!.role });
  }
}

export function botRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { store, bots } = ctx.deps;
  const lastPnl = (id: string) => {
    const r = prep(store.db, 'SELECT ts, equity, realised, unrealised, fees, open_orders FROM pnl_snapshots WHERE bot_id = ? ORDER BY ts DESC, id DESC LIMIT 1').get(id) as
      { ts: number; equity: number; realised: number; unrealised: number; fees: number; open_orders: number } | undefined;
    return r ? { ts: r.ts, equity: r.equity, realised: r.realised, unrealised: r.unrealised, fees: r.fees, openOrders: r.open_orders } : null;
  };
  const actor = (req: FastifyRequest) => req.user!.name;
  const cache = new ReadCache(store.db);

  app.get<{ Querystring: Static<typeof ListQuery> }>('/api/bots', {
    config: { access: 'viewer' },
    schema: { tags: ['bots'], summary: 'Bots with their status and last P&L snapshot', querystring: ListQuery, response: responses(Type.Array(BotListItem)) },
  }, async (req) => cache.get(`bots:${req.query.status ?? ''}:${req.query.mode ?? ''}`, () => (prep(store.db, `SELECT b.*, p.ts AS p_ts, p.equity AS p_equity, p.realised AS p_realised, p.unrealised AS p_unrealised, p.fees AS p_fees,
      p.open_orders AS p_open FROM bots b LEFT JOIN pnl_snapshots p ON p.id = (SELECT s.id FROM pnl_snapshots s WHERE s.bot_id = b.id ORDER BY s.ts DESC, s.id DESC LIMIT 1)
      WHERE (@status IS NULL OR b.status = @status) AND (@mode IS NULL OR b.mode = @mode) ORDER BY b.created_at, b.id`)
    .all({ status: req.query.status ?? null, mode: req.query.mode ?? null }) as Record<string, number & string>[]).map((r) => ({
    id: r.id, name: r.name, strategy: r.strategy, params: JSON.parse(r.params), symbols: JSON.parse(r.symbols), exchange: r.exchange, mode: r.mode,
    status: r.status, budget: r.budget, risk: JSON.parse(r.risk), runUntil: r.run_until, createdAt: r.created_at, updatedAt: r.updated_at,
    pnl: r.p_ts === null ? null : { ts: r.p_ts, equity: r.p_equity, realised: r.p_realised, unrealised: r.p_unrealised, fees: r.p_fees, openOrders: r.p_open },
  }))));

  app.get<{ Params: Static<typeof IdParams> }>('/api/bots/:id', {
    config: { access: 'viewer' },
    schema: { tags: ['bots'], summary: 'A bot: config, runner settings, state, positions', params: IdParams, response: responses(BotDetail) },
  }, async (req) => {
    const b = store.bots.require(req.params.id);
    const state = store.bots.allState(b.id);
    const settings = (state['']?.runner ?? null) as Record<string, unknown> | null;
    const positions = (prep(store.db, 'SELECT symbol, base, open_cost, realised, fees FROM positions WHERE bot_id = ? ORDER BY symbol').all(b.id) as
      { symbol: string; base: number; open_cost: number; realised: number; fees: number }[]).map((p) => {
      const mark = markOf(ctx, b.id, p.symbol);
      return { symbol: p.symbol, base: p.base, openCost: p.open_cost, realised: p.realised, fees: p.fees, markPrice: mark, unrealised: unrealisedOf(p.base, p.open_cost, mark) };
    });
    const openOrders = (prep(store.db, "SELECT COUNT(*) AS n FROM orders WHERE bot_id = ? AND status IN ('pending','open','unknown')").get(b.id) as { n: number }).n;
    return { ...view(b), pnl: lastPnl(b.id), settings, state, positions, openOrders };
  });

  app.post<{ Body: Static<typeof CreateBody> }>('/api/bots', {
    config: { access: 'operator' },
    schema: { tags: ['bots'], summary: 'Create a bot (a live bot needs admin and LIVE_TRADING_ENABLED)', body: CreateBody, response: responses(BotSchema, 201) },
  }, async (req, reply) => {
    requireAdminForLive(req, req.body.mode, 'creating');
    assertMarketsEnabled(store, req.body.exchange, req.body.symbols, `bot '${req.body.name}'`);
    const b = await bots.create(req.body, actor(req));
    ctx.audit(req, 'api.bot.create', 'bot', b.id, null, view(b));
    return reply.status(201).send(view(b));
  });

  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof UpdateBody> }>('/api/bots/:id', {
    config: { access: 'operator' },
    schema: { tags: ['bots'], summary: 'Update params, budget, risk or runner settings (only while created, paused or stopped)', params: IdParams, body: UpdateBody, response: responses(BotSchema) },
  }, async (req) => {
    const before = store.bots.require(req.params.id);
    const settingsBefore = store.bots.getState(before.id, '', 'runner') ?? null;
    const b = await bots.update(req.params.id, req.body, actor(req));
    ctx.audit(req, 'api.bot.update', 'bot', b.id, { ...view(before), settings: settingsBefore }, { ...view(b), settings: store.bots.getState(b.id, '', 'runner') ?? null });
    return view(b);
  });

  app.delete<{ Params: Static<typeof IdParams> }>('/api/bots/:id', {
    config: { access: 'operator' },
    schema: { tags: ['bots'], summary: 'Delete a bot that is not running and has no resting orders', params: IdParams, body: Empty, response: responses(BotSchema) },
  }, async (req) => {
    const before = store.bots.require(req.params.id);
    const b = await bots.remove(req.params.id, actor(req));
    ctx.audit(req, 'api.bot.delete', 'bot', before.id, view(before), null);
    return view(b);
  });

  for (const action of ['start', 'pause'] as const) {
    app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof Empty> }>(`/api/bots/:id/${action}`, {
      config: { access: 'operator' },
      schema: { tags: ['bots'], summary: action === 'start' ? 'Start (or resume) a bot' : 'Pause a bot: no new orders, resting orders stay', params: IdParams, body: Empty, response: responses(BotSchema) },
    }, async (req) => {
      const before = store.bots.require(req.params.id);
      if (action === 'start') assertMarketsEnabled(store, before.exchange, before.symbols, `bot '${before.id}'`);
      const b = await bots[action](req.params.id, actor(req));
      ctx.audit(req, `api.bot.${action}`, 'bot', b.id, { status: before.status }, { status: b.status });
      return view(b);
    });
  }

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof StopBody> }>('/api/bots/:id/stop', {
    config: { access: 'operator' },
    schema: { tags: ['bots'], summary: 'Stop a bot; orders: cancel or keep its resting orders (required when it has any)', params: IdParams, body: StopBody, response: responses(BotSchema) },
  }, async (req) => {
    const before = store.bots.require(req.params.id);
    const b = await bots.stop(req.params.id, req.body.orders, actor(req));
    ctx.audit(req, 'api.bot.stop', 'bot', b.id, { status: before.status }, { status: b.status, orders: req.body.orders ?? null });
    return view(b);
  });

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof Empty> }>('/api/bots/:id/kill', {
    config: { access: 'operator' },
    schema: { tags: ['bots'], summary: 'Kill switch: cancel every resting order of the bot (never liquidates)', params: IdParams, body: Empty, response: responses(CancelResult) },
  }, async (req) => {
    const before = store.bots.require(req.params.id);
    const r = await bots.kill(req.params.id, actor(req));
    ctx.audit(req, 'api.bot.kill', 'bot', before.id, { status: before.status }, { status: store.bots.get(before.id)?.status ?? null, cancelled: r.cancelled, failed: r.failed });
    return r;
  });

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof PromoteBody> }>('/api/bots/:id/promote', {
    config: { access: 'admin' },
    schema: { tags: ['bots'], summary: 'Go live: in place, or as a new live bot (LIVE_TRADING_ENABLED must be true)', params: IdParams, body: PromoteBody, response: responses(BotSchema) },
  }, async (req) => {
    if (!req.body.inPlace && req.body.newName === undefined) throw httpError('NEW_NAME_REQUIRED', 'promotion to a new bot needs body.newName (or inPlace: true)');
    const before = store.bots.require(req.params.id);
    const b = await bots.promote(req.params.id, req.body, actor(req));
    ctx.audit(req, 'api.bot.promote', 'bot', b.id, view(before), view(b));
    return view(b);
  });

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof CopyBody> }>('/api/bots/:id/copy', {
    config: { access: 'operator' },
    schema: { tags: ['bots'], summary: 'Copy a bot (same strategy, params, symbols, risk, settings) under a new name', params: IdParams, body: CopyBody, response: responses(BotSchema, 201) },
  }, async (req, reply) => {
    const src = store.bots.require(req.params.id);
    requireAdminForLive(req, req.body.mode ?? src.mode, 'copying to');
    assertMarketsEnabled(store, req.body.exchange ?? src.exchange, src.symbols, `bot '${req.body.name}'`);
    const b = await bots.copy(req.params.id, req.body, actor(req));
    ctx.audit(req, 'api.bot.copy', 'bot', b.id, { from: src.id }, view(b));
    return reply.status(201).send(view(b));
  });

  app.post<{ Body: Static<typeof Empty> }>('/api/kill-all', {
    config: { access: 'operator' },
    schema: { tags: ['bots'], summary: 'Global kill switch: every bot cancels its resting orders and stops (never liquidates)', body: Empty, response: responses(Type.Array(CancelResult)) },
  }, async (req) => {
    const before = store.bots.list().map((b) => ({ id: b.id, status: b.status }));
    const r = await bots.killAll(actor(req));
    ctx.audit(req, 'api.kill-all', 'global', '*', before, { bots: store.bots.list().map((b) => ({ id: b.id, status: b.status })), results: r });
    return r;
  });
}
