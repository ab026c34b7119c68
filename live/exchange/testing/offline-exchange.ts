/**
 * Test support: ccxt's REAL exchange classes run offline (see ../shared/data/PROVENANCE.md, "Using the ccxt
 * fixtures offline"): markets set by hand with `setMarkets`, and `fetch(url, method, headers, body)` replaced by
 * a function that records the request and answers from a handler (a recorded `httpResponse`, or a thrown ccxt
 * error to inject a fault). Used by the adapter tests here and available to the paper/replay adapter tests.
 */
import ccxt, { type Exchange } from 'ccxt';

export interface RecordedRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string> | undefined;
  readonly body: string | undefined;
}

export type Handler = (req: RecordedRequest, index: number) => unknown;

export interface OfflineExchange {
  readonly ex: Exchange;
  readonly requests: RecordedRequest[];
  /** Answer every following request with `handler` (its return value is the parsed JSON reply; a throw is the fault). */
  serve(handler: Handler): void;
  /** Answer the next requests, one each, from `replies` (an Error instance is thrown); then fail loudly. */
  queue(...replies: unknown[]): void;
}

export interface SpotMarketInput {
  /** The venue's id, e.g. BTCUSDT or BTC-USDT. */
  readonly id: string;
  readonly symbol: string;
  /** Tick sizes (all first-class venues use ccxt's TICK_SIZE precision mode). */
  readonly price: number;
  readonly amount: number;
  readonly minAmount?: number;
  readonly minCost?: number;
  readonly maker?: number;
  readonly taker?: number;
  /** The venue's raw market (some ccxt classes read it, e.g. binance's orderTypes). */
  readonly info?: Record<string, unknown>;
}

/** A ccxt unified spot market with what ccxt's spot code paths read. */
export function spotMarket(m: SpotMarketInput): Record<string, unknown> {
  const [base, quote] = m.symbol.split('/');
  return {
    id: m.id, symbol: m.symbol, base, quote, baseId: base, quoteId: quote, settle: undefined, settleId: undefined,
    type: 'spot', spot: true, margin: false, swap: false, future: false, option: false, contract: false,
    linear: undefined, inverse: undefined, active: true, precision: { price: m.price, amount: m.amount },
    limits: { amount: { min: m.minAmount, max: undefined }, price: { min: undefined, max: undefined }, cost: { min: m.minCost, max: undefined } },
    maker: m.maker, taker: m.taker, info: m.info ?? {},
  };
}

/** Harmless-looking credentials whose presence in any output a test can detect. */
export const FAKE_API_KEY = 'tlKEY0a1b2c3d4e5f6g7h8i9j0kLmNoPqRsTuV';
export const FAKE_SECRET = 'tlSECRETzyxwvutsrqponmlkjihgfedcba9876543210';

/**
 * `rateLimitMs` (default 1): ccxt's limiter stays on, but refills one token per millisecond instead of the venue's
 * real pace, so that tests of hundreds of calls take milliseconds. Pass the venue's own value to test pacing.
 */
export function offlineExchange(id: string, markets: readonly SpotMarketInput[], options: Record<string, unknown> = {}, rateLimitMs = 1): OfflineExchange {
  const Ctor = (ccxt as unknown as Record<string, new (cfg: object) => Exchange>)[id];
  const ex = new Ctor({ enableRateLimit: true, rateLimit: rateLimitMs, options });
  ex.setMarkets(markets.map(spotMarket) as never);
  const requests: RecordedRequest[] = [];
  let handler: Handler = (req) => { throw new Error(`offline ${id}: no reply set for ${req.method} ${req.url}`); };
  (ex as unknown as { fetch: (url: string, method?: string, headers?: Record<string, string>, body?: string) => Promise<unknown> }).fetch =
    async (url, method = 'GET', headers, body) => {
      const req = { url, method, headers, body };
      requests.push(req);
      return handler(req, requests.length - 1);
    };
  return {
    ex,
    requests,
    serve: (h) => { handler = h; },
    queue: (...replies) => {
      const q = [...replies];
      handler = (req) => {
        if (q.length === 0) throw new Error(`offline ${id}: reply queue empty at ${req.method} ${req.url}`);
        const r = q.shift();
        if (r instanceof Error) throw r;
        return r;
      };
    },
  };
}
