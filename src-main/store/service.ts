import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import type { Settings } from '../config/schema.js';
import type { EventBus } from '../events/bus.js';
import type { Clock, Logger } from '../logger.js';
import type { SpawnWorker } from '../threads/spawn.js';
import { WalCheckpointer } from './sqlite/checkpointer.js';
import { CommitQueue } from './sqlite/commit-queue.js';
import { closeDatabase, openDatabase } from './sqlite/database.js';
import { EventRetention } from './sqlite/event-retention.js';
import { EventStore } from './sqlite/events.js';
import { HubHistoryStore } from './sqlite/hub-history.js';
import { MessageStore, type MessageStoreOptions } from './sqlite/messages.js';
import { Retention } from './retention.js';

export const DATABASE_FILE = 'mailbeacon.db';

/** The database file of a data directory, or `:memory:`. */
export const databasePath = (dataDir: string): string =>
  dataDir === ':memory:' ? ':memory:' : join(dataDir, DATABASE_FILE);

export interface OpenStore {
  db: Database;
  commits: CommitQueue;
  store: MessageStore;
  events: EventStore;
  /** The hub's history (`--hub-history`), handed to the hub. */
  hubHistory: HubHistoryStore;
  /** Started by ingest, which may hand it to a prepare worker. */
  checkpointer: WalCheckpointer;
  /** Flushes the last queued writes and closes the database. */
  close: () => Promise<void>;
}

/** How the store reads a mail's bytes when it must: ingest's readers, which the store may not import. */
export type MailReaders = Pick<MessageStoreOptions, 'readText' | 'readParts'>;

/** Opens the database with its shared commit queue, the stores of its tables and the WAL checkpointer. */
export function openStore(
  settings: Pick<Settings, 'dataDir' | 'hubHistory'>,
  deps: { nativeBinding?: string; logger: Logger; readers: MailReaders; spawnCheckpoints: SpawnWorker },
): OpenStore {
  const path = databasePath(settings.dataDir);
  const log = deps.logger.child('db');
  const db = openDatabase({
    path,
    nativeBinding: deps.nativeBinding,
    warn: (message) => deps.logger.warn(message),
    info: (message) => log.info(message),
  });
  const commits = new CommitQueue(db);
  const store = new MessageStore(db, { commits, ...deps.readers });
  const checkpointer = new WalCheckpointer(db, log, {
    path,
    nativeBinding: deps.nativeBinding,
    indexOn: (port) => store.indexOn(port),
    spawn: deps.spawnCheckpoints,
  });
  const events = new EventStore(db, commits);
  const hubHistory = new HubHistoryStore(db, commits, settings.hubHistory);
  return {
    db,
    commits,
    store,
    events,
    hubHistory,
    checkpointer,
    close: async () => {
      let failed: unknown;
      try {
        await checkpointer.stop();
      } catch (err) {
        failed = err;
      }
      commits.flush(); // what the last turn queued (hub history) before the store goes
      closeDatabase(db);
      if (failed) throw failed;
    },
  };
}

/** `--max-age` pruning of mails (started last, with `start`) and `--max-events` pruning of tracking events. */
export function createRetention(
  settings: Pick<Settings, 'maxAge' | 'maxEvents'>,
  deps: { db: Database; store: MessageStore; bus: EventBus; clock: Clock; logger: Logger },
): { retention: Retention; start: () => void; close: () => Promise<void> } {
  const log = deps.logger.child('db');
  const events = new EventRetention({ db: deps.db, maxEvents: settings.maxEvents, logger: log });
  events.start();
  deps.bus.on('tracking.event', () => events.recorded());
  const retention = new Retention({
    store: deps.store,
    bus: deps.bus,
    clock: deps.clock,
    logger: log,
    maxAgeMs: settings.maxAge,
  });
  return {
    retention,
    start: () => retention.start(),
    close: async () => {
      events.stop();
      await retention.stop();
    },
  };
}
