/**
 * `npm run bench [-- --json] [-- --filter <substring>]`: discovers every *.bench.ts, times its cases in a process of
 * its own (one per file, in turn), and reports medians and ratios against each case's named baseline.
 *
 * Measurement method (the machine is shared: other processes' test runs compete for its few cores):
 * - One sample = one `run()`, timed with the case's clock (BenchCase.clock): 'wall' (the default) or 'cpu', the
 *   CPU time this process used meanwhile (user + system, all threads). A single-threaded case that is preempted
 *   keeps ticking on the wall clock but not on the CPU clock; its CPU time is what it costs with a core to itself,
 *   page faults and GC work included. Under a load of 3–4 runnable processes per core, the wall medians of the 12 ms
 *   sma-cross backtest varied 2–4× from run to run (ratio 24–58×) while its CPU medians stayed within ~10 %.
 *   Multi-threaded cases (DuckDB, worker pools) stay on the wall clock.
 * - Warm-up: each case runs at least 3 times and for at least 1 s (at most 20 runs) before sampling, so the JIT
 *   has optimised its hot loops and the allocator has reached a steady state (the grid backtest takes ~5 runs to get
 *   there: 315, 180, 125, 115, then ~80 ms).
 * - Samples: `samples` when the case fixes it, else adaptive: 5 to 25 within ~2 s.
 * - Ratios are PAIRED: right before a case with a baseline, the baseline is warmed up and sampled again, on the
 *   case's clock; ratio = median(case samples) / median(those baseline samples), reported beside it as
 *   `baselineMs`. Both see the same CPU state (clock frequency, contention), which drifts over a run of many
 *   seconds; the baseline's own row is its separate, standalone timing. Blocks, not alternating single runs:
 *   alternating moved garbage-collection debt between the two (the JSON parse's 100 MB of arrays were collected
 *   during the cache load: load.cache 0.16 -> 0.26; the library's Bollinger arrays during ours: 0.58 -> 0.80).
 * - A full garbage collection (outside the timing) comes before each case's warm-up: without it a case paid for the
 *   garbage of the block before it, which with the CPU clock includes the GC's helper threads (indicator.std
 *   measured 0.48 and 0.83 against the library in two runs). Within its block a case pays for its own garbage.
 *   Before the warm-up, not between it and the samples: a forced full collection also discards the compiled code
 *   (V8 flushes bytecode on it), and the grid backtest's first samples after one measured 316, 150, 97 ms, as cold
 *   as its first runs, against ~80 ms.
 * - One process per bench file: a case is timed with its own file's data in the heap, not every other file's. With
 *   every file in one process, the factories' data stayed alive through every timing (~95 MB: the live-runner latency
 *   bench alone keeps ~50 MB), and a case that allocates paid for it: each full collection its garbage brings on
 *   marks the whole heap, and on the CPU clock the grid backtest measured ~120 ms beside that data against ~92 ms
 *   beside its own. A case's baseline is taken from its own file, else from the harness's files (bench/*.bench.ts,
 *   e.g. `floor.single-pass`), whose factories then run in the case's process too.
 * - Each process is first put in the V8 state every real backtest runs in: a detached ArrayBuffer exists. Detaching
 *   one permanently invalidates V8's "no detached buffers" protector, after which every optimised typed-array loop
 *   checks for detachment: that alone slows the floor (one add per element) from ~0.25 to ~0.42 ms, heavier kernels
 *   far less. Loading candles (data/load-candles.ts, what every CLI backtest does first) leaves a process in that state
 *   (the floor loop measured 0.26 ms before loading a candle file and 0.50 ms after), so no backtest runs in the faster
 *   one; in one process for all files the cache bench's set-up did it for every case. Here each process detaches one
 *   buffer at start, so that no ratio depends on which file a case is in.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { benchContext, type BenchCase, type BenchFactory } from './harness.ts';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const json = args.includes('--json');
const fi = args.indexOf('--filter');
const filter = fi >= 0 ? args[fi + 1] : undefined;
const ci = args.indexOf('--child');
const childFile = ci >= 0 ? args[ci + 1] : undefined;
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

/**
 * A full garbage collection before each case's warm-up (see the header), so that its samples do not pay for the garbage the blocks
 * before it left (the library baselines leave ~10 MB of arrays per run). Enabled at run time, as Node offers it
 * to benchmarks: no command-line flag needed.
 */
const collectGarbage: () => void = (() => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as unknown;
  return typeof gc === 'function' ? () => { (gc as () => void)(); } : () => undefined;
})();

/** One timed run of `c`, in ms on `clock` (see the header). */
async function sample(c: BenchCase, clock: 'wall' | 'cpu'): Promise<number> {
  if (clock === 'wall') {
    const w0 = performance.now();
    await c.run();
    return performance.now() - w0;
  }
  const c0 = process.cpuUsage();
  await c.run();
  const cpu = process.cpuUsage(c0);
  return (cpu.user + cpu.system) / 1000;
}

async function warmUp(c: BenchCase): Promise<void> {
  const t0 = performance.now();
  for (let k = 0; k < 20; k++) {
    await c.run();
    if (k >= 2 && performance.now() - t0 > 1000) break;
  }
}

/** Samples of `c` on `clock`: `fixed` of them, else adaptive (5 to 25 within ~2 s). */
async function samplesOf(c: BenchCase, clock: 'wall' | 'cpu', fixed: number | undefined): Promise<number[]> {
  const samples: number[] = [];
  const t0 = performance.now();
  for (;;) {
    samples.push(await sample(c, clock));
    if (fixed !== undefined ? samples.length >= fixed : samples.length >= 25 || (samples.length >= 5 && performance.now() - t0 > 2000)) break;
  }
  return samples;
}

/** Samples of `c`; when `base` is given, first a block of `base` samples right before, on the case's clock. */
async function time(c: BenchCase, base?: BenchCase): Promise<{ samples: number[]; baseSamples: number[] }> {
  const clock = c.clock ?? 'wall';
  let baseSamples: number[] = [];
  if (base) {
    collectGarbage();
    await warmUp(base);
    baseSamples = await samplesOf(base, clock, base.samples ?? c.samples);
  }
  collectGarbage();
  await warmUp(c);
  return { samples: await samplesOf(c, clock, c.samples), baseSamples };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

interface Row { name: string; bars: number; medianMs: number; baseline: string | null; ratio: number | null; [k: string]: unknown }

if (childFile === undefined) {
  // The parent: one child process per bench file, in turn; their rows in file order.
  const rows: Row[] = [];
  for (const file of benchFiles()) {
    const childArgs = ['--import', 'tsx', join(root, 'bench', 'run.ts'), '--child', file, ...(json ? ['--json'] : []), ...(filter !== undefined ? ['--filter', filter] : [])];
    const out = await new Promise<string>((ok, fail) => {
      const ch = spawn(process.execPath, childArgs, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
      let buf = '';
      ch.stdout.on('data', (d: Buffer) => { buf += d.toString(); });
      ch.on('error', fail);
      ch.on('close', (code) => (code === 0 ? ok(buf) : fail(new Error(`bench ${relative(root, file)} exited with code ${String(code)}`))));
    });
    rows.push(...(JSON.parse(out) as { cases: Row[] }).cases);
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
} else {
  await runChild(childFile);
}

/** A child: time the cases of one bench file; its rows go to stdout as JSON. */
async function runChild(file: string): Promise<void> {
  // the V8 state of every real backtest (see the header): a detached ArrayBuffer exists
  const detached = new ArrayBuffer(8);
  structuredClone(detached, { transfer: [detached] });
  const load = async (f: string) => {
    const mod = (await import(pathToFileURL(f).href)) as { default: BenchFactory };
    return mod.default(benchContext);
  };
  const own = await load(file);
  const selected = own.filter((c) => !filter || c.name.includes(filter));
  // baselines: from this file, else from the harness's own files
  const pool = [...own];
  const missing = () => selected.filter((c) => c.baseline !== undefined && !pool.some((x) => x.name === c.baseline));
  if (missing().length) {
    for (const f of benchFiles().filter((x) => x !== file && relative(root, x).startsWith('bench' + '/'))) {
      pool.push(...(await load(f)));
      if (!missing().length) break;
    }
  }
  const gone = missing();
  if (gone.length) throw new Error(`bench ${relative(root, file)}: baseline ${gone[0].baseline} of ${gone[0].name} is neither in the file nor in bench/`);
  for (const c of selected) {
    const b = own.find((x) => x.name === c.baseline);
    if (b && !selected.includes(b)) selected.push(b);
  }
  const rows: Row[] = [];
  const pairedBaseMs = new Map<string, number>();
  for (const c of own) {
    if (!selected.includes(c)) continue;
    const base = c.baseline !== undefined ? pool.find((x) => x.name === c.baseline) : undefined;
    log(`timing ${c.name} (${relative(root, file)})${base ? ` paired with ${base.name}` : ''} ...`);
    const { samples, baseSamples } = await time(c, base);
    const med = median(samples);
    if (base) pairedBaseMs.set(c.name, median(baseSamples));
    rows.push({ name: c.name, bars: c.bars, medianMs: Number(med.toFixed(3)), baseline: c.baseline ?? null, ratio: null, clock: c.clock ?? 'wall', ...(c.extra?.(med) ?? {}) });
  }
  // Teardowns last: a case may still be needed as another case's baseline after its own timing.
  for (const c of pool) await c.teardown?.();
  for (const r of rows) {
    const b = pairedBaseMs.get(r.name);
    if (b === undefined) continue;
    r.baselineMs = Number(b.toFixed(3));
    r.ratio = Number((r.medianMs / b).toFixed(4));
  }
  process.stdout.write(JSON.stringify({ cases: rows }) + '\n');
  process.exit(0);
}
