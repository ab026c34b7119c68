/**
 * `npm run bench [-- --json] [-- --filter <substring>]`: discovers every *.bench.ts, times each case in
 * this one process, and reports medians and ratios against each case's named baseline.
 */
import { readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { benchContext, type BenchCase, type BenchFactory } from './harness.ts';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const json = args.includes('--json');
const fi = args.indexOf('--filter');
const filter = fi >= 0 ? args[fi + 1] : undefined;
const log = (s: string) => { if (!json) process.stderr.write(s + '\n'); };

function benchFiles(): string[] {
  const out: string[] = [];
  for (const top of ['bench', 'engine', 'data', 'research', 'live']) {
    const dir = join(root, top);
    let entries: string[] = [];
    try { entries = readdirSync(dir, { recursive: true }) as string[]; } catch { continue; }
    for (const e of entries) if (e.endsWith('.bench.ts') && !e.includes('node_modules')) out.push(join(dir, e));
  }
  return out.sort();
}

async function time(c: BenchCase): Promise<number[]> {
  await c.run(); // warm-up (JIT, caches)
  const samples: number[] = [];
  const fixed = c.samples;
  const t0 = performance.now();
  for (;;) {
    const s = performance.now();
    await c.run();
    samples.push(performance.now() - s);
    if (fixed !== undefined ? samples.length >= fixed : samples.length >= 25 || (samples.length >= 5 && performance.now() - t0 > 2000)) break;
  }
  return samples;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

interface Row { name: string; bars: number; medianMs: number; baseline: string | null; ratio: number | null; [k: string]: unknown }

// Collect every case first, so that a --filter keeps the baselines of the cases it selects.
const all: BenchCase[] = [];
const fileOf = new Map<BenchCase, string>();
for (const file of benchFiles()) {
  const mod = (await import(pathToFileURL(file).href)) as { default: BenchFactory };
  for (const c of await mod.default(benchContext)) { all.push(c); fileOf.set(c, file); }
}
const selected = new Set(all.filter((c) => !filter || c.name.includes(filter)));
for (const c of [...selected]) {
  const b = all.find((x) => x.name === c.baseline);
  if (b) selected.add(b);
}
const rows: Row[] = [];
for (const c of all) {
  if (!selected.has(c)) { await c.teardown?.(); continue; }
  log(`timing ${c.name} (${relative(root, fileOf.get(c)!)}) ...`);
  const med = median(await time(c));
  rows.push({ name: c.name, bars: c.bars, medianMs: Number(med.toFixed(3)), baseline: c.baseline ?? null, ratio: null, ...(c.extra?.(med) ?? {}) });
  await c.teardown?.();
}
for (const r of rows) {
  if (!r.baseline) continue;
  const b = rows.find((x) => x.name === r.baseline);
  r.ratio = b ? Number((r.medianMs / b.medianMs).toFixed(4)) : null;
}
if (json) {
  process.stdout.write(JSON.stringify({ cases: rows }, null, 2) + '\n');
} else {
  const pad = (s: string, n: number) => s.padEnd(n);
  console.log(`${pad('case', 32)}${pad('bars', 10)}${pad('median ms', 12)}${pad('baseline', 28)}ratio`);
  for (const r of rows) {
    const extra = Object.entries(r).filter(([k]) => !['name', 'bars', 'medianMs', 'baseline', 'ratio'].includes(k)).map(([k, v]) => `${k}=${String(v)}`).join(' ');
    console.log(`${pad(r.name, 32)}${pad(String(r.bars), 10)}${pad(r.medianMs.toFixed(2), 12)}${pad(r.baseline ?? '-', 28)}${r.ratio ?? '-'} ${extra}`);
  }
}
