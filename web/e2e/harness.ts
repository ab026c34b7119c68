/**
 * End-to-end harness of the web UI (tests only): the real `tradelab serve` (startServer, in this process) serving
 * web/build on a free port, with a throw-away TRADELAB_HOME and results folder, users of each role, a backtest on
 * real candles from ../shared/data, and Debian's chromium driven by playwright-core. Screenshots go to
 * test-artifacts/web/ (git-ignored). Builds the UI first when web/build is missing or older than web/src.
 *
 * Chromium: /usr/bin/chromium (`apt-get install -y chromium`; .ci/run installs it) or TRADELAB_CHROMIUM. Without it the
 * suite is skipped locally with a message, and fails under CI (CI=true), where it must run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { BTC_1H, REPO_ROOT, SHARED_DATA, sharedFile } from '../../test-support/shared-data.ts';
import { runCli, tempDir } from '../../test-support/cli.ts';
import { startServer, type RunningServer } from '../../live/server/serve.ts';
import { UsersRepo, type Role } from '../../live/server/users.ts';
import { WEB_BUILD_DIR } from '../../live/server/web-ui.ts';

export const CHROMIUM = process.env.TRADELAB_CHROMIUM ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM && process.env.CI) {
  throw new Error(`the browser tests need chromium at ${CHROMIUM} (apt-get install -y chromium; .ci/run installs it)`);
}
if (!HAVE_CHROMIUM) console.warn(`web e2e skipped: no chromium at ${CHROMIUM} (apt-get install -y chromium)`);

export const PASSWORD = 'correct horse battery';
export const ARTIFACTS = resolve(REPO_ROOT, 'test-artifacts/web');
export const REPO_CONFIG = resolve(REPO_ROOT, 'config');
const FAST_SCRYPT = { N: 1024, r: 8, p: 1 };

/** Real candles for replay bots: BTC/USDT 1h (binance), a window a bot plays in a few seconds. */
export const REPLAY_FILE = sharedFile(BTC_1H);
export const REPLAY_FROM = Date.parse('2022-01-01T00:00:00Z');
export const REPLAY_TO = Date.parse('2022-02-15T00:00:00Z');

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Builds web/ when its build is missing or older than its sources. */
export function ensureWebBuild(): void {
  const index = join(WEB_BUILD_DIR, 'index.html');
  const src = resolve(REPO_ROOT, 'web/src');
  if (existsSync(index) && statSync(index).mtimeMs >= newest(src)) return;
  // Several test files (or engineers) may find the build stale at once: one builds at a time (flock where present).
  execFileSync('sh', ['-c', 'if command -v flock >/dev/null; then exec flock /tmp/tradelab-web-build.lock npm run build:web; else exec npm run build:web; fi'], { cwd: REPO_ROOT, stdio: 'inherit' });
}

export interface E2E {
  readonly server: RunningServer;
  readonly url: string;
  readonly dir: string;
  readonly browser: Browser;
  /** The run id of the backtest made at start (sma-cross on BTC/USDT 1h). */
  readonly runId: string;
  /** A new page at a viewport width (375 mobile, 1280 desktop), logged in as `role` unless null. */
  page(opts?: { width?: number; height?: number; role?: Role | null }): Promise<Page>;
  /** Stops the server and starts it again on the same port with the same state (what a deploy or crash does). */
  restart(opts?: { downMs?: number }): Promise<void>;
  close(): Promise<void>;
}

/** One backtest on real candles into dir/results (what the Runs pages show). */
async function seedRun(dir: string): Promise<string> {
  const r = await runCli(['backtest', '--strategy', 'sma-cross', '--data', REPLAY_FILE, '--from', '2022-01-01', '--to', '2022-06-30', '--json'], dir);
  if (r.code !== 0) throw new Error(`seed backtest failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { manifest: { runId: string } }).manifest.runId;
}

/** `env`: more server environment (e.g. a secret the settings page must not show). */
export async function startE2E(opts: { env?: Readonly<Record<string, string>> } = {}): Promise<E2E> {
  ensureWebBuild();
  const dir = tempDir('tl-web-e2e-');
  const runId = await seedRun(dir);
  const env = { TRADELAB_HOME: join(dir, 'home'), TRADELAB_RESULTS: join(dir, 'results'), TRADELAB_SAMPLE_DATA: SHARED_DATA, ...opts.env };
  const serve = (port: number) => startServer({
    env, cwd: dir, configDir: REPO_CONFIG, logger: false, scrypt: FAST_SCRYPT, web: WEB_BUILD_DIR,
    probeExchange: async () => ({ ok: true, detail: 'e2e' }), exchangeMarkets: async () => [],
    host: '127.0.0.1', port, alertPollMs: 50, runtime: { pollMs: 50 },
  });
  let server = await serve(0);
  const users = new UsersRepo(server.store.db, FAST_SCRYPT);
  for (const role of ['admin', 'operator', 'viewer'] as const) await users.create(role, PASSWORD, role, 'e2e', Date.now());
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
  const contexts: BrowserContext[] = [];
  return {
    get server() { return server; },
    url: server.url, dir, browser, runId,
    async restart({ downMs = 1500 } = {}) {
      const port = server.port;
      await server.close();
      await new Promise((r) => setTimeout(r, downMs));
      server = await serve(port);
    },
    async page({ width = 1280, height = 860, role = 'admin' } = {}) {
      const ctx = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1, colorScheme: 'dark' });
      contexts.push(ctx);
      const page = await ctx.newPage();
      page.setDefaultTimeout(15_000);
      if (role) await login(page, server.url, role);
      return page;
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close().catch(() => {});
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Logs in through the login form, as a user would. */
export async function login(page: Page, url: string, user: string, password = PASSWORD): Promise<void> {
  await page.goto(`${url}/login`);
  await page.getByLabel('User').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

/** Saves a full-page screenshot as test-artifacts/web/<name>.png. */
export async function shot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation { id: string; impact: string | null; help: string; nodes: string[] }

/** axe-core on the current page: the serious and critical violations (WCAG 2 A/AA rules). */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ content: AXE_SOURCE });
  // Evaluated in the page (a string: this file is compiled without the DOM library).
  const result = await page.evaluate(`(async () => {
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => JSON.stringify(n.target)) }));
  })()`) as AxeViolation[];
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Does the page scroll sideways (a layout that does not fit the viewport)? */
export async function overflowsHorizontally(page: Page): Promise<boolean> {
  return page.evaluate('document.documentElement.scrollWidth > document.documentElement.clientWidth + 1') as Promise<boolean>;
}

