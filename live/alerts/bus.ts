/**
 * The in-app alert bus: the dispatcher's toast channel publishes every accepted alert, and the server's `/ws`
 * forwards each to subscribed websocket clients as a toast. Subscribers are called synchronously in order; one that
 * throws is reported to `onError` and never stops the others or the publisher.
 */
import type { AlertChannel, RenderedAlert } from './types.ts';

/** The small payload a websocket client receives. */
export interface ToastMessage {
  readonly topic: 'alert';
  readonly trigger: RenderedAlert['trigger'];
  readonly severity: RenderedAlert['severity'];
  readonly botId: string | null;
  readonly ts: number;
  readonly alertId: number | null;
  readonly title: string;
  readonly text: string;
}

export type AlertListener = (toast: ToastMessage) => void;

export class AlertBus {
  readonly #listeners = new Set<AlertListener>();

  constructor(private readonly onError: (err: unknown) => void = () => {}) {}

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: AlertListener): () => void {
    this.#listeners.add(listener);
    return () => { this.#listeners.delete(listener); };
  }

  /** Sends to every listener; returns how many received it without throwing. */
  publish(toast: ToastMessage): number {
    let ok = 0;
    for (const l of [...this.#listeners]) {
      try {
        l(toast);
        ok++;
      } catch (e) {
        this.onError(e);
      }
    }
    return ok;
  }

  get size(): number {
    return this.#listeners.size;
  }
}

export function toToast(a: RenderedAlert): ToastMessage {
  return { topic: 'alert', trigger: a.trigger, severity: a.severity, botId: a.botId, ts: a.ts, alertId: a.alertId, title: a.subject.replace(/^\[tradelab\] /, ''), text: a.summary };
}

/** The toast channel: publishes on the bus (never fails; no subscriber is not an error). */
export function createToastChannel(bus: AlertBus): AlertChannel {
  return {
    name: 'toast',
    recipient: 'bus',
    send: async (a) => { bus.publish(toToast(a)); },
  };
}
