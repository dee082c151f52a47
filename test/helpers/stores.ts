import type { Database } from 'better-sqlite3';
import { readSearchText, readWithMailparser } from '../../src-main/ingest/parse.js';
import { CommitQueue } from '../../src-main/store/sqlite/commit-queue.js';
import { SqliteEventStore } from '../../src-main/store/sqlite/events.js';
import { HubHistoryStore } from '../../src-main/store/sqlite/hub-history.js';
import type { MessageStoreOptions } from '../../src-main/store/sqlite/messages.js';

const queues = new WeakMap<Database, CommitQueue>();

/** The shared commit of a test's database, as the Sandbox would create it once and hand it to every writer. */
export function commitsOf(db: Database): CommitQueue {
  let queue = queues.get(db);
  if (!queue) queues.set(db, (queue = new CommitQueue(db)));
  return queue;
}

const eventStores = new WeakMap<Database, SqliteEventStore>();

/** The tracking events of a test's database: one SqliteEventStore per database, as the Sandbox's store opens it. */
export function eventsOf(db: Database): SqliteEventStore {
  let events = eventStores.get(db);
  if (!events) eventStores.set(db, (events = new SqliteEventStore(db, commitsOf(db))));
  return events;
}

/** What a SqliteMessageStore is built with in the Sandbox, for a test's own database. */
export function storeOptions(db: Database): MessageStoreOptions {
  return {
    commits: commitsOf(db),
    events: eventsOf(db),
    readText: readSearchText,
    readParts: async (raw) => (await readWithMailparser(raw)).parts,
  };
}

/** The hub's history in a test's database, as the Sandbox's store opens it with `--hub-history size`. */
export function hubHistoryOf(db: Database, size = 100): HubHistoryStore {
  return new HubHistoryStore(db, commitsOf(db), size);
}
