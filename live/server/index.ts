// The API server of `tradelab serve` (issue 6): buildApp (Fastify factory), startServer (listener), the serve command.
export { buildApp, API_VERSION } from './app.ts';
export { startServer, isLoopback, runtimeUnavailable, REDACT_PATHS, type ServeOptions, type RunningServer } from './serve.ts';
export { serverCommands, serveCommand } from './serve-command.ts';
export { EVENT_TOPICS, type BotService, type BotCreateInput, type BotUpdateInput, type CancelResult, type LiveEvent } from './bot-service.ts';
export type { AppDeps, ExchangeProbeResult, Access, AuthUser } from './context.ts';
export { UsersRepo, ROLES, roleRank, type Role, type UserView } from './users.ts';
export { httpStatusFor, CODE_STATUS } from './errors.ts';
export { exchangeProbe, ccxtPing, type PingExchange } from './probe.ts';
