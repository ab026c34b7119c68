/**
 * Test-only: a real SMTP server (smtp-server) on 127.0.0.1 that parses every message it accepts (mailparser), and
 * a local HTTP server standing in for the Telegram Bot API that records each request.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface ReceivedMail {
  readonly mail: ParsedMail;
  readonly mailFrom: string;
  readonly rcptTo: readonly string[];
  readonly user: string | undefined;
}

export interface LocalSmtp {
  readonly port: number;
  readonly mails: ReceivedMail[];
  readonly authAttempts: { username: string; ok: boolean }[];
  close(): Promise<void>;
}

/** An SMTP server with AUTH PLAIN/LOGIN against one user (or no auth), STARTTLS disabled (plain loopback). */
export async function startLocalSmtp(auth?: { user: string; pass: string }): Promise<LocalSmtp> {
  const mails: ReceivedMail[] = [];
  const authAttempts: { username: string; ok: boolean }[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: auth === undefined,
    allowInsecureAuth: true,
    logger: false,
    onAuth(a, _session, cb) {
      const ok = auth !== undefined && a.username === auth.user && a.password === auth.pass;
      authAttempts.push({ username: a.username ?? '', ok });
      if (ok) cb(null, { user: a.username });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      simpleParser(stream).then((mail) => {
        mails.push({
          mail,
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          user: typeof session.user === 'string' ? session.user : undefined,
        });
        cb();
      }, (e: Error) => cb(e));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, authAttempts, close: () => new Promise<void>((r) => server.close(() => r())) };
}

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export interface LocalHttp {
  readonly baseUrl: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 answering each request with `respond(req)` (status and JSON body). */
export async function startLocalHttp(respond: (r: RecordedRequest) => { status: number; body: unknown; delayMs?: number }): Promise<LocalHttp> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(r);
      const out = respond(r);
      setTimeout(() => {
        res.writeHead(out.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(out.body));
      }, out.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

/** A loopback port nothing listens on (bound then released). */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
