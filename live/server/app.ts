/**
 * The API server factory (CONVENTIONS §2): `buildApp(deps)` builds the Fastify instance (routes, schemas, auth,
 * error handler, OpenAPI document and docs page, websocket) without listening; serve.ts listens, tests `inject`.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import { Type } from '@sinclair/typebox';
import { errorHandler, httpError } from './errors.ts';
import { authHook } from './auth.ts';
import { AttemptLimiter } from './rate-limit.ts';
import { UsersRepo } from './users.ts';
import { ErrorResponse } from './schemas.ts';
import type { AppDeps, ServerContext } from './context.ts';
import { systemRoutes } from './routes/system.ts';
import { authRoutes } from './routes/auth.ts';
import { userRoutes } from './routes/users.ts';
import { strategyRoutes } from './routes/strategies.ts';
import { resultRoutes } from './routes/results.ts';
import { marketRoutes } from './routes/markets.ts';
import { tradingRoutes } from './routes/trading.ts';
import { reportRoutes } from './routes/reports.ts';
import { botRoutes } from './routes/bots.ts';
import { marketClosesRoutes } from './routes/market-closes.ts';
import { promotionRoutes } from './routes/promotions.ts';
import { botActivityRoutes } from './routes/bot-activity.ts';
import { wsRoutes } from './routes/ws.ts';
import { jobRoutes } from './routes/jobs.ts';
import { dataSourceRoutes } from './routes/data-sources.ts';
import { runViewRoutes } from './routes/run-views.ts';
import { webhooksRoutes } from './routes/webhooks.ts';
import { botServiceWebhookControl } from './webhook-control.ts';

export const API_VERSION = '1.0.0';

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const now = deps.clock ?? Date.now;
  const cfg = deps.config.config;
  const users = new UsersRepo(deps.store.db, deps.scrypt);
  const ctx: ServerContext = {
    deps, users, now, startedAt: now(),
    limiter: new AttemptLimiter(() => deps.config.config.server.loginAttemptsPerMinute, 60_000),
    audit(req, action, entity, entityId, before, after) {
      deps.store.journal.audit({ ts: now(), actor: req.user?.name ?? 'anonymous', action, entity, entityId, before, after });
    },
  };
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: cfg.server.bodyLimitBytes,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: true } },
    return503OnClosing: true,
    // Router-level errors (param too long, bad URL encoding) get the same JSON error body as everything else.
    frameworkErrors: (err, req, reply) => errorHandler(err, req, reply),
  });
  app.decorateRequest('user', null);
  app.addSchema(ErrorResponse);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req) => {
    throw httpError('NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}; the API is described at /api/docs`);
  });

  await app.register(swagger, {
    openapi: {
      info: { title: 'tradelab API', version: API_VERSION, description: 'Bots, orders, results, reports and settings of a tradelab server.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, basic: { type: 'http', scheme: 'basic' } } },
      security: [{ bearer: [] }, { basic: [] }],
    },
    refResolver: { buildLocalReference: (json, _base, _frag, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  app.addHook('onRequest', authHook(ctx));
  // A POST without a body is an empty object, so body-less actions (start, pause, kill) validate against their schema.
  app.addHook('preValidation', (req, _reply, done) => {
    if (req.body === undefined && req.method !== 'GET' && req.method !== 'HEAD') req.body = {};
    done();
  });

  app.get('/api/openapi.json', {
    config: { access: 'public' },
    schema: { hide: true, response: { 200: Type.Record(Type.String(), Type.Unknown()) } },
  }, async () => app.swagger());

  systemRoutes(app, ctx);
  authRoutes(app, ctx);
  userRoutes(app, ctx);
  strategyRoutes(app, ctx);
  resultRoutes(app, ctx);
  marketRoutes(app, ctx);
  tradingRoutes(app, ctx);
  reportRoutes(app, ctx);
  botRoutes(app, ctx);
  marketClosesRoutes(app, ctx);
  promotionRoutes(app, ctx);
  botActivityRoutes(app, ctx);
  dataSourceRoutes(app, ctx);
  runViewRoutes(app, ctx);
  const jobs = jobRoutes(app, ctx);
  await app.register(async (scope) => wsRoutes(scope, ctx, [jobs]));
  // TradingView webhook: secret TRADELAB_WEBHOOK_SECRET (environment or secrets directory), settings webhooks.tradingview.
  await webhooksRoutes(app, {
    secret: deps.config.secrets.TRADELAB_WEBHOOK_SECRET?.value, tradingview: () => deps.config.config.webhooks.tradingview,
    control: deps.webhookControl ?? botServiceWebhookControl(deps.bots, deps.store), store: deps.store, now,
  });
  for (const r of deps.routes ?? []) await r(app, ctx);
  return app;
}
