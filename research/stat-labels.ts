// How each statistic is shown in the terminal and the HTML report: labels from engine (shared with the web UI).
import type { StatFormat } from '../engine/metrics/stat-labels.ts';

export { STAT_LABELS, type StatFormat, type StatLabel } from '../engine/metrics/stat-labels.ts';

export function formatStat(v: number, f: StatFormat): string {
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (!Number.isFinite(v)) return 'n/a';
  switch (f) {
    case 'money': return v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    case 'pct': return v.toFixed(2);
    case 'ratio': return v.toFixed(3);
    case 'int': return String(Math.round(v));
    case 'days': return v.toFixed(1);
    case 'date': return new Date(v).toISOString().replace('.000Z', 'Z').replace('T', ' ');
  }
}
