/**
 * Telegram over the Bot API: `POST <baseUrl>/bot<token>/sendMessage` with `{ chat_id, text }`. The token is a
 * `Secret`; it is part of the URL, so every error message is passed through a redactor. `baseUrl` defaults to
 * https://api.telegram.org and is injectable (tests run a local HTTP server).
 */
import { TradelabError } from '../../engine/errors.ts';
import { redactor, type Secret } from '../secrets/index.ts';
import type { AlertChannel } from './types.ts';

export const TELEGRAM_API = 'https://api.telegram.org';
/** Telegram refuses messages over 4096 characters. */
const MAX_TEXT = 4096;

export interface TelegramSettings {
  readonly chatId: string;
  readonly baseUrl: string;
  readonly timeoutMs: number;
}

export function createTelegramChannel(s: TelegramSettings, token: Secret, fetchFn: typeof fetch = fetch): AlertChannel {
  const redact = redactor([token]);
  const fail = (msg: string): TradelabError => new TradelabError('ALERT_TELEGRAM_FAILED', 'venue-unavailable', redact(`telegram to chat ${s.chatId} failed: ${msg}`));
  return {
    name: 'telegram',
    recipient: s.chatId,
    async send(a) {
      const text = a.text.length > MAX_TEXT ? `${a.text.slice(0, MAX_TEXT - 1)}…` : a.text;
      let res: Response;
      try {
        res = await fetchFn(`${s.baseUrl.replace(/\/+$/, '')}/bot${token.reveal()}/sendMessage`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ chat_id: s.chatId, text: `${a.subject}\n\n${text}`, disable_web_page_preview: true }),
          signal: AbortSignal.timeout(s.timeoutMs),
        });
      } catch (e) {
        const cause = (e as { cause?: { code?: string } }).cause?.code;
        throw fail(`${(e as Error).name === 'TimeoutError' ? `no answer within ${s.timeoutMs} ms` : (e as Error).message}${cause ? ` (${cause})` : ''}`);
      }
      const body = await res.text();
      let parsed: { ok?: boolean; description?: string } | undefined;
      try { parsed = JSON.parse(body) as typeof parsed; } catch { parsed = undefined; }
      if (!res.ok || parsed?.ok !== true) {
        throw fail(`HTTP ${res.status}${parsed?.description ? `: ${parsed.description}` : body ? `: ${body.slice(0, 200)}` : ''}`);
      }
    },
  };
}
