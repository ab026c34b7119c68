/** Sliding-window attempt limiter (login attempts per user + IP). In memory: a restart forgets, which only helps. */
export class AttemptLimiter {
  readonly #hits = new Map<string, number[]>();

  /** `max`: attempts allowed per window; a function is read at every attempt (a setting changed through the API). */
  constructor(private readonly limit: number | (() => number), readonly windowMs: number) {}

  get max(): number { return typeof this.limit === 'function' ? this.limit() : this.limit; }

  /**
   * Records one attempt under `key` at `now`. Returns 0 when allowed, else the seconds until the oldest attempt in
   * the window expires (the Retry-After value); a refused attempt is not counted.
   */
  hit(key: string, now: number): number {
    const since = now - this.windowMs;
    let list = this.#hits.get(key);
    if (list) while (list.length && list[0] <= since) list.shift();
    else this.#hits.set(key, (list = []));
    if (list.length >= this.max) return Math.max(1, Math.ceil((list[0] + this.windowMs - now) / 1000));
    list.push(now);
    if (this.#hits.size > 10_000) this.prune(now);
    return 0;
  }

  /** Drops keys with no attempt in the window. */
  prune(now: number): void {
    for (const [k, list] of this.#hits) if (!list.length || list[list.length - 1] <= now - this.windowMs) this.#hits.delete(k);
  }
}
