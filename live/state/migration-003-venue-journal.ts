/**
 * Migration 3 (additive): the journal of simulated venues (replay).
 *
 * A replay's venue lives in the tradelab process; its state IS the exchange's state of a replay bot. Every write the
 * venue accepted (an order created, an order cancelled) is kept here, in order, with the replay position at which it
 * happened (bars played, and the trade whose fill hook made it when it happened inside a bar), so that a restarted
 * process rebuilds the venue exactly as it was (live/exchange/replay-adapter.ts). Bars are deterministic, so the
 * writes are all that needs keeping. In the same database as the bot's state: a bar played inside one transaction
 * (its fills, the orders its fills made, the strategy state) is all there after a crash or none of it.
 */
export const MIGRATION_003_VENUE_JOURNAL: { readonly version: number; readonly name: string; readonly sql: string } = {
  version: 3,
  name: 'simulated venue journal',
  sql: `
CREATE TABLE venue_journal (
  venue   TEXT NOT NULL,      -- the venue's key (replay: the bot id)
  seq     INTEGER NOT NULL,   -- order of the writes, from 1
  played  INTEGER NOT NULL,   -- bars of the timeline played when the write happened
  command TEXT NOT NULL,      -- JSON VenueCommand (create: the request; cancel: the order reference; trigger trade)
  PRIMARY KEY (venue, seq)
);
`,
};
