/**
 * plotly.js, loaded once on demand from the server (/vendor/plotly.min.js is plotly.js-dist-min, served by
 * `tradelab serve`) instead of being bundled: pages without charts stay small and the build stays fast.
 * `darkLayout` is the shared look of every chart.
 */
export interface PlotlyLike {
  react(el: HTMLElement, data: unknown[], layout: Record<string, unknown>, config?: Record<string, unknown>): Promise<unknown>;
  purge(el: HTMLElement): void;
  Plots: { resize(el: HTMLElement): void };
}

let loading: Promise<PlotlyLike> | null = null;

export function loadPlotly(src = '/vendor/plotly.min.js'): Promise<PlotlyLike> {
  const g = globalThis as unknown as { Plotly?: PlotlyLike };
  if (g.Plotly) return Promise.resolve(g.Plotly);
  loading ??= new Promise<PlotlyLike>((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.async = true;
    s.onload = () => (g.Plotly ? resolve(g.Plotly) : reject(new Error('plotly.js loaded but did not define Plotly')));
    s.onerror = () => { loading = null; reject(new Error(`could not load ${src}`)); };
    document.head.appendChild(s);
  });
  return loading;
}

export const COLORS = { profit: '#3fb950', loss: '#ff6b63', accent: '#58a6ff', paused: '#e3b341', muted: '#9aa4af', text: '#e6edf3', grid: '#30363d' } as const;

export function darkLayout(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    paper_bgcolor: 'rgba(0,0,0,0)',
    plot_bgcolor: 'rgba(0,0,0,0)',
    font: { color: COLORS.text, family: 'system-ui, sans-serif', size: 12 },
    margin: { l: 56, r: 16, t: 24, b: 36 },
    xaxis: { gridcolor: COLORS.grid, zerolinecolor: COLORS.grid },
    yaxis: { gridcolor: COLORS.grid, zerolinecolor: COLORS.grid },
    legend: { orientation: 'h', y: -0.18 },
    hovermode: 'x unified',
    ...extra,
  };
}
