/** Users admin (admin only): list, create, delete. */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { EmptyBody, responses } from '../schemas.ts';
import type { ServerContext } from '../context.ts';
import type { Role } from '../users.ts';

const RoleS = Type.Union([Type.Literal('viewer'), Type.Literal('operator'), Type.Literal('admin')]);
const User = Type.Object({ name: Type.String(), role: RoleS, createdAt: Type.Number() });
const NewUser = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._@-]*$' }),
  password: Type.String({ minLength: 10, maxLength: 1024 }),
  role: RoleS,
}, { additionalProperties: false });
const NameParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) });

export function userRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/users', {
    config: { access: 'admin' },
    schema: { tags: ['users'], summary: 'List users', response: responses(Type.Array(User)) },
  }, async () => ctx.users.list());

  app.post<{ Body: Static<typeof NewUser> }>('/api/users', {
    config: { access: 'admin' },
    schema: { tags: ['users'], summary: 'Create a user (password hashed with scrypt)', body: NewUser, response: responses(User, 201) },
  }, async (req, reply) => {
    const u = await ctx.users.create(req.body.name, req.body.password, req.body.role as Role, req.user!.name, ctx.now());
    return reply.status(201).send(u);
  });

  app.delete<{ Params: Static<typeof NameParams> }>('/api/users/:name', {
    config: { access: 'admin' },
    schema: { tags: ['users'], summary: 'Delete a user and their sessions (not the last admin)', params: NameParams, body: EmptyBody, response: responses(User) },
  }, async (req) => ctx.users.delete(req.params.name, req.user!.name, ctx.now()));
}
