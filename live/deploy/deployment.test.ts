/**
 * What can be tested of the deployment without a Docker engine (none runs on this machine): docker-compose.yml
 * parses and has the service, volumes, restart policy and health check; the Dockerfile's CMD and HEALTHCHECK name
 * files that exist and agree with compose; every package the server imports at run time survives
 * `npm ci --omit=dev`; .dockerignore keeps state out and the code in; and the image's start command works outside
 * Docker (spawned with a temporary TRADELAB_HOME, probed by the same health-check script, stopped by SIGTERM).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

interface Instruction { readonly op: string; readonly args: string }

/** Dockerfile instructions (comments dropped, `\` continuations joined). */
function dockerfile(): Instruction[] {
  const text = read('Dockerfile').split('\n').filter((l) => !/^\s*#/.test(l)).join('\n').replace(/\\\n/g, ' ');
  return text.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
    const m = /^([A-Z]+)\s+(.*)$/.exec(l);
    if (!m) throw new Error(`unreadable Dockerfile line: ${l}`);
    return { op: m[1], args: m[2] };
  });
}

const CMD = ['node', 'research/bin/tradelab.js', 'serve', '--host', '0.0.0.0', '--port', '8080'];
const HEALTH = ['node', 'live/deploy/healthcheck.js', 'http://127.0.0.1:8080/healthz'];

describe('docker-compose.yml', () => {
  const doc = parse(read('docker-compose.yml')) as {
    services: Record<string, {
      build: { context: string; dockerfile: string }; restart: string; ports: string[]; environment: Record<string, string>;
      volumes: string[]; healthcheck: { test: string[]; interval: string; timeout: string; retries: number; start_period: string };
    }>;
    volumes: Record<string, unknown>;
  };
  const svc = doc.services.tradelab;

  it('one service built from the Dockerfile, restart unless-stopped, published on loopback', () => {
    expect(Object.keys(doc.services)).toEqual(['tradelab']);
    expect(svc.build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
    expect(existsSync(join(ROOT, svc.build.context, svc.build.dockerfile))).toBe(true);
    expect(svc.restart).toBe('unless-stopped');
    expect(svc.ports).toEqual(['127.0.0.1:8080:8080']);
  });

  it('volumes for the database (TRADELAB_HOME), cache, logs and results, each declared, matching the environment', () => {
    const mounts = Object.fromEntries(svc.volumes.map((v) => { const [src, dst] = v.split(':'); return [dst, src]; }));
    expect(mounts).toMatchObject({ '/data/home': 'tradelab-home', '/data/home/cache': 'tradelab-cache', '/data/home/logs': 'tradelab-logs', '/data/results': 'tradelab-results' });
    for (const [dst, src] of Object.entries(mounts)) if (!src.startsWith('.')) expect(Object.keys(doc.volumes), dst).toContain(src);
    expect(svc.environment).toMatchObject({ TRADELAB_HOME: '/data/home', TRADELAB_CACHE: '/data/home/cache', TRADELAB_RESULTS: '/data/results', TRADELAB_SECRETS_DIR: '/run/secrets' });
  });

  it('secrets only from the environment (interpolated, never literal values)', () => {
    for (const name of ['TRADELAB_ADMIN_PASSWORD', 'TRADELAB_WEBHOOK_SECRET', 'TRADELAB_SMTP_PASSWORD', 'TRADELAB_TELEGRAM_TOKEN', 'TRADELAB_BINANCE_API_KEY', 'TRADELAB_BINANCE_SECRET']) {
      expect(svc.environment[name], name).toBe(`\${${name}:-}`);
    }
  });

  it('health check on /healthz with the script the Dockerfile uses', () => {
    expect(svc.healthcheck.test).toEqual(['CMD', ...HEALTH]);
    expect(svc.healthcheck).toMatchObject({ interval: '30s', timeout: '5s', retries: 3 });
    expect(existsSync(join(ROOT, HEALTH[1]))).toBe(true);
  });
});

describe('Dockerfile', () => {
  const ins = dockerfile();
  const all = (op: string) => ins.filter((i) => i.op === op);
  const json = (i: Instruction | undefined) => JSON.parse(i!.args.replace(/^CMD\s+/, '')) as string[];

  it('small Node 20 images, a build stage for native modules, production dependencies only, the web UI built in its own stage', () => {
    expect(all('FROM').map((i) => i.args)).toEqual(['node:20-bookworm-slim AS deps', 'node:20-bookworm-slim AS web', 'node:20-bookworm-slim AS runtime']);
    const run = all('RUN').map((i) => i.args).join('\n');
    expect(run).toMatch(/apt-get install .*python3 make g\+\+/);
    expect(run).toContain('npm ci --omit=dev');
    expect(all('COPY').map((i) => i.args)).toContain('--from=deps --chown=root:root /app/node_modules ./node_modules');
    expect(run).toContain('npm run build:web');
    expect(all('COPY').map((i) => i.args)).toContain('--from=web --chown=root:root /app/web/build ./web/build');
  });

  it('runs as a non-root user from the last USER on, before CMD', () => {
    const users = ins.map((i, k) => [i, k] as const).filter(([i]) => i.op === 'USER');
    expect(users.length).toBeGreaterThan(0);
    const [last, at] = users.at(-1)!;
    expect(['root', '0']).not.toContain(last.args.split(':')[0]);
    expect(at).toBeLessThan(ins.findIndex((i) => i.op === 'CMD'));
  });

  it('CMD starts `tradelab serve` on 0.0.0.0:8080 and HEALTHCHECK probes /healthz, both through existing files', () => {
    expect(json(all('CMD').at(-1))).toEqual(CMD);
    expect(existsSync(join(ROOT, CMD[1]))).toBe(true);
    const hc = all('HEALTHCHECK').at(-1)!.args;
    expect(hc).toMatch(/--interval=30s --timeout=5s --start-period=30s --retries=3/);
    expect(JSON.parse(hc.slice(hc.indexOf('CMD') + 3).trim())).toEqual(HEALTH);
    expect(all('EXPOSE').map((i) => i.args)).toEqual(['8080']);
    const env = all('ENV').map((i) => i.args).join(' ');
    for (const kv of ['TRADELAB_HOME=/data/home', 'TRADELAB_CACHE=/data/home/cache', 'TRADELAB_RESULTS=/data/results']) expect(env).toContain(kv);
  });

  it('every COPY source from the build context exists and is not excluded by .dockerignore', () => {
    const ignore = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    for (const p of ['node_modules', '.git', '.tradelab', 'results', '**/.env', 'secrets']) expect(ignore).toContain(p);
    const needed = ['package.json', 'package-lock.json', 'config', CMD[1], HEALTH[1], 'research/cli.ts', 'live/server/serve-command.ts', 'engine/index.ts'];
    const glob = (pattern: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*\//g, '(.*/)?').replace(/\*/g, '[^/]*')}(/.*)?$`);
    for (const n of needed) {
      const hit = ignore.find((p) => glob(p).test(n));
      expect(hit, `${n} is excluded by '${hit}'`).toBeUndefined();
    }
    for (const c of all('COPY').filter((i) => !i.args.includes('--from='))) {
      const parts = c.args.split(/\s+/).filter((a) => !a.startsWith('--'));
      for (const src of parts.slice(0, -1)) expect(existsSync(join(ROOT, src)), src).toBe(true);
    }
  });
});

describe('production dependencies', () => {
  it('every package imported at run time is a dependency (npm ci --omit=dev keeps it), tsx included', () => {
    const pkg = JSON.parse(read('package.json')) as { name: string; dependencies: Record<string, string> };
    const deps = new Set([...Object.keys(pkg.dependencies), pkg.name]); // the package may import itself by name (exports)
    expect(deps.has('tsx')).toBe(true);
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) { if (!['node_modules', 'test-fixtures', 'testing', 'fixtures'].includes(name)) walk(p); continue; }
        if (/\.(ts|js)$/.test(name) && !/\.(test|bench)\.ts$|\.test-util\.ts$/.test(name)) files.push(p);
      }
    };
    for (const top of ['engine', 'data', 'research', 'live']) walk(join(ROOT, top));
    const missing: string[] = [];
    const spec = /(?:^|\n)\s*(?:import|export)\s+(?!type\s)(?:[^'"]*?\sfrom\s+)?['"]([^'"./][^'"]*)['"]|import\(\s*['"]([^'"./][^'"]*)['"]\s*\)/g;
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(spec)) {
        const s = m[1] ?? m[2];
        if (s.startsWith('node:')) continue;
        const name = s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0];
        if (!deps.has(name)) missing.push(`${relative(ROOT, f)}: ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

// ---- the image's start command, outside Docker ----

const BIN = join(ROOT, CMD[1]);
const hasServe = (() => {
  const r = spawnSync(process.execPath, [BIN, '--help'], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: 60_000 });
  return /\bserve\b/.test(`${r.stdout}${r.stderr}`);
})();

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Started { readonly child: ChildProcess; readonly url: string; out: () => string; readonly exited: Promise<number | null> }

function start(args: string[], extraEnv: Record<string, string> = {}): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), 'tl-deploy-'));
  dirs.push(dir);
  const env = { PATH: process.env.PATH ?? '', HOME: dir, TRADELAB_HOME: join(dir, 'home'), TRADELAB_CACHE: join(dir, 'home', 'cache'), TRADELAB_RESULTS: join(dir, 'results'), ...extraEnv };
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (b: Buffer) => { out += b.toString(); });
  child.stderr!.on('data', (b: Buffer) => { out += b.toString(); });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start within 45 s:\n${out}`)), 45_000);
    const check = () => {
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m) { clearTimeout(timer); resolveStart({ child, url: m[1], out: () => out, exited }); }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => { clearTimeout(timer); if (!/listening on/.test(out)) resolveStart({ child, url: '', out: () => out, exited: Promise.resolve(code) }); });
  });
}

function healthcheck(url: string): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, HEALTH[1]), url], { encoding: 'utf8', timeout: 15_000 });
  return { status: r.status, stderr: r.stderr };
}

describe.skipIf(!hasServe)('the start command outside Docker', () => {
  it('serve on loopback with a temporary TRADELAB_HOME: /healthz is 200, the health-check script passes, SIGTERM stops it cleanly', async () => {
    const s = await start(['serve', '--host', '127.0.0.1', '--port', '0']);
    expect(s.url, s.out()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${s.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', database: { ok: true } });
    expect(healthcheck(`${s.url}/healthz`)).toEqual({ status: 0, stderr: '' });
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    const dead = healthcheck(`${s.url}/healthz`);
    expect(dead.status).toBe(1);
    expect(dead.stderr).toMatch(/unhealthy: .*ECONNREFUSED/);
    const db = join(dirs.at(-1)!, 'home', 'tradelab.db');
    expect(existsSync(db)).toBe(true);
  });

  it("the image's CMD (0.0.0.0) starts once TRADELAB_ADMIN_PASSWORD is set, and refuses without any user", async () => {
    const args = CMD.slice(2).map((a) => (a === '8080' ? '0' : a));
    const refused = await start(args);
    expect(refused.url).toBe('');
    expect(await refused.exited).not.toBe(0);
    expect(refused.out()).toMatch(/0\.0\.0\.0/);
    const s = await start(args, { TRADELAB_ADMIN_PASSWORD: 'container-admin-password-1' });
    expect(s.url, s.out()).toMatch(/^http:\/\/(0\.0\.0\.0|127\.0\.0\.1|\[::\]):\d+$/);
    const port = new URL(s.url).port;
    expect(healthcheck(`http://127.0.0.1:${port}/healthz`).status).toBe(0);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });
});
