/**
 * The one function that maps ccxt errors to TradelabError (CONVENTIONS §7), by `instanceof` on ccxt's classes,
 * never by parsing messages:
 *
 *   venue-rejected (never retried): AuthenticationError, PermissionDenied, AccountSuspended, InsufficientFunds,
 *     InvalidOrder (and OrderNotFound, DuplicateOrderId, ...), BadSymbol, BadRequest, ArgumentsRequired,
 *     NotSupported, OperationRejected, any other ExchangeError
 *   venue-unavailable (retried with backoff on reads): NetworkError and its subclasses (RequestTimeout,
 *     RateLimitExceeded, DDoSProtection, ExchangeNotAvailable, OnMaintenance, InvalidNonce), BadResponse
 *   venue-unknown (an order write whose outcome is not known: reconcile by client order id, never re-place):
 *     any NetworkError, BadResponse or CancelPending on a write, and any non-ccxt error thrown during a write
 *
 * Every message goes through `redact`, so an exchange reply that quotes a key cannot leak it.
 */
import ccxt from 'ccxt';
import { TradelabError, type ErrorFamily } from '../../engine/errors.ts';

export interface CcxtErrorContext {
  /** ccxt exchange id. */
  readonly exchange: string;
  /** What was being done, e.g. 'createOrder BTC/USDT buy limit'. */
  readonly operation: string;
  /** True for order writes (create, cancel): transport failures then mean "outcome unknown". */
  readonly write?: boolean;
  /** Attempts made so far (for the message). */
  readonly attempts?: number;
  /** Client order id of the write, for the reconciliation hint. */
  readonly clientOrderId?: string;
  /** Removes secret values from text. */
  readonly redact?: (text: string) => string;
}

const codeOf = (e: unknown): string => {
  if (e instanceof ccxt.AuthenticationError) return e instanceof ccxt.PermissionDenied ? 'VENUE_PERMISSION_DENIED' : 'VENUE_AUTH_FAILED';
  if (e instanceof ccxt.InsufficientFunds) return 'VENUE_INSUFFICIENT_FUNDS';
  if (e instanceof ccxt.OrderNotFound) return 'VENUE_ORDER_NOT_FOUND';
  if (e instanceof ccxt.DuplicateOrderId) return 'VENUE_DUPLICATE_ORDER_ID';
  if (e instanceof ccxt.InvalidOrder) return 'VENUE_INVALID_ORDER';
  if (e instanceof ccxt.BadSymbol) return 'VENUE_BAD_SYMBOL';
  if (e instanceof ccxt.BadRequest || e instanceof ccxt.ArgumentsRequired) return 'VENUE_BAD_REQUEST';
  if (e instanceof ccxt.NotSupported) return 'VENUE_NOT_SUPPORTED';
  if (e instanceof ccxt.RequestTimeout) return 'VENUE_TIMEOUT';
  if (e instanceof ccxt.RateLimitExceeded || e instanceof ccxt.DDoSProtection) return 'VENUE_RATE_LIMITED';
  if (e instanceof ccxt.ExchangeNotAvailable) return 'VENUE_NOT_AVAILABLE';
  if (e instanceof ccxt.NetworkError) return 'VENUE_NETWORK_ERROR';
  if (e instanceof ccxt.BadResponse) return 'VENUE_BAD_RESPONSE';
  if (e instanceof ccxt.CancelPending) return 'VENUE_CANCEL_PENDING';
  return 'VENUE_REJECTED';
};

/** The family of a ccxt error on a read or a write, without building an error. */
export function ccxtErrorFamily(e: unknown, write = false): ErrorFamily {
  if (e instanceof TradelabError) return e.family;
  const transport = e instanceof ccxt.NetworkError || e instanceof ccxt.BadResponse;
  if (write && (transport || e instanceof ccxt.CancelPending || !(e instanceof ccxt.BaseError))) return 'venue-unknown';
  if (transport) return 'venue-unavailable';
  if (e instanceof ccxt.BaseError) return 'venue-rejected';
  return 'invariant';
}

/** True when a READ that failed with `e` may be retried (transport trouble, not a refusal). */
export const isRetryableRead = (e: unknown): boolean =>
  e instanceof ccxt.NetworkError || e instanceof ccxt.BadResponse ||
  (e instanceof TradelabError && e.family === 'venue-unavailable');

const className = (e: unknown): string =>
  e instanceof Error ? (e.constructor?.name && e.constructor.name !== 'Error' ? e.constructor.name : e.name) : typeof e;

const ADVICE: Record<ErrorFamily, string> = {
  'venue-rejected': 'The exchange refused the request; it is not retried.',
  'venue-unavailable': 'The exchange could not be reached or asked to slow down; retry later.',
  'venue-unknown': 'The order may or may not exist on the exchange: reconcile by its client order id before doing anything else; it is never placed again blindly.',
  usage: '', config: '', data: '', invariant: 'This is a bug in tradelab or an unexpected reply.',
};

/**
 * Map any error thrown while talking to a ccxt exchange to a TradelabError (a TradelabError passes through).
 * The original error stays as `cause`, with secrets removed from its message and stack.
 */
export function mapCcxtError(e: unknown, ctx: CcxtErrorContext): TradelabError {
  if (e instanceof TradelabError) return e;
  const redact = ctx.redact ?? ((s: string) => s);
  if (e instanceof Error) {
    try {
      e.message = redact(e.message);
      if (e.stack) e.stack = redact(e.stack);
    } catch { /* frozen error: leave it */ }
  }
  const family = ccxtErrorFamily(e, ctx.write === true);
  const code = family === 'venue-unknown' ? 'VENUE_UNKNOWN_OUTCOME' : family === 'invariant' ? 'VENUE_ADAPTER_ERROR' : codeOf(e);
  const raw = e instanceof Error ? e.message : String(e);
  const tries = ctx.attempts !== undefined && ctx.attempts > 1 ? ` after ${ctx.attempts} attempts` : '';
  const cid = ctx.clientOrderId === undefined ? '' : ` (client order id ${ctx.clientOrderId})`;
  const message = redact(`${ctx.exchange} ${ctx.operation}${cid} failed${tries}: ${className(e)}: ${raw}. ${ADVICE[family]}`);
  return new TradelabError(code, family, message, {
    cause: e,
    details: {
      exchange: ctx.exchange, operation: redact(ctx.operation), ccxtError: className(e),
      ...(ctx.clientOrderId === undefined ? {} : { clientOrderId: ctx.clientOrderId }),
      ...(ctx.attempts === undefined ? {} : { attempts: ctx.attempts }),
    },
  });
}
