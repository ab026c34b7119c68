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

export const WWW_AUTHENTICATE = 'Basic realm="tradelab", charset="UTF-8"';

/** Applies the login limiter to `user` from `ip`; throws LOGIN_RATE_LIMITED (429 + Retry-After). */
export function checkLoginRate(ctx: ServerContext, user: string, ip: string): void {
  const retryAfterSec = ctx.limiter.hit(`${user.toLowerCase()}\u0000${ip}`, ctx.now());
  if (retryAfterSec > 0) {
    throw httpError('LOGIN_RATE_LIMITED', `too many login attempts for '${user}' from ${ip}; try again in ${retryAfterSec} s`, { retryAfterSec });
  }
}

async function authenticate(ctx: ServerContext, req: FastifyRequest): Promise<AuthUser | null> {
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
    const u = await ctx.users.verify(name, text.slice(i + 1));
    if (!u) throw httpError('AUTH_FAILED', 'wrong user name or password');
    return { name: u.name, role: u.role };
  }
  throw httpError('AUTH_FAILED', `unsupported Authorization scheme '${scheme}'; use Bearer <token> or Basic`);
}

export function authHook(ctx: ServerContext) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    req.user = null;
    const url = req.url;
    // Routes Fastify does not know (404) and the API documentation are public; every other route declares access.
    const access = req.routeOptions.config?.access ?? (req.routeOptions.url === undefined || url.startsWith('/api/docs') ? 'public' : 'admin');
    if (access === 'public') return;
    let user: AuthUser | null;
    try {
      user = await authenticate(ctx, req);
    } catch (e) {
      reply.header('www-authenticate', WWW_AUTHENTICATE);
      throw e;
    }
    if (!user) {
      reply.header('www-authenticate', WWW_AUTHENTICATE);
      throw httpError('AUTH_REQUIRED', 'this route needs credentials: Authorization: Bearer <token from POST /api/auth/login> or Basic');
    }
    if (roleRank(user.role) < roleRank(access)) {
      throw httpError('FORBIDDEN', `${req.method} ${req.routeOptions.url} needs the ${access} role; user '${user.name}' is ${user.role}`, { required: access, role: user.role });
    }
    req.user = user;
  };
}
