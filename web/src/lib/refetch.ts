/**
 * Coalesced refetching for live pages: many websocket events in a burst (a replay bot fills a dozen orders in a
 * second) become one request after `ms` of quiet at most `maxWaitMs` later; a request never overlaps the previous one
 * (a schedule during a request runs once more after it).
 */
export interface Refetcher {
  /** Ask for a refetch soon. */
  schedule(): void;
  /** Refetch now (and drop a pending one). */
  now(): Promise<void>;
  /** Drop pending work (the page is leaving). */
  cancel(): void;
}

export function refetcher(fn: () => Promise<void>, ms = 250, maxWaitMs = 1000): Refetcher {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let first = 0;
  let running: Promise<void> | null = null;
  let again = false;
  let cancelled = false;

  const run = async (): Promise<void> => {
    if (timer) { clearTimeout(timer); timer = null; }
    first = 0;
    if (running) { again = true; return running; }
    running = (async () => {
      try { await fn(); } catch { /* the page shows its own error state; the next event tries again */ }
    })();
    await running;
    running = null;
    if (again && !cancelled) { again = false; await run(); }
  };

  return {
    schedule() {
      if (cancelled) return;
      const t = Date.now();
      if (!first) first = t;
      if (timer) clearTimeout(timer);
      const wait = Math.max(0, Math.min(ms, first + maxWaitMs - t));
      timer = setTimeout(() => { void run(); }, wait);
    },
    now: run,
    cancel() {
      cancelled = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
