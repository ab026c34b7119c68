/**
 * Alert settings: one TypeBox schema (the server's config layer embeds it under `alerts`), a validator that lists
 * every problem at once, the secrets (SMTP password, Telegram bot token) read only from the environment or the
 * secrets directory, and the factory that builds the channels and the dispatcher.
 *
 *   alerts:
 *     dedupWindowMs: 60000
 *     email:    { enabled, triggers: [], minSeverity: warning, host, port: 587, secure: false, requireTls (default: true
 *                 when user is set), tlsRejectUnauthorized: true, user: '', from, to: [...], timeoutMs: 10000 }
 *
 * The server config's `email` and `telegram` sections (live/config/schema.ts) are subsets of these and can be
 * passed as they are: `createAlerting({ email: cfg.email, telegram: cfg.telegram }, secrets, deps)`.
 *     telegram: { enabled, triggers: [], minSeverity: warning, chatId, baseUrl: https://api.telegram.org, timeoutMs: 10000 }
 *     toast:    { enabled: true, triggers: [], minSeverity: info }
 *
 *   TRADELAB_SMTP_PASSWORD, TRADELAB_TELEGRAM_TOKEN (or files of those names in TRADELAB_SECRETS_DIR)
 */
import { join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { TradelabError } from '../../engine/errors.ts';
import { realCredentialsDeps, Secret, type CredentialsDeps } from '../secrets/index.ts';
import type { StateDb } from '../state/db.ts';
import type { LogFn } from '../runtime/logger.ts';
import { AlertBus, createToastChannel } from './bus.ts';
import { AlertDeliveryLog } from './delivery-log.ts';
import { AlertDispatcher, DEFAULT_DEDUP_WINDOW_MS } from './dispatcher.ts';
import { createEmailChannel } from './email-channel.ts';
import { createTelegramChannel, TELEGRAM_API } from './telegram-channel.ts';
import { ALERT_SEVERITIES, ALERT_TRIGGERS, type ChannelEntry } from './types.ts';

const Trigger = Type.Union(ALERT_TRIGGERS.map((t) => Type.Literal(t)));
const Severity = Type.Union(ALERT_SEVERITIES.map((s) => Type.Literal(s)));
const filterFields = (enabled: boolean, minSeverity: 'info' | 'warning') => ({
  enabled: Type.Boolean({ default: enabled }),
  triggers: Type.Array(Trigger, { default: [], description: 'empty = every trigger' }),
  minSeverity: Type.Union(ALERT_SEVERITIES.map((s) => Type.Literal(s)), { default: minSeverity }),
});

export const EmailSettingsSchema = Type.Object({
  ...filterFields(false, 'warning'),
  host: Type.String({ default: '' }),
  port: Type.Integer({ minimum: 1, maximum: 65535, default: 587 }),
  secure: Type.Boolean({ default: false, description: 'TLS from the first byte (port 465)' }),
  requireTls: Type.Optional(Type.Boolean({ description: 'refuse to send unless STARTTLS succeeds; default: true when a user is set (the password must not travel in clear)' })),
  tlsRejectUnauthorized: Type.Boolean({ default: true }),
  user: Type.String({ default: '', description: "'' = no authentication" }),
  from: Type.String({ default: '' }),
  to: Type.Array(Type.String({ minLength: 3 }), { default: [] }),
  timeoutMs: Type.Integer({ minimum: 100, maximum: 120_000, default: 10_000 }),
}, { additionalProperties: false });

export const TelegramSettingsSchema = Type.Object({
  ...filterFields(false, 'warning'),
  chatId: Type.String({ default: '' }),
  baseUrl: Type.String({ default: TELEGRAM_API, pattern: '^https?://' }),
  timeoutMs: Type.Integer({ minimum: 100, maximum: 120_000, default: 10_000 }),
}, { additionalProperties: false });

export const ToastSettingsSchema = Type.Object(filterFields(true, 'info'), { additionalProperties: false });

export const AlertSettingsSchema = Type.Object({
  dedupWindowMs: Type.Integer({ minimum: 0, maximum: 86_400_000, default: DEFAULT_DEDUP_WINDOW_MS }),
  email: Type.Object(EmailSettingsSchema.properties, { additionalProperties: false, default: {} }),
  telegram: Type.Object(TelegramSettingsSchema.properties, { additionalProperties: false, default: {} }),
  toast: Type.Object(ToastSettingsSchema.properties, { additionalProperties: false, default: {} }),
}, { additionalProperties: false });

export type AlertSettings = Static<typeof AlertSettingsSchema>;
export { Severity as AlertSeveritySchema, Trigger as AlertTriggerSchema };

export interface AlertSecrets {
  readonly smtpPassword?: Secret;
  readonly telegramToken?: Secret;
}

export const SMTP_PASSWORD_VAR = 'TRADELAB_SMTP_PASSWORD';
export const TELEGRAM_TOKEN_VAR = 'TRADELAB_TELEGRAM_TOKEN';

/** The alert secrets from `env` (a variable wins over its file in TRADELAB_SECRETS_DIR). */
export function loadAlertSecrets(env: Readonly<Record<string, string | undefined>>, deps: CredentialsDeps = realCredentialsDeps): AlertSecrets {
  const read = (name: string): Secret | undefined => {
    const v = env[name];
    if (v !== undefined && v.trim() !== '') return new Secret(v.trim());
    const dir = env.TRADELAB_SECRETS_DIR;
    if (!dir) return undefined;
    const text = deps.readFile(join(dir, name));
    return text === undefined || text.trim() === '' ? undefined : new Secret(text.trim());
  };
  const smtpPassword = read(SMTP_PASSWORD_VAR), telegramToken = read(TELEGRAM_TOKEN_VAR);
  return { ...(smtpPassword ? { smtpPassword } : {}), ...(telegramToken ? { telegramToken } : {}) };
}

/**
 * Every problem with `raw` (after defaults), as `path: what is wrong` lines; empty when valid. Checks the schema,
 * then what an enabled channel needs (host, from, recipients; chat id and token).
 */
export function alertSettingsProblems(raw: unknown, secrets: AlertSecrets = {}): string[] {
  const value = Value.Default(AlertSettingsSchema, structuredClone(raw ?? {}));
  const problems = [...Value.Errors(AlertSettingsSchema, value)].map((e) => `alerts${e.path.replace(/\//g, '.')}: ${e.message}`);
  if (problems.length) return [...new Set(problems)];
  const s = value as AlertSettings;
  if (s.email.enabled) {
    if (!s.email.host) problems.push('alerts.email.host: required when email alerts are enabled');
    if (!s.email.from) problems.push('alerts.email.from: required when email alerts are enabled (the sender address)');
    if (s.email.to.length === 0) problems.push('alerts.email.to: list at least one recipient when email alerts are enabled');
    if (s.email.user && !secrets.smtpPassword) problems.push(`alerts.email.user is set but ${SMTP_PASSWORD_VAR} is not (environment or secrets directory)`);
  }
  if (s.telegram.enabled) {
    if (!s.telegram.chatId) problems.push('alerts.telegram.chatId: required when Telegram alerts are enabled');
    if (!secrets.telegramToken) problems.push(`alerts.telegram is enabled but ${TELEGRAM_TOKEN_VAR} is not set (environment or secrets directory)`);
  }
  return problems;
}

/** Validated settings with defaults; throws ALERTS_CONFIG_INVALID listing every problem. */
export function parseAlertSettings(raw: unknown, secrets: AlertSecrets = {}): AlertSettings {
  const problems = alertSettingsProblems(raw, secrets);
  if (problems.length) {
    throw new TradelabError('ALERTS_CONFIG_INVALID', 'config', `alert settings are invalid:\n  ${problems.join('\n  ')}`, { details: { problems } });
  }
  return Value.Default(AlertSettingsSchema, structuredClone(raw ?? {})) as AlertSettings;
}

export interface AlertingDeps {
  /** The state database: the delivery log is written there. */
  readonly db?: StateDb;
  /** The bus the toast channel publishes on (the server's /ws subscribes to it); a new one when omitted. */
  readonly bus?: AlertBus;
  readonly now?: () => number;
  readonly logger?: LogFn;
  readonly fetch?: typeof fetch;
}

export interface Alerting {
  readonly dispatcher: AlertDispatcher;
  readonly bus: AlertBus;
  readonly log: AlertDeliveryLog | undefined;
  readonly channels: readonly ChannelEntry[];
}

/** Builds the enabled channels and the dispatcher from validated settings. */
export function createAlerting(raw: unknown, secrets: AlertSecrets, deps: AlertingDeps = {}): Alerting {
  const s = parseAlertSettings(raw, secrets);
  const bus = deps.bus ?? new AlertBus((e) => deps.logger?.({ event: 'alert.bus-listener-failed', error: String(e) }));
  const channels: ChannelEntry[] = [];
  if (s.email.enabled) channels.push({ channel: createEmailChannel(s.email, secrets.smtpPassword), filter: s.email });
  if (s.telegram.enabled && secrets.telegramToken) channels.push({ channel: createTelegramChannel(s.telegram, secrets.telegramToken, deps.fetch), filter: s.telegram });
  if (s.toast.enabled) channels.push({ channel: createToastChannel(bus), filter: s.toast });
  const log = deps.db ? new AlertDeliveryLog(deps.db) : undefined;
  const dispatcher = new AlertDispatcher({ channels, log, now: deps.now, dedupWindowMs: s.dedupWindowMs, logger: deps.logger });
  return { dispatcher, bus, log, channels };
}
