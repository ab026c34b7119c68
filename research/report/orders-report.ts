/**
 * report.html of an order run: statistics (from stats.json, never recomputed) and the order extras, what was run,
 * equity and drawdown as for signal runs, then per market the price with the orders (resting buy and sell levels
 * over their lifetime, for a stated sample when there are many; fills as markers), the recorded price lines
 * (grid: AnchorHigh and GridTop; range-grid: lower and upper), HOLD periods shaded, and capital in use and
 * open-order count over time. Long series are min/max-bucketed for drawing only.
 */
import type { OrderBacktestRun } from '../orders/run-orders.ts';
import { STAT_LABELS, formatStat } from '../stat-labels.ts';
import { embedJson, escapeHtml, pageStart, plotlyBundle } from './html.ts';
import { minMaxIndices, pick } from '../../engine/downsample.ts';

const r6 = (x: number) => (Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : x);
const MAX_ORDER_SEGMENTS = 2500;
const MAX_FILL_MARKERS = 1500;
const MAX_HOLD_SHAPES = 400;

/** Every k-th index so that at most `max` of `n` remain (all when n <= max). */
function strideIndices(n: number, max: number): number[] {
  const step = Math.max(1, Math.ceil(n / max));
  const out: number[] = [];
  for (let i = 0; i < n; i += step) out.push(i);
  return out;
}

const fmt = (v: number, digits = 2) => (Number.isFinite(v) ? v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a');
const row = (k: string, v: string) => `<tr><td>${escapeHtml(k)}</td><td class="n">${escapeHtml(v)}</td></tr>`;

export function renderOrdersReport(run: OrderBacktestRun, cols: Record<string, Float64Array>): string {
  const { manifest: m, stats, result: r, frames } = run;
  const o = stats.orders;
  const ts = cols.ts;
  const endTs = ts[ts.length - 1];
  const eqIdx = minMaxIndices(cols.equity);
  const ddIdx = minMaxIndices(cols.drawdownPct);
  const capIdx = minMaxIndices(cols.capitalInUse);
  const ooIdx = minMaxIndices(cols.openOrders);
  const t0 = ts[0];

  const markets = frames.map((f) => {
    const sym = f.symbol;
    const close = cols[`${sym}.close`];
    const pxIdx = minMaxIndices(close);
    const medClose = close[close.length >> 1];
    const lines: { name: string; x: number[]; y: number[] }[] = [];
    for (const name of Object.keys(r.series[sym] ?? {})) {
      const col = cols[`${sym}.${name}`];
      let mid = NaN;
      for (let s = col.length >> 1; s < col.length && !Number.isFinite(mid); s++) mid = col[s];
      if (!(mid > medClose * 0.3 && mid < medClose * 3)) continue; // price-scale series only (hold flags, timestamps are not)
      lines.push({ name, x: pick(ts, pxIdx), y: pick(col, pxIdx, r6) });
    }
    // resting limit orders as segments [placed, done] at their price, for a stated sample
    const limits = r.orders.filter((x) => x.symbol === sym && x.type === 'limit' && (x.doneTs >= t0 || Number.isNaN(x.doneTs)));
    const sample = strideIndices(limits.length, MAX_ORDER_SEGMENTS);
    const seg = (side: 'buy' | 'sell') => {
      const x: (number | null)[] = [], y: (number | null)[] = [];
      for (const k of sample) {
        const od = limits[k];
        if (od.side !== side) continue;
        x.push(Math.max(od.placedTs, t0), Number.isNaN(od.doneTs) ? endTs : od.doneTs, null);
        y.push(od.price, od.price, null);
      }
      return { x, y };
    };
    const fills = r.fills.filter((x) => x.symbol === sym && x.ts >= t0);
    const fillTrace = (side: 'buy' | 'sell') => {
      const list = fills.filter((x) => x.side === side);
      const idx = strideIndices(list.length, MAX_FILL_MARKERS);
      return { x: idx.map((k) => list[k].ts), y: idx.map((k) => list[k].price), text: idx.map((k) => `${list[k].tag} ${list[k].amount}`), total: list.length, shown: idx.length };
    };
    const holds = r.holdPeriods.filter((h) => h.symbol === sym).slice(0, MAX_HOLD_SHAPES)
      .map((h) => [Math.max(h.startTs, t0), Number.isNaN(h.endTs) ? endTs : h.endTs]);
    return {
      symbol: sym, price: { x: pick(ts, pxIdx), y: pick(close, pxIdx) }, lines,
      buyOrders: seg('buy'), sellOrders: seg('sell'), ordersShown: sample.length, ordersTotal: limits.length,
      buyFills: fillTrace('buy'), sellFills: fillTrace('sell'), holds,
    };
  });
  const data = {
    equity: { x: pick(ts, eqIdx), y: pick(cols.equity, eqIdx, r6) },
    drawdown: { x: pick(ts, ddIdx), y: pick(cols.drawdownPct, ddIdx, r6) },
    capital: { x: pick(ts, capIdx), y: pick(cols.capitalInUse, capIdx, r6) },
    openOrders: { x: pick(ts, ooIdx), y: pick(cols.openOrders, ooIdx) },
    markets,
  };

  const statRows = STAT_LABELS.map(({ key, label, format, signed }) => {
    const v = stats[key];
    const cls = signed && Number.isFinite(v) && v !== 0 ? (v > 0 ? 'pos' : 'neg') : '';
    return `<tr><td>${escapeHtml(label)}</td><td class="n ${cls}">${escapeHtml(formatStat(v, format))}</td></tr>`;
  }).join('');
  const orderRows = [
    row('Realised P&L (gross)', fmt(o.realised)), row('Unrealised P&L (gross)', fmt(o.unrealised)), row('Fees', fmt(o.fees)), row('Net P&L', fmt(o.netPnl)),
    row('Orders placed', String(o.ordersPlaced)), row('Orders filled', String(o.ordersFilled)), row('Orders cancelled', String(o.ordersCancelled)),
    row('Orders rejected', String(o.ordersRejected)), row('Orders open at end', String(o.ordersOpenAtEnd)),
    row('Fills (buy / sell)', `${o.fills} (${o.buyFills} / ${o.sellFills})`), row('Lots closed / open', `${o.closedLots} / ${o.openLots}`),
    row('Max open orders', String(o.maxOpenOrders)), row('Max capital in use', fmt(o.maxCapitalInUse)), row('Max capital in use [%]', fmt(o.maxCapitalInUsePct)),
    row('HOLD periods', String(o.holdPeriods)), row('HOLD time (days, all markets)', fmt(o.holdTimeDays, 1)),
    ...(o.gridCycles ? [row('Grid cycles completed', String(o.gridCycles.completed)), row('Grid cycle profit (net)', fmt(o.gridCycles.profit)), row('Avg profit per cycle', fmt(o.gridCycles.avgProfit, 4))] : []),
  ].join('');
  const rejectRows = Object.entries(o.rejectReasons).map(([k, v]) => row(k, String(v))).join('');
  const marketRows = o.markets.map((x) => {
    const s = m.marketSpecs.find((y) => y.symbol === x.symbol)!;
    return `<tr><td>${escapeHtml(x.symbol)}</td><td class="n">${fmt(x.realised)}</td><td class="n">${fmt(x.unrealised)}</td><td class="n">${fmt(x.fees)}</td><td class="n">${x.fills}</td><td class="n">${Number(x.base.toPrecision(10))}</td><td class="n">${x.holdPeriods}</td><td class="n">${fmt(x.holdTimePct)}</td><td class="n">${s.priceTick}</td><td class="n">${s.amountStep}</td><td class="n">${s.minAmount}</td><td class="n">${s.minNotional}</td><td class="n">${s.makerFee}</td><td class="n">${s.takerFee}</td></tr>`;
  }).join('');
  const execRows = (o.execution ?? []).map((e) => `<tr><td>${escapeHtml(e.symbol)}</td><td>${e.side}</td><td class="n">${e.filled} / ${e.quantity}</td><td class="n">${e.childOrders}</td><td class="n">${fmt(e.avgFillPrice)}</td><td class="n">${fmt(e.periodTwap)}</td><td class="n">${fmt(e.periodVwap)}</td><td class="n">${fmt(e.slippageVsTwapBps)}</td><td class="n">${fmt(e.slippageVsVwapBps)}</td><td class="n">${fmt(e.slippageVsArrivalBps)}</td><td class="n">${fmt(e.participation * 100, 4)}</td></tr>`).join('');
  const fm = m.fillModel;
  const cfg: [string, string][] = [
    ['Strategy', `${m.strategy.ref}${m.strategy.source.kind === 'file' ? ` (${m.strategy.source.path})` : ''}`],
    ['Parameters', Object.entries(m.params).map(([k, v]) => `${k}=${String(v)}`).join(', ') || '(none)'],
    ['Markets', `${m.data.exchange} ${m.data.symbol} ${m.data.timeframe} (one shared budget)`],
    ['Range (measured)', `${m.data.from} .. ${m.data.to} (${m.data.bars} steps)`],
    ...m.data.markets.map((d): [string, string] => [`Data ${d.symbol}`, `${d.source.kind}: ${d.source.path}; ${d.bars} bars; sha256 ${d.contentHash.slice(0, 16)}…; ${d.gaps.count} gaps, ${d.gaps.missingBars} missing bars`]),
    ['Gap policy', m.data.gapPolicy],
    ['Fill model', `${fm.name}: intrabar path ${fm.intrabarPath}, fill on ${fm.fillOn}, slippage ${fm.slippageBps} bps (market orders), max volume share ${fm.maxVolumeShare ?? 'none'}`],
    ['Limit orders', `${fm.limitActivation}; ${fm.gapFills}`],
    ['Market orders', fm.marketOrders],
    ['Fees', fm.fees],
    ['Initial cash', String(m.initialCash)],
    ['Code', `${m.code.package}${m.code.commit ? ` @ ${m.code.commit.slice(0, 12)}${m.code.dirty ? ' (dirty)' : ''}` : ''}`],
  ];
  const cfgRows = cfg.map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`).join('');
  const holdRows = r.holdPeriods.slice(0, 100).map((h) => `<tr><td>${escapeHtml(h.symbol)}</td><td>${new Date(h.startTs).toISOString().slice(0, 16).replace('T', ' ')}</td><td>${Number.isNaN(h.endTs) ? '(end of run)' : new Date(h.endTs).toISOString().slice(0, 16).replace('T', ' ')}</td></tr>`).join('');
  const marketCharts = markets.map((x, k) => {
    const note = `${x.ordersShown < x.ordersTotal ? `resting orders: a sample of ${x.ordersShown} of ${x.ordersTotal} limit orders (every ${Math.ceil(x.ordersTotal / MAX_ORDER_SEGMENTS)}th); ` : `all ${x.ordersTotal} limit orders; `}` +
      `fills: ${x.buyFills.shown} of ${x.buyFills.total} buys, ${x.sellFills.shown} of ${x.sellFills.total} sells; ${x.holds.length} HOLD periods shaded`;
    return `<h2>${escapeHtml(x.symbol)}: price, orders and fills</h2><div class="panel"><div id="market-${k}" class="chart" style="height:520px" role="img" aria-label="${escapeHtml(x.symbol)} price with orders"></div><div class="sub">${escapeHtml(note)}; all orders in orders.csv, fills in fills.csv</div></div>`;
  }).join('\n');

  return `${pageStart(`${m.strategy.ref} ${m.data.symbol} ${m.data.timeframe} — tradelab`, `${m.strategy.ref} on ${m.data.exchange} ${m.data.symbol} ${m.data.timeframe}`, `run ${m.runId} · created ${m.createdAt}`)}
<div class="grid">
<div class="panel"><h2>Statistics</h2><table>${statRows}</table></div>
<div class="panel"><h2>Orders, lots and capital</h2><table>${orderRows}</table>
${rejectRows ? `<h2>Rejected orders by reason</h2><table>${rejectRows}</table>` : ''}</div>
</div>
<div class="panel" style="margin-top:12px"><h2>What was run</h2><table class="wrap">${cfgRows}</table>
<details><summary>manifest.json</summary><pre>${escapeHtml(JSON.stringify(m, null, 2))}</pre></details></div>
<h2>Markets</h2><div class="panel"><table><tr><th>symbol</th><th class="n">realised</th><th class="n">unrealised</th><th class="n">fees</th><th class="n">fills</th><th class="n">base held</th><th class="n">HOLDs</th><th class="n">HOLD %</th><th class="n">tick</th><th class="n">step</th><th class="n">min amt</th><th class="n">min notional</th><th class="n">maker</th><th class="n">taker</th></tr>${marketRows}</table></div>
${execRows ? `<h2>Execution quality</h2><div class="panel"><table><tr><th>symbol</th><th>side</th><th class="n">filled</th><th class="n">children</th><th class="n">avg fill</th><th class="n">period TWAP</th><th class="n">period VWAP</th><th class="n">vs TWAP bps</th><th class="n">vs VWAP bps</th><th class="n">vs arrival bps</th><th class="n">participation %</th></tr>${execRows}</table></div>` : ''}
<h2>Equity</h2><div class="panel"><div id="equity" class="chart" role="img" aria-label="Equity curve"></div></div>
<h2>Drawdown</h2><div class="panel"><div id="drawdown" class="chart" style="height:240px" role="img" aria-label="Drawdown"></div></div>
<h2>Capital in use and open orders</h2><div class="panel"><div id="capital" class="chart" style="height:300px" role="img" aria-label="Capital in use and open orders"></div></div>
${marketCharts}
${holdRows ? `<h2>HOLD periods${r.holdPeriods.length > 100 ? ` (first 100 of ${r.holdPeriods.length}; all in hold-periods.csv)` : ''}</h2><div class="panel"><table><tr><th>symbol</th><th>start</th><th>end</th></tr>${holdRows}</table></div>` : ''}
</main>
<script type="application/json" id="report-data">${embedJson(data)}</script>
<script>${plotlyBundle()}</script>
<script>
(function () {
  var d = JSON.parse(document.getElementById('report-data').textContent);
  var base = { paper_bgcolor: '#171a21', plot_bgcolor: '#171a21', font: { color: '#d8dee9' }, margin: { l: 60, r: 60, t: 10, b: 40 },
    xaxis: { type: 'date', gridcolor: '#2a2f3a' }, yaxis: { gridcolor: '#2a2f3a' }, legend: { orientation: 'h' } };
  var cfg = { responsive: true, displaylogo: false };
  function L(extra) { return Object.assign({}, base, extra); }
  Plotly.newPlot('equity', [{ x: d.equity.x, y: d.equity.y, name: 'equity', type: 'scattergl', mode: 'lines', line: { color: '#58a6ff' } }],
    L({ yaxis: { gridcolor: '#2a2f3a', title: 'equity' } }), cfg);
  Plotly.newPlot('drawdown', [{ x: d.drawdown.x, y: d.drawdown.y, name: 'drawdown %', type: 'scatter', mode: 'lines', fill: 'tozeroy', line: { color: '#f85149' } }],
    L({ yaxis: { gridcolor: '#2a2f3a', title: '%' } }), cfg);
  Plotly.newPlot('capital', [
    { x: d.capital.x, y: d.capital.y, name: 'capital in use', type: 'scattergl', mode: 'lines', line: { color: '#e3b341' } },
    { x: d.openOrders.x, y: d.openOrders.y, name: 'open orders', type: 'scattergl', mode: 'lines', yaxis: 'y2', line: { color: '#a371f7', width: 1 } }
  ], L({ yaxis: { gridcolor: '#2a2f3a', title: 'quote' }, yaxis2: { title: 'orders', overlaying: 'y', side: 'right', showgrid: false } }), cfg);
  var colors = ['#e3b341', '#39c5cf', '#a371f7', '#ff7b72'];
  d.markets.forEach(function (mk, k) {
    var traces = [
      { x: mk.buyOrders.x, y: mk.buyOrders.y, name: 'resting buys', type: 'scattergl', mode: 'lines', connectgaps: false, line: { color: 'rgba(63,185,80,0.5)', width: 1.5 }, hoverinfo: 'y' },
      { x: mk.sellOrders.x, y: mk.sellOrders.y, name: 'resting sells', type: 'scattergl', mode: 'lines', connectgaps: false, line: { color: 'rgba(248,81,73,0.5)', width: 1.5 }, hoverinfo: 'y' },
      { x: mk.price.x, y: mk.price.y, name: mk.symbol, type: 'scattergl', mode: 'lines', line: { color: '#8b95a7', width: 1 } }
    ];
    mk.lines.forEach(function (ln, j) {
      traces.push({ x: ln.x, y: ln.y, name: ln.name, type: 'scattergl', mode: 'lines', line: { width: 1.5, color: colors[j % colors.length], dash: j % 2 ? 'dash' : 'solid' } });
    });
    traces.push({ x: mk.buyFills.x, y: mk.buyFills.y, text: mk.buyFills.text, name: 'buy fills', type: 'scattergl', mode: 'markers', marker: { symbol: 'triangle-up', size: 6, color: '#3fb950', opacity: 0.8 } });
    traces.push({ x: mk.sellFills.x, y: mk.sellFills.y, text: mk.sellFills.text, name: 'sell fills', type: 'scattergl', mode: 'markers', marker: { symbol: 'triangle-down', size: 6, color: '#ff9bce', opacity: 0.8 } });
    var shapes = mk.holds.map(function (h) {
      return { type: 'rect', xref: 'x', yref: 'paper', x0: h[0], x1: h[1], y0: 0, y1: 1, fillcolor: 'rgba(227,179,65,0.12)', line: { width: 0 }, layer: 'below' };
    });
    Plotly.newPlot('market-' + k, traces, L({ shapes: shapes, yaxis: { gridcolor: '#2a2f3a', title: 'price' } }), cfg);
  });
})();
</script>
</body></html>
`;
}
