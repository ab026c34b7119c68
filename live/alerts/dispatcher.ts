/**
 * The alert dispatcher: renders an event once, drops a burst (same trigger and bot within `dedupWindowMs`),
 * sends to every enabled channel whose filter takes it (in parallel, each bounded by `sendTimeoutMs`), and records
 * every attempt in the delivery log. It never throws into the caller: a failing channel, a failing log write or a
 * bug in rendering is logged and reported in the result.
 */
import type { LogFn } from '../runtime/logger.ts';
import type { AlertDeliveryLog, DeliveryStatus } from './delivery-log.ts';
import { renderAlert } from './render.ts';
import { accepts, type AlertEvent, type ChannelEntry, type ChannelName, type RenderedAlert } from './types.ts';

export const DEFAULT_DEDUP_WINDOW_MS = 60_000;
export const DEFAULT_SEND_TIMEOUT_MS = 15_000;

export interface AlertDispatcherOptions {
  readonly channels: readonly ChannelEntry[];
  /** Where every attempt is recorded (omit: nothing recorded). */
  readonly log?: AlertDeliveryLog;
  readonly now?: () => number;
  readonly dedupWindowMs?: number;
  /** Upper bound on one channel's send (the channel's own timeouts should be shorter). */
  readonly sendTimeoutMs?: number;
  readonly logger?: LogFn;
}

export interface DeliveryResult {
  readonly channel: ChannelName | '*';
  readonly recipient: string;
  readonly status: DeliveryStatus;
  readonly error?: string;
}

export interface DispatchResult {
  readonly dedupKey: string;
  /** True when the event was dropped as part of a burst. */
  readonly suppressed: boolean;
  readonly deliveries: readonly DeliveryResult[];
  /** Set when the event itself could not be rendered. */
  readonly error?: string;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class AlertDispatcher {
  readonly #lastSent = new Map<string, number>();
  readonly #pending = new Set<Promise<unknown>>();
  readonly #now: () => number;
  #window: number;
  readonly #timeout: number;
  readonly #logger: LogFn;
  #channels: readonly ChannelEntry[];

  constructor(private readonly opts: AlertDispatcherOptions) {
    this.#now = opts.now ?? Date.now;
    this.#channels = opts.channels;
    this.#window = Math.max(0, opts.dedupWindowMs ?? DEFAULT_DEDUP_WINDOW_MS);
    this.#timeout = Math.max(1, opts.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS);
    this.#logger = opts.logger ?? (() => {});
  }

  /** Sends an event to its channels; resolves with what happened, never rejects. */
  async dispatch(event: AlertEvent): Promise<DispatchResult> {
    let alert: RenderedAlert;
    try {
      alert = renderAlert(event);
    } catch (e) {
      this.#safeLog({ event: 'alert.render-failed', trigger: (event as { trigger?: unknown }).trigger, error: message(e) });
      return { dedupKey: '', suppressed: false, deliveries: [], error: message(e) };
    }
    const now = this.#now();
    const last = this.#lastSent.get(alert.dedupKey);
    if (last !== undefined && now - last < this.#window) {
      this.#record(alert, now, '*', '', 'suppressed', `duplicate of an alert sent ${now - last} ms ago (window ${this.#window} ms)`);
      this.#safeLog({ event: 'alert.suppressed', key: alert.dedupKey, sinceMs: now - last });
      return { dedupKey: alert.dedupKey, suppressed: true, deliveries: [{ channel: '*', recipient: '', status: 'suppressed' }] };
    }
    this.#lastSent.set(alert.dedupKey, now);
    this.#prune(now);
    const targets = this.#channels.filter((c) => accepts(c.filter, alert));
    const deliveries = await Promise.all(targets.map((t) => this.#sendOne(t, alert)));
    return { dedupKey: alert.dedupKey, suppressed: false, deliveries };
  }

  /** Fire and forget: for callers that must not wait (the runtime's hot path). `drain()` awaits them. */
  notify(event: AlertEvent): void {
    const p = this.dispatch(event).finally(() => this.#pending.delete(p));
    this.#pending.add(p);
  }

  /** Resolves when every `notify` in flight has finished. */
  async drain(): Promise<void> {
    while (this.#pending.size) await Promise.all([...this.#pending]);
  }

  /** The channels in use. */
  get channels(): readonly ChannelEntry[] { return this.#channels; }

  /**
   * Replaces the channels (settings changed through the API): events dispatched from now on use the new ones; sends
   * in progress finish on the old ones, which are then closed. The burst memory is kept.
   */
  setChannels(channels: readonly ChannelEntry[], dedupWindowMs?: number): void {
    const old = this.#channels;
    this.#channels = channels;
    if (dedupWindowMs !== undefined) this.#window = Math.max(0, dedupWindowMs);
    const closeOld = () => {
      for (const c of old) {
        if (channels.some((n) => n.channel === c.channel)) continue;
        try { c.channel.close?.(); } catch (e) { this.#safeLog({ event: 'alert.close-failed', channel: c.channel.name, error: message(e) }); }
      }
    };
    void this.drain().then(closeOld, closeOld);
  }

  /** Waits for pending sends, then closes the channels (SMTP connections). */
  async close(): Promise<void> {
    await this.drain();
    for (const c of this.#channels) {
      try { c.channel.close?.(); } catch (e) { this.#safeLog({ event: 'alert.close-failed', channel: c.channel.name, error: message(e) }); }
    }
  }

  async #sendOne(t: ChannelEntry, alert: RenderedAlert): Promise<DeliveryResult> {
    const { name, recipient } = t.channel;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(() => t.channel.send(alert)),
        new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no result within ${this.#timeout} ms`)), this.#timeout); }),
      ]);
      this.#record(alert, this.#now(), name, recipient, 'sent', null);
      this.#safeLog({ event: 'alert.sent', channel: name, key: alert.dedupKey, severity: alert.severity });
      return { channel: name, recipient, status: 'sent' };
    } catch (e) {
      const error = message(e);
      this.#record(alert, this.#now(), name, recipient, 'failed', error);
      this.#safeLog({ event: 'alert.failed', channel: name, key: alert.dedupKey, error });
      return { channel: name, recipient, status: 'failed', error };
    } finally {
      clearTimeout(timer);
    }
  }

  #record(a: RenderedAlert, ts: number, channel: ChannelName | '*', recipient: string, status: DeliveryStatus, error: string | null): void {
    if (!this.opts.log) return;
    try {
      this.opts.log.record({ ts, alertId: a.alertId, trigger: a.trigger, botId: a.botId, severity: a.severity, channel, recipient, subject: a.subject, body: a.text, status, error, dedupKey: a.dedupKey });
    } catch (e) {
      this.#safeLog({ event: 'alert.record-failed', channel, key: a.dedupKey, error: message(e) });
    }
  }

  #prune(now: number): void {
    if (this.#lastSent.size < 1024) return;
    for (const [k, t] of this.#lastSent) if (now - t >= this.#window) this.#lastSent.delete(k);
  }

  #safeLog(e: { event: string; [k: string]: unknown }): void {
    try { this.#logger(e); } catch { /* a broken logger must not break alerting */ }
  }
}
