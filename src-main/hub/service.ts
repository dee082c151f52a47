import type { Settings } from '../config/schema.js';
import type { EventBus } from '../events/bus.js';
import type { Clock, Logger } from '../logger.js';
import type { HubHistoryRows } from '../model/hub-update.js';
import { AppPublisher } from './app-publisher.js';
import { Hub } from './hub.js';
import { loadOrCreateHubKeys } from './keys.js';

/** The hub with its keys, and the publisher that turns bus events into its topics (already started). */
export function createHub(
  settings: Settings,
  deps: {
    /** The history's table, which the store opened (`openStore`). */
    history: HubHistoryRows;
    bus: EventBus;
    logger: Logger;
    clock: Clock;
    publicUrl: () => string;
    /** The inbox of a stored mail, for the inbox topic of its updates. */
    inboxOf?: (id: string) => Promise<string | undefined>;
  },
): { hub: Hub; close: () => Promise<void> } {
  const hub = new Hub({
    storedHistory: deps.history,
    ...loadOrCreateHubKeys(settings.dataDir, settings),
    anonymous: settings.hubAnonymous,
    corsOrigins: settings.hubCorsOrigins,
    heartbeatMs: settings.hubHeartbeat * 1000,
    historySize: settings.hubHistory,
    logger: deps.logger.child('hub'),
    clock: deps.clock,
    publicUrl: deps.publicUrl,
  });
  const publisher = new AppPublisher({ bus: deps.bus, hub, inboxOf: deps.inboxOf });
  publisher.start();
  return {
    hub,
    close: async () => {
      publisher.stop();
      await hub.close();
    },
  };
}
