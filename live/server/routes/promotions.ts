/**
 * Promotion with sign-off: a backtest run → a paper bot (operator), a paper bot → live (admin). GET shows the
 * evidence checklist (promotions.ts); POST is the sign-off: refused with 409 PROMOTION_EVIDENCE_MISSING (each missing
 * item in details.missing) until every item holds, refused with 409 LIVE_TRADING_DISABLED while live trading is off;
 * otherwise it creates the paper bot from the run's strategy, parameters and market, or promotes the paper bot
 * through the bot service. Every sign-off, and every refused one, is an audit row (entity 'promotion', entityId
 * 'run:<id>' or 'bot:<id>') with the evidence as it stood; a created bot also gets its api.bot.create row.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { TradelabError } from '../../../engine/errors.ts';
import { httpError } from '../errors.ts';
import { AnyObject, BotSchema, Id, responses } from '../schemas.ts';
import type { ServerContext } from '../context.ts';
import type { BotRow } from '../../state/types.ts';
import {
  EVIDENCE_IDS, ResultsIndex, missingText, moneyEvidence, researchEvidence, subjectOfBot, subjectOfRun,
  type EvidenceItem, type PromotionStage, type PromotionSubject,
} from '../promotions.ts';

const Job = Type.Union([Type.Object({ kind: Type.String(), args: AnyObject }), Type.Null()]);
const Item = Type.Object({
  id: Type.Union(EVIDENCE_IDS.map((i) => Type.Literal(i))), label: Type.String(), ok: Type.Boolean(), detail: Type.String(),
  resultId: Type.Union([Type.String(), Type.Null()]), job: Job,
});
const Subject = Type.Object({
  source: Type.Union([Type.Literal('run'), Type.Literal('bot')]), id: Type.String(),
  strategy: Type.Object({ id: Type.String(), ref: Type.String(), kind: Type.String() }), params: AnyObject,
  symbol: Type.String(), symbols: Type.Array(Type.String()), timeframe: Type.String(), exchange: Type.Union([Type.String(), Type.Null()]),
  from: Type.Union([Type.String(), Type.Null()]), to: Type.Union([Type.String(), Type.Null()]),
});
const History = Type.Object({ id: Type.Integer(), ts: Type.Number(), actor: Type.String(), action: Type.String(), after: Type.Unknown() });
const Evidence = Type.Object({
  stage: Type.Union([Type.Literal('paper'), Type.Literal('live')]),
  /** Least role that may sign off this stage. */
  signOffRole: Type.Union([Type.Literal('operator'), Type.Literal('admin')]),
  subject: Subject,
  evidence: Type.Array(Item),
  /** Items the sign-off form supplies (run → paper: risk and budget come with the sign-off). */
  fromSignOff: Type.Array(Type.String()),
  ready: Type.Boolean(),
  liveTradingEnabled: Type.Boolean(),
  /** Paper → live: the bot as it is (null for a run). */
  bot: Type.Union([BotSchema, Type.Null()]),
  history: Type.Array(History),
});
const RunParams = Type.Object({ runId: Id });
const BotParams = Type.Object({ botId: Id });
const Name = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' });
const Exchange = Type.String({ minLength: 1, maxLength: 40, pattern: '^[a-z0-9]+$' });
const Limit = Type.Object({ pct: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100 })), abs: Type.Optional(Type.Number({ exclusiveMinimum: 0 })) }, { additionalProperties: false, minProperties: 1 });
const Note = Type.String({ maxLength: 500, description: 'why this is signed off (kept in the audit log)' });
const PaperBody = Type.Object({
  name: Name, exchange: Exchange,
  budget: Type.Number({ exclusiveMinimum: 0, maximum: 1e12 }),
  risk: Type.Object({ stopLoss: Type.Optional(Limit), drawdown: Type.Optional(Limit), dailyLoss: Type.Optional(Limit), weeklyLoss: Type.Optional(Limit) }, { additionalProperties: false }),
  note: Type.Optional(Note),
}, { additionalProperties: false });
const LiveBody = Type.Object({
  inPlace: Type.Boolean({ description: 'true: the paper bot itself becomes live (keeps its history); false: a new live bot newName' }),
  newName: Type.Optional(Name), exchange: Type.Optional(Exchange), note: Type.Optional(Note),
}, { additionalProperties: false });
const PaperResult = Type.Object({ bot: BotSchema, evidence: Type.Array(Item) });

const botView = (b: BotRow) => ({
  id: b.id, name: b.name, strategy: b.strategy, params: b.params, symbols: b.symbols, exchange: b.exchange, mode: b.mode, status: b.status,
  budget: b.budget, risk: b.risk, runUntil: b.runUntil, createdAt: b.createdAt, updatedAt: b.updatedAt,
});
const subjectView = (s: PromotionSubject) => ({ source: s.source, id: s.id, strategy: s.strategy, params: { ...s.params }, symbol: s.symbol, symbols: [...s.symbols], timeframe: s.timeframe, exchange: s.exchange, from: s.from, to: s.to });

export function promotionRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { store, bots } = ctx.deps;
  const resultsDir = () => ctx.deps.config.config.paths.resultsDir;
  const results = new ResultsIndex(resultsDir);
  const liveEnabled = () => ctx.deps.config.config.liveTradingEnabled;

  function runSubject(runId: string): PromotionSubject {
    const m = results.manifest(runId);
    if (!m) {
      if (existsSync(join(resultsDir(), runId, 'manifest.json'))) throw httpError('RUN_UNREADABLE', `the manifest.json of run '${runId}' is not valid JSON`);
      throw httpError('RUN_NOT_FOUND', `no run '${runId}' in ${resultsDir()} (GET /api/results lists them)`);
    }
    return subjectOfRun(runId, m);
  }
  function paperBot(botId: string): BotRow {
    const b = store.bots.get(botId);
    if (!b) throw httpError('BOT_NOT_FOUND', `no bot '${botId}' (GET /api/bots lists them)`);
    if (b.mode !== 'paper') throw httpError('PROMOTION_SOURCE_INVALID', `only a paper bot goes live; bot '${botId}' is a ${b.mode} bot${b.mode === 'replay' ? ' (promote its run to a paper bot first)' : ''}`);
    return b;
  }
  const botSubject = (b: BotRow) => subjectOfBot(b, (store.bots.getState(b.id, '', 'runner') ?? null) as Record<string, unknown> | null);
  const history = (entityId: string) => store.journal.listAudit({ entity: 'promotion', entityId, limit: 50 }).map((r) => ({ id: r.id, ts: r.ts, actor: r.actor, action: r.action, after: r.after }));
  const evidenceOf = (s: PromotionSubject, bot: BotRow | null) =>
    [...researchEvidence(results, s), ...(bot ? moneyEvidence(bot.risk, bot.budget) : [])];

  function refuse(req: FastifyRequest, entityId: string, stage: PromotionStage, e: TradelabError, evidence: readonly EvidenceItem[]): never {
    ctx.audit(req, `api.promotion.${stage}.refused`, 'promotion', entityId, null, { code: e.code, message: e.message, evidence: evidence.map(({ id, ok, detail }) => ({ id, ok, detail })) });
    throw e;
  }

  app.get<{ Params: Static<typeof RunParams> }>('/api/promotions/run/:runId', {
    config: { access: 'viewer' },
    schema: { tags: ['promotions'], summary: 'Evidence for promoting a backtest run to a paper bot (risk and budget come with the sign-off)', params: RunParams, response: responses(Evidence) },
  }, async (req) => {
    const s = runSubject(req.params.runId);
    const evidence = evidenceOf(s, null);
    return {
      stage: 'paper' as const, signOffRole: 'operator' as const, subject: subjectView(s), evidence, fromSignOff: ['risk', 'budget'],
      ready: evidence.every((i) => i.ok), liveTradingEnabled: liveEnabled(), bot: null, history: history(`run:${s.id}`),
    };
  });

  app.post<{ Params: Static<typeof RunParams>; Body: Static<typeof PaperBody> }>('/api/promotions/run/:runId', {
    config: { access: 'operator' },
    schema: { tags: ['promotions'], summary: 'Sign off a run: create a paper bot from its strategy, parameters and market (409 with the missing evidence)', params: RunParams, body: PaperBody, response: responses(PaperResult, 201) },
  }, async (req, reply) => {
    const s = runSubject(req.params.runId);
    const { name, exchange, budget, risk, note } = req.body;
    const entityId = `run:${s.id}`;
    const evidence = [...evidenceOf(s, null), ...moneyEvidence(risk, budget)];
    if (!ctx.deps.config.config.exchanges[exchange]) {
      refuse(req, entityId, 'paper', httpError('EXCHANGE_NOT_FOUND', `exchange '${exchange}' is not configured; configured: ${Object.keys(ctx.deps.config.config.exchanges).join(', ')}`), evidence);
    }
    const missing = evidence.filter((i) => !i.ok);
    if (missing.length) {
      refuse(req, entityId, 'paper', httpError('PROMOTION_EVIDENCE_MISSING', `run '${s.id}' cannot become a paper bot yet: ${missingText(missing)}`,
        { missing: missing.map(({ id, label, detail }) => ({ id, label, detail })) }), evidence);
    }
    const b = await bots.create({
      name, strategy: s.strategy.ref, params: { ...s.params }, symbols: [...s.symbols], exchange, mode: 'paper', budget, risk,
      settings: { ...s.settings, timeframe: s.timeframe },
    }, req.user!.name);
    ctx.audit(req, 'api.bot.create', 'bot', b.id, null, { ...botView(b), promotedFrom: entityId });
    ctx.audit(req, 'api.promotion.paper', 'promotion', entityId, { run: s.id }, {
      botId: b.id, signedOffBy: req.user!.name, role: req.user!.role, note: note ?? null,
      evidence: evidence.map(({ id, ok, detail, resultId }) => ({ id, ok, detail, resultId })),
    });
    return reply.status(201).send({ bot: botView(b), evidence });
  });

  app.get<{ Params: Static<typeof BotParams> }>('/api/promotions/bot/:botId', {
    config: { access: 'viewer' },
    schema: { tags: ['promotions'], summary: 'Evidence for promoting a paper bot to live', params: BotParams, response: responses(Evidence) },
  }, async (req) => {
    const b = paperBot(req.params.botId);
    const s = botSubject(b);
    const evidence = evidenceOf(s, b);
    return {
      stage: 'live' as const, signOffRole: 'admin' as const, subject: subjectView(s), evidence, fromSignOff: [],
      ready: evidence.every((i) => i.ok), liveTradingEnabled: liveEnabled(), bot: botView(b), history: history(`bot:${b.id}`),
    };
  });

  app.post<{ Params: Static<typeof BotParams>; Body: Static<typeof LiveBody> }>('/api/promotions/bot/:botId', {
    config: { access: 'admin' },
    schema: { tags: ['promotions'], summary: 'Sign off a paper bot for live trading (409 while LIVE_TRADING_ENABLED is false, or with the missing evidence)', params: BotParams, body: LiveBody, response: responses(BotSchema) },
  }, async (req) => {
    const before = paperBot(req.params.botId);
    const s = botSubject(before);
    const entityId = `bot:${before.id}`;
    const evidence = evidenceOf(s, before);
    const missing = evidence.filter((i) => !i.ok);
    if (!liveEnabled()) {
      refuse(req, entityId, 'live', new TradelabError('LIVE_TRADING_DISABLED', 'config',
        `live trading is disabled on this server (LIVE_TRADING_ENABLED is false): bot '${before.id}' cannot go live. Set LIVE_TRADING_ENABLED=true in the server's environment and restart it to allow live promotion`,
        { details: { missing: missing.map(({ id, label, detail }) => ({ id, label, detail })) } }), evidence);
    }
    if (missing.length) {
      refuse(req, entityId, 'live', httpError('PROMOTION_EVIDENCE_MISSING', `bot '${before.id}' cannot go live yet: ${missingText(missing)}`,
        { missing: missing.map(({ id, label, detail }) => ({ id, label, detail })) }), evidence);
    }
    if (!req.body.inPlace && req.body.newName === undefined) throw httpError('NEW_NAME_REQUIRED', 'promotion to a new live bot needs body.newName (or inPlace: true)');
    const b = await bots.promote(before.id, { inPlace: req.body.inPlace, newName: req.body.newName, exchange: req.body.exchange }, req.user!.name);
    ctx.audit(req, 'api.bot.promote', 'bot', b.id, botView(before), botView(b));
    ctx.audit(req, 'api.promotion.live', 'promotion', entityId, { bot: before.id, mode: before.mode }, {
      botId: b.id, inPlace: req.body.inPlace, signedOffBy: req.user!.name, role: req.user!.role, note: req.body.note ?? null,
      evidence: evidence.map(({ id, ok, detail, resultId }) => ({ id, ok, detail, resultId })),
    });
    return botView(b);
  });
}
