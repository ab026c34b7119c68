/** /healthz, /api/status, /api/settings (effective config, secrets masked) and config overrides. */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { httpError } from '../errors.ts';
import { AnyObject, EmptyBody, responses } from '../schemas.ts';
import type { ServerContext, ExchangeProbeResult } from '../context.ts';
import { ReadCache } from '../read-cache.ts';
import type { BotStatus } from '../../state/types.ts';
import { prep } from '../../state/db.ts';

export type GlobalStatus = 'RUNNING' | 'PAUSED' | 'HOLD' | 'EMERGENCY_STOP';

/** The server's status from its bots: any emergency stop wins, then hold, then running; otherwise paused. */
export function globalStatus(counts: Partial<Record<BotStatus, number>>): GlobalStatus {
  if (counts['emergency-stopped']) return 'EMERGENCY_STOP';
  if (counts.hold) return 'HOLD';
  if (counts.running) return 'RUNNING';
  return 'PAUSED';
}

const Check = Type.Object({ ok: Type.Boolean(), detail: Type.String() });
const Health = Type.Object({ status: Type.Union([Type.Literal('ok'), Type.Literal('fail')]), database: Check, exchange: Check });
const Status = Type.Object({
  status: Type.Union(['RUNNING', 'PAUSED', 'HOLD', 'EMERGENCY_STOP'].map((s) => Type.Literal(s))),
  uptimeSec: Type.Number(), startedAt: Type.Number(), now: Type.Number(), liveTradingEnabled: Type.Boolean(),
  bots: Type.Object({ total: Type.Integer(), byStatus: Type.Record(Type.String(), Type.Integer()) }),
  openOrders: Type.Integer(),
});
const Settings = Type.Object({
  config: AnyObject, sources: Type.Record(Type.String(), Type.String()), overrides: AnyObject,
  secrets: Type.Array(Type.Object({ name: Type.String(), purpose: Type.String(), set: Type.Boolean(), source: Type.Union([Type.String(), Type.Null()]), value: Type.Union([Type.String(), Type.Null()]) })),
});
const OverrideBody = Type.Object({
  path: Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_]+(\\.[A-Za-z0-9_/:-]+)*$' }),
  value: Type.Unknown(),
}, { additionalProperties: false });
const OverridePath = Type.Object({ path: OverrideBody.properties.path });

const AuditQuery = Type.Object({
  entity: Type.Optional(Type.String({ minLength: 1, maxLength: 40, pattern: '^[a-z-]+$' })),
  entityId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, default: 200 })),
}, { additionalProperties: false });
const AuditRow = Type.Object({ id: Type.Integer(), ts: Type.Number(), actor: Type.String(), action: Type.String(), entity: Type.String(), entityId: Type.String(), before: Type.Unknown(), after: Type.Unknown() });

const PROBE_TIMEOUT_MS = 5000;

async function probe(fn: () => Promise<ExchangeProbeResult>): Promise<ExchangeProbeResult> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      fn(),
      new Promise<ExchangeProbeResult>((res) => { timer = setTimeout(() => res({ ok: false, detail: `no answer within ${PROBE_TIMEOUT_MS} ms` }), PROBE_TIMEOUT_MS); }),
    ]);
  } catch (e) {
    return { ok: false, detail: e instanceof Error ? e.message : String(e) };
  } finally {
    clearTimeout(timer);
  }
}

export function systemRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { store } = ctx.deps;
  const cache = new ReadCache(store.db);

  app.get('/healthz', {
    config: { access: 'public' },
    schema: { tags: ['system'], summary: 'Database and exchange reachability (503 when either fails)', response: { 200: Health, 503: Health } },
  }, async (_req, reply) => {
    let database: ExchangeProbeResult;
    try {
      prep(store.db, 'SELECT COUNT(*) AS n FROM bots').get();
      database = { ok: true, detail: 'sqlite reachable' };
    } catch (e) {
      database = { ok: false, detail: e instanceof Error ? e.message : String(e) };
    }
    const exchange = await probe(ctx.deps.probeExchange);
    const ok = database.ok && exchange.ok;
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'fail', database, exchange });
  });

  app.get('/api/status', {
    config: { access: 'viewer' },
    schema: { tags: ['system'], summary: 'Global status from the bots, uptime', response: responses(Status) },
  }, async () => {
    const { byStatus, total, open } = cache.get('status', () => {
      const rows = prep(store.db, 'SELECT status, COUNT(*) AS n FROM bots GROUP BY status').all() as { status: BotStatus; n: number }[];
      const byStatus: Partial<Record<BotStatus, number>> = {};
      let total = 0;
      for (const r of rows) { byStatus[r.status] = r.n; total += r.n; }
      return { byStatus, total, open: prep(store.db, "SELECT COUNT(*) AS n FROM orders WHERE status IN ('pending','open','unknown')").get() as { n: number } };
    });
    const now = ctx.now();
    return {
      status: globalStatus(byStatus), uptimeSec: (now - ctx.startedAt) / 1000, startedAt: ctx.startedAt, now,
      liveTradingEnabled: ctx.deps.config.config.liveTradingEnabled, bots: { total, byStatus }, openOrders: open.n,
    };
  });

  app.get<{ Querystring: Static<typeof AuditQuery> }>('/api/audit', {
    config: { access: 'operator' },
    schema: { tags: ['system'], summary: 'The audit log, newest last (who, what, before, after)', querystring: AuditQuery, response: responses(Type.Array(AuditRow)) },
  }, async (req) => store.journal.listAudit({ entity: req.query.entity, entityId: req.query.entityId, limit: req.query.limit ?? 200 }));

  app.get('/api/settings', {
    config: { access: 'viewer' },
    schema: { tags: ['settings'], summary: 'Effective configuration (YAML → env → overrides), secrets masked', response: responses(Settings) },
  }, async () => ctx.deps.config.settingsView());

  app.put<{ Body: Static<typeof OverrideBody> }>('/api/settings/overrides', {
    config: { access: 'admin' },
    schema: { tags: ['settings'], summary: 'Set a config override (validated against the whole schema)', body: OverrideBody, response: responses(Type.Object({ path: Type.String(), before: Type.Unknown(), after: Type.Unknown() })) },
  }, async (req) => {
    const { path, value } = req.body;
    if (value === undefined) throw httpError('VALUE_REQUIRED', 'body.value is required (any JSON value)');
    const r = ctx.deps.config.setOverride(path, value, req.user?.name ?? 'anonymous', ctx.now());
    return { path, ...r };
  });

  app.delete<{ Params: Static<typeof OverridePath> }>('/api/settings/overrides/:path', {
    config: { access: 'admin' },
    schema: { tags: ['settings'], summary: 'Remove a config override', params: OverridePath, body: EmptyBody, response: responses(Type.Object({ path: Type.String(), removed: Type.Boolean() })) },
  }, async (req) => {
    const removed = ctx.deps.config.clearOverride(req.params.path, req.user?.name ?? 'anonymous', ctx.now());
    if (!removed) throw httpError('OVERRIDE_NOT_FOUND', `no override of '${req.params.path}'`);
    return { path: req.params.path, removed };
  });
}
