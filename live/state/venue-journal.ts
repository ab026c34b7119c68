/** The simulated venues' journal (migration 3): append and read back the accepted writes of one venue, in order. */
import type Database from 'better-sqlite3';

export interface VenueJournalRow {
  readonly seq: number;
  readonly played: number;
  readonly command: unknown;
}

export class VenueJournalRepo {
  constructor(private readonly db: Database.Database) {}

  /** Every write of `venue`, oldest first. */
  read(venue: string): VenueJournalRow[] {
    return (this.db.prepare('SELECT seq, played, command FROM venue_journal WHERE venue = ? ORDER BY seq').all(venue) as { seq: number; played: number; command: string }[])
      .map((r) => ({ seq: r.seq, played: r.played, command: JSON.parse(r.command) as unknown }));
  }

  /** Appends one write (its own transaction, or part of the caller's). */
  append(venue: string, played: number, command: unknown): void {
    this.db.prepare(`INSERT INTO venue_journal (venue, seq, played, command)
      VALUES (?, COALESCE((SELECT MAX(seq) FROM venue_journal WHERE venue = ?), 0) + 1, ?, ?)`).run(venue, venue, played, JSON.stringify(command));
  }

  /** Forgets a venue (a bot deleted, tests). */
  clear(venue: string): void {
    this.db.prepare('DELETE FROM venue_journal WHERE venue = ?').run(venue);
  }
}
