/**
 * Fault injection for tests and demos: a seeded share of an adapter's REST calls throws ccxt's NetworkError,
 * RateLimitExceeded or RequestTimeout (mapped like the ccxt adapter maps them: venue-unavailable on reads,
 * venue-unknown on order writes). A RequestTimeout on an order write is, half of the time (`lostReplyShare`),
 * "done but reply lost": the order was created or cancelled, only the answer is missing.
 */
import { seededRandom } from '../../engine/random.ts';
import ccxt from 'ccxt';
import { usageError } from '../../engine/errors.ts';
import { mapCcxtError } from './ccxt-errors.ts';
import type { ExchangePort } from './port.ts';

export type FaultKind = 'network' | 'rate-limit' | 'timeout';

export interface FaultConfig {
  /** Share of calls that fail, in [0, 1). */
  readonly rate: number;
  readonly seed: number;
  /** Default: all three. */
  readonly kinds?: readonly FaultKind[];
  /** Methods that may fail (default: every REST method but loadMarkets). */
  readonly methods?: readonly string[];
  /** Share of write timeouts that happen after the write took effect (default 0.5). */
  readonly lostReplyShare?: number;
}

export interface FaultStats {
  injected: number;
  lostReplies: number;
  byMethod: Record<string, number>;
}

/** The project's seeded PRNG (engine/random.ts), re-exported for fault injection's callers. */
export { seededRandom };

export const FAULT_METHODS: readonly string[] = [
  'fetchBalance', 'fetchTicker', 'fetchOHLCV', 'createOrder', 'cancelOrder', 'fetchOpenOrders', 'fetchOrder', 'fetchOrderByClientId', 'fetchMyTrades',
];
const WRITES = new Set(['createOrder', 'cancelOrder']);


export function validateFaultConfig(cfg: FaultConfig): void {
  if (!(cfg.rate >= 0 && cfg.rate < 1)) throw usageError('BAD_FAULT_CONFIG', `faults.rate=${cfg.rate} must be in [0, 1)`);
  for (const k of cfg.kinds ?? []) if (!['network', 'rate-limit', 'timeout'].includes(k)) throw usageError('BAD_FAULT_CONFIG', `faults.kinds: '${k}' is not one of network, rate-limit, timeout`);
  for (const m of cfg.methods ?? []) if (!FAULT_METHODS.includes(m)) throw usageError('BAD_FAULT_CONFIG', `faults.methods: '${m}' is not one of ${FAULT_METHODS.join(', ')}`);
}

/**
 * `port` with faults injected into its methods (in place: the object keeps its other members, e.g. the replay
 * clock). Returns the counters.
 */
export function injectFaults(port: ExchangePort, cfg: FaultConfig): FaultStats {
  validateFaultConfig(cfg);
  const random = seededRandom(cfg.seed);
  const kinds = cfg.kinds ?? ['network', 'rate-limit', 'timeout'];
  const lost = cfg.lostReplyShare ?? 0.5;
  const stats: FaultStats = { injected: 0, lostReplies: 0, byMethod: {} };
  const target = port as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  for (const name of cfg.methods ?? FAULT_METHODS) {
    const inner = target[name].bind(port);
    const write = WRITES.has(name);
    target[name] = async (...args: unknown[]) => {
      if (!(random() < cfg.rate)) return inner(...args);
      const kind = kinds[Math.floor(random() * kinds.length)];
      stats.injected++;
      stats.byMethod[name] = (stats.byMethod[name] ?? 0) + 1;
      const msg = `injected ${kind} fault`;
      const err = kind === 'network' ? new ccxt.NetworkError(msg) : kind === 'rate-limit' ? new ccxt.RateLimitExceeded(msg) : new ccxt.RequestTimeout(msg);
      if (write && kind === 'timeout' && random() < lost) {
        stats.lostReplies++;
        await inner(...args).catch(() => undefined);
      }
      const req = args[0] as { clientOrderId?: string } | undefined;
      throw mapCcxtError(err, { exchange: port.id, operation: name, write, clientOrderId: write ? req?.clientOrderId : undefined });
    };
  }
  return stats;
}
