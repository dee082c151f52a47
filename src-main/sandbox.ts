import type { ApiServer } from './api/server.js';
import { createApi, warnIfExposed } from './api/service.js';
import type { Settings } from './config/schema.js';
import { EventBus } from './events/bus.js';
import { createHub } from './hub/service.js';
import type { Ingest } from './ingest/ingest.js';
import { createIngest } from './ingest/service.js';
import { createInboxes } from './inboxes/service.js';
import { InboxSettingsView } from './inboxes/settings.js';
import { createLogger, systemClock, type Clock, type Logger } from './logger.js';
import { formatHostPort } from './net/listen.js';
import type { Pop3Login } from './pop3/login.js';
import { closeInReverse, recorder, type Closers } from './sandbox/closers.js';
import { createDelivery } from './sandbox/delivery.js';
import { openData } from './sandbox/data.js';
import { createMailListeners, type MailListeners } from './sandbox/mail-listeners.js';
import { mcpRoute } from './sandbox/mcp-route.js';
import { listenersOf, type SandboxAddresses, type SandboxOptions } from './sandbox/options.js';
import { Chaos } from './smtp/chaos.js';
import type { MessageStore } from './store/contract.js';
import type { SqliteDatabase } from './store/sqlite/database.js';
import type { Retention } from './store/retention.js';
import { createRetention, databasePath, type OpenStore } from './store/service.js';
import { createTracking } from './tracking/service.js';
import { spawner } from './workers/index.js';

export { DATABASE_FILE } from './store/service.js';
export { defaultUiDir } from './api/service.js';
export type { SandboxAddresses, SandboxOptions } from './sandbox/options.js';

const notStarted = (): never => {
  throw new Error('the sandbox is not started');
};

/**
 * The composition root: validates nothing itself (settings arrive checked), builds every service with what it needs,
 * starts them in order and stops them in reverse. Two Sandboxes can run side by side in one process.
 */
export class Sandbox {
  readonly settings: Settings;
  readonly bus = new EventBus();
  readonly logger: Logger;
  readonly clock: Clock;
  readonly #options: SandboxOptions;
  #lock?: { release(): void };
  #data?: OpenStore;
  #ingest?: Ingest;
  #retention?: Retention;
  #capture?: MailListeners;
  #addresses?: SandboxAddresses;
  #pop3Login?: Pop3Login;
  #inboxSettings?: InboxSettingsView;
  readonly #closers: Closers = [];
  #stopping?: Promise<void>;

  constructor(settings: Settings, options: SandboxOptions = {}) {
    this.settings = settings;
    this.#options = options;
    this.logger = options.logger ?? createLogger(settings.quiet ? 'warn' : 'info');
    this.clock = options.clock ?? systemClock;
  }

  get addresses(): SandboxAddresses {
    return this.#addresses ?? notStarted();
  }

  /** The login of the POP3 listener (`--pop3-auth` or generated), when it runs. */
  get pop3Login(): Pop3Login | undefined {
    return this.#pop3Login;
  }

  get store(): MessageStore {
    return this.#data?.messages ?? notStarted();
  }

  get ingest(): Ingest {
    return this.#ingest ?? notStarted();
  }

  /** Background pruning (`--max-age`); tests run a pass with `runOnce()`. */
  get retention(): Retention {
    return this.#retention ?? notStarted();
  }

  /** Every inbox's settings as the services read them. */
  get inboxSettings(): InboxSettingsView {
    return this.#inboxSettings ?? notStarted();
  }

  /** Every repository of the store, as the services were handed them. */
  get storage(): OpenStore {
    return this.#data ?? notStarted();
  }

  /** The SQLite handle, for tests that look at rows directly. */
  get db(): SqliteDatabase {
    return this.#data?.sqlite ?? notStarted();
  }

  async unreadCount(): Promise<number> {
    return (await this.#data?.messages.count())?.unread ?? 0;
  }

  get capturePaused(): boolean {
    return this.#capture?.smtp()?.paused ?? false;
  }

  setCapturePaused(paused: boolean): void {
    this.#capture?.smtp()?.setPaused(paused);
  }

  /** Opens the store and starts every listener; on any failure stops what was started and rethrows. */
  async start(): Promise<SandboxAddresses> {
    const { settings, logger, clock, bus } = this;
    const opened = recorder(this.#closers);
    try {
      const { nativeBinding, clock: clockGiven, trackingLimits: limits } = this.#options;
      const { lock, data } = openData(settings, { nativeBinding, logger });
      this.#lock = lock;
      this.#data = opened('db', data);
      const { messages: store, events, hubHistory, relayOutbox, webhookDeliveries } = data;
      const base = { bus, logger, clock };
      const { access: inboxAccess } = await createInboxes(settings, { inboxes: data.inboxes, clock });
      const inboxSettings = await InboxSettingsView.load(data.inboxes, bus);
      this.#inboxSettings = inboxSettings;
      const retentionDeps = { ...base, store, eventPruning: data.eventPruning, inboxes: inboxSettings };
      const retention = createRetention(settings, retentionDeps);
      this.#retention = retention.retention;
      const trackingDeps = { ...base, store, events, clockGiven: !!clockGiven, limits };
      const tracking = createTracking(settings, { ...trackingDeps, spawn: spawner('tracking-worker') });
      const ingestDeps = { ...base, store, checkpointer: data.checkpointer, spawn: spawner('ingest-worker') };
      const injecting = { trackingKeys: tracking.keys, trackingBase: tracking.base, inboxes: inboxSettings };
      const { ingest } = opened('ingest', createIngest(settings, { ...ingestDeps, ...injecting }));
      this.#ingest = ingest;
      const chaos = new Chaos(settings.enableChaos);
      const { relay, webhooks } = createDelivery(settings, {
        ...{ ...base, store, relayOutbox, webhookDeliveries, inboxSettings },
        ownListeners: () => listenersOf(this.#addresses),
      });
      let [httpUrl, startedAt] = ['', 0];
      // Closed after the hub it serves: the hub's streams end before the listener does.
      let api: ApiServer | undefined = undefined;
      opened('http', { close: () => api?.close() });
      const hubDeps = { ...base, history: hubHistory, publicUrl: () => httpUrl };
      const { hub } = opened('hub', createHub(settings, { ...hubDeps, inboxOf: (id) => store.inboxOf(id) }));
      if (webhooks) opened('webhooks', { close: () => webhooks.stop() });
      if (relay) opened('relay', { close: () => relay.stop() });
      opened('retention', retention);
      api = createApi({
        ...{ settings, store, ingest, events, tracking, hub, relay, webhooks, chaos },
        ...{ inboxes: data.inboxes, inboxAccess, inboxSettings },
        ...base,
        uiDir: this.#options.uiDir,
        limits: this.#options.httpLimits,
        databasePath: databasePath(settings.dataDir),
        startedAt: () => startedAt,
        smtpRejected: () => this.#capture?.smtp()?.rejected ?? 0,
        addresses: () => this.#addresses,
        pop3Login: () => this.#pop3Login,
        keyFingerprint: tracking.fingerprint,
        httpUrl: () => httpUrl,
        spawnChecks: spawner('checks-worker'),
        extraRoutes: [mcpRoute(settings, logger, () => httpUrl)],
      });
      const http = await api.listen(settings.http.host, settings.http.port);
      httpUrl = `http://${formatHostPort(http.host, http.port)}`;
      await opened('tracking', tracking).listen();
      const mailDeps = { ...base, ingest, store, chaos, inboxAccess, inboxes: data.inboxes };
      this.#capture = opened('smtp', createMailListeners(settings, mailDeps));
      const { pop3Login, ...mail } = await this.#capture.listen();
      this.#pop3Login = pop3Login;
      this.#addresses = {
        http: httpUrl,
        tracking: tracking.address(),
        trackingUrl: tracking.base(),
        ...mail,
      };
      // Webhooks first: the relay announces the entries it resumes, and those events should reach them.
      webhooks?.start();
      relay?.start();
      retention.start();
      startedAt = clock.now();
      warnIfExposed(settings, logger);
      return this.#addresses;
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** Stops listeners first (no new mail), waits for mails being stored, then closes the store. Idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      await closeInReverse(this.#closers, this.logger);
      this.#lock?.release();
      this.bus.removeAllListeners();
    })();
    return this.#stopping;
  }
}
