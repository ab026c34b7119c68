/** What every route module receives: the injected dependencies plus the server's own services. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { StateStore } from '../state/store.ts';
import type { ConfigService } from '../config/service.ts';
import type { BotService, LiveEvent } from './bot-service.ts';
import type { Role, ScryptCost, UsersRepo } from './users.ts';
import type { AttemptLimiter } from './rate-limit.ts';
import type { WebhookBotControl } from './routes/webhooks.ts';

export type Access = 'public' | Role;

export interface ExchangeProbeResult {
  readonly ok: boolean;
  /** What was checked, or why it failed. */
  readonly detail: string;
}

export interface AppDeps {
  readonly store: StateStore;
  readonly config: ConfigService;
  /** Bot control (the runtime); see bot-service.ts. */
  readonly bots: BotService;
  /** Exchange reachability for /healthz (e.g. fetchTime / loadMarkets of each enabled exchange, with a timeout). */
  readonly probeExchange: () => Promise<ExchangeProbeResult>;
  readonly clock?: () => number;
  /** Last known price of a bot's market, for unrealised P&L of open lots (the runtime's price feed); optional. */
  readonly markPrice?: (botId: string, symbol: string) => number | undefined;
  /** Markets (pairs) an exchange lists, for the create-bot form; serve passes a cached ccxt loadMarkets. */
  readonly exchangeMarkets?: (exchange: string) => Promise<readonly ExchangeMarket[]>;
  /** Role given to requests without credentials while NO user exists (only ever set for a loopback listener). */
  readonly anonymousRole?: Role | null;
  /** Fastify logger option (false in tests; a pino instance or options in serve). */
  readonly logger?: boolean | Record<string, unknown>;
  /** scrypt cost of new password hashes (tests lower it). */
  readonly scrypt?: ScryptCost;
  /**
   * More routes, registered after the built-in ones with the same context (e.g. the TradingView webhook of the
   * alerts module). Each route declares `config.access` like the others ('public' for shared-secret webhooks).
   */
  readonly routes?: readonly ((app: FastifyInstance, ctx: ServerContext) => void | Promise<void>)[];
  /** Bot control of the TradingView webhook (default: over `bots`, bots found by symbol in the store). */
  readonly webhookControl?: WebhookBotControl;
  /** More event sources for the websocket besides the bot runtime (e.g. in-app alert toasts). */
  readonly eventSources?: readonly { subscribe(listener: (e: LiveEvent) => void): () => void }[];
}

export interface ExchangeMarket {
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  readonly active: boolean;
  readonly type: string;
}

export interface AuthUser {
  readonly name: string;
  readonly role: Role;
}

export interface ServerContext {
  readonly deps: AppDeps;
  readonly users: UsersRepo;
  readonly limiter: AttemptLimiter;
  readonly now: () => number;
  readonly startedAt: number;
  /** Writes one audit row for a mutating call (actor = the authenticated user). */
  audit(req: FastifyRequest, action: string, entity: string, entityId: string, before: unknown, after: unknown): void;
}

declare module 'fastify' {
  interface FastifyRequest {
    user: AuthUser | null;
  }
  interface FastifyContextConfig {
    /** Who may call the route: 'public', or the least role (viewer < operator < admin). */
    access?: Access;
  }
}
