/**
 * Background research jobs of the server: a backtest, sweep, walk-forward, look-ahead check or parity check started
 * from the web UI (the promotion page runs the checks) runs the
 * tradelab CLI as a child process (`node research/bin/tradelab.js <command> ... --json`; live/ may not import
 * research/), with the server's TRADELAB_HOME / TRADELAB_RESULTS / TRADELAB_SAMPLE_DATA. The CLI writes the run
 * folder under the results directory; the job reads the run id from its JSON on stdout and its progress from the
 * `--progress-json` lines on stderr. At most `maxConcurrent` jobs run at once (server.maxJobs), the rest wait in a
 * FIFO queue; close() kills the running ones.
 *
 * A job kind is one entry of JOB_KINDS: its TypeBox args schema, optional semantic checks, the CLI arguments it
 * runs, and where the run id is in the CLI's JSON. Adding a kind (e.g. 'check-lookahead', 'parity') = adding one entry.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, resolve, sep } from 'node:path';
import { Type, type Static, type TObject } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { isTradelabError } from '../../engine/errors.ts';
import type { AnyStrategy } from '../../engine/strategy.ts';
import { resolveBotStrategy } from '../bots/strategies.ts';
import { httpError } from './errors.ts';
import type { LiveEvent } from './bot-service.ts';

/** The tradelab CLI entry point (a path, not an import: live/ does not import research/). */
export const TRADELAB_CLI = resolve(import.meta.dirname, '../../research/bin/tradelab.js');

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface JobView {
  readonly id: string;
  readonly kind: string;
  readonly status: JobStatus;
  /** 0..1 (from the CLI's progress lines; 1 when done). */
  readonly progress: number;
  /** What the job is doing now, for people. */
  readonly message: string;
  readonly args: Readonly<Record<string, unknown>>;
  readonly actor: string;
  readonly createdAt: number;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  /** The run folder's id under the results directory, when done. */
  readonly resultRunId: string | null;
  /** Why it failed (the CLI's error message), when failed. */
  readonly error: string | null;
}

/** What a kind's checks and CLI arguments may use from the server. */
export interface JobEnv {
  /** Folder of candle files a job may read (paths.sampleDataDir, TRADELAB_SAMPLE_DATA); undefined = none. */
  readonly sampleDataDir: string | undefined;
}

export interface JobKindSpec {
  readonly summary: string;
  /** TypeBox schema of the args (checked first; every problem listed with its field). */
  readonly args: TObject;
  /** Checks beyond the schema (strategy exists, parameters known...); returns problems as 'field: message'. */
  check?(args: Record<string, unknown>, env: JobEnv): string[];
  /** The CLI arguments after `tradelab` (the manager appends --json). */
  argv(args: Record<string, unknown>, env: JobEnv): string[];
  /** The run id in the CLI's --json output. */
  resultRunId(out: Record<string, unknown>): string | null;
  /** The CLI prints `--progress-json` lines (sweep, walk-forward); otherwise progress jumps from 0 to 1. */
  readonly progressJson?: boolean;
  /**
   * Exit codes besides 0 that still mean "ran and printed its result" (a check that found a problem exits 1): the job
   * is done with its result id, and the result itself says what was found.
   */
  readonly resultExitCodes?: readonly number[];
}

// ---- argument schemas shared by the kinds ----

const NAME = '^[A-Za-z_][A-Za-z0-9_]*$';
export const StrategyRef = Type.String({ minLength: 1, maxLength: 100, pattern: '^[a-z0-9][a-z0-9-]*(@[0-9A-Za-z.+-]+)?$', description: 'built-in strategy id or id@version (GET /api/strategies)' });
export const ParamsS = Type.Record(Type.String({ pattern: NAME, maxLength: 60 }), Type.Union([Type.Number(), Type.Boolean(), Type.String({ maxLength: 200 })]), { maxProperties: 60 });
const DateS = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?Z?)?$', description: 'UTC date or ISO time' });
export const DataS = Type.Object({
  /** A candle file under the sample data folder (relative to it, or absolute inside it): GET /api/data-sources. */
  file: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  exchange: Type.Optional(Type.String({ minLength: 1, maxLength: 40, pattern: '^[a-z0-9]+$' })),
  symbol: Type.Optional(Type.String({ minLength: 3, maxLength: 40, pattern: '^[A-Za-z0-9]+/[A-Za-z0-9]+(:[A-Za-z0-9]+)?$' })),
  timeframe: Type.Optional(Type.String({ pattern: '^[0-9]+[smhdwM]$' })),
}, { additionalProperties: false, description: 'a file, or exchange + symbol + timeframe of cached candles' });
const FillS = Type.Object({
  cash: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1e12 })),
  feeRate: Type.Optional(Type.Number({ minimum: 0, maximum: 0.1 })),
  slippageBps: Type.Optional(Type.Number({ minimum: 0, maximum: 1000 })),
  fraction: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1 })),
  lotSize: Type.Optional(Type.Number({ minimum: 0 })),
  minNotional: Type.Optional(Type.Number({ minimum: 0 })),
  allowShort: Type.Optional(Type.Boolean()),
  closeAtEnd: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });
const GapsS = Type.Union([Type.Literal('error'), Type.Literal('report'), Type.Literal('ffill')]);

const backtestProps = {
  strategy: StrategyRef,
  params: Type.Optional(ParamsS),
  data: DataS,
  from: Type.Optional(DateS),
  to: Type.Optional(DateS),
  fill: Type.Optional(FillS),
  gaps: Type.Optional(GapsS),
};
export const BacktestArgs = Type.Object(backtestProps, { additionalProperties: false });
const GridS = Type.Record(Type.String({ pattern: NAME, maxLength: 60 }), Type.String({ minLength: 1, maxLength: 300, pattern: '^[^\\s=]+$', description: 'start:stop:step (inclusive) or a,b,c' }), { minProperties: 1, maxProperties: 8 });
const sweepProps = {
  ...backtestProps,
  grid: GridS,
  metric: Type.Optional(Type.String({ pattern: '^[A-Za-z]+$', maxLength: 40 })),
  mode: Type.Optional(Type.Union([Type.Literal('product'), Type.Literal('zip'), Type.Literal('random')])),
  samples: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  seed: Type.Optional(Type.Integer({ minimum: 0 })),
  constraints: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 10 })),
};
export const SweepArgs = Type.Object({ ...sweepProps, saveTop: Type.Optional(Type.Integer({ minimum: 0, maximum: 50 })) }, { additionalProperties: false });
const Window = Type.String({ pattern: '^[0-9]+[mhdw]$', description: 'e.g. 180d, 12h, 4w' });
export const WalkForwardArgs = Type.Object({ ...sweepProps, train: Window, test: Window, anchored: Type.Optional(Type.Boolean()) }, { additionalProperties: false });

// ---- checks and CLI arguments shared by the kinds ----

function strategyOf(args: Record<string, unknown>, problems: string[]): AnyStrategy | null {
  const [id, version] = String(args.strategy).split('@');
  let s: AnyStrategy;
  try {
    s = resolveBotStrategy(id);
  } catch (e) {
    problems.push(`strategy: ${e instanceof Error ? e.message : String(e)}`);
    return null;
  }
  if (version !== undefined && version !== s.version) problems.push(`strategy: '${id}' is at version ${s.version} in this server's code, not ${version}; ask for '${id}' or '${s.ref}'`);
  return s;
}

/** The absolute path of a data file, which must lie inside the sample data folder. */
export function dataFilePath(file: string, env: JobEnv): string {
  if (!env.sampleDataDir) throw httpError('JOB_ARGS_INVALID', 'data.file: this server offers no candle files (set TRADELAB_SAMPLE_DATA); use exchange, symbol and timeframe of cached candles');
  const root = existsSync(env.sampleDataDir) ? realpathSync(env.sampleDataDir) : resolve(env.sampleDataDir);
  const target = isAbsolute(file) ? file : resolve(root, file);
  if (file.includes('\0') || !existsSync(target)) throw httpError('JOB_ARGS_INVALID', `data.file: no file '${file}' in the sample data folder (GET /api/data-sources lists them)`);
  const real = realpathSync(target);
  if (!real.startsWith(root + sep) || !statSync(real).isFile()) throw httpError('JOB_ARGS_INVALID', `data.file: '${file}' is not a file inside the sample data folder (GET /api/data-sources lists them)`);
  return real;
}

function checkData(args: Record<string, unknown>, env: JobEnv, problems: string[]): void {
  const d = (args.data ?? {}) as Static<typeof DataS>;
  if (d.file !== undefined) {
    try { dataFilePath(d.file, env); } catch (e) { problems.push(e instanceof Error ? e.message : String(e)); }
  } else {
    const missing = (['exchange', 'symbol', 'timeframe'] as const).filter((k) => d[k] === undefined);
    if (missing.length) problems.push(`data: give a file, or exchange, symbol and timeframe of cached candles (missing: ${missing.join(', ')})`);
  }
  if (typeof args.from === 'string' && typeof args.to === 'string' && Date.parse(args.from) > Date.parse(args.to)) problems.push(`to: ${args.to} is before from ${args.from}`);
}

function checkBacktest(args: Record<string, unknown>, env: JobEnv): string[] {
  const problems: string[] = [];
  const s = strategyOf(args, problems);
  if (s) {
    try { s.resolveParams((args.params ?? {}) as Record<string, unknown>); } catch (e) {
      const list = isTradelabError(e) && Array.isArray(e.details?.problems) ? (e.details.problems as string[]) : [e instanceof Error ? e.message : String(e)];
      for (const p of list) problems.push(`params: ${p}`);
    }
  }
  checkData(args, env, problems);
  return problems;
}

function checkSearch(args: Record<string, unknown>, env: JobEnv): string[] {
  const problems: string[] = [];
  const s = strategyOf(args, problems);
  if (s) {
    if (s.kind !== 'signal') problems.push(`strategy: '${s.id}' places orders; sweeps and walk-forwards run signal strategies only`);
    const names = Object.keys((s.params as TObject).properties ?? {});
    for (const k of Object.keys((args.params ?? {}) as object)) if (!names.includes(k)) problems.push(`params.${k}: unknown parameter of '${s.id}' (parameters: ${names.join(', ')})`);
    for (const k of Object.keys((args.grid ?? {}) as object)) if (!names.includes(k)) problems.push(`grid.${k}: unknown parameter of '${s.id}' (parameters: ${names.join(', ')})`);
  }
  checkData(args, env, problems);
  return problems;
}

const FILL_FLAGS: Record<string, string> = { cash: '--cash', feeRate: '--fee-rate', slippageBps: '--slippage-bps', fraction: '--fraction', lotSize: '--lot-size', minNotional: '--min-notional' };

function backtestArgv(args: Record<string, unknown>, env: JobEnv): string[] {
  // the CLI takes the id; a version asked for was checked against this code's in check()
  const out = ['--strategy', String(args.strategy).split('@')[0]];
  const d = args.data as Static<typeof DataS>;
  if (d.file !== undefined) out.push('--data', dataFilePath(d.file, env));
  if (d.exchange !== undefined) out.push('--exchange', d.exchange);
  if (d.symbol !== undefined) out.push('--symbol', d.symbol);
  if (d.timeframe !== undefined) out.push('--timeframe', d.timeframe);
  if (typeof args.from === 'string') out.push('--from', args.from);
  if (typeof args.to === 'string') out.push('--to', args.to);
  if (typeof args.gaps === 'string') out.push('--gaps', args.gaps);
  for (const [k, v] of Object.entries((args.params ?? {}) as Record<string, unknown>)) out.push('--param', `${k}=${String(v)}`);
  const fill = (args.fill ?? {}) as Static<typeof FillS>;
  for (const [k, flag] of Object.entries(FILL_FLAGS)) {
    const v = fill[k as keyof typeof fill];
    if (v !== undefined) out.push(`${flag}=${String(v)}`);
  }
  if (fill.allowShort) out.push('--allow-short');
  if (fill.closeAtEnd) out.push('--close-at-end');
  return out;
}

function searchArgv(args: Record<string, unknown>, env: JobEnv): string[] {
  const out = backtestArgv(args, env);
  for (const [k, v] of Object.entries(args.grid as Record<string, string>)) out.push('--grid', `${k}=${v}`);
  if (typeof args.metric === 'string') out.push('--metric', args.metric);
  if (typeof args.mode === 'string') out.push('--mode', args.mode);
  if (typeof args.samples === 'number') out.push('--samples', String(args.samples));
  if (typeof args.seed === 'number') out.push('--seed', String(args.seed));
  for (const c of (args.constraints ?? []) as string[]) out.push('--constraint', c);
  // one worker thread: jobs share the server's cores with the API and the bots
  out.push('--workers', '1', '--progress-json');
  return out;
}

export const CheckLookaheadArgs = Type.Object({
  strategy: StrategyRef, params: Type.Optional(ParamsS), data: DataS, from: Type.Optional(DateS), to: Type.Optional(DateS), gaps: Type.Optional(GapsS),
  cuts: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, description: 'cut points (default 50)' })),
  seed: Type.Optional(Type.Integer({ minimum: 0 })),
}, { additionalProperties: false });
export const ParityArgs = Type.Object({
  strategy: StrategyRef, params: Type.Optional(ParamsS), data: DataS, from: Type.Optional(DateS), to: Type.Optional(DateS),
  fill: Type.Optional(Type.Object({ cash: FillS.properties.cash, feeRate: FillS.properties.feeRate, slippageBps: FillS.properties.slippageBps, fraction: FillS.properties.fraction }, { additionalProperties: false })),
  tolerance: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 0.01 })),
}, { additionalProperties: false });

const checkIdOf = (out: Record<string, unknown>): string | null => (typeof out.checkId === 'string' ? out.checkId : null);

const manifestField = (field: string) => (out: Record<string, unknown>): string | null => {
  const m = out.manifest as Record<string, unknown> | undefined;
  return typeof m?.[field] === 'string' ? (m[field] as string) : null;
};

/** The kinds of job: add one entry here to offer another CLI command as a job. */
export const JOB_KINDS: Readonly<Record<string, JobKindSpec>> = {
  backtest: {
    summary: 'one strategy over candles (tradelab backtest)',
    args: BacktestArgs, check: checkBacktest,
    argv: (a, env) => ['backtest', ...backtestArgv(a, env)],
    resultRunId: manifestField('runId'),
  },
  sweep: {
    summary: 'a strategy over a grid of parameters (tradelab sweep)',
    args: SweepArgs, check: checkSearch, progressJson: true,
    argv: (a, env) => ['sweep', ...searchArgv(a, env), ...(typeof a.saveTop === 'number' ? ['--save-top', String(a.saveTop)] : [])],
    resultRunId: manifestField('sweepId'),
  },
  'walk-forward': {
    summary: 'optimise on training windows, trade the next test windows (tradelab walk-forward)',
    args: WalkForwardArgs, check: checkSearch, progressJson: true,
    argv: (a, env) => ['walk-forward', ...searchArgv(a, env), '--train', String(a.train), '--test', String(a.test), ...(a.anchored ? ['--anchored'] : [])],
    resultRunId: manifestField('runId'),
  },
  'check-lookahead': {
    summary: 'prove decisions and indicators never read later bars (tradelab check lookahead; writes results/<id>/lookahead.json)',
    args: CheckLookaheadArgs, check: checkBacktest, resultExitCodes: [1],
    argv: (a, env) => ['check', 'lookahead', ...backtestArgv(a, env), ...(typeof a.cuts === 'number' ? ['--cuts', String(a.cuts)] : []), ...(typeof a.seed === 'number' ? ['--seed', String(a.seed)] : [])],
    resultRunId: checkIdOf,
  },
  parity: {
    summary: 'the backtest against a replay bot through the live runner, order by order (tradelab parity; writes results/<id>/parity.json)',
    args: ParityArgs, check: checkBacktest, resultExitCodes: [1],
    argv: (a, env) => ['parity', ...backtestArgv(a, env), ...(typeof a.tolerance === 'number' ? ['--tolerance', String(a.tolerance)] : [])],
    resultRunId: checkIdOf,
  },
};

/** 'args.params.fast: Expected number' for each schema problem of a kind's args. */
export function argProblems(spec: JobKindSpec, args: unknown): string[] {
  const byField = new Map<string, string>();
  for (const e of Value.Errors(spec.args, args)) {
    const field = e.path.replace(/^\//, '').replace(/\//g, '.') || '(args)';
    if (byField.has(field)) continue; // the first problem of a field says it ('required' before 'Expected string')
    const options = (e.schema as { anyOf?: { const?: unknown }[] }).anyOf;
    const consts = options?.every((o) => o.const !== undefined) ? options.map((o) => String(o.const)) : null;
    byField.set(field, consts ? `must be one of ${consts.join(', ')}` : e.message);
  }
  return [...byField].map(([f, m]) => `${f}: ${m}`);
}

export interface JobManagerOptions {
  readonly kinds?: Readonly<Record<string, JobKindSpec>>;
  /** Jobs running at once (server.maxJobs); default 1. */
  readonly maxConcurrent?: number;
  /** Environment of the child processes (TRADELAB_HOME, TRADELAB_RESULTS...), on top of this process's. */
  readonly childEnv: Readonly<Record<string, string>>;
  readonly env: JobEnv;
  readonly now?: () => number;
  /** Finished jobs kept for GET /api/jobs (oldest dropped first); default 200. */
  readonly keepFinished?: number;
  /** The command run: default [node, TRADELAB_CLI]; tests may point it elsewhere. */
  readonly command?: readonly string[];
  readonly cwd?: string;
}

interface Job {
  view: JobView;
  child: ChildProcess | null;
  cancelled: boolean;
}

const STDOUT_LIMIT = 64 * 1024 * 1024;

export class JobManager {
  readonly kinds: Readonly<Record<string, JobKindSpec>>;
  private readonly jobs = new Map<string, Job>();
  private readonly queue: string[] = [];
  private readonly listeners = new Set<(e: LiveEvent) => void>();
  private readonly now: () => number;
  private closed = false;
  private readonly idle = new Set<() => void>();

  constructor(private readonly opts: JobManagerOptions) {
    this.kinds = opts.kinds ?? JOB_KINDS;
    this.now = opts.now ?? Date.now;
  }

  get maxConcurrent(): number { return Math.max(1, this.opts.maxConcurrent ?? 1); }

  subscribe(l: (e: LiveEvent) => void): () => void { this.listeners.add(l); return () => this.listeners.delete(l); }

  private emit(topic: 'job.progress' | 'job.done', j: JobView): void {
    const data = { id: j.id, kind: j.kind, status: j.status, progress: j.progress, message: j.message, resultRunId: j.resultRunId, error: j.error };
    for (const l of this.listeners) { try { l({ topic, ts: this.now(), data }); } catch { /* a listener never breaks a job */ } }
  }

  /** Validates the args of `kind` (every problem at once: JOB_ARGS_INVALID, 400) and queues the job. */
  create(kind: string, args: unknown, actor: string): JobView {
    if (this.closed) throw httpError('JOBS_CLOSED', 'the server is shutting down; no new jobs');
    const spec = this.kinds[kind];
    if (!spec) throw httpError('JOB_KIND_INVALID', `kind '${kind}' is not a job kind; allowed: ${Object.keys(this.kinds).join(', ')}`);
    const problems = argProblems(spec, args);
    if (!problems.length && spec.check) problems.push(...spec.check(args as Record<string, unknown>, this.opts.env));
    if (problems.length) {
      throw httpError('JOB_ARGS_INVALID', `invalid ${kind} job: ${problems.map((p) => `args.${p}`).join('; ')}`, { problems: problems.map((p) => `args.${p}`) });
    }
    const id = `job-${this.now().toString(36)}-${randomUUID().slice(0, 8)}`;
    const view: JobView = {
      id, kind, status: 'queued', progress: 0, message: 'queued', args: args as Record<string, unknown>, actor,
      createdAt: this.now(), startedAt: null, finishedAt: null, resultRunId: null, error: null,
    };
    this.jobs.set(id, { view, child: null, cancelled: false });
    this.queue.push(id);
    this.emit('job.progress', view);
    this.pump();
    this.prune();
    return this.get(id)!;
  }

  list(): JobView[] { return [...this.jobs.values()].map((j) => j.view).sort((a, b) => b.createdAt - a.createdAt || b.id.localeCompare(a.id)); }

  get(id: string): JobView | undefined { return this.jobs.get(id)?.view; }

  require(id: string): JobView {
    const j = this.get(id);
    if (!j) throw httpError('JOB_NOT_FOUND', `no job '${id}' (jobs are kept in memory until the server restarts; GET /api/jobs lists them)`);
    return j;
  }

  /** Cancels a queued or running job (the child is killed); a finished job is a 409 JOB_FINISHED_CONFLICT. */
  cancel(id: string): JobView {
    this.require(id);
    const j = this.jobs.get(id)!;
    if (j.view.status === 'done' || j.view.status === 'failed' || j.view.status === 'cancelled') {
      throw httpError('JOB_FINISHED_CONFLICT', `job '${id}' is already ${j.view.status}`);
    }
    j.cancelled = true;
    if (j.view.status === 'queued') {
      this.queue.splice(this.queue.indexOf(id), 1);
      this.finish(j, { status: 'cancelled', message: 'cancelled before it started' });
    } else {
      j.child?.kill('SIGTERM');
      const child = j.child;
      setTimeout(() => { if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); }, 3000).unref();
    }
    return j.view;
  }

  private running(): number { let n = 0; for (const j of this.jobs.values()) if (j.view.status === 'running') n++; return n; }

  private update(j: Job, patch: Partial<JobView>): void { j.view = { ...j.view, ...patch }; }

  private finish(j: Job, patch: Partial<JobView>): void {
    this.update(j, { ...patch, finishedAt: this.now() });
    j.child = null;
    this.emit('job.done', j.view);
    this.pump();
    if (this.running() === 0 && this.queue.length === 0) for (const f of this.idle) f();
  }

  private prune(): void {
    const keep = this.opts.keepFinished ?? 200;
    const finished = [...this.jobs.values()].filter((j) => j.view.finishedAt !== null).sort((a, b) => a.view.finishedAt! - b.view.finishedAt!);
    for (const j of finished.slice(0, Math.max(0, finished.length - keep))) this.jobs.delete(j.view.id);
  }

  private pump(): void {
    while (!this.closed && this.queue.length && this.running() < this.maxConcurrent) this.start(this.jobs.get(this.queue.shift()!)!);
  }

  private start(j: Job): void {
    const spec = this.kinds[j.view.kind];
    let argv: string[];
    try {
      argv = [...spec.argv(j.view.args as Record<string, unknown>, this.opts.env), '--json'];
    } catch (e) {
      this.finish(j, { status: 'failed', error: e instanceof Error ? e.message : String(e), message: 'failed' });
      return;
    }
    const [cmd, ...pre] = this.opts.command ?? [process.execPath, TRADELAB_CLI];
    const child = spawn(cmd, [...pre, ...argv], {
      cwd: this.opts.cwd ?? resolve(import.meta.dirname, '../..'),
      env: { ...process.env, ...this.opts.childEnv, TRADELAB_DEBUG: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    j.child = child;
    this.update(j, { status: 'running', startedAt: this.now(), message: `running ${j.view.kind}` });
    this.emit('job.progress', j.view);
    const out: Buffer[] = [];
    let outBytes = 0;
    let errTail = '';
    let partial = '';
    let lastEmit = 0;
    child.stdout!.on('data', (b: Buffer) => { outBytes += b.length; if (outBytes <= STDOUT_LIMIT) out.push(b); });
    child.stderr!.on('data', (b: Buffer) => {
      const lines = (partial + b.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const p = progressOf(line);
        if (p) {
          const progress = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
          this.update(j, { progress, message: `${p.label}: ${p.done}/${p.total}` });
          const t = this.now();
          if (t - lastEmit >= 200 || p.done >= p.total) { lastEmit = t; this.emit('job.progress', j.view); }
        } else if (line.trim()) {
          errTail = (errTail + line + '\n').slice(-4000);
        }
      }
    });
    child.on('error', (e) => {
      if (j.child === child) this.finish(j, { status: 'failed', error: `could not start the tradelab CLI: ${e.message}`, message: 'failed' });
    });
    child.on('close', (code, signal) => {
      if (j.child !== child) return;
      if (partial.trim() && !progressOf(partial)) errTail = (errTail + partial).slice(-4000);
      if (j.cancelled) { this.finish(j, { status: 'cancelled', message: 'cancelled' }); return; }
      if (code !== 0 && !(code !== null && spec.resultExitCodes?.includes(code))) {
        const lines = errTail.trim().split('\n');
        const errLine = lines.findIndex((l) => l.startsWith('error: '));
        const error = errLine >= 0 ? lines.slice(errLine).join('\n').replace(/^error: /, '') : errTail.trim() || `the tradelab CLI ended with ${signal ? `signal ${signal}` : `exit code ${code}`}`;
        this.finish(j, { status: 'failed', error, message: 'failed' });
        return;
      }
      let runId: string | null = null;
      try { runId = spec.resultRunId(JSON.parse(Buffer.concat(out).toString('utf8')) as Record<string, unknown>); } catch { runId = null; }
      if (!runId) { this.finish(j, { status: 'failed', error: 'the tradelab CLI printed no run id in its JSON output', message: 'failed' }); return; }
      this.finish(j, { status: 'done', progress: 1, resultRunId: runId, message: 'done' });
    });
  }

  /** Resolves when no job runs or waits (tests). */
  whenIdle(): Promise<void> {
    if (this.running() === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((r) => { const f = () => { this.idle.delete(f); r(); }; this.idle.add(f); });
  }

  /** Server close: queued jobs are cancelled, running children killed (and waited for, at most 5 s). */
  async close(): Promise<void> {
    this.closed = true;
    for (const id of this.queue.splice(0)) {
      const j = this.jobs.get(id)!;
      j.cancelled = true;
      this.update(j, { status: 'cancelled', message: 'cancelled: the server closed', finishedAt: this.now() });
    }
    const waits: Promise<void>[] = [];
    for (const j of this.jobs.values()) {
      const c = j.child;
      if (!c || c.exitCode !== null || c.signalCode !== null) continue;
      j.cancelled = true;
      waits.push(new Promise<void>((r) => {
        const t = setTimeout(() => { c.kill('SIGKILL'); r(); }, 5000);
        c.once('close', () => { clearTimeout(t); r(); });
      }));
      c.kill('SIGTERM');
    }
    await Promise.all(waits);
  }
}

function progressOf(line: string): { label: string; done: number; total: number } | null {
  if (!line.startsWith('{"progress"')) return null;
  try {
    const p = (JSON.parse(line) as { progress?: { label?: unknown; done?: unknown; total?: unknown } }).progress;
    if (p && typeof p.done === 'number' && typeof p.total === 'number') return { label: typeof p.label === 'string' ? p.label : 'progress', done: p.done, total: p.total };
  } catch { /* not a progress line */ }
  return null;
}
