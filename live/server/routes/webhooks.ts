/**
 * `POST /api/webhooks/tradingview`: TradingView alerts resume, pause or stop the bots trading a symbol.
 *
 * TradingView cannot set headers, so the shared secret and the timestamp may travel in the JSON body
 * (`secret`, `timestamp`, e.g. `"timestamp": "{{timenow}}"`); `X-Tradelab-Secret` and `X-Tradelab-Timestamp`
 * headers are accepted too and win. Checks, in order:
 *   body schema (400 VALIDATION_FAILED naming the field) → secret, compared in constant time on SHA-256 digests
 *   (401 WEBHOOK_AUTH_FAILED) → timestamp present and readable (400) and within ±maxSkewSeconds of the server clock
 *   (401 WEBHOOK_STALE) → action known (400 WEBHOOK_UNKNOWN_ACTION) → not seen before: same (timestamp, SHA-256 of
 *   the canonical payload) → 409 WEBHOOK_REPLAY → bots for the symbol (404 WEBHOOK_UNKNOWN_SYMBOL) → command.
 * Each authenticated, fresh alert is stored in `webhook_alerts` (with its outcome) and audited as
 * `webhook.tradingview`. The route is public to the API's auth hook (`config.access = 'public'`): the secret is
 * its authentication.
 *
 * A Fastify plugin usable on any instance: `await app.register(webhooksRoutes, deps)` or `await webhooksRoutes(app, deps)`
 * (both register an encapsulated scope, so its text/plain parser never leaks into the rest of the app).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Secret } from '../../secrets/index.ts';
import type { StateStore } from '../../state/store.ts';
import { WebhookAlertsRepo, type BotOutcome, type WebhookCommand, type WebhookStatus } from './webhooks-store.ts';

export type { WebhookCommand } from './webhooks-store.ts';

/**
 * A bot as the runtime reports it for a symbol. With `status`, a repeated command is a no-op and an
 * emergency-stopped bot is never resumed by a webhook (manual resume only); the runtime should refuse that too.
 */
export type WebhookBotRef = string | { readonly id: string; readonly status?: string };

/** What the bot runtime provides (the server wires it; tests use an in-memory one). */
export interface WebhookBotControl {
  findBotsBySymbol(symbol: string): readonly WebhookBotRef[] | Promise<readonly WebhookBotRef[]>;
  resume(botId: string, actor: string): unknown;
  pause(botId: string, actor: string): unknown;
  stop(botId: string, actor: string): unknown;
}

export interface TradingViewSettings {
  /** Default true. When false the route answers 404 WEBHOOK_DISABLED. */
  readonly enabled?: boolean;
  /** Replay window: largest |server clock - alert timestamp| accepted (default 300 s). */
  readonly maxSkewSeconds?: number;
  /** Action (case-insensitive) → command; merged over DEFAULT_TRADINGVIEW_ACTIONS. */
  readonly actions?: Readonly<Record<string, WebhookCommand>>;
}

export interface WebhooksDeps {
  /** TRADELAB_WEBHOOK_SECRET; undefined → 503 WEBHOOK_NOT_CONFIGURED. */
  readonly secret: Secret | undefined;
  readonly control: WebhookBotControl;
  readonly store: Pick<StateStore, 'db' | 'journal'>;
  /** The settings, or a function read at every call (settings changed through the API apply at once). */
  readonly tradingview?: TradingViewSettings | (() => TradingViewSettings | undefined);
  readonly now?: () => number;
}

/** The settings in force: replay window and the action map (defaults merged under the configured ones). */
function tradingViewSettings(s: TradingViewSettings | undefined): { enabled: boolean; maxSkewMs: number; actions: Map<string, WebhookCommand> } {
  const tv = s ?? {};
  const actions = new Map<string, WebhookCommand>();
  for (const [k, v] of Object.entries({ ...DEFAULT_TRADINGVIEW_ACTIONS, ...(tv.actions ?? {}) })) actions.set(k.toLowerCase(), v);
  return { enabled: tv.enabled !== false, maxSkewMs: Math.max(1, tv.maxSkewSeconds ?? DEFAULT_MAX_SKEW_SECONDS) * 1000, actions };
}

export const DEFAULT_TRADINGVIEW_ACTIONS: Readonly<Record<string, WebhookCommand>> = Object.freeze({
  buy: 'resume', long: 'resume', sell: 'pause', short: 'pause', close: 'stop',
});
export const DEFAULT_MAX_SKEW_SECONDS = 300;
export const WEBHOOK_ACTOR = 'webhook:tradingview';
export const SECRET_HEADER = 'x-tradelab-secret';
export const TIMESTAMP_HEADER = 'x-tradelab-timestamp';

const NUMERIC = '^[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?$';

export const TradingViewBody = Type.Object({
  symbol: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9:/._-]*$', description: 'e.g. BTC/USDT, BTCUSDT or BINANCE:BTCUSDT ({{ticker}})' }),
  action: Type.String({ minLength: 1, maxLength: 32, pattern: '^[A-Za-z_-]+$', description: 'buy/long → resume, sell/short → pause, close → stop (configurable)' }),
  price: Type.Optional(Type.Union([Type.Number({ minimum: 0 }), Type.String({ maxLength: 40, pattern: NUMERIC })])),
  zone: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Number()])),
  secret: Type.Optional(Type.String({ minLength: 1, maxLength: 512, description: 'the shared secret (or header X-Tradelab-Secret)' })),
  timestamp: Type.Optional(Type.Union([Type.Number(), Type.String({ minLength: 1, maxLength: 64 })], { description: 'epoch s or ms, or ISO 8601 ({{timenow}}); or header X-Tradelab-Timestamp' })),
}, { additionalProperties: false });
export type TradingViewPayload = Static<typeof TradingViewBody>;

const BotOutcomeS = Type.Object({ botId: Type.String(), ok: Type.Boolean(), note: Type.Optional(Type.String()), error: Type.Optional(Type.String()) });
const Accepted = Type.Object({
  id: Type.Integer(), status: Type.String(), symbol: Type.String(), action: Type.String(), command: Type.String(), bots: Type.Array(BotOutcomeS),
});
const ErrorBodyS = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String(), details: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]) }),
});

/** Quote currencies recognised when a TradingView ticker has no slash (BTCUSDT → BTC/USDT), longest first. */
const QUOTES = ['FDUSD', 'USDT', 'USDC', 'BUSD', 'TUSD', 'USD', 'DAI', 'EUR', 'GBP', 'TRY', 'BTC', 'ETH', 'BNB'];

/** The symbols tried, in order: as sent; without an `EXCHANGE:` prefix, upper-cased; with a slash before the quote. */
export function symbolCandidates(raw: string): string[] {
  const out = [raw];
  let s = raw.trim();
  const colon = s.indexOf(':');
  if (colon > 0 && !s.slice(0, colon).includes('/')) s = s.slice(colon + 1);
  s = s.toUpperCase();
  out.push(s);
  if (!s.includes('/')) {
    const q = QUOTES.find((x) => s.endsWith(x) && s.length > x.length);
    if (q) out.push(`${s.slice(0, -q.length)}/${q}`);
  }
  return [...new Set(out)];
}

/** Epoch ms from seconds, milliseconds or ISO 8601 text; undefined when unreadable. */
export function parseAlertTimestamp(v: unknown): number | undefined {
  if (typeof v === 'string') {
    const t = v.trim();
    if (t === '') return undefined;
    if (/^[0-9]+(\.[0-9]+)?$/.test(t)) return parseAlertTimestamp(Number(t));
    const ms = Date.parse(t);
    return Number.isFinite(ms) ? ms : undefined;
  }
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) return undefined;
  return v < 1e11 ? Math.round(v * 1000) : Math.round(v);
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time comparison of two secrets (SHA-256 digests of equal length, so lengths leak nothing). */
export function secretMatches(given: string, expected: Secret): boolean {
  return timingSafeEqual(digest(given), digest(expected.reveal()));
}

function fail(reply: FastifyReply, status: number, code: string, message: string, details: Record<string, unknown> | null = null) {
  return reply.status(status).type('application/json').send({ error: { code, message, details } });
}

const header = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

interface AjvError { instancePath?: string; message?: string; keyword?: string; params?: Record<string, unknown> }

function problems(errs: readonly AjvError[]): { field: string; message: string }[] {
  return errs.map((e) => {
    let field = (e.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
    const p = e.params ?? {};
    const extra = e.keyword === 'required' ? p.missingProperty : e.keyword === 'additionalProperties' ? p.additionalProperty : undefined;
    if (typeof extra === 'string') field = field ? `${field}.${extra}` : extra;
    return { field: field ? `body.${field}` : 'body', message: e.keyword === 'additionalProperties' ? 'is not an allowed field' : e.message ?? 'is invalid' };
  });
}

export async function webhooksRoutes(app: FastifyInstance, deps: WebhooksDeps): Promise<void> {
  await app.register(async (scope) => tradingViewRoute(scope, deps));
}

function tradingViewRoute(app: FastifyInstance, deps: WebhooksDeps): void {
  const now = deps.now ?? Date.now;
  const given = deps.tradingview;
  const fixed = typeof given === 'function' ? undefined : tradingViewSettings(given);
  const current = () => fixed ?? tradingViewSettings((given as () => TradingViewSettings | undefined)());
  const repo = new WebhookAlertsRepo(deps.store.db);

  // Errors raised before the handler (bad JSON, wrong content type, body too large) get the API's error shape here
  // too, so the route behaves the same on a bare Fastify instance and inside buildApp.
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) req.log.error({ err }, 'webhook failed');
    return fail(reply, status, status === 500 ? 'INTERNAL' : err.code ?? 'BAD_REQUEST', status === 500 ? 'internal error: the server log has the details' : err.message);
  });

  // TradingView posts text/plain unless the message is valid JSON; both are parsed as JSON here.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(Object.assign(new Error('the body is not valid JSON: send { "symbol", "action", "secret", "timestamp" }'), { statusCode: 400, code: 'WEBHOOK_BAD_JSON' }), undefined);
    }
  });

  app.post<{ Body: TradingViewPayload }>('/api/webhooks/tradingview', {
    config: { access: 'public' },
    attachValidation: true,
    schema: {
      tags: ['webhooks'],
      summary: 'TradingView alert: resume, pause or stop the bots of a symbol (shared secret, replay-protected)',
      security: [],
      body: TradingViewBody,
      response: { 200: Accepted, 400: ErrorBodyS, 401: ErrorBodyS, 404: ErrorBodyS, 409: ErrorBodyS, 503: ErrorBodyS },
    },
  }, async (req, reply) => {
    const { enabled, maxSkewMs, actions } = current();
    if (!enabled) return fail(reply, 404, 'WEBHOOK_DISABLED', 'the TradingView webhook is disabled (webhooks.tradingview.enabled: false)');
    if (!deps.secret) return fail(reply, 503, 'WEBHOOK_NOT_CONFIGURED', 'the TradingView webhook has no shared secret: set TRADELAB_WEBHOOK_SECRET (environment or secrets directory)');
    if (req.validationError) {
      const list = problems((req.validationError as { validation?: AjvError[] }).validation ?? []);
      return fail(reply, 400, 'VALIDATION_FAILED', `invalid webhook body: ${list.map((p) => `${p.field} ${p.message}`).join('; ') || req.validationError.message}`, { problems: list });
    }
    const body = req.body;
    const given = header(req.headers[SECRET_HEADER]) ?? body.secret;
    if (given === undefined || !secretMatches(given, deps.secret)) {
      return fail(reply, 401, 'WEBHOOK_AUTH_FAILED', `missing or wrong shared secret (body field "secret" or header ${SECRET_HEADER})`);
    }
    const rawTs = header(req.headers[TIMESTAMP_HEADER]) ?? body.timestamp;
    if (rawTs === undefined) return fail(reply, 400, 'WEBHOOK_TIMESTAMP_REQUIRED', `a timestamp is required (body field "timestamp", e.g. "{{timenow}}", or header ${TIMESTAMP_HEADER})`);
    const alertTs = parseAlertTimestamp(rawTs);
    if (alertTs === undefined) return fail(reply, 400, 'WEBHOOK_TIMESTAMP_INVALID', `timestamp ${JSON.stringify(rawTs)} is not epoch seconds, epoch milliseconds or an ISO 8601 date`);
    const received = now();
    if (Math.abs(received - alertTs) > maxSkewMs) {
      return fail(reply, 401, 'WEBHOOK_STALE', `timestamp ${new Date(alertTs).toISOString()} is ${Math.round((received - alertTs) / 1000)} s from the server clock; at most ±${maxSkewMs / 1000} s is accepted`, { alertTs, serverTs: received });
    }
    const action = body.action.toLowerCase();
    const command = actions.get(action);
    if (command === undefined) {
      return fail(reply, 400, 'WEBHOOK_UNKNOWN_ACTION', `action '${body.action}' is not mapped; allowed: ${[...actions.keys()].join(', ')}`, { allowed: [...actions.keys()] });
    }
    const price = body.price === undefined ? null : Number(body.price);
    const zone = body.zone === undefined ? null : String(body.zone);
    const bodyHash = createHash('sha256').update(JSON.stringify([body.symbol, action, price, zone])).digest('hex');
    const id = repo.insert({ ts: received, source: 'tradingview', alertTs, bodyHash, symbol: body.symbol, action, command, price, zone });
    if (id === undefined) {
      return fail(reply, 409, 'WEBHOOK_REPLAY', `this alert (timestamp ${new Date(alertTs).toISOString()}, same symbol, action, price and zone) was already received`);
    }

    let bots: { id: string; status?: string }[] = [];
    let matched = body.symbol;
    try {
      for (const candidate of symbolCandidates(body.symbol)) {
        const found = (await deps.control.findBotsBySymbol(candidate)).map((b) => (typeof b === 'string' ? { id: b } : b));
        if (found.length) { bots = found; matched = candidate; break; }
      }
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      repo.settle(id, 'failed', []);
      deps.store.journal.audit({ ts: received, actor: WEBHOOK_ACTOR, action: 'webhook.tradingview', entity: 'webhook', entityId: String(id), before: null, after: { symbol: body.symbol, action, command, status: 'failed', error } });
      return fail(reply, 503, 'WEBHOOK_BOTS_UNAVAILABLE', `could not look up the bots of '${body.symbol}': ${error}`, { id });
    }
    const outcome: BotOutcome[] = [];
    let status: WebhookStatus;
    if (bots.length === 0) {
      status = 'unknown-symbol';
    } else if (command === 'ignore') {
      status = 'ignored';
      for (const b of bots) outcome.push({ botId: b.id, ok: true, note: 'ignored' });
    } else {
      const target = command === 'resume' ? 'running' : command === 'pause' ? 'paused' : 'stopped';
      for (const b of bots) {
        if (b.status === target) { outcome.push({ botId: b.id, ok: true, note: `already ${target}` }); continue; }
        if (command === 'resume' && b.status === 'emergency-stopped') {
          outcome.push({ botId: b.id, ok: false, error: `bot '${b.id}' is emergency-stopped: only a person resumes it (never a webhook)` });
          continue;
        }
        try {
          await deps.control[command](b.id, WEBHOOK_ACTOR);
          outcome.push({ botId: b.id, ok: true });
        } catch (e) {
          outcome.push({ botId: b.id, ok: false, error: e instanceof Error ? e.message : String(e) });
        }
      }
      const ok = outcome.filter((o) => o.ok).length;
      status = ok === outcome.length ? 'applied' : ok === 0 ? 'failed' : 'partial';
    }
    repo.settle(id, status, outcome);
    deps.store.journal.audit({
      ts: received, actor: WEBHOOK_ACTOR, action: 'webhook.tradingview', entity: 'webhook', entityId: String(id), before: null,
      after: { symbol: body.symbol, matched, action, command, price, zone, alertTs, status, bots: outcome },
    });
    if (status === 'unknown-symbol') {
      return fail(reply, 404, 'WEBHOOK_UNKNOWN_SYMBOL', `no bot trades '${body.symbol}' (tried ${symbolCandidates(body.symbol).join(', ')})`, { id });
    }
    if (status === 'failed') {
      return fail(reply, 409, 'WEBHOOK_ACTION_FAILED', `${command} failed for every bot of ${matched}: ${outcome.map((o) => `${o.botId}: ${o.error}`).join('; ')}`, { id, bots: outcome });
    }
    return { id, status, symbol: matched, action, command, bots: outcome };
  });
}
