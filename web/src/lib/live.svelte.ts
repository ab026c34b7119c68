/**
 * The websocket to `tradelab serve` (/ws): one connection for the whole app, subscribed to every topic; pages
 * register listeners with `live.on(pattern, fn)`. When the server goes away (restart, network), it reconnects with
 * exponential backoff and jitter (0.5 s doubling to 30 s) and pages refetch through `live.onReconnect`.
 * Server → client messages: `{topic, ts, botId, data}` (docs/server.md lists the topics).
 */
import { session } from './session.svelte.ts';

export interface LiveEvent<D = Record<string, unknown>> {
  readonly topic: string;
  readonly ts: number;
  readonly botId?: string;
  readonly data: D;
}
export type LiveStatus = 'idle' | 'connecting' | 'open' | 'reconnecting';
type Listener = (e: LiveEvent) => void;

export function topicMatches(pattern: string, topic: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return topic.startsWith(pattern.slice(0, -1));
  return pattern === topic;
}

/** Delay before reconnect attempt n (0-based): 500 ms · 2^n capped at 30 s, with ±20 % jitter. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 500 * 2 ** Math.min(attempt, 10));
  return Math.round(base * (0.8 + 0.4 * random()));
}

export interface SocketLike {
  readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  send(data: string): void;
  close(): void;
}

export class LiveConnection {
  status = $state<LiveStatus>('idle');
  /** Consecutive failed attempts (shown as "reconnecting (n)"). */
  attempts = $state(0);
  lastEventAt = $state<number | null>(null);
  #listeners = new Set<{ pattern: string; fn: Listener }>();
  #reconnectListeners = new Set<() => void>();
  #socket: SocketLike | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #wanted = false;
  #everOpened = false;
  readonly #open: (url: string) => SocketLike;
  readonly #url: () => string;

  constructor(open?: (url: string) => SocketLike, url?: () => string) {
    this.#open = open ?? ((u) => new WebSocket(u) as unknown as SocketLike);
    this.#url = url ?? (() => {
      const loc = globalThis.location;
      const proto = loc.protocol === 'https:' ? 'wss:' : 'ws:';
      return `${proto}//${loc.host}/ws${session.token ? `?token=${encodeURIComponent(session.token)}` : ''}`;
    });
  }

  on(pattern: string, fn: Listener): () => void {
    const l = { pattern, fn };
    this.#listeners.add(l);
    return () => { this.#listeners.delete(l); };
  }

  /** Called after every reconnect (not the first open): refetch what may have been missed. */
  onReconnect(fn: () => void): () => void {
    this.#reconnectListeners.add(fn);
    return () => { this.#reconnectListeners.delete(fn); };
  }

  start(): void {
    this.#wanted = true;
    if (!this.#socket && !this.#timer) this.#connect();
  }

  stop(): void {
    this.#wanted = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const s = this.#socket;
    this.#socket = null;
    s?.close();
    this.status = 'idle';
    this.attempts = 0;
  }

  /** Reconnect now (e.g. after logging in with a new token). */
  restart(): void {
    this.stop();
    this.start();
  }

  /** Feeds one event to the listeners (used by the socket and by tests). */
  dispatch(e: LiveEvent): void {
    this.lastEventAt = e.ts;
    for (const l of this.#listeners) {
      if (topicMatches(l.pattern, e.topic)) {
        try { l.fn(e); } catch (err) { console.error('live listener failed', err); }
      }
    }
  }

  #connect(): void {
    this.#timer = null;
    this.status = this.#everOpened || this.attempts > 0 ? 'reconnecting' : 'connecting';
    let s: SocketLike;
    try {
      s = this.#open(this.#url());
    } catch {
      this.#schedule();
      return;
    }
    this.#socket = s;
    s.onopen = () => {
      const again = this.#everOpened;
      this.#everOpened = true;
      this.attempts = 0;
      this.status = 'open';
      s.send(JSON.stringify({ op: 'subscribe', topics: ['*'] }));
      if (again) for (const f of this.#reconnectListeners) f();
    };
    s.onmessage = (ev) => {
      if (typeof ev.data !== 'string') return;
      let msg: unknown;
      try { msg = JSON.parse(ev.data); } catch { return; }
      const m = msg as Partial<LiveEvent> & { op?: string };
      if (typeof m.topic === 'string' && m.data !== undefined) this.dispatch(m as LiveEvent);
    };
    s.onerror = () => { /* onclose follows */ };
    s.onclose = () => {
      if (this.#socket !== s) return;
      this.#socket = null;
      if (this.#wanted) this.#schedule();
      else this.status = 'idle';
    };
  }

  #schedule(): void {
    this.status = 'reconnecting';
    const delay = backoffMs(this.attempts);
    this.attempts += 1;
    this.#timer = setTimeout(() => this.#connect(), delay);
  }
}

export const live = new LiveConnection();
