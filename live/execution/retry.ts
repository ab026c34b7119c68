/** Calls to an exchange with retries, exponential backoff and jitter (reads, lookups and cancels, which are idempotent). */
import { TradelabError } from '../../engine/errors.ts';
import type { ExecDeps, ExecRetryPolicy } from './types.ts';

export const DEFAULT_EXEC_RETRY: ExecRetryPolicy = Object.freeze({ attempts: 6, baseDelayMs: 200, maxDelayMs: 5000 });

export const realExecDeps = (): ExecDeps => ({
  now: Date.now,
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  random: Math.random,
});

/** Delay before retry number `attempt` (0-based): base × 2^attempt, capped, with full jitter in [½, 1]. */
export function execBackoff(attempt: number, p: ExecRetryPolicy, random: () => number): number {
  const d = Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** attempt);
  return d * (0.5 + 0.5 * random());
}

/** True for errors worth another try of an idempotent call: transport trouble and unknown outcomes. */
export const isTransient = (e: unknown): boolean =>
  e instanceof TradelabError && (e.family === 'venue-unavailable' || e.family === 'venue-unknown');

/** As a TradelabError (a foreign error becomes an invariant error naming what failed). */
export function asTradelabError(e: unknown, what: string): TradelabError {
  if (e instanceof TradelabError) return e;
  return new TradelabError('EXEC_UNEXPECTED_ERROR', 'invariant', `${what}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}

/**
 * `fn()`, retried while it throws a transient error, up to `policy.attempts` calls. `onError` sees every failure
 * (the API error-rate breaker counts them). The last error is rethrown.
 */
export async function withRetry<T>(fn: () => Promise<T>, policy: ExecRetryPolicy, deps: ExecDeps, onError: (e: unknown) => void = () => {}): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      onError(e);
      if (!isTransient(e) || attempt + 1 >= policy.attempts) throw e;
      await deps.sleep(execBackoff(attempt, policy, deps.random));
    }
  }
}
