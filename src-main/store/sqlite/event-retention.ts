import type { Database, Statement } from 'better-sqlite3';
import type { EventPruning } from '../contract.js';
import type { Logger } from '../../logger.js';

/** Oldest events deleted per transaction: short enough that mails and hits waiting for the next commit barely notice. */
const PRUNE_BATCH = 2_000;

/**
 * Keeps the events table at `maxEvents` rows at most (0: no limit), so a flood of pixel hits cannot grow the
 * database without bound. Hits are counted as they are announced; only when the tally passes the limit by a
 * margin (a hundredth of it, at most 10,000) is the table counted for real and the oldest events deleted, in
 * small transactions on later turns of the event loop, never inside the commit that stores the hits.
 */
export class EventRetention implements EventPruning {
  readonly #db: Database;
  readonly #max: number;
  readonly #margin: number;
  readonly #logger: Logger;
  readonly #count: Statement;
  readonly #deleteOldest: Statement;
  /** Events stored now, or more: a mail's deletion takes its events with it without telling this tally. */
  #tally = 0;
  #pending?: NodeJS.Immediate;
  /** The tally was just counted for real, and deleting what is over the limit goes on from there. */
  #exact = false;

  constructor(options: { db: Database; maxEvents: number; logger: Logger }) {
    this.#db = options.db;
    this.#max = options.maxEvents;
    this.#margin = Math.min(10_000, Math.max(1, Math.floor(this.#max / 100)));
    this.#logger = options.logger;
    this.#count = this.#db.prepare('SELECT COUNT(*) FROM events').pluck();
    this.#deleteOldest = this.#db.prepare(
      'DELETE FROM events WHERE id IN (SELECT id FROM events ORDER BY id LIMIT ?)',
    );
  }

  /** Counts what is stored; a database over a limit lowered since its last run is pruned right away. */
  start(): void {
    if (this.#max === 0) return;
    this.#tally = this.#count.get() as number;
    if (this.#tally > this.#max) this.#schedule();
  }

  /** `n` more events were stored. */
  recorded(n = 1): void {
    if (this.#max === 0) return;
    this.#tally += n;
    if (this.#tally > this.#max + this.#margin) this.#schedule();
  }

  stop(): void {
    if (this.#pending) clearImmediate(this.#pending);
    this.#pending = undefined;
  }

  #schedule(): void {
    this.#pending ??= setImmediate(() => this.#prune());
  }

  #prune(): void {
    this.#pending = undefined;
    if (!this.#db.open) return;
    try {
      if (!this.#exact) this.#tally = this.#count.get() as number;
      this.#exact = false;
      const excess = this.#tally - this.#max;
      if (excess <= 0) return;
      const batch = Math.min(excess, PRUNE_BATCH);
      this.#db.transaction(() => this.#deleteOldest.run(batch))();
      this.#tally -= batch;
      // What is left goes on a later turn, so hits and mails arriving meanwhile are committed in between; the events
      // they add are in the tally, which is exact again.
      if (this.#tally > this.#max) {
        this.#exact = true;
        this.#schedule();
      }
    } catch (err) {
      this.#logger.error(`pruning old tracking events failed: ${(err as Error).message}`);
    }
  }
}
