/**
 * Flags of order strategies on `tradelab backtest` (market specs and the intrabar fill model), and a record of
 * which options the user actually typed (yargs fills in defaults; `--min-notional`, `--fee-rate` and `--lot-size`
 * are shared with signal strategies, whose defaults differ from a market spec's, so only typed values apply).
 */
import type { Argv } from 'yargs';
import { DEFAULT_MARKET_SPEC, FILL_ON, INTRABAR_PATHS, type FillOn, type IntrabarPath } from '../../engine/orders/index.ts';

const EXPLICIT = Symbol.for('tradelab.explicitOptions');

export interface OrderArgs {
  'price-tick'?: number; 'amount-step'?: number; 'min-amount'?: number; 'maker-fee'?: number; 'taker-fee'?: number;
  'market-spec'?: string; 'intrabar-path'?: IntrabarPath; 'fill-on'?: FillOn; 'max-volume-share'?: number;
}

/** yargs middleware (it passes the yargs instance second): remember which options were typed, not defaulted. */
function recordTyped(argv: Record<string, unknown>, yi: unknown): void {
  const defaulted = (yi as { parsed?: { defaulted?: Record<string, boolean> } } | undefined)?.parsed?.defaulted ?? {};
  const typed = new Set(Object.keys(argv).filter((k) => k !== '_' && k !== '$0' && argv[k] !== undefined && !defaulted[k]));
  Object.defineProperty(argv, EXPLICIT, { value: typed, enumerable: false });
}

/** Order-strategy flags, in the order shown by --help. */
export const ORDER_FLAGS = ['price-tick', 'amount-step', 'min-amount', 'maker-fee', 'taker-fee', 'market-spec', 'intrabar-path', 'fill-on', 'max-volume-share'] as const;

export function orderOptions<T>(y: Argv<T>) {
  const d = DEFAULT_MARKET_SPEC;
  return y
    .option('price-tick', { type: 'number', describe: `order strategies: price tick of every market (default ${d.priceTick}; buys round down, sells up)` })
    .option('amount-step', { type: 'number', describe: `order strategies: amount step of every market, base units (default ${d.amountStep}; amounts round down)` })
    .option('min-amount', { type: 'number', describe: `order strategies: minimum order amount, base units (default ${d.minAmount}); smaller orders are rejected and counted` })
    .option('maker-fee', { type: 'number', describe: `order strategies: maker fee rate for resting limits (default ${d.makerFee}; --fee-rate sets maker and taker)` })
    .option('taker-fee', { type: 'number', describe: `order strategies: taker fee rate for market orders and crossing limits (default ${d.takerFee})` })
    .option('market-spec', { type: 'string', describe: 'order strategies: JSON file of per-symbol specs, {"BTC/USDT": {"priceTick": 0.01, "minNotional": 5, "makerFee": 0.001, ...}, "*": {...}}; flags override it' })
    .option('intrabar-path', { choices: INTRABAR_PATHS, describe: 'order strategies: assumed path inside a candle (default nearest-extreme-first: open, nearer extreme, farther extreme, close)' })
    .option('fill-on', { choices: FILL_ON, describe: "order strategies: a resting limit fills when the price trades 'through' it (default) or on 'touch'" })
    .option('max-volume-share', { type: 'number', describe: 'order strategies: cap fills per market and bar at this share of the bar volume, in (0, 1] (default: no cap)' })
    .middleware(recordTyped as never);
}

/**
 * The option names the user typed. Without the middleware (a caller that built its own argv), an option counts as
 * typed when it has a value, except the shared ones whose defaults come from yargs.
 */
export function explicitOptions(argv: object): ReadonlySet<string> {
  const s = (argv as Record<symbol, Set<string> | undefined>)[EXPLICIT];
  if (s) return s;
  const shared = new Set(['min-notional', 'fee-rate', 'lot-size', 'fraction', 'allow-short', 'close-at-end', 'slippage-bps', 'cash', 'gaps', 'json']);
  return new Set(Object.entries(argv).filter(([k, v]) => v !== undefined && !shared.has(k)).map(([k]) => k));
}
