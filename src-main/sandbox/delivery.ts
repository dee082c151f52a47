import type { Settings } from '../config/schema.js';
import type { EventBus } from '../events/bus.js';
import type { InboxSettingsSource } from '../model/inbox-settings.js';
import type { Clock, Logger } from '../logger.js';
import { GuardedFetch } from '../net/guarded-fetch.js';
import { createRelay } from '../relay/index.js';
import type { MessageStore, RelayOutbox, WebhookDeliveries } from '../store/contract.js';
import { createWebhooks } from '../webhooks/index.js';

/**
 * What leaves the sandbox after a mail is stored: the relay (its outbox row written in the same transaction as each
 * mail it should forward) and the webhooks (an inbox's own URL fetched through the guard, which refuses internal
 * addresses and this sandbox's own listeners). Either is undefined when nothing asks for it.
 */
export function createDelivery(
  settings: Settings,
  deps: {
    bus: EventBus;
    logger: Logger;
    clock: Clock;
    store: MessageStore;
    relayOutbox: RelayOutbox;
    webhookDeliveries: WebhookDeliveries;
    inboxSettings: InboxSettingsSource;
    /** host:port or URL of every listener of this sandbox, once they listen. */
    ownListeners: () => string[];
  },
) {
  const { bus, clock, store, inboxSettings } = deps;
  const withLog = (name: string) => ({ bus, clock, logger: deps.logger.child(name) });
  const relay = createRelay(settings, {
    ...withLog('relay'),
    outbox: deps.relayOutbox,
    store,
    inboxSettings,
  });
  relay?.attach(store);
  const guard = new GuardedFetch({
    allowInternal: () => settings.allowInternalHttpRequests,
    ownListeners: deps.ownListeners,
  });
  const webhooks = createWebhooks(settings, {
    ...withLog('webhooks'),
    deliveries: deps.webhookDeliveries,
    inboxSettings,
    guard,
  });
  return { relay, webhooks };
}
