/**
 * Background jobs of the server (POST /api/jobs: backtest, sweep, walk-forward; docs/server.md "Background jobs"):
 * start one and follow it to the end through the websocket (`job.progress` / `job.done`) with a polling fallback,
 * so a lost event or a reconnect never leaves a page waiting.
 */
import { api } from './api.ts';
import { live } from './live.svelte.ts';

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
export interface Job {
  readonly id: string;
  readonly kind: string;
  readonly status: JobStatus;
  readonly progress: number;
  readonly message: string;
  readonly args: Record<string, unknown>;
  readonly resultRunId: string | null;
  readonly error: string | null;
}

export const finished = (j: Pick<Job, 'status'>): boolean => j.status === 'done' || j.status === 'failed' || j.status === 'cancelled';

export function startJob(kind: string, args: Record<string, unknown>): Promise<Job> {
  return api<Job>('/api/jobs', { method: 'POST', body: { kind, args } });
}

/** Resolves with the finished job; `onUpdate` sees each progress step. Polls every `pollMs` besides the events. */
export function followJob(job: Job, onUpdate: (j: Job) => void, pollMs = 1500): Promise<Job> {
  return new Promise((resolve) => {
    let done = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const settle = (j: Job) => {
      if (done) return;
      onUpdate(j);
      if (!finished(j)) return;
      done = true;
      off();
      if (timer) clearTimeout(timer);
      resolve(j);
    };
    const off = live.on('job.*', (e) => {
      const d = e.data as Partial<Job>;
      if (d.id === job.id) settle({ ...job, ...d } as Job);
    });
    const poll = async () => {
      if (done) return;
      try { settle(await api<Job>(`/api/jobs/${job.id}`)); } catch { /* next poll */ }
      if (!done) timer = setTimeout(poll, pollMs);
    };
    settle(job);
    if (!done) timer = setTimeout(poll, pollMs);
  });
}
