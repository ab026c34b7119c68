/**
 * A pool of sweep worker threads, kept warm across sweeps (create once, `run` many jobs, `close` at the end).
 * A job's rows are split into TASKS_PER_WORKER × workers strided tasks (task t: rows t, t + T, t + 2T, …), handed out
 * one at a time as workers finish (a fast worker takes more). Strided, because neighbouring rows of a grid differ in
 * cost (a short fast period crosses more often): every task gets a share of each region of the grid. Each worker
 * writes its rows straight into the shared results buffer, so the results do not depend on which worker ran which row.
 */
import { Worker } from 'node:worker_threads';
import { TradelabError, type ErrorFamily } from '../../engine/index.ts';
import type { FromWorker, JobMessage } from './protocol.ts';

export interface PoolProgress { done: number; total: number }

let nextJob = 1;

/** Tasks per worker in a job (see the header). */
export const TASKS_PER_WORKER = 2;

export class SweepPool {
  private closed = false;
  private constructor(private readonly workers: Worker[]) {}

  get size(): number { return this.workers.length; }

  /** Start `size` workers and wait until each has loaded. */
  static async create(size: number): Promise<SweepPool> {
    const url = new URL('./worker-boot.mjs', import.meta.url);
    const workers = Array.from({ length: size }, () => new Worker(url));
    await Promise.all(workers.map((w) => new Promise<void>((res, rej) => {
      const onMsg = (m: FromWorker) => { if (m.type === 'ready') { w.off('message', onMsg); w.off('error', rej); res(); } };
      w.on('message', onMsg);
      w.once('error', rej);
    })));
    for (const w of workers) w.unref();
    return new SweepPool(workers);
  }

  /**
   * Run rows [0, rows) of a job; resolves with the number of indicator columns the workers computed for themselves
   * (`computed`) and of shared columns they computed (`computedShared`: each at most once, by one worker).
   */
  run(job: Omit<JobMessage, 'type' | 'jobId'>, rows: number, onProgress?: (p: PoolProgress) => void): Promise<{ computed: number; computedShared: number }> {
    if (this.closed) return Promise.reject(new Error('sweep pool is closed'));
    const jobId = nextJob++;
    // A task's rows advance together through cache-sized blocks of their shared columns, so fewer, larger tasks read
    // memory less; a few per worker keep the load balanced.
    const tasks = Math.max(1, Math.min(rows, this.workers.length * TASKS_PER_WORKER));
    let next = 0, done = 0, computed = 0, computedShared = 0, failed = false;
    return new Promise((resolve, reject) => {
      const listeners: [Worker, (m: FromWorker) => void, (e: Error) => void][] = [];
      const finish = (err?: Error) => {
        for (const [w, l, el] of listeners) { w.off('message', l); w.off('error', el); w.postMessage({ type: 'end-job', jobId }); }
        if (err) reject(err); else resolve({ computed, computedShared });
      };
      const give = (w: Worker) => {
        if (next >= tasks) return;
        w.postMessage({ type: 'task', jobId, first: next++, step: tasks });
      };
      for (const w of this.workers) {
        const onMsg = (m: FromWorker) => {
          if (failed || !('jobId' in m) || m.jobId !== jobId) return;
          if (m.type === 'error') {
            failed = true;
            finish(m.family ? new TradelabError(m.code ?? 'WORKER_ERROR', m.family as ErrorFamily, m.message) : new Error(m.message));
            return;
          }
          if (m.type === 'done') {
            done += m.rows;
            computed += m.computed;
            computedShared += m.computedShared;
            onProgress?.({ done, total: rows });
            if (done >= rows) finish(); else give(w);
          }
        };
        const onErr = (e: Error) => { if (!failed) { failed = true; finish(e); } };
        w.on('message', onMsg);
        w.on('error', onErr);
        listeners.push([w, onMsg, onErr]);
        w.postMessage({ type: 'job', jobId, ...job } satisfies JobMessage);
      }
      if (rows === 0) { finish(); return; }
      for (const w of this.workers) give(w);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
