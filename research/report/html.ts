// Shared HTML pieces for the self-contained reports: plotly.js is inlined (no CDN: reports open offline).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let plotly: string | undefined;

/** The plotly.js bundle, read once. `</script` cannot occur inside it unescaped. */
export function plotlyBundle(): string {
  plotly ??= readFileSync(require.resolve('plotly.js-dist-min/plotly.min.js'), 'utf8').replace(/<\/script/gi, '<\\/script');
  return plotly;
}

export const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** JSON safe to embed in a <script type="application/json"> block. */
export const embedJson = (v: unknown) =>
  JSON.stringify(v, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? null : x)).replace(/</g, '\\u003c');

export const BASE_CSS = `
:root { color-scheme: dark; --bg:#0f1115; --panel:#171a21; --text:#d8dee9; --muted:#8b95a7; --green:#3fb950; --red:#f85149; --blue:#58a6ff; --line:#2a2f3a; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); font: 14px/1.45 system-ui, -apple-system, Segoe UI, sans-serif; }
main { max-width: 1280px; margin: 0 auto; padding: 16px; }
h1 { font-size: 20px; margin: 8px 0 4px; } h2 { font-size: 16px; margin: 24px 0 8px; color: var(--muted); }
.sub { color: var(--muted); margin-bottom: 16px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(280px, 1fr)); gap: 12px; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px; overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
td, th { padding: 3px 8px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
table.wrap td { white-space: normal; overflow-wrap: anywhere; }
td.n, th.n { text-align: right; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
.pos { color: var(--green); } .neg { color: var(--red); }
.chart { width: 100%; height: 380px; }
details summary { cursor: pointer; color: var(--muted); }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
pre { white-space: pre-wrap; word-break: break-all; }
`;

/** The opening of every report page: head with the shared dark style, then the heading and its sub-line (all plain text, escaped here). */
export function pageStart(title: string, heading: string, sub: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${BASE_CSS}</style></head>
<body><main>
<h1>${escapeHtml(heading)}</h1>
<div class="sub">${escapeHtml(sub)}</div>`;
}
