import type { Database } from 'better-sqlite3';
import type { QueuedWrite, SharedCommit } from '../contract.js';

export type { QueuedWrite };

/**
 * One shared transaction every turn or two of the event loop (see `enqueue`) for everything that writes to a
 * database: the mails SMTP caught, the tracking hits, the hub's history of what it announced. Each of them batched
 * its own rows already; sharing the commit saves a WAL commit (its locks, its header and page writes) for every
 * writer beyond the first: a tracking hit's event and its hub update, or a turn's mails and the announcements of the
 * turn before, were two commits.
 *
 * Each writer runs in a savepoint, so one that fails rolls back alone and is told so; the others still commit.
 */
export class CommitQueue implements SharedCommit {
  readonly #db: Database;
  readonly #savepoint: (write: QueuedWrite) => void;
  #queued: QueuedWrite[] = [];
  readonly #flushNow = () => this.flush();
  readonly #flushLater = () => setImmediate(this.#flushNow);

  /** One per database: whoever opens it creates the queue and hands it to every writer (see sandbox.ts). */
  constructor(db: Database) {
    this.#db = db;
    // A better-sqlite3 transaction started inside another is a savepoint.
    this.#savepoint = db.transaction((write: QueuedWrite) => write.write());
  }

  /**
   * Writes `write` in the next shared transaction: after the next turn's I/O rather than at the end of this turn, so
   * the mails and hits whose last bytes arrive there share the commit; idle, that is one empty
   * turn. Or at the next `flush()`.
   */
  enqueue(write: QueuedWrite): void {
    this.#queued.push(write);
    if (this.#queued.length === 1) setImmediate(this.#flushLater);
  }

  /** Commits what is queued now; a writer that cannot wait (a full batch, a read, shutdown) calls it. */
  flush(): void {
    const writes = this.#queued;
    if (writes.length === 0) return;
    this.#queued = [];
    if (!this.#db.open) {
      const closed = new Error('[db] the database is closed');
      for (const write of writes) tell(write, closed);
      return;
    }
    const failed = new Map<QueuedWrite, Error>();
    try {
      this.#db.transaction(() => {
        for (const write of writes) {
          try {
            this.#savepoint(write);
          } catch (err) {
            failed.set(write, err instanceof Error ? err : new Error(String(err)));
          }
        }
      })();
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      for (const write of writes) tell(write, error);
      return;
    }
    for (const write of writes) tell(write, failed.get(write));
  }
}

/** A writer's `done` must not keep the others from hearing of the commit. */
function tell(write: QueuedWrite, err: Error | undefined): void {
  try {
    write.done(err);
  } catch {
    // the writer's own callbacks report their failures
  }
}
