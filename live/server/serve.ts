/**
 * The listener of `tradelab serve` (CONVENTIONS §2: buildApp builds, this listens). Loads and validates the
 * configuration, opens the state store under TRADELAB_HOME, bootstraps the first admin from
 * TRADELAB_ADMIN_PASSWORD, refuses a non-loopback address unless an admin exists, listens, and closes everything
 * in order on shutdown.
 */
import { isIP } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { TradelabError } from '../../engine/errors.ts';
import { acquireWriterLock, type WriterLock } from '../state/lock.ts';
import { openStateStore, type StateStore } from '../state/store.ts';
import { ConfigService } from '../config/service.ts';
import { loadConfig, type Env } from '../config/load.ts';
import { buildApp } from './app.ts';
import type { BotService, LiveEvent } from './bot-service.ts';
import type { AppDeps, ExchangeProbeResult } from './context.ts';
import { ccxtMarkets, exchangeProbe } from './probe.ts';
import { UsersRepo, type ScryptCost } from './users.ts';
import { RuntimeBotService, type RuntimeBotServiceOptions } from './runtime-bot-service.ts';
import { WEB_BUILD_DIR, webBuildPresent, webUiRoutes } from './web-ui.ts';
import { alertSettingsProblems, createAlerting, loadAlertSecrets, watchJournalAlerts, type ToastMessage } from '../alerts/index.ts';

export interface ServeOptions {
  readonly env: Env;
  readonly cwd: string;
  readonly configDir: string;
  /** --host / --port (win over config and environment). */
  readonly host?: string;
  readonly port?: number;
  /**
   * The bot runtime's control service; default: the runtime in this process (RuntimeBotService: bots run as tasks
   * here, and the ones that were running are resumed at start). `runtimeUnavailable` answers 503 to bot control.
   */
  readonly bots?: (store: StateStore) => BotService;
  /** Runtime options of the default bot service (tests: event poll period, venues, extra strategies). */
  readonly runtime?: Partial<Pick<RuntimeBotServiceOptions, 'pollMs' | 'venues' | 'strategies' | 'settleMs' | 'onStep'>>;
  /** Poll period of the alerts table for the alert channels (default 1000 ms). */
  readonly alertPollMs?: number;
  readonly probeExchange?: () => Promise<ExchangeProbeResult>;
  /** Fastify logger option (default: pino at info with credentials redacted). */
  readonly logger?: boolean | Record<string, unknown>;
  readonly scrypt?: ScryptCost;
  /** Extra routes and websocket event sources (alerts, webhooks): see AppDeps. */
  readonly routes?: AppDeps['routes'];
  readonly eventSources?: AppDeps['eventSources'];
  /** Last known price per bot market (unrealised P&L of open lots). */
  readonly markPrice?: AppDeps['markPrice'];
  /** Pairs per exchange (default: ccxt loadMarkets, cached 10 min). */
  readonly exchangeMarkets?: AppDeps['exchangeMarkets'];
  /** The built web UI to serve on the same port (default web/build when it exists; false = API only). */
  readonly web?: string | false;
}

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly store: StateStore;
  /** The default bot runtime (undefined when `bots` was given). */
  readonly runtime: RuntimeBotService | undefined;
  /** e.g. http://127.0.0.1:8080 */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Stops accepting, closes websockets and in-flight requests, closes the database, releases the lock. */
  close(): Promise<void>;
}

/** True for 127.0.0.0/8, ::1, ::ffff:127.x and 'localhost'. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

export const REDACT_PATHS = ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token', 'body.password'];

/** Bot control before the runtime is wired in: every call is a 503 that says so. */
export function runtimeUnavailable(): BotService {
  const no = async (): Promise<never> => {
    throw new TradelabError('BOT_RUNTIME_UNAVAILABLE', 'venue-unavailable', 'bot control is not available in this server: the bot runtime is not wired into tradelab serve');
  };
  return {
    create: no, update: no, remove: no, start: no, pause: no, stop: no, kill: no, killAll: no, promote: no, copy: no, cancelOrder: no,
    subscribe: (_l: (e: LiveEvent) => void) => () => {},
  };
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const base = loadConfig({ configDir: opts.configDir, env: opts.env, cwd: opts.cwd });
  const home = base.config.paths.home;
  const lock: WriterLock = acquireWriterLock(home, { name: 'server' });
  let store: StateStore | undefined;
  let runtime: RuntimeBotService | undefined;
  let stopAlerts: (() => Promise<void>) | undefined;
  try {
    store = openStateStore(home);
    const config = new ConfigService({ configDir: opts.configDir, env: opts.env, cwd: opts.cwd }, store.journal);
    const host = opts.host ?? config.config.server.host;
    const port = opts.port ?? config.config.server.port;
    const users = new UsersRepo(store.db, opts.scrypt);
    const bootstrap = config.secrets.TRADELAB_ADMIN_PASSWORD;
    if (users.count() === 0 && bootstrap) await users.create('admin', bootstrap.value.reveal(), 'admin', 'bootstrap', Date.now());
    const loopback = isLoopback(host);
    if (!loopback && users.count('admin') === 0) {
      throw new TradelabError('AUTH_NOT_CONFIGURED', 'config',
        `refusing to listen on ${host}: it is not a loopback address and no admin user exists. Set TRADELAB_ADMIN_PASSWORD (environment or secrets directory) to create user 'admin' on first start, or listen on 127.0.0.1`);
    }
    const cfg = config.config;
    // Alerts: email/Telegram from config + secrets, toasts on the bus that /ws forwards; the journal watcher
    // dispatches every alert the runtime raises (kill switch, bot failures, loss limits...).
    const alertSecrets = loadAlertSecrets(opts.env);
    const alerting = createAlerting({ email: cfg.email, telegram: cfg.telegram }, alertSecrets, { db: store.db });
    const watcher = watchJournalAlerts(store.db, alerting.dispatcher, { log: alerting.log, intervalMs: opts.alertPollMs });
    // Email / Telegram settings changed through the API (PUT /api/settings/overrides) are checked like at start (an
    // enabled channel needs its host, sender, recipients, token) and apply to the next alert.
    config.addValidator((c) => alertSettingsProblems({ email: c.email, telegram: c.telegram }, alertSecrets));
    const alertDb = store.db;
    const offConfig = config.onChange((c, path) => {
      if (!/^(email|telegram)(\.|$)/.test(path)) return;
      const next = createAlerting({ email: c.email, telegram: c.telegram }, alertSecrets, { db: alertDb, bus: alerting.bus });
      alerting.dispatcher.setChannels(next.channels);
    });
    stopAlerts = async () => { offConfig(); await watcher.stop(); };
    const toasts = {
      subscribe: (l: (e: LiveEvent) => void) => alerting.bus.subscribe((t: ToastMessage) => l({
        topic: 'alert', ts: t.ts, botId: t.botId ?? undefined,
        data: { trigger: t.trigger, severity: t.severity, title: t.title, text: t.text, alertId: t.alertId },
      })),
    };
    const webDir = opts.web === false ? undefined : (opts.web ?? (webBuildPresent(WEB_BUILD_DIR) ? WEB_BUILD_DIR : undefined));
    const s0 = store;
    const bots = opts.bots ? opts.bots(store) : (runtime = new RuntimeBotService({
      store: s0, home, cacheDir: cfg.paths.cacheDir, cwd: opts.cwd, liveTradingEnabled: cfg.liveTradingEnabled, env: opts.env,
      alertEvents: false, ...opts.runtime,
    }));
    const app = await buildApp({
      store, config, bots,
      probeExchange: opts.probeExchange ?? exchangeProbe(store),
      exchangeMarkets: opts.exchangeMarkets ?? ccxtMarkets(),
      anonymousRole: loopback ? 'admin' : null,
      logger: opts.logger ?? { level: 'info', redact: { paths: REDACT_PATHS, censor: '<redacted>' } },
      scrypt: opts.scrypt, routes: [...(opts.routes ?? []), ...(webDir ? [(a: FastifyInstance) => webUiRoutes(a, webDir)] : [])], eventSources: [toasts, ...(opts.eventSources ?? [])], markPrice: opts.markPrice,
    });
    await app.listen({ host, port });
    const addr = app.server.address();
    const boundPort = typeof addr === 'object' && addr ? addr.port : port;
    // Auto-resume: bots that were running, paused or on hold when the server last stopped get their task back.
    const resumed = runtime?.resumeAll() ?? [];
    if (resumed.length) app.log.info({ bots: resumed }, 'resumed bots');
    const s = store;
    const rt = runtime;
    let closing: Promise<void> | undefined;
    return {
      app, store: s, runtime: rt, host, port: boundPort, url: `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`,
      close: () => (closing ??= (async () => {
        try {
          await app.close();
          await rt?.close();
          await watcher.stop();
        } finally { s.close(); lock.release(); }
      })()),
    };
  } catch (e) {
    await runtime?.close();
    await stopAlerts?.();
    store?.close();
    lock.release();
    throw e;
  }
}
