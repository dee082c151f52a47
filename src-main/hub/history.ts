import type { Database, Statement } from 'better-sqlite3';
import { UpdateError, type Update } from './update.js';
import { MultiRowInsert } from '../store/multi-insert.js';
import type { CommitQueue, QueuedWrite } from '../store/commit-queue.js';

/** The reserved Last-Event-ID value: "everything you have", and the answer when the hub cannot say more. */
export const EARLIEST = 'earliest';

/**
 * The updates after a given one, read in batches so that a replay never holds the whole history in memory.
 * It ends at the newest update at the time it was opened: later ones reach the subscriber live.
 */
export interface ReplayCursor {
  /** False when the requested id is not (or no longer) in the history: updates may have been missed. */
  readonly found: boolean;
  /** Up to `max` further updates, oldest first; an empty array at the end. */
  read(max: number): Update[];
}

/** The bounded log of past updates that Last-Event-ID reconciliation replays from. */
export interface UpdateHistory {
  /**
   * Records an update, dropping the oldest beyond the bound; an id already recorded is a 409, which is only looked
   * for when the id is not one the hub generated.
   */
  append(update: Update, generatedId?: boolean): void;
  /** A cursor over the updates after `lastEventId` (all of them for 'earliest'). */
  after(lastEventId: string): ReplayCursor;
  /** The id of the newest update, or 'earliest' when there is none. */
  lastEventId(): string;
  /** Makes every appended update durable (histories that write lazily). */
  flush?(): void;
}

const duplicate = (id: string) =>
  new UpdateError(`[hub] an update with id "${id}" was already published`, 409);

const NOTHING: ReplayCursor = { found: false, read: () => [] };

/** The history when the hub runs without a database (tests, embedding). */
export class MemoryHistory implements UpdateHistory {
  // Sequence numbers, as in the table: a cursor stays valid while older entries are pruned under it.
  private readonly entries: { seq: number; update: Update }[] = [];
  private readonly seqs = new Map<string, number>();
  private nextSeq = 1;

  constructor(private readonly size: number) {}

  append(update: Update, generatedId = false): void {
    if (this.size <= 0) return;
    if (!generatedId && this.seqs.has(update.id)) throw duplicate(update.id);
    const seq = this.nextSeq++;
    this.entries.push({ seq, update });
    this.seqs.set(update.id, seq);
    if (this.entries.length > this.size) {
      for (const old of this.entries.splice(0, this.entries.length - this.size))
        this.seqs.delete(old.update.id);
    }
  }

  after(lastEventId: string): ReplayCursor {
    let position = 0;
    if (lastEventId !== EARLIEST) {
      const seq = this.seqs.get(lastEventId);
      if (seq === undefined) return NOTHING;
      position = seq;
    }
    const end = this.nextSeq - 1;
    return {
      found: true,
      read: (max) => {
        // Entries are ordered by seq: find the first one after the position by bisection.
        let lo = 0;
        let hi = this.entries.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (this.entries[mid]!.seq <= position) lo = mid + 1;
          else hi = mid;
        }
        const batch = this.entries.slice(lo, lo + max).filter((e) => e.seq <= end);
        if (batch.length > 0) position = batch.at(-1)!.seq;
        return batch.map((e) => e.update);
      },
    };
  }

  lastEventId(): string {
    return this.entries.at(-1)?.update.id ?? EARLIEST;
  }
}

interface Row {
  seq: number;
  id: string;
  topics: string;
  data: string;
  private: number;
  type: string | null;
  retry: number | null;
}

const fromRow = (row: Row): Update => {
  const update: Update = {
    id: row.id,
    topics: JSON.parse(row.topics) as string[],
    data: row.data,
    private: !!row.private,
  };
  if (row.type !== null) update.type = row.type;
  if (row.retry !== null) update.retry = row.retry;
  return update;
};

/** The history in the store's `hub_history` table, so a restarted hub still answers Last-Event-ID. */
export class SqliteHistory implements UpdateHistory {
  private readonly insert: MultiRowInsert<Update>;
  private readonly prune: Statement;
  private readonly seqOf: Statement;
  private readonly maxSeq: Statement;
  private readonly page: Statement;
  private readonly newest: Statement;

  private pending: Update[] = [];
  private pendingIds = new Set<string>();
  private readonly commits: CommitQueue;
  private readonly write: QueuedWrite = { write: () => this.flush(), done: () => {} };

  constructor(
    private readonly db: Database,
    commits: CommitQueue,
    private readonly size: number,
  ) {
    this.insert = new MultiRowInsert(
      db,
      'hub_history',
      ['id', 'topics', 'data', 'private', 'type', 'retry'],
      (update, params, at) => {
        params[at] = update.id;
        params[at + 1] = JSON.stringify(update.topics);
        params[at + 2] = update.data;
        params[at + 3] = update.private ? 1 : 0;
        params[at + 4] = update.type ?? null;
        params[at + 5] = update.retry ?? null;
      },
    );
    this.prune = db.prepare('DELETE FROM hub_history WHERE seq <= ?');
    this.seqOf = db.prepare('SELECT seq FROM hub_history WHERE id = ?').pluck();
    this.maxSeq = db.prepare('SELECT coalesce(max(seq), 0) FROM hub_history').pluck();
    this.page = db.prepare('SELECT * FROM hub_history WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?');
    this.newest = db.prepare('SELECT id FROM hub_history ORDER BY seq DESC LIMIT 1').pluck();
    this.commits = commits;
    // A smaller --hub-history than last time applies at once.
    const last = this.maxSeq.get() as number;
    if (last > 0) this.prune.run(last - Math.max(size, 0));
  }

  /**
   * Updates are written in batches, in the database's shared transaction of the next turn (with the mails and
   * tracking hits of that turn, see CommitQueue), so that announcing a mail or a hit costs no commit of its own;
   * every read flushes first, so a replay never misses one.
   */
  append(update: Update, generatedId = false): void {
    if (this.size <= 0) return;
    if (!this.db.open) throw new Error('[hub] the database is closed');
    if (!generatedId && (this.pendingIds.has(update.id) || this.seqOf.get(update.id) !== undefined)) {
      throw duplicate(update.id);
    }
    this.pending.push(update);
    this.pendingIds.add(update.id);
    if (this.pending.length === 1) this.commits.enqueue(this.write);
  }

  /** Writes the updates appended since the last flush. */
  flush(): void {
    if (this.pending.length === 0 || !this.db.open) return;
    const batch = this.pending;
    this.pending = [];
    this.pendingIds = new Set();
    this.db.transaction(() => {
      let seq = 0;
      this.insert.run(batch, (_first, _count, last) => (seq = last));
      this.prune.run(seq - this.size);
    })();
  }

  after(lastEventId: string): ReplayCursor {
    this.flush();
    let position = 0;
    if (lastEventId !== EARLIEST) {
      const seq = this.seqOf.get(lastEventId) as number | undefined;
      if (seq === undefined) return NOTHING;
      position = seq;
    }
    const end = this.maxSeq.get() as number;
    return {
      found: true,
      read: (max) => {
        const rows = this.page.all(position, end, max) as Row[];
        if (rows.length > 0) position = rows.at(-1)!.seq;
        return rows.map(fromRow);
      },
    };
  }

  lastEventId(): string {
    this.flush();
    return (this.newest.get() as string | undefined) ?? EARLIEST;
  }
}
