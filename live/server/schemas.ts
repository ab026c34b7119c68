/** TypeBox schemas shared by the routes (request validation, response serialisation, OpenAPI). */
import { Type, type TSchema } from '@sinclair/typebox';

export const ErrorResponse = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    details: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  }),
}, { $id: 'ErrorResponse' });

const ErrRef = Type.Ref('ErrorResponse');

/** Response schemas: the success body under `ok` (default 200) plus every error status. */
export function responses(ok: TSchema, status = 200): Record<number, TSchema> {
  return { [status]: ok, 400: ErrRef, 401: ErrRef, 403: ErrRef, 404: ErrRef, 409: ErrRef, 422: ErrRef, 429: ErrRef, 500: ErrRef, 503: ErrRef };
}

export const AnyObject = Type.Record(Type.String(), Type.Unknown());
export const Id = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' });
export const Symbol = Type.String({ minLength: 3, maxLength: 40, pattern: '^[A-Za-z0-9]+/[A-Za-z0-9]+(:[A-Za-z0-9]+)?$' });
export const BotModeS = Type.Union([Type.Literal('replay'), Type.Literal('paper'), Type.Literal('live')]);
export const BotStatusS = Type.Union(['created', 'running', 'paused', 'stopped', 'hold', 'emergency-stopped'].map((s) => Type.Literal(s)));
export const Ts = Type.Number({ description: 'epoch ms' });

export const BotSchema = Type.Object({
  id: Type.String(), name: Type.String(), strategy: Type.String(), params: AnyObject, symbols: Type.Array(Type.String()),
  exchange: Type.String(), mode: BotModeS, status: BotStatusS, budget: Type.Number(), risk: AnyObject,
  runUntil: Type.Union([Type.Number(), Type.Null()]), createdAt: Ts, updatedAt: Ts,
});

export const Limit = Type.Integer({ minimum: 1, maximum: 5000, default: 500 });
export const Offset = Type.Integer({ minimum: 0, maximum: 10_000_000, default: 0 });

/** Body of actions that take none: an empty object (a POST without a body counts as {}). */
export const EmptyBody = Type.Object({}, { additionalProperties: false });
