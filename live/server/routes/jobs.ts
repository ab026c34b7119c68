/**
 * Background research jobs (live/server/jobs.ts): start a backtest, sweep or walk-forward (operator), list them, read
 * one, cancel one (operator). Every creation and cancellation is audited. Progress and completion go to the websocket
 * as `job.progress` / `job.done`. The manager is created here and closed (children killed) when the server closes.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { AnyObject, EmptyBody, Id, responses } from '../schemas.ts';
import type { ServerContext } from '../context.ts';
import { JOB_KINDS, JobManager, type JobKindSpec } from '../jobs.ts';

const JobS = Type.Object({
  id: Type.String(), kind: Type.String(),
  status: Type.Union(['queued', 'running', 'done', 'failed', 'cancelled'].map((s) => Type.Literal(s))),
  progress: Type.Number({ minimum: 0, maximum: 1 }), message: Type.String(), args: AnyObject, actor: Type.String(),
  createdAt: Type.Number(), startedAt: Type.Union([Type.Number(), Type.Null()]), finishedAt: Type.Union([Type.Number(), Type.Null()]),
  resultRunId: Type.Union([Type.String(), Type.Null()]), error: Type.Union([Type.String(), Type.Null()]),
});
const CreateBody = Type.Object({
  kind: Type.String({ minLength: 1, maxLength: 40, description: `one of: ${Object.keys(JOB_KINDS).join(', ')}` }),
  args: Type.Record(Type.String(), Type.Unknown(), { description: 'the kind\'s arguments (GET /api/jobs/kinds gives each schema)' }),
}, { additionalProperties: false });
const IdParams = Type.Object({ id: Id });

export interface JobRoutesOptions {
  readonly kinds?: Readonly<Record<string, JobKindSpec>>;
  /** Command of the child process (tests); default node + research/bin/tradelab.js. */
  readonly command?: readonly string[];
}

/** Registers the job routes and returns the manager (an event source for the websocket). */
export function jobRoutes(app: FastifyInstance, ctx: ServerContext, opts: JobRoutesOptions = {}): JobManager {
  const cfg = ctx.deps.config.config;
  const childEnv: Record<string, string> = { TRADELAB_HOME: cfg.paths.home, TRADELAB_RESULTS: cfg.paths.resultsDir, TRADELAB_CACHE: cfg.paths.cacheDir };
  if (cfg.paths.sampleDataDir) childEnv.TRADELAB_SAMPLE_DATA = cfg.paths.sampleDataDir;
  const jobs = new JobManager({
    kinds: opts.kinds, command: opts.command, maxConcurrent: cfg.server.maxJobs ?? 1, childEnv,
    env: { sampleDataDir: cfg.paths.sampleDataDir }, now: ctx.now,
  });
  app.addHook('onClose', async () => { await jobs.close(); });

  app.get('/api/jobs/kinds', {
    config: { access: 'viewer' },
    schema: { tags: ['jobs'], summary: 'The kinds of background job and the JSON Schema of their args', response: responses(Type.Array(Type.Object({ kind: Type.String(), summary: Type.String(), args: AnyObject }))) },
  }, async () => Object.entries(jobs.kinds).map(([kind, k]) => ({ kind, summary: k.summary, args: JSON.parse(JSON.stringify(k.args)) as Record<string, unknown> })));

  app.get('/api/jobs', {
    config: { access: 'viewer' },
    schema: { tags: ['jobs'], summary: 'Background jobs of this server process, newest first', response: responses(Type.Array(JobS)) },
  }, async () => jobs.list());

  app.get<{ Params: Static<typeof IdParams> }>('/api/jobs/:id', {
    config: { access: 'viewer' },
    schema: { tags: ['jobs'], summary: 'One job: status, progress, result run id or error', params: IdParams, response: responses(JobS) },
  }, async (req) => jobs.require(req.params.id));

  app.post<{ Body: Static<typeof CreateBody> }>('/api/jobs', {
    config: { access: 'operator' },
    schema: { tags: ['jobs'], summary: 'Start a backtest, sweep or walk-forward in the background (queued beyond server.maxJobs)', body: CreateBody, response: responses(JobS, 201) },
  }, async (req, reply) => {
    const job = jobs.create(req.body.kind, req.body.args, req.user!.name);
    ctx.audit(req, 'api.job.create', 'job', job.id, null, { kind: job.kind, args: job.args });
    return reply.code(201).send(job);
  });

  const cancel = async (req: { params: Static<typeof IdParams> } & Parameters<ServerContext['audit']>[0]) => {
    const before = jobs.require(req.params.id);
    const after = jobs.cancel(req.params.id);
    ctx.audit(req, 'api.job.cancel', 'job', after.id, { status: before.status }, { status: after.status });
    return after;
  };
  app.post<{ Params: Static<typeof IdParams> }>('/api/jobs/:id/cancel', {
    config: { access: 'operator' },
    schema: { tags: ['jobs'], summary: 'Cancel a queued or running job (its process is killed)', params: IdParams, body: EmptyBody, response: responses(JobS) },
  }, async (req) => cancel(req));
  app.delete<{ Params: Static<typeof IdParams> }>('/api/jobs/:id', {
    config: { access: 'operator' },
    schema: { tags: ['jobs'], summary: 'Same as POST /api/jobs/:id/cancel', params: IdParams, body: EmptyBody, response: responses(JobS) },
  }, async (req) => cancel(req));
  return jobs;
}
