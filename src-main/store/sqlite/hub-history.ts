import type { Database, Statement } from 'better-sqlite3';
import type { HubHistoryRows, HubUpdate } from '../../model/hub-update.js';
import type { CommitQueue, QueuedWrite } from './commit-queue.js';
import { MultiRowInsert } from './multi-insert.js';

interface Row {
  seq: number;
  id: string;
  topics: string;
  data: string;
  private: number;
  type: string | null;
  retry: number | null;
}

const fromRow = (row: Row): HubUpdate => {
  const update: HubUpdate = {
    id: row.id,
    topics: JSON.parse(row.topics) as string[],
    data: row.data,
    private: !!row.private,
  };
  if (row.type !== null) update.type = row.type;
  if (row.retry !== null) update.retry = row.retry;
  return update;
};

/** The hub's history in the `hub_history` table, so a restarted hub still answers Last-Event-ID. */
export class HubHistoryStore implements HubHistoryRows {
  readonly #db: Database;
  readonly #commits: CommitQueue;
  /** Updates kept at most (`--hub-history`); 0 keeps none. */
  readonly #size: number;
  readonly #insert: MultiRowInsert<HubUpdate>;
  readonly #prune: Statement;
  readonly #seqOf: Statement;
  readonly #maxSeq: Statement;
  readonly #page: Statement;
  readonly #newest: Statement;

  #pending: HubUpdate[] = [];
  #pendingIds = new Set<string>();
  readonly #write: QueuedWrite = { write: () => this.flush(), done: () => {} };

  constructor(db: Database, commits: CommitQueue, size: number) {
    this.#db = db;
    this.#commits = commits;
    this.#size = size;
    this.#insert = new MultiRowInsert(
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
    this.#prune = db.prepare('DELETE FROM hub_history WHERE seq <= ?');
    this.#seqOf = db.prepare('SELECT seq FROM hub_history WHERE id = ?').pluck();
    this.#maxSeq = db.prepare('SELECT coalesce(max(seq), 0) FROM hub_history').pluck();
    this.#page = db.prepare('SELECT * FROM hub_history WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?');
    this.#newest = db.prepare('SELECT id FROM hub_history ORDER BY seq DESC LIMIT 1').pluck();
    // A smaller --hub-history than last time applies at once.
    const last = this.#maxSeq.get() as number;
    if (last > 0) this.#prune.run(last - Math.max(size, 0));
  }

  has(id: string): boolean {
    if (this.#size <= 0) return false;
    this.#checkOpen();
    return this.#pendingIds.has(id) || this.#seqOf.get(id) !== undefined;
  }

  /**
   * Updates are written in batches, in the database's shared transaction of the next turn (with the mails and
   * tracking hits of that turn, see CommitQueue), so that announcing a mail or a hit costs no commit of its own;
   * every read flushes first, so a replay never misses one.
   */
  append(update: HubUpdate): void {
    if (this.#size <= 0) return;
    this.#checkOpen();
    this.#pending.push(update);
    this.#pendingIds.add(update.id);
    if (this.#pending.length === 1) this.#commits.enqueue(this.#write);
  }

  flush(): void {
    if (this.#pending.length === 0 || !this.#db.open) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#pendingIds = new Set();
    this.#db.transaction(() => {
      let seq = 0;
      this.#insert.run(batch, (_first, _count, last) => (seq = last));
      this.#prune.run(seq - this.#size);
    })();
  }

  after(after: string | undefined): ((max: number) => HubUpdate[]) | undefined {
    this.flush();
    let position = 0;
    if (after !== undefined) {
      const seq = this.#seqOf.get(after) as number | undefined;
      if (seq === undefined) return undefined;
      position = seq;
    }
    // Sequence numbers, not offsets: the reader stays valid while older rows are pruned under it.
    const end = this.#maxSeq.get() as number;
    return (max) => {
      const rows = this.#page.all(position, end, max) as Row[];
      if (rows.length > 0) position = rows.at(-1)!.seq;
      return rows.map(fromRow);
    };
  }

  newestId(): string | undefined {
    this.flush();
    return this.#newest.get() as string | undefined;
  }

  #checkOpen(): void {
    if (!this.#db.open) throw new Error('[hub] the database is closed');
  }
}
