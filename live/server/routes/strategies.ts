/** Strategies a bot may run (engine's signal and order strategies): ids, versions, parameter JSON Schemas. */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { didYouMean } from '../../../engine/errors.ts';
import { paramDefaults } from '../../../engine/params.ts';
import type { AnyStrategy } from '../../../engine/strategy.ts';
import { LIVE_STRATEGIES } from '../../bots/strategies.ts';
import { httpError } from '../errors.ts';
import { AnyObject, responses } from '../schemas.ts';
import type { ServerContext } from '../context.ts';

const StrategyS = Type.Object({
  id: Type.String(), version: Type.String(), ref: Type.String(), kind: Type.Union([Type.Literal('signal'), Type.Literal('orders')]),
  description: Type.String(),
  /** JSON Schema of the parameters (defaults and bounds): the web forms are generated from it. */
  paramsSchema: AnyObject,
  defaults: AnyObject,
});

/** JSON form of a TypeBox schema (drops TypeBox's symbol keys). */
const plain = (s: unknown): Record<string, unknown> => JSON.parse(JSON.stringify(s)) as Record<string, unknown>;

export function describeStrategy(s: AnyStrategy): Static<typeof StrategyS> {
  return { id: s.id, version: s.version, ref: s.ref, kind: s.kind, description: s.description, paramsSchema: plain(s.params), defaults: paramDefaults(s.params) };
}

export function strategyRoutes(app: FastifyInstance, _ctx: ServerContext): void {
  const list = LIVE_STRATEGIES.map(describeStrategy);
  app.get('/api/strategies', {
    config: { access: 'viewer' },
    schema: { tags: ['strategies'], summary: 'Strategies with their parameter schemas', response: responses(Type.Array(StrategyS)) },
  }, async () => list);

  const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 80 }) });
  app.get<{ Params: Static<typeof Params> }>('/api/strategies/:id', {
    config: { access: 'viewer' },
    schema: { tags: ['strategies'], summary: 'One strategy (id or id@version)', params: Params, response: responses(StrategyS) },
  }, async (req) => {
    const [id, version] = req.params.id.split('@');
    const s = list.find((x) => x.id === id && (version === undefined || x.version === version));
    if (!s) throw httpError('STRATEGY_NOT_FOUND', `no strategy '${req.params.id}'.${didYouMean(id, list.map((x) => x.id))} Known: ${list.map((x) => x.ref).join(', ')}`);
    return s;
  });
}
