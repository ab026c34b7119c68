// The bot runtime: the runner (one bot, bar by bar), the host (many bots, auto-resume, kill switch), parity.
export { BotRunner, type BotRunnerDeps, type BarClock, type RunOutcome, type RunEnd } from './bot-runner.ts';
export { BotHost, type BotHostDeps, type BotVenue, type VenueFactory, type BotTaskResult } from './host.ts';
export { NOT_ON_VENUE, type OrderPath, type InBarPath, type PlaceRequest, type PlaceOutcome, type NewFill, type ReconcileSummary } from './order-path.ts';
export { runParity, compareRows, type ParitySpec, type ParityReport, type ParityRow, type ParityDifference } from './parity.ts';
export { fileLogger, nullLogger, type LogFn, type LogEvent } from './logger.ts';
export { ExecOrderPath } from './exec-path.ts';
export { execReplay, storeReplayJournal, type ExecReplay, type ExecReplayOptions } from './exec-replay.ts';
export { CandleFeed, windowBarsFor, type CandleFeedOptions, type FeedEvent, type FeedBar, type FeedGap } from './feed.ts';
export { runFeedBot, type FeedVenue, type FeedRunArgs } from './feed-runner.ts';
export {
  RiskSupervisor, candidateLabel, K_RISK_EFFECT, K_ROTATION, K_EQUITY_SINCE,
  type RiskSupervisorDeps, type RiskEffectState, type StoredRotationState, type CancelAll,
} from './risk-supervisor.ts';
// venues.ts (paper / live venue factories) loads ccxt: import it directly where a paper or live bot is started.
