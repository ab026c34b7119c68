// The terminal summary of a multi-market backtest: the configuration once, one row per market, the average row.
import type { Stats } from '../../engine/index.ts';
import type { CliContext } from '../cli-context.ts';
import { table } from '../format.ts';
import { STAT_LABELS, formatStat } from '../stat-labels.ts';
import { AVERAGE_NOTE, SUMMARY_COLUMNS, marketLabels, type MultiBacktestRun } from './run-multi.ts';

export function printMulti(m: MultiBacktestRun, ctx: CliContext): void {
  const first = m.runs[0].manifest;
  ctx.stdout(`\n${first.strategy.ref} (${Object.entries(first.params).map(([k, v]) => `${k}=${String(v)}`).join(' ') || 'no parameters'}) over ${m.runs.length} markets; ` +
    `fee rate ${first.fees.feeRate}, slippage ${first.fillModel.slippageBps} bps, cash ${first.initialCash}, ${first.fillModel.allowShort ? 'long+short' : 'long only'}\n\n`);
  const cols = SUMMARY_COLUMNS.map((key) => STAT_LABELS.find((l) => l.key === key)!);
  const labels = marketLabels(m.runs);
  const cells = (s: Stats | MultiBacktestRun['average']) => cols.map((c) => formatStat(s[c.key], c.format));
  const rows = m.runs.map((r, k) => [labels[k], `${r.manifest.data.from.slice(0, 10)}..${r.manifest.data.to.slice(0, 10)}`, ...cells(r.stats)]);
  rows.push(['average', '', ...cells(m.average)]);
  ctx.stdout(table(rows, { header: ['market', 'range', ...cols.map((c) => c.label)], align: ['l', 'l', ...cols.map(() => 'r' as const)] }));
  const partial = Object.entries(m.averageOver).filter(([k]) => SUMMARY_COLUMNS.includes(k as keyof Stats));
  ctx.stdout(`\n${AVERAGE_NOTE}${partial.length ? ` (${partial.map(([k, n]) => `${k}: ${n} of ${m.runs.length}`).join(', ')})` : ''}.\n`);
  ctx.stdout('\nRuns:\n' + m.runs.map((r, k) => `  ${labels[k]}: ${r.runDir ?? r.runId}\n`).join(''));
  if (m.summaryDir) ctx.stdout(`Summary: ${m.summaryDir}/summary.json, summary.csv\n`);
}
