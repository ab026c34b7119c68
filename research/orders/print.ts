// The terminal summary of an order run: the configuration used, the statistics, the order extras, where it was written.
import type { CliContext } from '../cli-context.ts';
import { table } from '../format.ts';
import { STAT_LABELS, formatStat } from '../stat-labels.ts';
import type { OrderBacktestRun } from './run-orders.ts';

const money = (v: number) => formatStat(v, 'money');

export function printOrderRun(run: OrderBacktestRun, ctx: CliContext): void {
  const m = run.manifest;
  const fm = m.fillModel;
  const specs = m.marketSpecs.map((s) => `${s.symbol} tick ${s.priceTick} step ${s.amountStep} min ${s.minAmount}/${s.minNotional} fees ${s.makerFee}/${s.takerFee}`);
  const cfg: string[][] = [
    ['strategy', m.strategy.ref + (m.strategy.source.kind === 'file' ? ` (${m.strategy.source.path})` : '')],
    ['params', Object.entries(m.params).map(([k, v]) => `${k}=${String(v)}`).join(' ') || '(none)'],
    ['markets', `${m.data.exchange} ${m.data.symbol} ${m.data.timeframe} (one shared budget)`],
    ...m.data.markets.map((d) => [`data ${d.symbol}`, `${d.source.kind} ${d.source.path}`]),
    ['range', `${m.data.from} .. ${m.data.to} (${m.data.bars} steps)`],
    ['gaps', `${m.data.gaps.count} gaps, ${m.data.gaps.missingBars} missing bars (policy ${m.data.gapPolicy})`],
    ['fill model', `intrabar ${fm.intrabarPath}, fill on ${fm.fillOn}, slippage ${fm.slippageBps} bps, volume share ${fm.maxVolumeShare ?? 'no cap'}`],
    ...specs.map((s, k) => [k === 0 ? 'market specs' : '', s]),
    ['cash', String(m.initialCash)],
  ];
  ctx.stdout('\nConfiguration\n' + table(cfg));
  const rows = STAT_LABELS.map(({ key, label, format }) => [label, formatStat(run.stats[key], format)]);
  ctx.stdout('\nResult\n' + table(rows, { align: ['l', 'r'] }));
  const o = run.stats.orders;
  const extra: string[][] = [
    ['Realised / unrealised / fees', `${money(o.realised)} / ${money(o.unrealised)} / ${money(o.fees)}`],
    ['Orders placed / filled / cancelled / rejected', `${o.ordersPlaced} / ${o.ordersFilled} / ${o.ordersCancelled} / ${o.ordersRejected}`],
    ['Fills (buy / sell)', `${o.fills} (${o.buyFills} / ${o.sellFills})`],
    ['Lots closed / open', `${o.closedLots} / ${o.openLots}`],
    ['Max open orders', String(o.maxOpenOrders)],
    ['Max capital in use', `${money(o.maxCapitalInUse)} (${formatStat(o.maxCapitalInUsePct, 'pct')} % of equity)`],
    ['HOLD periods / days', `${o.holdPeriods} / ${formatStat(o.holdTimeDays, 'days')}`],
  ];
  if (o.ordersRejected) extra.push(['Rejected by reason', Object.entries(o.rejectReasons).map(([k, v]) => `${k} ${v}`).join(', ')]);
  if (o.gridCycles) extra.push(['Grid cycles (profit)', `${o.gridCycles.completed} (${money(o.gridCycles.profit)})`]);
  for (const e of o.execution ?? []) {
    extra.push([`Execution ${e.symbol}`, `${e.side} ${e.filled}/${e.quantity} in ${e.childOrders} orders at ${money(e.avgFillPrice)}; vs TWAP ${formatStat(e.slippageVsTwapBps, 'ratio')} bps, vs VWAP ${formatStat(e.slippageVsVwapBps, 'ratio')} bps, participation ${formatStat(e.participation * 100, 'ratio')} %`]);
  }
  ctx.stdout('\nOrders\n' + table(extra));
  if (run.runDir) ctx.stdout(`\nResults: ${run.runDir}\nReport:  ${run.runDir}/report.html\n`);
}
