/**
 * The order branch of `tradelab backtest`: when --strategy names an order strategy (`kind: 'orders'`), every market
 * (--symbol, --symbols, one or several --data files) goes into ONE run sharing one budget and one set of caps.
 * Returns false for signal strategies (after refusing order-only flags given to them), so the caller goes on.
 */
import { parseParamPairs, usageError } from '../../engine/index.ts';
import type { BacktestDeps, DataSpec } from '../backtest.ts';
import type { CliContext } from '../cli-context.ts';
import { toJson } from '../json.ts';
import { resolveStrategy } from '../strategy-registry.ts';
import { readSpecFile, specFromFlags } from './market-specs.ts';
import { ORDER_FLAGS, explicitOptions, type OrderArgs } from './options.ts';
import { printOrderRun } from './print.ts';
import { runOrderStrategyBacktest, type OrderBacktestRun } from './run-orders.ts';

export interface OrderCliArgs extends OrderArgs {
  strategy: string; from?: string; to?: string; param?: string[]; cash: number; 'fee-rate': number; 'slippage-bps': number;
  'lot-size': number; 'min-notional': number; gaps: 'error' | 'report' | 'ffill'; json: boolean;
}

const SIGNAL_ONLY = ['fraction', 'allow-short', 'close-at-end'] as const;
const flags = (names: readonly string[]) => names.map((f) => `--${f}`).join(', ');

/** Run the order branch when the strategy places orders; prints and returns the run, or null for signal strategies. */
export async function handleOrderBacktest(argv: object, markets: readonly DataSpec[], deps: BacktestDeps, ctx: CliContext): Promise<OrderBacktestRun | null> {
  const a = argv as OrderCliArgs;
  const typed = explicitOptions(argv);
  const resolved = await resolveStrategy(a.strategy, deps.cwd);
  const { strategy } = resolved;
  if (strategy.kind !== 'orders') {
    const given = ORDER_FLAGS.filter((f) => typed.has(f));
    if (given.length) {
      throw usageError('ORDER_FLAGS_FOR_SIGNAL_STRATEGY', `${flags(given)} apply to order strategies (grid, range-grid, dca, twap, vwap); '${strategy.id}' is a signal strategy (use --fee-rate, --lot-size, --min-notional)`);
    }
    return null;
  }
  const signalOnly = SIGNAL_ONLY.filter((f) => typed.has(f));
  if (signalOnly.length) {
    throw usageError('SIGNAL_FLAGS_FOR_ORDER_STRATEGY', `${flags(signalOnly)} apply to signal strategies; '${strategy.id}' places its own orders (its parameters size them: see \`tradelab strategies\`)`);
  }
  if (!(Number.isFinite(a.cash) && a.cash > 0)) throw usageError('BAD_NUMBER', `--cash=${String(a.cash)} is not allowed; expected a finite number > 0 (quote currency)`);
  const slip = a['slippage-bps'];
  if (!(Number.isFinite(slip) && slip >= 0 && slip < 10_000)) throw usageError('BAD_NUMBER', `--slippage-bps=${String(slip)} is not allowed; expected basis points in [0, 10000)`);
  const share = a['max-volume-share'];
  if (share !== undefined && !(Number.isFinite(share) && share > 0 && share <= 1)) throw usageError('BAD_NUMBER', `--max-volume-share=${String(share)} is not allowed; expected a share of the bar volume in (0, 1]`);
  const shared = (name: 'fee-rate' | 'lot-size' | 'min-notional') => (typed.has(name) ? a[name] : undefined);
  const specFlags = specFromFlags({
    priceTick: a['price-tick'],
    amountStep: a['amount-step'] ?? shared('lot-size'),
    minAmount: a['min-amount'],
    minNotional: shared('min-notional'),
    makerFee: a['maker-fee'] ?? shared('fee-rate'),
    takerFee: a['taker-fee'] ?? shared('fee-rate'),
  });
  const specFile = a['market-spec'] !== undefined ? readSpecFile(a['market-spec'], deps.cwd) : undefined;
  const run = await runOrderStrategyBacktest({
    strategy: resolved, params: parseParamPairs(a.param ?? []), markets, from: a.from, to: a.to, gaps: a.gaps,
    initialCash: a.cash, slippageBps: slip, specFlags, specFile,
    intrabarPath: a['intrabar-path'], fillOn: a['fill-on'], maxVolumeShare: a['max-volume-share'],
  }, deps);
  if (a.json) ctx.stdout(toJson({ manifest: run.manifest, stats: run.stats }) + '\n');
  else printOrderRun(run, ctx);
  return run;
}
