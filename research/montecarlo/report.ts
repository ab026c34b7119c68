/**
 * montecarlo.html: histograms of the resampled final return and max drawdown with the percentiles and the observed
 * value marked, and the percentile table. Self-contained (plotly inlined, research/report/html.ts). The samples are
 * binned here for drawing only; the numbers in the table are montecarlo.json's, unchanged.
 */
import { MONTE_CARLO_PERCENTILES } from '../../engine/checks/index.ts';
import { embedJson, escapeHtml, pageStart, plotlyBundle } from '../report/html.ts';
import type { MonteCarloResult } from './run-montecarlo.ts';

export const HISTOGRAM_BINS = 60;

/** Equal-width histogram: bin centres, counts and the width (one bin when every sample is the same). */
export function histogram(xs: Float64Array, bins = HISTOGRAM_BINS): { x: number[]; y: number[]; width: number } {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < xs.length; i++) { if (xs[i] < lo) lo = xs[i]; if (xs[i] > hi) hi = xs[i]; }
  const span = hi - lo;
  if (!(span > Math.abs(hi) * 1e-9)) return { x: [(lo + hi) / 2], y: [xs.length], width: Math.max(Math.abs(hi) * 0.01, 1e-6) };
  const w = span / bins;
  const y = new Array<number>(bins).fill(0);
  for (let i = 0; i < xs.length; i++) y[Math.min(bins - 1, Math.floor((xs[i] - lo) / w))]++;
  return { x: y.map((_, k) => lo + (k + 0.5) * w), y, width: w };
}

const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');

export function renderMonteCarloReport(r: MonteCarloResult, samples: { finalReturnPct: Float64Array; maxDrawdownPct: Float64Array }): string {
  const keys = MONTE_CARLO_PERCENTILES.map((p) => `p${p}`);
  const data = {
    charts: [
      { id: 'ret', title: 'Final return [%]', hist: histogram(samples.finalReturnPct), pct: keys.map((k) => r.finalReturnPct.percentiles[k]), observed: r.observed.finalReturnPct },
      { id: 'dd', title: 'Max drawdown [%] (closed-trade equity)', hist: histogram(samples.maxDrawdownPct), pct: keys.map((k) => r.maxDrawdownPct.percentiles[k]), observed: r.observed.maxDrawdownPct },
    ],
    keys,
  };
  const row = (label: string, d: MonteCarloResult['finalReturnPct'], observed: number, rank: number) =>
    `<tr><td>${escapeHtml(label)}</td>${keys.map((k) => `<td class="n">${f2(d.percentiles[k])}</td>`).join('')}<td class="n">${f2(d.mean)}</td><td class="n">${f2(d.min)}</td><td class="n">${f2(d.max)}</td><td class="n">${f2(observed)}</td><td class="n">${f2(rank)}</td></tr>`;
  return `${pageStart(`Monte Carlo ${r.mode} — ${r.strategy} ${r.market}`, `Monte Carlo (${r.mode}) — ${r.strategy}`, `${r.market} · run ${r.runId} · ${r.trades} trades · ${r.n} samples · seed ${r.seed} · initial cash ${r.initialCash}`)}
<div class="panel"><table>
<tr><th></th>${keys.map((k) => `<th class="n">${k}</th>`).join('')}<th class="n">mean</th><th class="n">min</th><th class="n">max</th><th class="n">observed</th><th class="n">observed rank [%]</th></tr>
${row('Final return [%]', r.finalReturnPct, r.observed.finalReturnPct, r.observed.finalReturnRankPct)}
${row('Max drawdown [%]', r.maxDrawdownPct, r.observed.maxDrawdownPct, r.observed.maxDrawdownRankPct)}
</table></div>
<p class="sub">${escapeHtml(r.note)}</p>
<p class="sub">${escapeHtml(r.tradeReturn)}.</p>
<div class="grid"><div class="panel"><div id="ret" class="chart"></div></div><div class="panel"><div id="dd" class="chart"></div></div></div>
<script type="application/json" id="mc-data">${embedJson(data)}</script>
<script>${plotlyBundle()}</script>
<script>
const D = JSON.parse(document.getElementById('mc-data').textContent);
const layout = (title, shapes, annotations) => ({ title: { text: title }, paper_bgcolor: '#171a21', plot_bgcolor: '#171a21', font: { color: '#d8dee9' },
  margin: { l: 50, r: 20, t: 40, b: 40 }, bargap: 0.02, xaxis: { gridcolor: '#2a2f3a' }, yaxis: { title: { text: 'samples' }, gridcolor: '#2a2f3a' }, shapes, annotations });
for (const c of D.charts) {
  const line = (x, color, dash) => ({ type: 'line', x0: x, x1: x, y0: 0, y1: 1, yref: 'paper', line: { color, width: 1.5, dash } });
  const shapes = c.pct.map((x) => line(x, '#8b95a7', 'dot')).concat([line(c.observed, '#3fb950', 'solid')]);
  const annotations = c.pct.map((x, k) => ({ x, y: 1, yref: 'paper', text: D.keys[k], showarrow: false, yanchor: 'bottom', font: { size: 10, color: '#8b95a7' } }))
    .concat([{ x: c.observed, y: 0.9, yref: 'paper', text: 'observed', showarrow: false, font: { color: '#3fb950' } }]);
  Plotly.newPlot(c.id, [{ type: 'bar', x: c.hist.x, y: c.hist.y, width: c.hist.width, marker: { color: '#58a6ff' }, name: c.title }], layout(c.title, shapes, annotations), { responsive: true, displaylogo: false });
}
</script>
</main></body></html>
`;
}
