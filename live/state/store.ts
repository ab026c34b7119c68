/**
 * The state store of a TRADELAB_HOME: one SQLite connection (WAL) and its repositories. The runner holds one
 * `StateStore` per process, under the single-writer lock (lock.ts).
 */
import { openDbFile, openStateDb, type OpenDbOptions, type StateDb } from './db.ts';
import { BotsRepo } from './bots.ts';
import { JournalRepo } from './journal.ts';
import { OrdersRepo, type StoreStep } from './orders.ts';
import { checkStateInvariants } from './invariants.ts';
import { BotCommandsRepo } from './bot-commands.ts';

export interface StateStoreOptions extends OpenDbOptions {
  /** Called at named points inside transactions (tracing; crash-injection tests). */
  readonly onStep?: (step: StoreStep) => void;
}

export class StateStore {
  readonly bots: BotsRepo;
  readonly orders: OrdersRepo;
  readonly journal: JournalRepo;
  /** Commands to running bots and the tasks running them (migration 4). */
  readonly commands: BotCommandsRepo;

  constructor(readonly db: StateDb, opts: StateStoreOptions = {}) {
    this.bots = new BotsRepo(db);
    this.orders = new OrdersRepo(db, opts.onStep);
    this.journal = new JournalRepo(db);
    this.commands = new BotCommandsRepo(db);
  }

  /** Violated invariants of a bot's orders, fills, lots and positions (empty = consistent). */
  checkInvariants(botId: string): string[] {
    return checkStateInvariants(this.db, botId);
  }

  /** Checkpoints the WAL into the main file and closes the connection. */
  close(): void {
    if (!this.db.open) return;
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    this.db.close();
  }
}

/** Opens `<home>/tradelab.db` (creating the home layout and applying migrations). */
export function openStateStore(home: string, opts: StateStoreOptions = {}): StateStore {
  return new StateStore(openStateDb(home, opts), opts);
}

/** An in-memory store (tests, replay without persistence). */
export function openMemoryStateStore(opts: StateStoreOptions = {}): StateStore {
  return new StateStore(openDbFile(':memory:', opts), opts);
}
