import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../secrets/index.ts';
import { openMemoryStateStore, type StateStore } from '../state/index.ts';
import { AlertBus, type ToastMessage } from './bus.ts';
import { AlertDeliveryLog } from './delivery-log.ts';
import { AlertDispatcher } from './dispatcher.ts';
import { createAlerting } from './settings.ts';
import type { AlertChannel, AlertEvent } from './types.ts';
import { closedPort, startLocalHttp, startLocalSmtp, type LocalHttp, type LocalSmtp } from './local-servers.test-util.ts';

const T0 = Date.UTC(2026, 10, 21, 6, 0, 0);
const PASSWORD = 'smtp-pass-1234567';
const TOKEN = '123456:ABCdefGHIjklMNOpqrSTUvwx';

const kill: AlertEvent = { trigger: 'kill-switch', botId: 'grid-btc', ts: T0, reason: 'operator pressed the kill switch', cancelled: 3, failed: 0 };

let smtp: LocalSmtp;
let stores: StateStore[] = [];
beforeAll(async () => { smtp = await startLocalSmtp({ user: 'alerts', pass: PASSWORD }); });
afterAll(async () => { await smtp.close(); });
afterEach(() => { for (const s of stores) s.close(); stores = []; });

function store(): StateStore {
  const s = openMemoryStateStore();
  stores.push(s);
  return s;
}

const emailSettings = (port: number, extra: Record<string, unknown> = {}) => ({
  enabled: true, host: '127.0.0.1', port, secure: false, requireTls: false, user: 'alerts', from: 'tradelab@example.test',
  to: ['ops@example.test', 'oncall@example.test'], timeoutMs: 3000, ...extra,
});

describe('email over a real local SMTP server', () => {
  it('delivers the alert: subject, body fields, recipients, headers; the attempt is logged as sent', async () => {
    const st = store();
    const clock = { t: T0 };
    const { dispatcher, log } = createAlerting({ email: emailSettings(smtp.port), toast: { enabled: false } }, { smtpPassword: new Secret(PASSWORD) }, { db: st.db, now: () => clock.t });
    const before = smtp.mails.length;
    const r = await dispatcher.dispatch(kill);
    expect(r.suppressed).toBe(false);
    expect(r.deliveries).toEqual([{ channel: 'email', recipient: 'ops@example.test, oncall@example.test', status: 'sent' }]);
    expect(smtp.mails.length).toBe(before + 1);
    const got = smtp.mails.at(-1)!;
    expect(got.user).toBe('alerts');
    expect(got.mailFrom).toBe('tradelab@example.test');
    expect(got.rcptTo).toEqual(['ops@example.test', 'oncall@example.test']);
    expect(got.mail.subject).toBe('[tradelab] CRITICAL kill switch: grid-btc');
    const text = got.mail.text ?? '';
    expect(text).toContain('Kill switch on bot grid-btc: operator pressed the kill switch');
    expect(text).toContain('Bot: grid-btc');
    expect(text).toContain('Orders cancelled: 3');
    expect(text).toContain(`Time: ${new Date(T0).toISOString()}`);
    expect(got.mail.html || '').toContain('<th align="left">Reason</th><td>operator pressed the kill switch</td>');
    expect(got.mail.headers.get('x-tradelab-trigger')).toBe('kill-switch');
    expect(got.mail.headers.get('x-tradelab-bot')).toBe('grid-btc');
    const rows = log!.list();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ channel: 'email', status: 'sent', trigger: 'kill-switch', botId: 'grid-btc', severity: 'critical', error: null, subject: got.mail.subject, recipient: 'ops@example.test, oncall@example.test' });
    expect(rows[0].body).toContain('Reason: operator pressed the kill switch');
    await dispatcher.close();
  });

  it('a rejected login is a recorded failure, not a crash, and the password never appears', async () => {
    const st = store();
    const { dispatcher, log } = createAlerting({ email: emailSettings(smtp.port), toast: { enabled: false } }, { smtpPassword: new Secret('wrong-password-xyz') }, { db: st.db });
    const before = smtp.mails.length;
    const r = await dispatcher.dispatch(kill);
    expect(r.deliveries).toHaveLength(1);
    expect(r.deliveries[0].status).toBe('failed');
    expect(r.deliveries[0].error).toMatch(/EAUTH|535|Invalid username/);
    expect(r.deliveries[0].error).not.toContain('wrong-password-xyz');
    expect(smtp.mails.length).toBe(before);
    expect(smtp.authAttempts.at(-1)).toEqual({ username: 'alerts', ok: false });
    const rows = log!.list();
    expect(rows.map((x) => [x.channel, x.status])).toEqual([['email', 'failed']]);
    expect(rows[0].error).toMatch(/EAUTH|535/);
    await dispatcher.close();
  });

  it('with a user and no explicit requireTls, a server without STARTTLS gets no password and no mail', async () => {
    const st = store();
    const { requireTls: _r, ...noTlsChoice } = emailSettings(smtp.port);
    const { dispatcher } = createAlerting({ email: noTlsChoice, toast: { enabled: false } }, { smtpPassword: new Secret(PASSWORD) }, { db: st.db });
    const mails = smtp.mails.length, auths = smtp.authAttempts.length;
    const r = await dispatcher.dispatch(kill);
    expect(r.deliveries[0].status).toBe('failed');
    expect(r.deliveries[0].error).toMatch(/STARTTLS|TLS/i);
    expect(smtp.authAttempts.length).toBe(auths);
    expect(smtp.mails.length).toBe(mails);
    await dispatcher.close();
  });

  it('a closed port is a recorded failure (ECONNREFUSED); the other channels still deliver', async () => {
    const st = store();
    const port = await closedPort();
    const bus = new AlertBus();
    const toasts: ToastMessage[] = [];
    bus.subscribe((t) => toasts.push(t));
    const { dispatcher, log } = createAlerting({ email: emailSettings(port) }, { smtpPassword: new Secret(PASSWORD) }, { db: st.db, bus });
    const r = await dispatcher.dispatch({ trigger: 'bot-crash', botId: 'b1', ts: T0, error: 'TypeError: x is undefined' });
    const byChannel = Object.fromEntries(r.deliveries.map((d) => [d.channel, d]));
    expect(byChannel.email.status).toBe('failed');
    expect(byChannel.email.error).toMatch(/ECONNREFUSED/);
    expect(byChannel.toast.status).toBe('sent');
    expect(toasts).toEqual([{ topic: 'alert', trigger: 'bot-crash', severity: 'critical', botId: 'b1', ts: T0, alertId: null, title: 'CRITICAL bot crashed: b1', text: 'Bot b1 crashed: TypeError: x is undefined' }]);
    expect(log!.list({ status: 'failed' })).toHaveLength(1);
    expect(log!.list({ status: 'sent' })).toHaveLength(1);
    await dispatcher.close();
  });
});

describe('telegram against a local HTTP server', () => {
  let tg: LocalHttp;
  let answer: { status: number; body: unknown; delayMs?: number } = { status: 200, body: { ok: true, result: { message_id: 1 } } };
  beforeAll(async () => { tg = await startLocalHttp(() => answer); });
  afterAll(async () => { await tg.close(); });

  it('POSTs sendMessage with the chat id and the text to /bot<token>/', async () => {
    answer = { status: 200, body: { ok: true, result: { message_id: 7 } } };
    const st = store();
    const { dispatcher, log } = createAlerting({ telegram: { enabled: true, chatId: '-100123', baseUrl: tg.baseUrl }, toast: { enabled: false } }, { telegramToken: new Secret(TOKEN) }, { db: st.db });
    const n = tg.requests.length;
    const r = await dispatcher.dispatch({ trigger: 'loss-limit', botId: 'dca-eth', ts: T0, rule: 'daily-loss', reason: 'realised -5.2% today, limit 5%', severity: 'critical' });
    expect(r.deliveries).toEqual([{ channel: 'telegram', recipient: '-100123', status: 'sent' }]);
    expect(tg.requests.length).toBe(n + 1);
    const req = tg.requests.at(-1)!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe(`/bot${TOKEN}/sendMessage`);
    expect(req.headers['content-type']).toBe('application/json');
    const body = JSON.parse(req.body) as { chat_id: string; text: string };
    expect(body.chat_id).toBe('-100123');
    expect(body.text.split('\n')[0]).toBe('[tradelab] CRITICAL loss limit hit: dca-eth');
    expect(body.text).toContain("Loss limit 'daily-loss' hit on bot dca-eth: realised -5.2% today, limit 5%");
    expect(body.text).toContain('Rule: daily-loss');
    expect(log!.list()[0]).toMatchObject({ channel: 'telegram', status: 'sent', recipient: '-100123' });
  });

  it('an API refusal is recorded with its description; the token is redacted from the error', async () => {
    answer = { status: 401, body: { ok: false, error_code: 401, description: `Unauthorized for bot${TOKEN}` } };
    const st = store();
    const { dispatcher, log } = createAlerting({ telegram: { enabled: true, chatId: '42', baseUrl: tg.baseUrl }, toast: { enabled: false } }, { telegramToken: new Secret(TOKEN) }, { db: st.db });
    const r = await dispatcher.dispatch(kill);
    expect(r.deliveries[0].status).toBe('failed');
    expect(r.deliveries[0].error).toContain('HTTP 401: Unauthorized for bot<redacted>');
    expect(r.deliveries[0].error).not.toContain(TOKEN);
    expect(log!.list()[0].error).not.toContain(TOKEN);
  });

  it('a server that does not answer in time is a failure after timeoutMs', async () => {
    answer = { status: 200, body: { ok: true }, delayMs: 2000 };
    const st = store();
    const { dispatcher } = createAlerting({ telegram: { enabled: true, chatId: '42', baseUrl: tg.baseUrl, timeoutMs: 200 }, toast: { enabled: false } }, { telegramToken: new Secret(TOKEN) }, { db: st.db });
    const t = Date.now();
    const r = await dispatcher.dispatch(kill);
    expect(Date.now() - t).toBeLessThan(1500);
    expect(r.deliveries[0].status).toBe('failed');
    expect(r.deliveries[0].error).toContain('no answer within 200 ms');
  });
});

function recordingChannel(name: AlertChannel['name'], fail?: string, delayMs = 0): AlertChannel & { sent: string[] } {
  const sent: string[] = [];
  return {
    name, recipient: `${name}-rcpt`, sent,
    async send(a) {
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      if (fail) throw new Error(fail);
      sent.push(a.dedupKey);
    },
  };
}

describe('dispatcher', () => {
  const all = { enabled: true, triggers: [], minSeverity: 'info' } as const;

  it('de-duplicates a burst of the same trigger and bot within the window, and sends again after it', async () => {
    const st = store();
    const log = new AlertDeliveryLog(st.db);
    const clock = { t: T0 };
    const ch = recordingChannel('email');
    const d = new AlertDispatcher({ channels: [{ channel: ch, filter: all }], log, now: () => clock.t, dedupWindowMs: 60_000 });
    expect((await d.dispatch(kill)).suppressed).toBe(false);
    clock.t += 10_000;
    const second = await d.dispatch({ ...kill, ts: clock.t });
    expect(second.suppressed).toBe(true);
    expect((await d.dispatch({ ...kill, botId: 'other', ts: clock.t })).suppressed).toBe(false);
    expect((await d.dispatch({ trigger: 'emergency-stop', botId: 'grid-btc', ts: clock.t, reason: 'drawdown' })).suppressed).toBe(false);
    clock.t += 50_000;
    expect((await d.dispatch({ ...kill, ts: clock.t })).suppressed).toBe(false);
    expect(ch.sent).toEqual(['kill-switch|grid-btc', 'kill-switch|other', 'emergency-stop|grid-btc', 'kill-switch|grid-btc']);
    const rows = log.list();
    expect(rows.map((r) => [r.channel, r.status, r.dedupKey])).toEqual([
      ['email', 'sent', 'kill-switch|grid-btc'], ['*', 'suppressed', 'kill-switch|grid-btc'], ['email', 'sent', 'kill-switch|other'],
      ['email', 'sent', 'emergency-stop|grid-btc'], ['email', 'sent', 'kill-switch|grid-btc'],
    ]);
    expect(rows[1].error).toBe('duplicate of an alert sent 10000 ms ago (window 60000 ms)');
  });

  it('setChannels: new events use the new channels; a send in progress finishes on the old one, which is then closed', async () => {
    const slow = { ...recordingChannel('email', undefined, 50), closed: 0, close() { this.closed++; } };
    const next = recordingChannel('telegram');
    const d = new AlertDispatcher({ channels: [{ channel: slow, filter: all }], dedupWindowMs: 0 });
    const inFlight = d.dispatch(kill);
    d.setChannels([{ channel: next, filter: all }]);
    expect(slow.closed).toBe(0);
    await d.dispatch({ ...kill, botId: 'other' });
    await inFlight;
    await d.drain();
    await new Promise((r) => setTimeout(r, 0));
    expect([slow.sent, next.sent, slow.closed]).toEqual([['kill-switch|grid-btc'], ['kill-switch|other'], 1]);
    expect(d.channels.map((c) => c.channel.name)).toEqual(['telegram']);
  });

  it('sends each channel only the triggers and severities it takes', async () => {
    const email = recordingChannel('email'), telegram = recordingChannel('telegram');
    const d = new AlertDispatcher({
      channels: [
        { channel: email, filter: { enabled: true, triggers: [], minSeverity: 'warning' } },
        { channel: telegram, filter: { enabled: true, triggers: ['kill-switch', 'bot-crash'], minSeverity: 'info' } },
        { channel: recordingChannel('toast'), filter: { enabled: false, triggers: [], minSeverity: 'info' } },
      ],
      dedupWindowMs: 0,
    });
    await d.dispatch({ trigger: 'loss-streak-rotation', botId: 'a', ts: T0, consecutiveLosses: 4, from: 'sma@1', to: 'rsi@1' }); // info
    await d.dispatch({ trigger: 'loss-streak-pause', botId: 'a', ts: T0, consecutiveLosses: 5, strategy: 'rsi@1' }); // warning
    await d.dispatch({ trigger: 'bot-crash', botId: 'a', ts: T0, error: 'boom', severity: 'info' });
    expect(email.sent).toEqual(['loss-streak-pause|a']);
    expect(telegram.sent).toEqual(['bot-crash|a']);
  });

  it('never throws: failing, hanging and throwing channels, a closed log database and a throwing logger', async () => {
    const st = openMemoryStateStore();
    const log = new AlertDeliveryLog(st.db);
    const logged: string[] = [];
    const ok = recordingChannel('toast');
    const d = new AlertDispatcher({
      channels: [
        { channel: recordingChannel('email', 'smtp down'), filter: all },
        { channel: recordingChannel('telegram', undefined, 5_000), filter: all },
        { channel: { name: 'email', recipient: 'x', send: () => { throw new Error('sync throw'); } }, filter: all },
        { channel: ok, filter: all },
      ],
      log, sendTimeoutMs: 100, dedupWindowMs: 0,
      logger: (e) => { logged.push(e.event); if (e.event === 'alert.sent') throw new Error('logger broke'); },
    });
    const r = await d.dispatch(kill);
    expect(r.deliveries.map((x) => [x.channel, x.status, x.error])).toEqual([
      ['email', 'failed', 'smtp down'], ['telegram', 'failed', 'no result within 100 ms'], ['email', 'failed', 'sync throw'], ['toast', 'sent', undefined],
    ]);
    expect(log.list().map((x) => x.status).sort()).toEqual(['failed', 'failed', 'failed', 'sent']); // recorded as each finishes
    st.close();
    const r2 = await d.dispatch({ ...kill, botId: 'b2' });
    expect(r2.deliveries.at(-1)!.status).toBe('sent');
    expect(logged).toContain('alert.record-failed');
    expect(ok.sent).toEqual(['kill-switch|grid-btc', 'kill-switch|b2']);
    d.notify({ ...kill, botId: 'b3' });
    await d.drain();
    expect(ok.sent.at(-1)).toBe('kill-switch|b3');
  });

  it('a bus listener that throws does not stop the others', async () => {
    const errors: unknown[] = [];
    const bus = new AlertBus((e) => errors.push(e));
    const got: string[] = [];
    bus.subscribe(() => { throw new Error('bad listener'); });
    const off = bus.subscribe((t) => got.push(t.title));
    const { dispatcher } = createAlerting({}, {}, { bus });
    const r = await dispatcher.dispatch({ trigger: 'reconcile-mismatch', botId: 'r1', ts: T0, message: '2 foreign orders' });
    expect(r.deliveries).toEqual([{ channel: 'toast', recipient: 'bus', status: 'sent' }]);
    expect(got).toEqual(['CRITICAL reconciliation mismatch: r1']);
    expect(errors).toHaveLength(1);
    off();
    expect(bus.size).toBe(1);
  });
});
