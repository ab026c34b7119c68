/**
 * Alert triggers, the typed events the runtime raises, and what a channel receives once an event is rendered.
 */
import type { AlertLevel } from '../state/types.ts';

export const ALERT_TRIGGERS = [
  'kill-switch', 'emergency-stop', 'loss-limit', 'loss-streak-pause', 'loss-streak-rotation', 'reconcile-mismatch', 'bot-crash',
] as const;
export type AlertTrigger = (typeof ALERT_TRIGGERS)[number];

export type AlertSeverity = AlertLevel;
export const ALERT_SEVERITIES: readonly AlertSeverity[] = ['info', 'warning', 'critical'];
export const SEVERITY_RANK: Readonly<Record<AlertSeverity, number>> = { info: 0, warning: 1, critical: 2 };

export const CHANNEL_NAMES = ['email', 'telegram', 'toast'] as const;
export type ChannelName = (typeof CHANNEL_NAMES)[number];

interface EventBase {
  /** The bot concerned; null for a global event (kill-all). */
  readonly botId: string | null;
  /** Epoch ms. */
  readonly ts: number;
  /** Overrides the trigger's default severity. */
  readonly severity?: AlertSeverity;
  /** The id of the row in the journal's `alerts` table, when the event came from there. */
  readonly alertId?: number;
  /** Extra context shown under the summary (no secrets: the delivery log refuses credential-like keys). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** A typed alert event: one variant per trigger. */
export type AlertEvent =
  | (EventBase & { readonly trigger: 'kill-switch'; readonly reason: string; readonly cancelled?: number; readonly failed?: number })
  | (EventBase & { readonly trigger: 'emergency-stop'; readonly reason: string })
  | (EventBase & { readonly trigger: 'loss-limit'; readonly rule: string; readonly reason: string })
  | (EventBase & { readonly trigger: 'loss-streak-pause'; readonly consecutiveLosses: number; readonly strategy: string; readonly reason?: string })
  | (EventBase & { readonly trigger: 'loss-streak-rotation'; readonly consecutiveLosses: number; readonly from: string; readonly to: string })
  | (EventBase & { readonly trigger: 'reconcile-mismatch'; readonly message: string })
  | (EventBase & { readonly trigger: 'bot-crash'; readonly error: string });

/** An event rendered once for every channel. */
export interface RenderedAlert {
  readonly trigger: AlertTrigger;
  readonly botId: string | null;
  readonly severity: AlertSeverity;
  readonly ts: number;
  readonly alertId: number | null;
  /** One line: `[tradelab] CRITICAL kill switch: bot-1`. */
  readonly subject: string;
  /** The one-sentence summary. */
  readonly summary: string;
  /** Labelled values (Bot, Reason, Time...). */
  readonly fields: readonly (readonly [label: string, value: string])[];
  /** Plain text: summary, blank line, `Label: value` lines. */
  readonly text: string;
  /** trigger|botId: bursts with the same key are de-duplicated. */
  readonly dedupKey: string;
}

/** Which alerts a channel takes. */
export interface ChannelFilter {
  readonly enabled: boolean;
  /** Empty = every trigger. */
  readonly triggers: readonly AlertTrigger[];
  readonly minSeverity: AlertSeverity;
}

/** A destination. `send` rejects on failure; the dispatcher catches, logs and records it. */
export interface AlertChannel {
  readonly name: ChannelName;
  /** Who receives it (addresses, chat id, 'bus'): recorded in the delivery log. */
  readonly recipient: string;
  send(alert: RenderedAlert): Promise<void>;
  close?(): void;
}

export interface ChannelEntry {
  readonly channel: AlertChannel;
  readonly filter: ChannelFilter;
}

export const accepts = (f: ChannelFilter, a: Pick<RenderedAlert, 'trigger' | 'severity'>): boolean =>
  f.enabled && SEVERITY_RANK[a.severity] >= SEVERITY_RANK[f.minSeverity] && (f.triggers.length === 0 || f.triggers.includes(a.trigger));
