/**
 * The one error handler of the API (CONVENTIONS §7): TradelabError codes and families → HTTP status, with a JSON
 * body `{ error: { code, message, details } }`. Fastify's validation errors become 400 VALIDATION_FAILED naming
 * each field; other client errors of Fastify (bad JSON, wrong content type, body too large) keep their 4xx status.
 * Anything else is a 500 INTERNAL whose body does not leak internals (the log has the stack).
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { TradelabError, isTradelabError } from '../../engine/errors.ts';

/** Codes with a status of their own, whatever their family. */
export const CODE_STATUS: Readonly<Record<string, number>> = Object.freeze({
  AUTH_REQUIRED: 401,
  AUTH_FAILED: 401,
  FORBIDDEN: 403,
  LOGIN_RATE_LIMITED: 429,
  LIVE_TRADING_DISABLED: 409,
  PROMOTION_EVIDENCE_MISSING: 409,
  LAST_ADMIN: 409,
  MARKET_DISABLED: 409,
  NOT_FOUND: 404,
  PATH_REFUSED: 400,
});

export function httpStatusFor(e: TradelabError): number {
  const fixed = CODE_STATUS[e.code];
  if (fixed) return fixed;
  switch (e.family) {
    case 'usage':
    case 'config':
      if (/NOT_FOUND$|^UNKNOWN_/.test(e.code)) return 404;
      if (/_EXISTS$|CONFLICT|TRANSITION|_RUNNING$|ALREADY|NEEDS_CHOICE|LOCKED/.test(e.code)) return 409;
      return 400;
    case 'data':
      return 422;
    case 'venue-rejected':
      return 422;
    case 'venue-unavailable':
      return 503;
    case 'venue-unknown':
      return 504;
    case 'invariant':
    default:
      return 500;
  }
}

export interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> | null };
}

export const httpError = (code: string, message: string, details?: Record<string, unknown>) => new TradelabError(code, 'usage', message, { details });

interface AjvError { instancePath?: string; message?: string; keyword?: string; params?: Record<string, unknown> }

/** 'body.budget: must be > 0' for each validation problem. */
export function validationProblems(where: string, errs: readonly AjvError[]): { field: string; message: string }[] {
  return errs.map((e) => {
    let field = (e.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
    const p = e.params ?? {};
    if (e.keyword === 'required' && typeof p.missingProperty === 'string') field = field ? `${field}.${p.missingProperty}` : p.missingProperty;
    if (e.keyword === 'additionalProperties' && typeof p.additionalProperty === 'string') {
      field = field ? `${field}.${p.additionalProperty}` : p.additionalProperty;
      return { field: `${where}.${field}`, message: 'is not an allowed field' };
    }
    return { field: field ? `${where}.${field}` : where, message: e.message ?? 'is invalid' };
  });
}

export function errorHandler(err: FastifyError | TradelabError | Error, req: FastifyRequest, reply: FastifyReply): void {
  let status = 500;
  let body: ErrorBody;
  const fe = err as FastifyError & { validation?: AjvError[]; validationContext?: string };
  if (isTradelabError(err)) {
    status = httpStatusFor(err);
    body = { error: { code: err.code, message: err.message, details: err.details ?? null } };
    const retry = err.details?.retryAfterSec;
    if (status === 429 && typeof retry === 'number') reply.header('retry-after', String(retry));
  } else if (fe.validation) {
    status = 400;
    const problems = validationProblems(fe.validationContext ?? 'request', fe.validation);
    body = { error: { code: 'VALIDATION_FAILED', message: `invalid request: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`, details: { problems } } };
  } else if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    status = fe.statusCode;
    body = { error: { code: fe.code ?? 'BAD_REQUEST', message: fe.message, details: null } };
  } else {
    body = { error: { code: 'INTERNAL', message: 'internal error: the server log has the details', details: null } };
  }
  if (status >= 500) req.log.error({ err }, 'request failed');
  reply.status(status).type('application/json').send(body);
}
