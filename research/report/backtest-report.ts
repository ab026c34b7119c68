/**
 * report.html of a backtest: statistics and manifest, equity (with buy & hold), drawdown, and price with entries,
 * exits and indicator overlays. Self-contained (plotly inlined); long series are min/max-bucketed for drawing only,
 * the numbers in the tables come from stats.json unchanged (the report never recomputes a statistic).
 */
import type { RunArtefacts } from '../results/write-run.ts';
import { STAT_LABELS, formatStat } from '../stat-labels.ts';
import { embedJson, escapeHtml, pageStart, plotlyBundle } from './html.ts';
import { minMaxIndices, pick } from '../../engine/downsample.ts';

const r6 = (x: number) => (Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : x);

export function renderBacktestReport(a: RunArtefacts): string {
  const { manifest: m, stats, sim, frame, indicators } = a;
  const s0 = sim.startIndex, s1 = sim.endIndex;
  const n = s1 - s0;
  // equity and buy & hold (same starting capital) per measured bar
  const eqIdx = minMaxIndices(sim.equity);
  const peakDd = new Float64Array(n);
  let peak = -Infinity;
  for (let i = 0; i < n; i++) { peak = Math.max(peak, sim.equity[i]); peakDd[i] = peak > 0 ? (sim.equity[i] / peak - 1) * 100 : 0; }
  const ddIdx = minMaxIndices(peakDd);
  const close = frame.close.subarray(s0, s1);
  const bh = new Float64Array(n);
  const firstOpen = frame.open[s0]; // buy & hold as in stats.json: bought at the first measured open
  for (let i = 0; i < n; i++) bh[i] = (m.initialCash * close[i]) / firstOpen;
  const pxIdx = minMaxIndices(close);
  // indicator overlays: those on the price scale go over the price, the others below it
  const medClose = close[n >> 1];
  const overlays: { name: string; x: number[]; y: number[]; onPrice: boolean }[] = [];
  for (const [name, col] of Object.entries(indicators)) {
    if (!(col instanceof Float64Array) || col.length !== frame.length) continue;
    const sub = col.subarray(s0, s1);
    const mid = sub[n >> 1];
    const onPrice = Number.isFinite(mid) && mid > medClose * 0.5 && mid < medClose * 1.5;
    overlays.push({ name, x: pick(sim.ts, pxIdx), y: pick(sub, pxIdx, r6), onPrice });
  }
  const data = {
    equity: { x: pick(sim.ts, eqIdx), y: pick(sim.equity, eqIdx, r6) },
    buyHold: { x: pick(sim.ts, eqIdx), y: pick(bh, eqIdx, r6) },
    drawdown: { x: pick(sim.ts, ddIdx), y: pick(peakDd, ddIdx, r6) },
    price: { x: pick(sim.ts, pxIdx), y: pick(close, pxIdx) },
    buys: { x: sim.fills.filter((f) => f.side === 'buy').map((f) => f.ts), y: sim.fills.filter((f) => f.side === 'buy').map((f) => f.price), text: sim.fills.filter((f) => f.side === 'buy').map((f) => f.reason) },
    sells: { x: sim.fills.filter((f) => f.side === 'sell').map((f) => f.ts), y: sim.fills.filter((f) => f.side === 'sell').map((f) => f.price), text: sim.fills.filter((f) => f.side === 'sell').map((f) => f.reason) },
    overlays,
    symbol: frame.symbol,
  };

  const statRows = STAT_LABELS.map(({ key, label, format, signed }) => {
    const v = stats[key];
    const cls = signed && Number.isFinite(v) && v !== 0 ? (v > 0 ? 'pos' : 'neg') : '';
    return `<tr><td>${escapeHtml(label)}</td><td class="n ${cls}">${escapeHtml(formatStat(v, format))}</td></tr>`;
  }).join('');
  const cfg: [string, string][] = [
    ['Strategy', `${m.strategy.ref}${m.strategy.source.kind === 'file' ? ` (${m.strategy.source.path})` : ''}`],
    ['Parameters', Object.entries(m.params).map(([k, v]) => `${k}=${String(v)}`).join(', ') || '(none)'],
    ['Market', `${m.data.exchange} ${m.data.symbol} ${m.data.timeframe}`],
    ['Range (measured)', `${m.data.from} .. ${m.data.to} (${m.data.bars} bars)`],
    ['Warm-up', `${m.data.warmupBars} bars from ${m.data.loadedFrom}`],
    ['Data source', `${m.data.source.kind}: ${m.data.source.path}${m.data.source.format ? ` (${m.data.source.format})` : ''}`],
    ['Content hash', m.data.contentHash],
    ['Gaps', `${m.data.gaps.count} gaps, ${m.data.gaps.missingBars} missing bars (policy ${m.data.gapPolicy}${m.data.filledBars ? `, ${m.data.filledBars} filled` : ''})`],
    ['Fill model', `${m.fillModel.name}: ${m.fillModel.description}`],
    ['Costs', `fee rate ${m.fees.feeRate}, slippage ${m.fillModel.slippageBps} bps, lot size ${m.fillModel.lotSize || 'none'}, min notional ${m.fillModel.minNotional}`],
    ['Sizing', `fraction ${m.fillModel.fraction}, ${m.fillModel.allowShort ? 'long and short' : 'long only'}${m.fillModel.closeAtEnd ? ', close at end' : ''}, ${m.fillModel.path} path`],
    ['Initial cash', String(m.initialCash)],
    ['Code', `${m.code.package}${m.code.commit ? ` @ ${m.code.commit.slice(0, 12)}${m.code.dirty ? ' (dirty)' : ''}` : ''}`],
  ];
  const cfgRows = cfg.map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`).join('');
  const gapRows = m.data.gaps.gaps.slice(0, 50).map((g) => `<tr><td>${escapeHtml(g.from)}</td><td class="n">${g.missing}</td></tr>`).join('');
  const trades = sim.trades;
  const tradeRows = trades.slice(-200).map((t) => {
    const cls = t.pnl > 0 ? 'pos' : t.pnl < 0 ? 'neg' : '';
    return `<tr><td>${escapeHtml(t.side)}</td><td>${new Date(t.entryTs).toISOString().slice(0, 16).replace('T', ' ')}</td><td>${new Date(t.exitTs).toISOString().slice(0, 16).replace('T', ' ')}</td><td class="n">${t.size.toPrecision(6)}</td><td class="n">${t.entryPrice.toFixed(2)}</td><td class="n">${t.exitPrice.toFixed(2)}</td><td class="n ${cls}">${t.pnl.toFixed(2)}</td><td class="n ${cls}">${t.returnPct.toFixed(2)}</td></tr>`;
  }).join('');

  return `${pageStart(`${m.strategy.ref} ${m.data.symbol} ${m.data.timeframe} — tradelab`, `${m.strategy.ref} on ${m.data.exchange} ${m.data.symbol} ${m.data.timeframe}`, `run ${m.runId} · created ${m.createdAt}`)}
<div class="grid">
<div class="panel"><h2>Statistics</h2><table>${statRows}</table></div>
<div class="panel"><h2>What was run</h2><table class="wrap">${cfgRows}</table>
${m.data.gaps.count ? `<details><summary>${m.data.gaps.count} gaps in the loaded range</summary><table><tr><th>first missing</th><th class="n">bars</th></tr>${gapRows}</table></details>` : ''}
<details><summary>manifest.json</summary><pre>${escapeHtml(JSON.stringify(m, null, 2))}</pre></details></div>
</div>
<h2>Equity</h2><div class="panel"><div id="equity" class="chart" role="img" aria-label="Equity curve"></div></div>
<h2>Drawdown</h2><div class="panel"><div id="drawdown" class="chart" style="height:240px" role="img" aria-label="Drawdown"></div></div>
<h2>Price, entries and exits</h2><div class="panel"><div id="price" class="chart" style="height:460px" role="img" aria-label="Price with trades"></div></div>
<h2>Trades${trades.length > 200 ? ` (last 200 of ${trades.length}; all in trades.csv)` : ` (${trades.length})`}</h2>
<div class="panel"><table><tr><th>side</th><th>entry</th><th>exit</th><th class="n">size</th><th class="n">entry px</th><th class="n">exit px</th><th class="n">P&amp;L</th><th class="n">%</th></tr>${tradeRows}</table></div>
</main>
<script type="application/json" id="report-data">${embedJson(data)}</script>
<script>${plotlyBundle()}</script>
<script>
(function () {
  var d = JSON.parse(document.getElementById('report-data').textContent);
  var base = { paper_bgcolor: '#171a21', plot_bgcolor: '#171a21', font: { color: '#d8dee9' }, margin: { l: 60, r: 20, t: 10, b: 40 },
    xaxis: { type: 'date', gridcolor: '#2a2f3a' }, yaxis: { gridcolor: '#2a2f3a' }, legend: { orientation: 'h' } };
  var cfg = { responsive: true, displaylogo: false };
  function L(extra) { return Object.assign({}, base, extra); }
  Plotly.newPlot('equity', [
    { x: d.equity.x, y: d.equity.y, name: 'strategy', type: 'scattergl', mode: 'lines', line: { color: '#58a6ff' } },
    { x: d.buyHold.x, y: d.buyHold.y, name: 'buy & hold', type: 'scattergl', mode: 'lines', line: { color: '#8b95a7', dash: 'dot' } }
  ], L({ yaxis: { gridcolor: '#2a2f3a', title: 'equity' } }), cfg);
  Plotly.newPlot('drawdown', [
    { x: d.drawdown.x, y: d.drawdown.y, name: 'drawdown %', type: 'scatter', mode: 'lines', fill: 'tozeroy', line: { color: '#f85149' } }
  ], L({ yaxis: { gridcolor: '#2a2f3a', title: '%' } }), cfg);
  var traces = [{ x: d.price.x, y: d.price.y, name: d.symbol, type: 'scattergl', mode: 'lines', line: { color: '#d8dee9', width: 1 } }];
  var colors = ['#e3b341', '#a371f7', '#39c5cf', '#ff7b72', '#7ee787'];
  var below = false;
  d.overlays.forEach(function (o, k) {
    if (!o.onPrice) below = true;
    traces.push({ x: o.x, y: o.y, name: o.name, type: 'scattergl', mode: 'lines', yaxis: o.onPrice ? 'y' : 'y2', line: { width: 1, color: colors[k % colors.length] } });
  });
  traces.push({ x: d.buys.x, y: d.buys.y, text: d.buys.text, name: 'buy', type: 'scattergl', mode: 'markers', marker: { symbol: 'triangle-up', size: 9, color: '#3fb950' } });
  traces.push({ x: d.sells.x, y: d.sells.y, text: d.sells.text, name: 'sell', type: 'scattergl', mode: 'markers', marker: { symbol: 'triangle-down', size: 9, color: '#f85149' } });
  var lay = L({ yaxis: { gridcolor: '#2a2f3a', domain: below ? [0.3, 1] : [0, 1] } });
  if (below) lay.yaxis2 = { gridcolor: '#2a2f3a', domain: [0, 0.25], anchor: 'x' };
  Plotly.newPlot('price', traces, lay, cfg);
})();
</script>
</body></html>
`;
}
