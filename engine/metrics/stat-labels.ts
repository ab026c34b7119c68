/**
 * How each statistic is labelled and formatted, in one place for the terminal tables, the HTML reports and the web UI
 * (definitions: docs/metrics.md). Pure data, so every zone may use it (web imports it as an engine schema).
 */
import type { Stats } from './stats.ts';

export type StatFormat = 'money' | 'pct' | 'ratio' | 'int' | 'days' | 'date';
export interface StatLabel { readonly key: keyof Stats; readonly label: string; readonly format: StatFormat; readonly signed?: boolean }

export const STAT_LABELS: readonly StatLabel[] = [
  { key: 'start', label: 'Start', format: 'date' },
  { key: 'end', label: 'End', format: 'date' },
  { key: 'durationDays', label: 'Duration (days)', format: 'days' },
  { key: 'bars', label: 'Bars', format: 'int' },
  { key: 'exposurePct', label: 'Exposure [%]', format: 'pct' },
  { key: 'equityFinal', label: 'Equity final', format: 'money' },
  { key: 'equityPeak', label: 'Equity peak', format: 'money' },
  { key: 'returnPct', label: 'Return [%]', format: 'pct', signed: true },
  { key: 'buyHoldReturnPct', label: 'Buy & hold return [%]', format: 'pct', signed: true },
  { key: 'cagrPct', label: 'CAGR [%]', format: 'pct', signed: true },
  { key: 'annualReturnPct', label: 'Return (ann.) [%]', format: 'pct', signed: true },
  { key: 'annualVolatilityPct', label: 'Volatility (ann.) [%]', format: 'pct' },
  { key: 'sharpe', label: 'Sharpe ratio', format: 'ratio', signed: true },
  { key: 'sortino', label: 'Sortino ratio', format: 'ratio', signed: true },
  { key: 'calmar', label: 'Calmar ratio', format: 'ratio', signed: true },
  { key: 'maxDrawdownPct', label: 'Max drawdown [%]', format: 'pct', signed: true },
  { key: 'avgDrawdownPct', label: 'Avg drawdown [%]', format: 'pct', signed: true },
  { key: 'maxDrawdownDurationDays', label: 'Max DD duration (days)', format: 'days' },
  { key: 'trades', label: 'Trades', format: 'int' },
  { key: 'winRatePct', label: 'Win rate [%]', format: 'pct' },
  { key: 'bestTradePct', label: 'Best trade [%]', format: 'pct', signed: true },
  { key: 'worstTradePct', label: 'Worst trade [%]', format: 'pct', signed: true },
  { key: 'avgTradePct', label: 'Avg trade [%]', format: 'pct', signed: true },
  { key: 'profitFactor', label: 'Profit factor', format: 'ratio' },
  { key: 'expectancy', label: 'Expectancy (quote)', format: 'money', signed: true },
  { key: 'sqn', label: 'SQN', format: 'ratio', signed: true },
  { key: 'kelly', label: 'Kelly criterion', format: 'ratio', signed: true },
  { key: 'feesPaid', label: 'Fees paid', format: 'money' },
  { key: 'openTrades', label: 'Open positions at end', format: 'int' },
  { key: 'skippedOrders', label: 'Skipped orders (below minimum)', format: 'int' },
];
