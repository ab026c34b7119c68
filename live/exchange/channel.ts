/**
 * A push-to-pull queue: producers `push`, one consumer iterates with `for await`. `waiting` tells a producer
 * whether the consumer has come back for more (the replay clock uses it as back-pressure, so that a bot has
 * handled a closed bar before the next one is played). The iterator returns when `end()` is called or the
 * signal aborts.
 */
export class Channel<T> implements AsyncIterable<T> {
  private readonly buf: T[] = [];
  private resolveNext: ((r: IteratorResult<T>) => void) | undefined;
  private ended = false;
  private readonly waiters = new Set<() => void>();

  constructor(signal?: AbortSignal, private readonly onEnd?: () => void) {
    if (signal) {
      if (signal.aborted) this.end();
      else signal.addEventListener('abort', () => this.end(), { once: true });
    }
  }

  /** True when the consumer is parked in `next()` with nothing buffered, or the channel has ended. */
  get waiting(): boolean { return this.ended || this.resolveNext !== undefined; }
  get done(): boolean { return this.ended; }

  push(v: T): void {
    if (this.ended) return;
    const r = this.resolveNext;
    if (r) { this.resolveNext = undefined; r({ value: v, done: false }); } else this.buf.push(v);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    const r = this.resolveNext;
    this.resolveNext = undefined;
    if (r) r({ value: undefined, done: true });
    this.notify();
    this.onEnd?.();
  }

  /** Resolves once the consumer is waiting (or the channel ended). */
  untilWaiting(): Promise<void> {
    if (this.waiting) return Promise.resolve();
    return new Promise((resolve) => this.waiters.add(resolve));
  }

  private notify(): void {
    for (const w of this.waiters) w();
    this.waiters.clear();
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: (): Promise<IteratorResult<T>> => {
        if (this.buf.length) return Promise.resolve({ value: this.buf.shift() as T, done: false });
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => {
          this.resolveNext = resolve;
          this.notify();
        });
      },
      return: (): Promise<IteratorResult<T>> => {
        this.end();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
