import type { Settings } from '../config/schema.js';
import type { EventBus } from '../events/bus.js';
import type { Clock, Logger } from '../logger.js';
import type { InboxSettingsSource } from '../model/inbox-settings.js';
import type { GuardedFetch } from '../net/guarded-fetch.js';
import type { WebhookDeliveries } from '../store/contract.js';
import { WebhookDispatcher } from './dispatcher.js';
import { loadOrCreateWebhookSecret } from './secret.js';

export { WebhookDispatcher, WebhookRequestError, REQUEST_TIMEOUT_MS } from './dispatcher.js';
export { WEBHOOK_EVENT_TYPES } from './event-types.js';
export { generateSecret, secretKey, signWebhook } from './signature.js';

export type WebhookSettings = Pick<
  Settings,
  'webhook' | 'webhookSecret' | 'webhookEvents' | 'webhookRetries' | 'dataDir'
>;

/** Builds the dispatcher when at least one `--webhook` is set, or returns null. */
export function createWebhooks(
  settings: WebhookSettings,
  deps: {
    deliveries: WebhookDeliveries;
    bus: EventBus;
    logger: Logger;
    clock: Clock;
    /** With it, the dispatcher runs without --webhook too: an inbox may have a URL of its own. */
    inboxSettings?: InboxSettingsSource;
    guard?: GuardedFetch;
  },
): WebhookDispatcher | null {
  if (!settings.webhook.length && !deps.inboxSettings) return null;
  for (const url of settings.webhook) {
    let protocol = '';
    try {
      protocol = new URL(url).protocol;
    } catch {
      // reported below
    }
    if (protocol !== 'http:' && protocol !== 'https:') {
      throw new Error(`[webhooks] --webhook "${url}" is not an http(s) URL`);
    }
  }
  return new WebhookDispatcher({
    ...deps,
    urls: settings.webhook,
    // Without --webhook the server's secret is read (or made) only once an inbox without its own needs it.
    secret: settings.webhook.length
      ? loadOrCreateWebhookSecret(settings.dataDir, settings.webhookSecret)
      : () => loadOrCreateWebhookSecret(settings.dataDir, settings.webhookSecret),
    events: settings.webhookEvents,
    retries: settings.webhookRetries,
  });
}
