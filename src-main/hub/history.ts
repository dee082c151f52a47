import type { Database, Statement } from 'better-sqlite3';
import { UpdateError, type Update } from './update.js';

/** The reserved Last-Event-ID value: "everything you have", and the answer when the hub cannot say more. */
export const EARLIEST = 'earliest';

export interface Replay {
  /** False when the requested id is not (or no longer) in the history: updates may have been missed. */
  found: boolean;
  updates: Iterable<Update>;
}

/** The bounded log of past updates that Last-Event-ID reconciliation replays from. */
export interface UpdateHistory {
  /** Records an update, dropping the oldest beyond the bound; an id already recorded is a 409. */
  append(update: Update): void;
  /** Updates after `lastEventId` (all of them for 'earliest'), oldest first. */
  since(lastEventId: string): Replay;
  /** The id of the newest update, or 'earliest' when there is none. */
  lastEventId(): string;
}

const duplicate = (id: string) =>
  new UpdateError(`[hub] an update with id "${id}" was already published`, 409);

/** The history when the hub runs without a database (tests, embedding). */
export class MemoryHistory implements UpdateHistory {
  private readonly updates: Update[] = [];
  private readonly ids = new Set<string>();

  constructor(private readonly size: number) {}

  append(update: Update): void {
    if (this.size <= 0) return;
    if (this.ids.has(update.id)) throw duplicate(update.id);
    this.updates.push(update);
    this.ids.add(update.id);
    if (this.updates.length > this.size) {
      for (const old of this.updates.splice(0, this.updates.length - this.size)) this.ids.delete(old.id);
    }
  }

  since(lastEventId: string): Replay {
    if (lastEventId === EARLIEST) return { found: true, updates: [...this.updates] };
    if (!this.ids.has(lastEventId)) return { found: false, updates: [] };
    const index = this.updates.findIndex((u) => u.id === lastEventId);
    return { found: true, updates: this.updates.slice(index + 1) };
  }

  lastEventId(): string {
    return this.updates.at(-1)?.id ?? EARLIEST;
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
  private readonly insert: Statement;
  private readonly prune: Statement;
  private readonly seqOf: Statement;
  private readonly after: Statement;
  private readonly newest: Statement;

  constructor(
    db: Database,
    private readonly size: number,
  ) {
    this.insert = db.prepare(
      'INSERT INTO hub_history (id, topics, data, private, type, retry) VALUES (@id, @topics, @data, @private, @type, @retry)',
    );
    this.prune = db.prepare('DELETE FROM hub_history WHERE seq <= ?');
    this.seqOf = db.prepare('SELECT seq FROM hub_history WHERE id = ?').pluck();
    this.after = db.prepare('SELECT * FROM hub_history WHERE seq > ? ORDER BY seq');
    this.newest = db.prepare('SELECT id FROM hub_history ORDER BY seq DESC LIMIT 1').pluck();
    // A smaller --hub-history than last time applies at once.
    const last = db.prepare('SELECT max(seq) FROM hub_history').pluck().get() as number | null;
    if (last !== null) this.prune.run(last - Math.max(size, 0));
  }

  append(update: Update): void {
    if (this.size <= 0) return;
    let seq: number | bigint;
    try {
      seq = this.insert.run({
        id: update.id,
        topics: JSON.stringify(update.topics),
        data: update.data,
        private: update.private ? 1 : 0,
        type: update.type ?? null,
        retry: update.retry ?? null,
      }).lastInsertRowid;
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw duplicate(update.id);
      throw err;
    }
    this.prune.run(Number(seq) - this.size);
  }

  since(lastEventId: string): Replay {
    let seq = 0;
    if (lastEventId !== EARLIEST) {
      const found = this.seqOf.get(lastEventId) as number | undefined;
      if (found === undefined) return { found: false, updates: [] };
      seq = found;
    }
    // Read at once rather than iterate: the caller writes to sockets and must not hold a statement open.
    return { found: true, updates: (this.after.all(seq) as Row[]).map(fromRow) };
  }

  lastEventId(): string {
    return (this.newest.get() as string | undefined) ?? EARLIEST;
  }
}
