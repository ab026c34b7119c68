/** Login (password → session token), logout, who am I. */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { httpError } from '../errors.ts';
import { checkLoginRate } from '../auth.ts';
import { EmptyBody, responses } from '../schemas.ts';
import type { ServerContext } from '../context.ts';

const LoginBody = Type.Object({
  user: Type.String({ minLength: 1, maxLength: 64 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
}, { additionalProperties: false });
const Role = Type.Union([Type.Literal('viewer'), Type.Literal('operator'), Type.Literal('admin')]);
const Session = Type.Object({ token: Type.String(), expiresAt: Type.Number(), user: Type.String(), role: Role });

export function authRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{ Body: Static<typeof LoginBody> }>('/api/auth/login', {
    config: { access: 'public' },
    schema: { tags: ['auth'], summary: `Log in: a session token (Bearer). Rate-limited per user and IP.`, body: LoginBody, response: responses(Session) },
  }, async (req) => {
    const { user, password } = req.body;
    checkLoginRate(ctx, user, req.ip);
    const u = await ctx.users.verify(user, password);
    if (!u) throw httpError('AUTH_FAILED', 'wrong user name or password');
    const s = ctx.users.createSession(u.name, ctx.now(), ctx.deps.config.config.server.sessionTtlHours * 3_600_000);
    req.user = { name: u.name, role: u.role };
    ctx.audit(req, 'auth.login', 'user', u.name, null, { expiresAt: s.expiresAt });
    return { token: s.token, expiresAt: s.expiresAt, user: u.name, role: u.role };
  });

  app.post('/api/auth/logout', {
    config: { access: 'viewer' },
    schema: { tags: ['auth'], summary: 'End the session of the Bearer token', body: EmptyBody, response: responses(Type.Object({ ended: Type.Boolean() })) },
  }, async (req) => {
    const h = req.headers.authorization ?? '';
    const m = /^bearer\s+(.+)$/i.exec(h);
    const ended = m ? ctx.users.endSession(m[1].trim()) : false;
    if (ended) ctx.audit(req, 'auth.logout', 'user', req.user!.name, null, null);
    return { ended };
  });

  app.get('/api/auth/me', {
    config: { access: 'viewer' },
    schema: { tags: ['auth'], summary: 'The authenticated user and role', response: responses(Type.Object({ user: Type.String(), role: Role })) },
  }, async (req) => ({ user: req.user!.name, role: req.user!.role }));
}
