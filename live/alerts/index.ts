// Alerts: typed trigger events, rendering, channels (email over SMTP, Telegram, in-app toasts on the AlertBus),
// the de-duplicating dispatcher with its delivery log, settings and secrets, and the journal watcher.
export {
  ALERT_TRIGGERS, ALERT_SEVERITIES, SEVERITY_RANK, CHANNEL_NAMES, accepts,
  type AlertTrigger, type AlertSeverity, type ChannelName, type AlertEvent, type RenderedAlert, type ChannelFilter,
  type AlertChannel, type ChannelEntry,
} from './types.ts';
export { renderAlert, dedupKey, DEFAULT_SEVERITY, TRIGGER_TITLES } from './render.ts';
export { AlertBus, createToastChannel, toToast, type ToastMessage, type AlertListener } from './bus.ts';
export { createEmailChannel, alertHtml, type EmailTransportSettings } from './email-channel.ts';
export { createTelegramChannel, TELEGRAM_API, type TelegramSettings } from './telegram-channel.ts';
export { AlertDeliveryLog, type DeliveryInput, type StoredDelivery, type DeliveryStatus } from './delivery-log.ts';
export {
  AlertDispatcher, DEFAULT_DEDUP_WINDOW_MS, DEFAULT_SEND_TIMEOUT_MS,
  type AlertDispatcherOptions, type DispatchResult, type DeliveryResult,
} from './dispatcher.ts';
export {
  AlertSettingsSchema, EmailSettingsSchema, TelegramSettingsSchema, ToastSettingsSchema, AlertSeveritySchema, AlertTriggerSchema,
  loadAlertSecrets, alertSettingsProblems, parseAlertSettings, createAlerting, SMTP_PASSWORD_VAR, TELEGRAM_TOKEN_VAR,
  type AlertSettings, type AlertSecrets, type AlertingDeps, type Alerting,
} from './settings.ts';
export {
  ALERT_CODE_TRIGGERS, eventFromStoredAlert, watchJournalAlerts, type JournalWatcher, type JournalWatcherOptions,
} from './journal-source.ts';
