/**
 * A pool of sweep worker threads, kept warm across sweeps (create once, `run` many jobs, `close` at the end).
 * Combinations are handed out as row ranges on demand (dynamic scheduling: a fast worker takes more), and each
 * worker writes its rows straight into the shared results buffer, so the results do not depend on which worker
 * ran which row.
 */
import { Worker } from 'node:worker_threads';
import { TradelabError, type ErrorFamily } from '../../engine/index.ts';
import type { FromWorker, JobMessage } from './protocol.ts';

export interface PoolProgress { done: number; total: number }

let nextJob = 1;

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

  /** Run rows [0, rows) of a job; resolves with the number of indicator columns the workers computed themselves. */
  run(job: Omit<JobMessage, 'type' | 'jobId'>, rows: number, onProgress?: (p: PoolProgress) => void): Promise<{ computed: number }> {
    if (this.closed) return Promise.reject(new Error('sweep pool is closed'));
    const jobId = nextJob++;
    // Large tasks: a task's rows advance together through cache-sized blocks of their shared columns, so fewer,
    // larger tasks read memory less; two per worker keep the load balanced.
    const chunk = Math.max(1, Math.min(256, Math.ceil(rows / (this.workers.length * 2))));
    let next = 0, done = 0, computed = 0, failed = false;
    return new Promise((resolve, reject) => {
      const listeners: [Worker, (m: FromWorker) => void, (e: Error) => void][] = [];
      const finish = (err?: Error) => {
        for (const [w, l, el] of listeners) { w.off('message', l); w.off('error', el); w.postMessage({ type: 'end-job', jobId }); }
        if (err) reject(err); else resolve({ computed });
      };
      const give = (w: Worker) => {
        if (next >= rows) return;
        const from = next;
        next = Math.min(rows, next + chunk);
        w.postMessage({ type: 'task', jobId, from, to: next });
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
            done += m.to - m.from;
            computed += m.computed;
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
      for (const w of this.workers) give(w); // two tasks in flight per worker: no idle gap between tasks
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
