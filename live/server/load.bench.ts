/**
 * server.load: 200 concurrent clients read /api/status and /api/bots (alternately, keep-alive, Bearer session of a
 * viewer) for 10 s against the real server (startServer: config, state store in a temporary TRADELAB_HOME, auth,
 * logging off) listening on 127.0.0.1 on an ephemeral port. The clients run in a worker thread so that they do not
 * share the server's event loop. Reported: throughput (req/s), p50/p99/max latency (ms), errors (must be 0).
 * Target: p99 < 50 ms. The harness warms a case up with 3 runs before its sample: those runs last 1 s each.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { defineBench } from '../../bench/harness.ts';
import { startServer, type RunningServer } from './serve.ts';
import { UsersRepo } from './users.ts';

const CLIENTS = 200;
const MEASURED_MS = 10_000;
const WARMUP_MS = 1_000;
const WARMUP_RUNS = 3;
const BOTS = 12;

/** Plain JS for the worker: closed-loop clients over one keep-alive agent; latencies in a growable Float64Array. */
const CLIENT_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { port, token, clients, durationMs } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
let lat = new Float64Array(1 << 16), n = 0, errors = 0, firstError = null;
const paths = ['/api/status', '/api/bots'];
function get(path) {
  return new Promise((res) => {
    const t0 = process.hrtime.bigint();
    const req = http.request({ host: '127.0.0.1', port, path, agent, headers: { authorization: 'Bearer ' + token } }, (r) => {
      r.resume();
      r.on('end', () => {
        if (n === lat.length) { const x = new Float64Array(lat.length * 2); x.set(lat); lat = x; }
        lat[n++] = Number(process.hrtime.bigint() - t0) / 1e6;
        if (r.statusCode !== 200) { errors++; firstError ??= 'HTTP ' + r.statusCode + ' ' + path; }
        res();
      });
    });
    req.on('error', (e) => { errors++; firstError ??= String(e); res(); });
    req.end();
  });
}
(async () => {
  const end = Date.now() + durationMs;
  const t0 = Date.now();
  await Promise.all(Array.from({ length: clients }, async (_, c) => { let i = c; while (Date.now() < end) await get(paths[i++ % 2]); }));
  const elapsedMs = Date.now() - t0;
  const s = lat.slice(0, n).sort();
  const q = (p) => (n ? s[Math.min(n - 1, Math.floor(p * n))] : NaN);
  agent.destroy();
  parentPort.postMessage({ requests: n, errors, firstError, elapsedMs, p50: q(0.5), p99: q(0.99), max: n ? s[n - 1] : NaN });
})();
`;

interface LoadResult { requests: number; errors: number; firstError: string | null; elapsedMs: number; p50: number; p99: number; max: number }

function runClients(port: number, token: string, durationMs: number): Promise<LoadResult> {
  return new Promise((res, rej) => {
    const w = new Worker(CLIENT_CODE, { eval: true, workerData: { port, token, clients: CLIENTS, durationMs } });
    w.once('message', (m: LoadResult) => { res(m); void w.terminate(); });
    w.once('error', rej);
  });
}

export default defineBench(async () => {
  let server: RunningServer | undefined;
  let token = '';
  let home = '';
  let calls = 0;
  let last: LoadResult | undefined;
  const setUp = async () => {
    home = mkdtempSync(join(tmpdir(), 'tradelab-load-'));
    server = await startServer({
      env: { TRADELAB_HOME: home }, cwd: home, configDir: resolve(import.meta.dirname, '../../config'), host: '127.0.0.1', port: 0, logger: false,
      probeExchange: async () => ({ ok: true, detail: 'bench' }),
    });
    const users = new UsersRepo(server.store.db);
    await users.create('bench', 'bench password', 'viewer', 'bench', Date.now());
    token = users.createSession('bench', Date.now(), 3_600_000).token;
    for (let i = 0; i < BOTS; i++) {
      const b = server.store.bots.create({ name: `bot-${i}`, strategy: 'sma-cross@1.0.0', params: { fast: 10, slow: 30 }, symbols: ['BTC/USDT'], exchange: 'binance', mode: 'paper', budget: 1000 }, 'bench', Date.now());
      if (i % 3 === 0) server.store.bots.setStatus(b.id, 'running', 'bench', Date.now());
      server.store.orders.snapshotPnl(b.id, 1000, Date.now(), {});
    }
  };
  return [{
    name: 'server.load',
    bars: 0,
    samples: 1,
    run: async () => {
      if (!server) await setUp();
      const measured = ++calls > WARMUP_RUNS;
      const r = await runClients(server!.port, token, measured ? MEASURED_MS : WARMUP_MS);
      if (r.errors > 0) throw new Error(`server.load: ${r.errors} failed requests (first: ${r.firstError})`);
      if (measured) last = r;
    },
    extra: (): Record<string, number> => (last ? {
      clients: CLIENTS, requests: last.requests, throughput: Math.round(last.requests / (last.elapsedMs / 1000)),
      p50Ms: Number(last.p50.toFixed(2)), p99Ms: Number(last.p99.toFixed(2)), maxMs: Number(last.max.toFixed(2)), errors: last.errors,
    } : {}),
    teardown: async () => {
      await server?.close();
      if (home) rmSync(home, { recursive: true, force: true });
    },
  }];
});
