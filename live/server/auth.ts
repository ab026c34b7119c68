/**
 * Authentication and role checks, run in onRequest (before the body is parsed or validated, so a caller without
 * the right gets 401/403 whatever they send). Credentials: `Authorization: Bearer <session token>` (from POST
 * /api/auth/login), `Authorization: Basic base64(user:password)` for scripts (failures are rate-limited like
 * logins), or `?token=` on the websocket upgrade (browsers cannot set headers there).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { httpError } from './errors.ts';
import { roleRank } from './users.ts';
import type { AuthUser, ServerContext } from './context.ts';
import type { Role } from './users.ts';

export const WWW_AUTHENTICATE = 'Basic realm="tradelab", charset="UTF-8"';

/** Applies the login limiter to `user` from `ip`; throws LOGIN_RATE_LIMITED (429 + Retry-After). */
export function checkLoginRate(ctx: ServerContext, user: string, ip: string): void {
  const retryAfterSec = ctx.limiter.hit(`${user.toLowerCase()}\u0000${ip}`, ctx.now());
  if (retryAfterSec > 0) {
    throw httpError('LOGIN_RATE_LIMITED', `too many login attempts for '${user}' from ${ip}; try again in ${retryAfterSec} s`, { retryAfterSec });
  }
}

/** Bearer, ?token= and anonymous are answered synchronously; Basic needs a scrypt (async). */
function authenticate(ctx: ServerContext, req: FastifyRequest): AuthUser | null | Promise<AuthUser | null> {
  const h = req.headers.authorization;
  if (h === undefined || h === '') {
    const q = req.url.startsWith('/ws') ? new URL(req.url, 'http://x').searchParams.get('token') : null;
    if (q) {
      const u = ctx.users.session(q, ctx.now());
      if (!u) throw httpError('AUTH_FAILED', 'the session token is unknown or expired; log in again');
      return { name: u.name, role: u.role };
    }
    if (ctx.deps.anonymousRole && ctx.users.count() === 0) return { name: 'local', role: ctx.deps.anonymousRole };
    return null;
  }
  const [scheme, value = ''] = h.split(' ', 2);
  if (/^bearer$/i.test(scheme)) {
    const u = ctx.users.session(value.trim(), ctx.now());
    if (!u) throw httpError('AUTH_FAILED', 'the session token is unknown or expired; log in again');
    return { name: u.name, role: u.role };
  }
  if (/^basic$/i.test(scheme)) {
    const text = Buffer.from(value.trim(), 'base64').toString('utf8');
    const i = text.indexOf(':');
    if (i <= 0) throw httpError('AUTH_FAILED', 'HTTP Basic credentials must be base64 of user:password');
    const name = text.slice(0, i);
    checkLoginRate(ctx, name, req.ip);
    return ctx.users.verify(name, text.slice(i + 1)).then((u) => {
      if (!u) throw httpError('AUTH_FAILED', 'wrong user name or password');
      return { name: u.name, role: u.role };
    });
  }
  throw httpError('AUTH_FAILED', `unsupported Authorization scheme '${scheme}'; use Bearer <token> or Basic`);
}

export function authHook(ctx: ServerContext) {
  const fail = (reply: FastifyReply, e: unknown, done: (err?: Error) => void) => {
    // The web UI sends X-Requested-With: a Basic challenge would make the browser open its own password dialog (and
    // hold the request until it is answered) instead of letting the UI show its login page.
    if (reply.request.headers['x-requested-with'] === undefined) reply.header('www-authenticate', WWW_AUTHENTICATE);
    done(e as Error);
  };
  const check = (req: FastifyRequest, reply: FastifyReply, access: Role, user: AuthUser | null, done: (err?: Error) => void) => {
    if (!user) return fail(reply, httpError('AUTH_REQUIRED', 'this route needs credentials: Authorization: Bearer <token from POST /api/auth/login> or Basic'), done);
    if (roleRank(user.role) < roleRank(access)) {
      return done(httpError('FORBIDDEN', `${req.method} ${req.routeOptions.url} needs the ${access} role; user '${user.name}' is ${user.role}`, { required: access, role: user.role }));
    }
    req.user = user;
    done();
  };
  // Callback style: no promise per request on the Bearer path (the load bench's hot path).
  return (req: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void => {
    req.user = null;
    // Routes Fastify does not know (404) and the API documentation are public; every other route declares access.
    const access = req.routeOptions.config?.access ?? (req.routeOptions.url === undefined || req.url.startsWith('/api/docs') ? 'public' : 'admin');
    if (access === 'public') return done();
    let r: AuthUser | null | Promise<AuthUser | null>;
    try {
      r = authenticate(ctx, req);
    } catch (e) {
      return fail(reply, e, done);
    }
    if (r instanceof Promise) r.then((u) => check(req, reply, access, u, done), (e: unknown) => fail(reply, e, done));
    else check(req, reply, access, r, done);
  };
}
