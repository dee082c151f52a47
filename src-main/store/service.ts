import { join } from 'node:path';
import type { Settings } from '../config/schema.js';
import type { EventBus } from '../events/bus.js';
import type { Clock, Logger } from '../logger.js';
import type { InboxSettingsSource } from '../model/inbox-settings.js';
import type { SpawnWorker } from '../threads/spawn.js';
import type { EventPruning, MessageStore, SharedCommit, Store } from './contract.js';
import { Retention } from './retention.js';
import { WalCheckpointer } from './sqlite/checkpointer.js';
import { CommitQueue } from './sqlite/commit-queue.js';
import { closeDatabase, openDatabase, type SqliteDatabase } from './sqlite/database.js';
import { EventRetention } from './sqlite/event-retention.js';
import { SqliteEventStore } from './sqlite/events.js';
import { HubHistoryStore } from './sqlite/hub-history.js';
import { SqliteInboxStore } from './sqlite/inboxes.js';
import { SqliteMessageStore, type MessageStoreOptions } from './sqlite/messages.js';
import { SqliteRelayOutbox } from './sqlite/relay-outbox.js';
import { SqliteWebhookDeliveries } from './sqlite/webhook-deliveries.js';

export const DATABASE_FILE = 'mailbeacon.db';

/** The database file of a data directory, or `:memory:`. */
export const databasePath = (dataDir: string): string =>
  dataDir === ':memory:' ? ':memory:' : join(dataDir, DATABASE_FILE);

/** Every repository (see contract.ts), and what the SQLite engine runs beside them. */
export interface OpenStore extends Store {
  /** The shared commit every writer to the database uses (see CommitQueue). */
  commits: SharedCommit;
  /** `--max-events` pruning, started by `createRetention`. */
  eventPruning: EventPruning;
  /** Started by ingest, which may hand it to a prepare worker. */
  checkpointer: WalCheckpointer;
  /** The SQLite handle itself, for tests that look at rows directly; no service uses it. */
  sqlite: SqliteDatabase;
}

/** How the store reads a mail's bytes when it must: ingest's readers, which the store may not import. */
export type MailReaders = Pick<MessageStoreOptions, 'readText' | 'readParts'>;

/**
 * Opens the database and builds every repository on it, with their shared commit and the WAL checkpointer: nothing
 * else builds a repository.
 */
export function openStore(
  settings: Pick<Settings, 'dataDir' | 'hubHistory' | 'maxMessages' | 'maxEvents'>,
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
  const events = new SqliteEventStore(db, commits);
  const messages = new SqliteMessageStore(db, {
    commits,
    events,
    maxMessages: settings.maxMessages,
    ...deps.readers,
  });
  const checkpointer = new WalCheckpointer(db, log, {
    path,
    nativeBinding: deps.nativeBinding,
    indexOn: (port) => messages.indexOn(port),
    spawn: deps.spawnCheckpoints,
  });
  return {
    messages,
    events,
    inboxes: new SqliteInboxStore(db, messages),
    hubHistory: new HubHistoryStore(db, commits, settings.hubHistory),
    relayOutbox: new SqliteRelayOutbox(db),
    webhookDeliveries: new SqliteWebhookDeliveries(db),
    eventPruning: new EventRetention({ db, maxEvents: settings.maxEvents, logger: log }),
    commits,
    checkpointer,
    sqlite: db,
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
  settings: Pick<Settings, 'maxAge'>,
  deps: {
    store: MessageStore;
    eventPruning: EventPruning;
    bus: EventBus;
    clock: Clock;
    logger: Logger;
    inboxes?: InboxSettingsSource;
  },
): { retention: Retention; start: () => void; close: () => Promise<void> } {
  const log = deps.logger.child('db');
  const events = deps.eventPruning;
  events.start();
  deps.bus.on('tracking.event', () => events.recorded());
  const retention = new Retention({
    store: deps.store,
    bus: deps.bus,
    clock: deps.clock,
    logger: log,
    maxAgeMs: settings.maxAge,
    inboxes: deps.inboxes,
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
