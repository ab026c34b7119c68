// The job manager with a kind added by one table entry and a stand-in for the CLI (a node script): progress lines,
// the run id from its JSON, the queue, and close() killing the child process for real.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test-support/cli.ts';
import { JOB_KINDS, JobManager, type JobKindSpec, type JobView } from './jobs.ts';
import type { LiveEvent } from './bot-service.ts';

const dir = tempDir('tl-jobs-');
// Prints 3 progress lines, then (unless told to hang) the JSON a CLI command prints; writes its pid first.
const SCRIPT = join(dir, 'fake-cli.mjs');
writeFileSync(SCRIPT, `
import { writeFileSync } from 'node:fs';
const [, , pidFile, mode] = process.argv;
writeFileSync(pidFile, String(process.pid));
for (let k = 1; k <= 3; k++) process.stderr.write(JSON.stringify({ progress: { label: 'check', done: k, total: 3 } }) + '\\n');
if (mode === 'hang') setInterval(() => {}, 1000);
else if (mode === 'fail') { process.stderr.write('error: lookahead found in sma-cross\\n'); process.exit(2); }
else if (mode === 'found') { process.stdout.write(JSON.stringify({ manifest: { runId: 'run-43' } }) + '\\n'); process.exit(1); }
else process.stdout.write(JSON.stringify({ manifest: { runId: 'run-42' } }) + '\\n');
`);

/** What adding a kind looks like: one entry (args schema, CLI arguments, where the run id is). */
const CHECK: JobKindSpec = {
  summary: 'look-ahead check', args: Type.Object({ mode: Type.Union([Type.Literal('ok'), Type.Literal('hang'), Type.Literal('fail'), Type.Literal('found')]), pidFile: Type.String() }, { additionalProperties: false }),
  argv: (a) => [String(a.pidFile), String(a.mode)],
  resultRunId: (out) => ((out.manifest as { runId?: string } | undefined)?.runId ?? null),
  progressJson: true,
  resultExitCodes: [1], // exit 1: the check found a problem, and its JSON says which
};

const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };

describe('JobManager', () => {
  let m: JobManager;
  afterEach(async () => { await m.close(); });
  const make = (max = 1) => new JobManager({ kinds: { ...JOB_KINDS, 'demo-check': CHECK }, maxConcurrent: max, childEnv: {}, env: { sampleDataDir: undefined }, command: [process.execPath, SCRIPT] });
  const waitFor = async (id: string, f: (j: JobView) => boolean) => { for (let i = 0; i < 300 && !f(m.get(id)!); i++) await new Promise((r) => setTimeout(r, 20)); return m.get(id)!; };

  it('runs a kind added by one entry: progress from stderr, run id from stdout, events', async () => {
    m = make();
    const events: LiveEvent[] = [];
    m.subscribe((e) => events.push(e));
    const j = m.create('demo-check', { mode: 'ok', pidFile: join(dir, 'a.pid') }, 'alice');
    const done = await waitFor(j.id, (x) => x.finishedAt !== null);
    expect(done).toMatchObject({ status: 'done', progress: 1, resultRunId: 'run-42', actor: 'alice', error: null });
    const progress = events.filter((e) => e.topic === 'job.progress').map((e) => e.data.progress);
    expect(progress).toContain(1 / 3);
    expect(events.at(-1)).toMatchObject({ topic: 'job.done', data: { id: j.id, status: 'done', resultRunId: 'run-42' } });
  });

  it('a failing child gives its error line; bad args list every problem', async () => {
    m = make();
    const j = m.create('demo-check', { mode: 'fail', pidFile: join(dir, 'b.pid') }, 'alice');
    expect((await waitFor(j.id, (x) => x.finishedAt !== null))).toMatchObject({ status: 'failed', error: 'lookahead found in sma-cross' });
    expect(() => m.create('demo-check', { mode: 'maybe', extra: 1 }, 'alice')).toThrow(/args\.pidFile: Expected required property; args\.extra: Unexpected property; args\.mode: must be one of ok, hang, fail, found$/);
    const found = m.create('demo-check', { mode: 'found', pidFile: join(dir, 'c.pid') }, 'alice');
    expect((await waitFor(found.id, (x) => x.finishedAt !== null))).toMatchObject({ status: 'done', resultRunId: 'run-43' });
  });

  it('queues beyond maxConcurrent and kills running children on close', async () => {
    m = make(2);
    const ids = [1, 2, 3].map((k) => m.create('demo-check', { mode: 'hang', pidFile: join(dir, `h${k}.pid`) }, 'alice').id);
    for (const id of ids.slice(0, 2)) await waitFor(id, (x) => x.status === 'running' && x.progress === 1);
    expect(ids.map((id) => m.get(id)!.status)).toEqual(['running', 'running', 'queued']);
    const pids = [1, 2].map((k) => Number(readFileSync(join(dir, `h${k}.pid`), 'utf8')));
    expect(pids.every(alive)).toBe(true);
    await m.close();
    expect(pids.some(alive)).toBe(false);
    expect(ids.map((id) => m.get(id)!.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(() => m.create('demo-check', { mode: 'ok', pidFile: join(dir, 'x.pid') }, 'alice')).toThrow(/shutting down/);
  });
});
