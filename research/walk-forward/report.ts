/**
 * report.html of a walk-forward run: per-fold in-sample vs out-of-sample metric (bars), the winners per fold and the
 * stability of each parameter, the stitched out-of-sample equity, and the stitched statistics. Self-contained.
 */
import { STAT_LABELS, formatStat } from '../stat-labels.ts';
import { embedJson, escapeHtml, pageStart, plotlyBundle } from '../report/html.ts';
import { minMaxIndices, pick } from '../../engine/downsample.ts';
import type { WalkForwardRun } from './run-walk-forward.ts';

export function renderWalkForwardReport(run: WalkForwardRun): string {
  const m = run.manifest;
  const metric = m.metric;
  const lbl = (k: string) => STAT_LABELS.find((l) => l.key === k);
  const fmt = (k: string, v: number) => { const l = lbl(k); return l ? formatStat(v, l.format) : String(v); };
  const names = m.grid.map((g) => g.name);
  const idx = minMaxIndices(run.stitched.equity);
  const data = {
    metric,
    folds: run.folds.map((f) => `#${f.fold.k} ${f.testFrom.slice(0, 10)}`),
    is: run.folds.map((f) => f.inSample[metric]),
    oos: run.folds.map((f) => f.outOfSample[metric]),
    equity: { x: pick(run.stitched.ts, idx), y: pick(run.stitched.equity, idx) },
    bounds: run.folds.map((f) => Date.parse(f.testFrom)),
  };
  const foldRows = run.folds.map((f) => `<tr><td class="n">${f.fold.k}</td><td>${escapeHtml(f.trainFrom.slice(0, 16))} .. ${escapeHtml(f.trainTo.slice(0, 16))}</td><td>${escapeHtml(f.testFrom.slice(0, 16))} .. ${escapeHtml(f.testTo.slice(0, 16))}</td>${names.map((n) => `<td class="n">${escapeHtml(String(f.params[n]))}</td>`).join('')}<td class="n">${escapeHtml(fmt(metric, f.inSample[metric]))}</td><td class="n">${escapeHtml(fmt(metric, f.outOfSample[metric]))}</td><td class="n">${escapeHtml(fmt('returnPct', f.outOfSample.returnPct))}</td><td class="n">${f.outOfSample.trades}</td><td class="n">${escapeHtml(fmt('equityFinal', f.endEquity))}</td></tr>`).join('');
  const stabRows = m.stability.map((s) => `<tr><td>${escapeHtml(s.name)}</td><td>${escapeHtml(s.values.join(', '))}</td><td class="n">${s.mean.toFixed(3)}</td><td class="n">${Number.isFinite(s.std) ? s.std.toFixed(3) : 'n/a'}</td><td class="n">${Number.isFinite(s.cv) ? s.cv.toFixed(3) : 'n/a'}</td><td class="n">${s.distinct}</td></tr>`).join('');
  const statRows = STAT_LABELS.map(({ key, label, format }) => `<tr><td>${escapeHtml(label)}</td><td class="n">${escapeHtml(formatStat(run.stats[key], format))}</td></tr>`).join('');
  const cfg: [string, string][] = [
    ['Strategy', m.strategy.ref],
    ['Grid', m.grid.map((g) => `${g.name}=${g.spec}`).join(', ') + ` (${m.combos.perFold} combinations per fold, mode ${m.mode})`],
    ['Windows', `train ${m.windows.train}, test ${m.windows.test}, ${m.windows.anchored ? 'anchored' : 'rolling'}; ${m.windows.folds} folds`],
    ['Metric', `${metric} (${m.metricDirection})`],
    ['Market', `${m.data.exchange} ${m.data.symbol} ${m.data.timeframe}, ${m.data.from} .. ${m.data.to}`],
    ['Data', `${m.data.source.kind}: ${m.data.source.path}; hash ${m.data.contentHash.slice(0, 16)}`],
    ['Fill model', `next open, slippage ${m.fillModel.slippageBps} bps, fee rate ${m.fees.feeRate}; positions closed at the end of each test window`],
  ];
  return `${pageStart(`walk-forward ${m.strategy.ref} ${m.data.symbol} ${m.data.timeframe} — tradelab`, `Walk-forward: ${m.strategy.ref} on ${m.data.symbol} ${m.data.timeframe}`, m.runId)}
<div class="panel"><table>${cfg.map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`).join('')}</table></div>
<h2>In-sample vs out-of-sample ${escapeHtml(metric)} per fold</h2>
<div class="panel"><div id="bars" class="chart"></div></div>
<h2>Stitched out-of-sample equity</h2>
<div class="panel"><div id="equity" class="chart"></div></div>
<h2>Folds</h2>
<div class="panel"><table><thead><tr><th>#</th><th>train</th><th>test</th>${names.map((n) => `<th>${escapeHtml(n)}</th>`).join('')}<th>IS ${escapeHtml(metric)}</th><th>OOS ${escapeHtml(metric)}</th><th>OOS return %</th><th>OOS trades</th><th>end equity</th></tr></thead><tbody>${foldRows}</tbody></table></div>
<h2>Parameter stability</h2>
<div class="panel"><table><thead><tr><th>parameter</th><th>winner per fold</th><th>mean</th><th>std</th><th>CV</th><th>distinct</th></tr></thead><tbody>${stabRows}</tbody></table></div>
<h2>Stitched out-of-sample statistics</h2>
<div class="panel"><table>${statRows}</table></div>
<details><summary>manifest.json</summary><pre>${escapeHtml(JSON.stringify(m, null, 2))}</pre></details>
<script type="application/json" id="data">${embedJson(data)}</script>
<script>${plotlyBundle()}</script>
<script>
const D = JSON.parse(document.getElementById('data').textContent);
const L = { paper_bgcolor: '#171a21', plot_bgcolor: '#171a21', font: { color: '#d8dee9' }, margin: { t: 30, r: 20, b: 60, l: 60 } };
Plotly.newPlot('bars', [
  { type: 'bar', name: 'in-sample', x: D.folds, y: D.is, marker: { color: '#58a6ff' } },
  { type: 'bar', name: 'out-of-sample', x: D.folds, y: D.oos, marker: { color: '#3fb950' } },
], { ...L, barmode: 'group', yaxis: { title: D.metric } }, { responsive: true });
Plotly.newPlot('equity', [{ type: 'scatter', mode: 'lines', name: 'OOS equity', x: D.equity.x.map((t) => new Date(t)), y: D.equity.y, line: { color: '#3fb950' } }],
  { ...L, shapes: D.bounds.map((t) => ({ type: 'line', x0: new Date(t), x1: new Date(t), yref: 'paper', y0: 0, y1: 1, line: { color: '#2a2f3a', dash: 'dot' } })) }, { responsive: true });
</script>
</main></body></html>
`;
}
