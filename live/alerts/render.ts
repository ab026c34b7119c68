/** Renders a typed alert event once (subject, summary, labelled fields, plain text) for every channel. */
import type { AlertEvent, AlertSeverity, AlertTrigger, RenderedAlert } from './types.ts';

export const DEFAULT_SEVERITY: Readonly<Record<AlertTrigger, AlertSeverity>> = {
  'kill-switch': 'critical',
  'emergency-stop': 'critical',
  'loss-limit': 'warning',
  'loss-streak-pause': 'warning',
  'loss-streak-rotation': 'info',
  'reconcile-mismatch': 'critical',
  'bot-crash': 'critical',
};

export const TRIGGER_TITLES: Readonly<Record<AlertTrigger, string>> = {
  'kill-switch': 'kill switch',
  'emergency-stop': 'emergency stop',
  'loss-limit': 'loss limit hit',
  'loss-streak-pause': 'paused after consecutive losses',
  'loss-streak-rotation': 'strategy rotated after consecutive losses',
  'reconcile-mismatch': 'reconciliation mismatch',
  'bot-crash': 'bot crashed',
};

const MAX_FIELD = 2000;
const clip = (s: string): string => (s.length > MAX_FIELD ? `${s.slice(0, MAX_FIELD)}…` : s);
const show = (v: unknown): string => clip(typeof v === 'string' ? v : JSON.stringify(v) ?? String(v));

export function dedupKey(trigger: AlertTrigger, botId: string | null): string {
  return `${trigger}|${botId ?? '*'}`;
}

export function renderAlert(e: AlertEvent): RenderedAlert {
  const severity = e.severity ?? DEFAULT_SEVERITY[e.trigger];
  const who = e.botId === null ? 'all bots' : `bot ${e.botId}`;
  let summary: string;
  const fields: [string, string][] = [];
  switch (e.trigger) {
    case 'kill-switch':
      summary = `Kill switch on ${who}: ${e.reason}`;
      fields.push(['Reason', e.reason]);
      if (e.cancelled !== undefined) fields.push(['Orders cancelled', String(e.cancelled)]);
      if (e.failed !== undefined) fields.push(['Cancels failed', String(e.failed)]);
      break;
    case 'emergency-stop':
      summary = `Emergency stop of ${who}: ${e.reason}`;
      fields.push(['Reason', e.reason]);
      break;
    case 'loss-limit':
      summary = `Loss limit '${e.rule}' hit on ${who}: ${e.reason}`;
      fields.push(['Rule', e.rule], ['Reason', e.reason]);
      break;
    case 'loss-streak-pause':
      summary = `${who} paused after ${e.consecutiveLosses} consecutive losses (strategy ${e.strategy})`;
      fields.push(['Consecutive losses', String(e.consecutiveLosses)], ['Strategy', e.strategy]);
      if (e.reason) fields.push(['Reason', e.reason]);
      break;
    case 'loss-streak-rotation':
      summary = `${who} rotated from ${e.from} to ${e.to} after ${e.consecutiveLosses} consecutive losses`;
      fields.push(['Consecutive losses', String(e.consecutiveLosses)], ['From', e.from], ['To', e.to]);
      break;
    case 'reconcile-mismatch':
      summary = `Reconciliation mismatch on ${who}: ${e.message}`;
      fields.push(['Message', e.message]);
      break;
    case 'bot-crash':
      summary = `${who} crashed: ${e.error}`;
      fields.push(['Error', e.error]);
      break;
  }
  summary = clip(summary.charAt(0).toUpperCase() + summary.slice(1));
  fields.unshift(['Bot', e.botId ?? '(all)'], ['Severity', severity], ['Trigger', e.trigger]);
  fields.push(['Time', new Date(e.ts).toISOString()]);
  if (e.alertId !== undefined) fields.push(['Alert id', String(e.alertId)]);
  for (const [k, v] of Object.entries(e.details ?? {})) fields.push([k, show(v)]);
  const clipped = fields.map(([k, v]) => [k, clip(v)] as const);
  const subject = `[tradelab] ${severity.toUpperCase()} ${TRIGGER_TITLES[e.trigger]}: ${e.botId ?? 'all bots'}`;
  const text = `${summary}\n\n${clipped.map(([k, v]) => `${k}: ${v}`).join('\n')}\n`;
  return { trigger: e.trigger, botId: e.botId, severity, ts: e.ts, alertId: e.alertId ?? null, subject, summary, fields: clipped, text, dedupKey: dedupKey(e.trigger, e.botId) };
}
