/**
 * Exchange reachability for /healthz: each exchange that a paper or live bot uses (replay bots need none) must
 * answer a cheap public call (ccxt fetchTime, else fetchStatus) within the timeout. Results are cached for
 * `cacheMs` so a health check every few seconds does not hammer the exchange.
 */
import type { StateStore } from '../state/store.ts';
import { TradelabError } from '../../engine/errors.ts';
import type { ExchangeMarket, ExchangeProbeResult } from './context.ts';

export type PingExchange = (exchangeId: string, timeoutMs: number) => Promise<void>;

/** A public ccxt call on a fresh client (no keys). */
export const ccxtPing: PingExchange = async (id, timeoutMs) => {
  const ccxt = (await import('ccxt')).default as unknown as Record<string, new (o: Record<string, unknown>) => { has: Record<string, unknown>; fetchTime(): Promise<unknown>; fetchStatus(): Promise<unknown> }>;
  const Cls = ccxt[id];
  if (typeof Cls !== 'function') throw new Error(`'${id}' is not a ccxt exchange id`);
  const ex = new Cls({ timeout: timeoutMs, enableRateLimit: true });
  if (ex.has.fetchTime) await ex.fetchTime();
  else await ex.fetchStatus();
};

export function exchangeProbe(store: StateStore, ping: PingExchange = ccxtPing, opts: { timeoutMs?: number; cacheMs?: number; now?: () => number } = {}): () => Promise<ExchangeProbeResult> {
  const timeoutMs = opts.timeoutMs ?? 4000, cacheMs = opts.cacheMs ?? 15_000, now = opts.now ?? Date.now;
  let cached: { at: number; key: string; result: ExchangeProbeResult } | undefined;
  return async () => {
    const ids = (store.db.prepare("SELECT DISTINCT exchange FROM bots WHERE mode IN ('paper','live') ORDER BY exchange").all() as { exchange: string }[]).map((r) => r.exchange);
    if (ids.length === 0) return { ok: true, detail: 'no paper or live bot: no exchange needed' };
    const key = ids.join(',');
    if (cached && cached.key === key && now() - cached.at < cacheMs) return cached.result;
    const failures: string[] = [];
    await Promise.all(ids.map(async (id) => {
      try { await ping(id, timeoutMs); } catch (e) { failures.push(`${id}: ${e instanceof Error ? e.message.slice(0, 200) : String(e)}`); }
    }));
    const result = failures.length ? { ok: false, detail: `unreachable: ${failures.sort().join('; ')}` } : { ok: true, detail: `reachable: ${key}` };
    cached = { at: now(), key, result };
    return result;
  };
}

/**
 * Pairs of an exchange from ccxt's public loadMarkets (no keys), cached per exchange for `cacheMs`. Failures are
 * venue-unavailable errors (503) naming the exchange.
 */
export function ccxtMarkets(opts: { timeoutMs?: number; cacheMs?: number } = {}): (exchange: string) => Promise<readonly ExchangeMarket[]> {
  const cache = new Map<string, { at: number; list: readonly ExchangeMarket[] }>();
  const cacheMs = opts.cacheMs ?? 600_000;
  return async (id) => {
    const hit = cache.get(id);
    if (hit && Date.now() - hit.at < cacheMs) return hit.list;
    const ccxt = (await import('ccxt')).default as unknown as Record<string, new (o: Record<string, unknown>) => { loadMarkets(): Promise<Record<string, { symbol: string; base: string; quote: string; active?: boolean; type?: string }>> }>;
    const Cls = ccxt[id];
    if (typeof Cls !== 'function') throw new TradelabError('UNKNOWN_EXCHANGE', 'usage', `'${id}' is not a ccxt exchange id`);
    let markets;
    try {
      markets = await new Cls({ timeout: opts.timeoutMs ?? 10_000, enableRateLimit: true }).loadMarkets();
    } catch (e) {
      throw new TradelabError('EXCHANGE_UNREACHABLE', 'venue-unavailable', `cannot load the markets of ${id}: ${e instanceof Error ? e.message.slice(0, 200) : String(e)}`);
    }
    const list = Object.values(markets).map((m) => ({ symbol: m.symbol, base: m.base, quote: m.quote, active: m.active !== false, type: m.type ?? 'spot' }))
      .sort((a, b) => a.symbol.localeCompare(b.symbol));
    cache.set(id, { at: Date.now(), list });
    return list;
  };
}
