/**
 * Email over SMTP (nodemailer). The password comes as a `Secret` (environment or secrets directory) and is
 * revealed only to the transport; failures (refused connection, rejected authentication, rejected recipient)
 * reject `send` with a message from which the password is redacted.
 */
import nodemailer from 'nodemailer';
import { TradelabError } from '../../engine/errors.ts';
import { redactor, type Secret } from '../secrets/index.ts';
import type { AlertChannel, RenderedAlert } from './types.ts';

export interface EmailTransportSettings {
  readonly host: string;
  readonly port: number;
  /** TLS from the first byte (port 465). false: plain, upgraded by STARTTLS when the server offers it. */
  readonly secure: boolean;
  /** Refuse to send unless STARTTLS succeeds (ignored when `secure`). Default: true when `user` is set. */
  readonly requireTls?: boolean;
  /** Verify the server's certificate (default true; false only for a self-signed relay you trust). */
  readonly tlsRejectUnauthorized: boolean;
  /** '' or undefined: no authentication. */
  readonly user?: string;
  readonly from: string;
  readonly to: readonly string[];
  /** Connection, greeting and socket timeout. */
  readonly timeoutMs: number;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function alertHtml(a: RenderedAlert): string {
  const rows = a.fields.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('');
  return `<p>${escapeHtml(a.summary)}</p><table>${rows}</table>`;
}

export function createEmailChannel(s: EmailTransportSettings, password?: Secret): AlertChannel {
  if (s.to.length === 0) throw new TradelabError('ALERTS_CONFIG_INVALID', 'config', 'alerts.email.to is empty: list at least one recipient address');
  const redact = redactor([password]);
  const transport = nodemailer.createTransport({
    host: s.host,
    port: s.port,
    secure: s.secure,
    requireTLS: !s.secure && (s.requireTls ?? Boolean(s.user)),
    tls: { rejectUnauthorized: s.tlsRejectUnauthorized },
    auth: s.user ? { user: s.user, pass: password?.reveal() ?? '' } : undefined,
    connectionTimeout: s.timeoutMs,
    greetingTimeout: s.timeoutMs,
    socketTimeout: s.timeoutMs,
  });
  return {
    name: 'email',
    recipient: s.to.join(', '),
    async send(a) {
      try {
        const info = await transport.sendMail({
          from: s.from,
          to: [...s.to],
          subject: a.subject,
          text: a.text,
          html: alertHtml(a),
          headers: { 'X-Tradelab-Trigger': a.trigger, 'X-Tradelab-Severity': a.severity, ...(a.botId ? { 'X-Tradelab-Bot': a.botId } : {}) },
        });
        if (info.rejected.length > 0) throw new Error(`the server rejected ${info.rejected.map(String).join(', ')}`);
      } catch (e) {
        const code = (e as { code?: string }).code;
        throw new TradelabError('ALERT_EMAIL_FAILED', 'venue-unavailable',
          redact(`email to ${s.to.join(', ')} via ${s.host}:${s.port} failed${code ? ` (${code})` : ''}: ${(e as Error).message}`));
      }
    },
    close: () => transport.close(),
  };
}
