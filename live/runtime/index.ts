// The bot runtime: the runner (one bot, bar by bar), the host (many bots, auto-resume, kill switch), parity.
export { BotRunner, type BotRunnerDeps, type BarClock, type RunOutcome, type RunEnd } from './bot-runner.ts';
export { BotHost, type BotHostDeps, type BotVenue, type VenueFactory, type BotTaskResult } from './host.ts';
export { VenueOrderPath, NOT_ON_VENUE, type OrderPath, type PlaceRequest, type PlaceOutcome, type NewFill, type ReconcileSummary } from './order-path.ts';
export { ReplayVenue, type RunnerVenue, type ReplayVenueOptions } from './replay-venue.ts';
export { runParity, compareRows, type ParitySpec, type ParityReport, type ParityRow, type ParityDifference } from './parity.ts';
export { fileLogger, nullLogger, type LogFn, type LogEvent } from './logger.ts';
export { ExecOrderPath } from './exec-path.ts';
export { execReplay, type ExecReplay } from './exec-replay.ts';
