import type { Settings } from '../config/schema.js';
import type { EventBus } from '../events/bus.js';
import type { Clock, Logger } from '../logger.js';
import type { InboxSettingsSource } from '../model/inbox-settings.js';
import type { MessageStore, RelayOutbox } from '../store/contract.js';
import type { Upstream, UpstreamOptions } from './upstream.js';
import { RelayWorker, type RelayConfig } from './worker.js';

export { RelayRequestError, RelayWorker, RELAY_ID_HEADER, RELEASE_WAIT_MS, TRACK_HEADER } from './worker.js';
export type { RelayConfig, RelayWorkerOptions, ReleaseResult } from './worker.js';
export type { RelayConfigView } from '../wire/types.js';

export type RelaySettings = Pick<
  Settings,
  | 'relay'
  | 'relayAll'
  | 'relayMatching'
  | 'relayAllow'
  | 'relayBlock'
  | 'relayTo'
  | 'relayFrom'
  | 'relayOriginal'
  | 'relayRetries'
  | 'relayTlsInsecure'
  | 'relayDkimDomain'
  | 'relayDkimSelector'
  | 'relayDkimKey'
>;

/** The relay's part of the settings, checked for combinations the schema cannot see. */
export function relayConfig(settings: RelaySettings): RelayConfig | null {
  if (!settings.relay) return null;
  const dkimParts = [settings.relayDkimDomain, settings.relayDkimSelector, settings.relayDkimKey];
  if (dkimParts.some(Boolean) && !dkimParts.every(Boolean)) {
    throw new Error(
      '[relay] DKIM re-signing needs all of --relay-dkim-domain, --relay-dkim-selector and --relay-dkim-key',
    );
  }
  return {
    url: settings.relay,
    tlsInsecure: settings.relayTlsInsecure,
    rules: {
      all: settings.relayAll,
      matching: settings.relayMatching,
      allow: settings.relayAllow,
      block: settings.relayBlock,
      to: settings.relayTo,
    },
    from: settings.relayFrom,
    original: settings.relayOriginal,
    retries: settings.relayRetries,
    dkim: settings.relayDkimDomain
      ? {
          domain: settings.relayDkimDomain,
          selector: settings.relayDkimSelector!,
          keyFile: settings.relayDkimKey!,
        }
      : undefined,
  };
}

/** Builds the relay worker when `--relay` is set, or returns null (nothing is ever relayed without it). */
export function createRelay(
  settings: RelaySettings,
  deps: {
    outbox: RelayOutbox;
    store: MessageStore;
    bus: EventBus;
    logger: Logger;
    clock: Clock;
    upstream?: (options: UpstreamOptions) => Upstream;
    inboxSettings?: InboxSettingsSource;
  },
): RelayWorker | null {
  const config = relayConfig(settings);
  return config && new RelayWorker({ ...deps, config });
}
