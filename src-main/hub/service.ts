import type { Database } from 'better-sqlite3';
import type { Settings } from '../config/schema.js';
import type { EventBus } from '../events/bus.js';
import type { Clock, Logger } from '../logger.js';
import type { CommitQueue } from '../store/commit-queue.js';
import { AppPublisher } from './app-publisher.js';
import { Hub } from './hub.js';
import { loadOrCreateHubKeys } from './keys.js';

/** The hub with its keys, and the publisher that turns bus events into its topics (already started). */
export function createHub(
  settings: Settings,
  deps: {
    db: Database;
    commits: CommitQueue;
    bus: EventBus;
    logger: Logger;
    clock: Clock;
    publicUrl: () => string;
  },
): { hub: Hub; close: () => Promise<void> } {
  const hub = new Hub({
    db: { db: deps.db, commits: deps.commits },
    ...loadOrCreateHubKeys(settings.dataDir, settings),
    anonymous: settings.hubAnonymous,
    corsOrigins: settings.hubCorsOrigins,
    heartbeatMs: settings.hubHeartbeat * 1000,
    historySize: settings.hubHistory,
    logger: deps.logger.child('hub'),
    clock: deps.clock,
    publicUrl: deps.publicUrl,
  });
  const publisher = new AppPublisher({ bus: deps.bus, hub });
  publisher.start();
  return {
    hub,
    close: async () => {
      publisher.stop();
      await hub.close();
    },
  };
}
