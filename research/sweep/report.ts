/**
 * report.html of a sweep: what was run, combinations tried and skipped, the best combination with its plateau and
 * deflated Sharpe, the top table, and a view of the metric over the grid: a heatmap for two swept parameters, a
 * line for one, parallel coordinates for more. Self-contained (plotly inlined). Numbers come from the sweep's rows
 * and manifest unchanged.
 */
import { STAT_LABELS, formatStat } from '../stat-labels.ts';
import { embedJson, escapeHtml, pageStart, plotlyBundle } from '../report/html.ts';
import { STAT_KEYS } from '../../engine/sweep/index.ts';
import type { SweepRun } from './run-sweep.ts';

const TOP_STATS = ['returnPct', 'sharpe', 'sortino', 'maxDrawdownPct', 'trades', 'winRatePct', 'profitFactor', 'exposurePct'] as const;

export function renderSweepReport(run: SweepRun, top = 20): string {
  const m = run.manifest;
  const metric = m.metric;
  const j = STAT_KEYS.indexOf(metric);
  const rows = run.combos.length;
  const metricVals = Array.from({ length: rows }, (_, r) => run.values[r * run.stride + j]);
  const names = run.axes.map((a) => a.name);
  const label = (k: string) => STAT_LABELS.find((l) => l.key === k);
  const fmt = (k: string, v: number) => { const l = label(k); return l ? formatStat(v, l.format) : String(v); };

  // the view over the grid
  let view: unknown;
  if (names.length === 2) {
    const [ax, ay] = run.axes;
    const z: (number | null)[][] = ay.values.map(() => ax.values.map(() => null));
    run.combos.forEach((c, r) => { const v = metricVals[r]; z[c.index[1]][c.index[0]] = Number.isFinite(v) ? v : null; });
    view = { kind: 'heatmap', x: ax.values.map(String), y: ay.values.map(String), z, xName: ax.name, yName: ay.name };
  } else if (names.length === 1) {
    view = { kind: 'line', x: run.combos.map((c) => c.values[names[0]]), y: metricVals, xName: names[0] };
  } else {
    view = { kind: 'parcoords', dims: names.map((n) => ({ label: n, values: run.combos.map((c) => Number(c.values[n])) })), metricVals };
  }
  const best = run.ranking[0];
  const topRows = run.ranking.slice(0, top).map((r, k) => {
    const s = run.statsOf(r) as unknown as Record<string, number>;
    const cells = [String(k + 1), ...names.map((n) => String(run.params[r][n])), fmt(metric, s[metric]), ...TOP_STATS.filter((t) => t !== metric).map((t) => fmt(t, s[t]))];
    return `<tr${r === best ? ' class="pos"' : ''}>${cells.map((c, i) => `<td class="${i === 0 || i > names.length ? 'n' : ''}">${escapeHtml(c)}</td>`).join('')}</tr>`;
  }).join('');
  const topHead = ['#', ...names, metric, ...TOP_STATS.filter((t) => t !== metric)].map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const p = m.plateau;
  const d = m.deflatedSharpe;
  const summary: [string, string][] = [
    ['Strategy', `${m.strategy.ref}${m.strategy.source.kind === 'file' ? ` (${m.strategy.source.path})` : ''}`],
    ['Grid', m.grid.map((g) => `${g.name}=${g.spec} (${g.values.length})`).join(', ') + `; mode ${m.mode}${m.mode === 'random' ? `, ${m.samples} samples, seed ${m.seed}` : ''}`],
    ['Fixed parameters', Object.entries(m.fixedParams).map(([k, v]) => `${k}=${String(v)}`).join(', ') || '(defaults)'],
    ['Constraints', [...m.constraints.strategy.map((c) => `${c} (strategy)`), ...m.constraints.user].join(', ') || 'none'],
    ['Combinations', `${m.combos.tried} tried of ${m.combos.generated} generated; ${m.combos.skippedByStrategyConstraints} skipped by the strategy's constraints, ${m.combos.skippedByUserConstraints} by --constraint`],
    ['Metric', `${metric} (${m.metricDirection})`],
    ['Best', `${Object.entries(m.best.params).map(([k, v]) => `${k}=${String(v)}`).join(' ')}: ${metric} = ${fmt(metric, m.best.value)}`],
    ['Plateau', `${p.neighbours} neighbours (±1 step), ${p.counted} with a value: mean ${fmt(metric, p.mean)} (drop ${p.meanDropPct.toFixed(1)} %), worst ${fmt(metric, p.worst)} (drop ${p.worstDropPct.toFixed(1)} %)`],
    ['Deflated Sharpe', d ? `DSR ${d.dsr.toFixed(4)}: best Sharpe ${d.sharpe.toFixed(3)} vs ${d.expectedMaxSharpe.toFixed(3)} expected from the best of ${d.trials} noise trials (annualised); skew ${d.skew.toFixed(3)}, kurtosis ${d.kurtosis.toFixed(2)}, ${d.observations} returns` : 'n/a (the best combination has no Sharpe ratio)'],
    ['Market', `${m.data.exchange} ${m.data.symbol} ${m.data.timeframe}, ${m.data.from} .. ${m.data.to} (${m.data.bars} bars, ${m.data.warmupBars} warm-up)`],
    ['Data', `${m.data.source.kind}: ${m.data.source.path}; hash ${m.data.contentHash.slice(0, 16)}; ${m.data.gaps.count} gaps (policy ${m.data.gapPolicy})`],
    ['Fill model', `next open, slippage ${m.fillModel.slippageBps} bps, fee rate ${m.fees.feeRate}, fraction ${m.fillModel.fraction}, ${m.fillModel.allowShort ? 'long and short' : 'long only'}`],
    ['Indicator columns', `${m.indicatorColumns.requests} requested, ${m.indicatorColumns.shared} computed once and shared, ${m.indicatorColumns.computedInWorkers} computed by a worker for itself`],
    ['Run', `${m.workers} worker(s), ${m.elapsedMs} ms; code ${m.code.package}${m.code.commit ? ` @ ${m.code.commit.slice(0, 12)}` : ''}`],
  ];
  const sumRows = summary.map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`).join('');
  return `${pageStart(`sweep ${m.strategy.ref} ${m.data.symbol} ${m.data.timeframe} — tradelab`, `Sweep: ${m.strategy.ref} on ${m.data.symbol} ${m.data.timeframe}`, m.sweepId)}
<div class="panel"><table>${sumRows}</table></div>
<h2>${escapeHtml(metric)} over the grid</h2>
<div class="panel"><div id="view" class="chart" style="height:520px"></div></div>
<h2>Top ${Math.min(top, rows)} by ${escapeHtml(metric)}</h2>
<div class="panel"><table><thead><tr>${topHead}</tr></thead><tbody>${topRows}</tbody></table></div>
<details><summary>manifest.json</summary><pre>${escapeHtml(JSON.stringify(m, null, 2))}</pre></details>
<script type="application/json" id="data">${embedJson({ view, metric })}</script>
<script>${plotlyBundle()}</script>
<script>
const D = JSON.parse(document.getElementById('data').textContent);
const L = { paper_bgcolor: '#171a21', plot_bgcolor: '#171a21', font: { color: '#d8dee9' }, margin: { t: 30, r: 20, b: 50, l: 60 } };
const v = D.view;
if (v.kind === 'heatmap') {
  Plotly.newPlot('view', [{ type: 'heatmap', x: v.x, y: v.y, z: v.z, colorscale: 'RdYlGn', colorbar: { title: D.metric }, hoverongaps: false }],
    { ...L, xaxis: { title: v.xName, type: 'category' }, yaxis: { title: v.yName, type: 'category' } }, { responsive: true });
} else if (v.kind === 'line') {
  Plotly.newPlot('view', [{ type: 'scatter', mode: 'lines+markers', x: v.x, y: v.y }], { ...L, xaxis: { title: v.xName }, yaxis: { title: D.metric } }, { responsive: true });
} else {
  const finite = v.metricVals.map((x) => (x === null ? NaN : x));
  Plotly.newPlot('view', [{ type: 'parcoords', line: { color: finite, colorscale: 'RdYlGn', showscale: true },
    dimensions: [...v.dims, { label: D.metric, values: finite }] }], L, { responsive: true });
}
</script>
</main></body></html>
`;
}
