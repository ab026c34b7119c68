// The live runner's state: SQLite (better-sqlite3, WAL, migrations) under TRADELAB_HOME, typed repositories,
// the single-writer lock. See docs/risk.md for the risk side and live/README.md for the runner.
export * from './types.ts';
export { stateHomePaths, ensureStateHome, type StateHomePaths } from './paths.ts';
export { acquireWriterLock, type WriterLock, type LockOptions } from './lock.ts';
export { MIGRATIONS, migrate, schemaVersion, type Migration } from './migrations.ts';
export { openStateDb, openDbFile, type StateDb, type OpenDbOptions } from './db.ts';
export { assertNoSecrets } from './secrets-guard.ts';
export { BotsRepo, BOT_STATUSES } from './bots.ts';
export { OrdersRepo, UNSETTLED_STATUSES, type StoreStep } from './orders.ts';
export { JournalRepo, insertAudit } from './journal.ts';
export { checkStateInvariants } from './invariants.ts';
export { StateStore, openStateStore, openMemoryStateStore, type StateStoreOptions } from './store.ts';
export { VenueJournalRepo, type VenueJournalRow } from './venue-journal.ts';
export { buildRiskState, type RiskStateInput } from './risk-state.ts';
export { BotCommandsRepo, thisProcess, TASK_STALE_MS, type BotCommand, type BotCommandKind, type BotTask } from './bot-commands.ts';
