import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Database } from 'better-sqlite3';
import type { AppInformation } from './api/types.js';
import { ApiServer } from './api/server.js';
import { registerAppRoutes } from './api/routes/app.js';
import { registerMessageRoutes } from './api/routes/messages.js';
import { registerTrackingRoutes } from './api/routes/tracking.js';
import { registerHubRoutes } from './api/routes/hub.js';
import { registerRelayRoutes } from './api/routes/relay.js';
import { registerWebhookRoutes } from './api/routes/webhooks.js';
import { MailbeaconClient } from './client/index.js';
import { registerMcpRoute } from './mcp/http.js';
import { registerTagRoutes } from './api/routes/tags.js';
import { registerChaosRoutes } from './api/routes/chaos.js';
import { registerViewRoutes } from './api/routes/view.js';
import { tagger } from './ingest/tags.js';
import { Chaos } from './smtp/chaos.js';
import { Retention } from './store/retention.js';
import { registerCheckRoutes } from './api/routes/checks.js';
import { startPop3 } from './pop3/index.js';
import type { Pop3Server } from './pop3/server.js';
import { createRelay, type RelayWorker } from './relay/index.js';
import { createWebhooks, type WebhookDispatcher } from './webhooks/index.js';
import { AppPublisher } from './hub/app-publisher.js';
import { Hub } from './hub/hub.js';
import { loadOrCreateHubKeys } from './hub/keys.js';
import { EventStore } from './store/events.js';
import { HitRecorder } from './tracking/hits.js';
import { TrackingServer } from './tracking/server.js';
import { TrackingThread, defaultTrackingThread, type TrackingListener } from './tracking/thread.js';
import { codecFromSettings, trackingBaseUrl } from './tracking/setup.js';
import { SandboxMarker } from './tracking/sandbox-mark.js';
import { SimulateError, Simulator } from './tracking/simulate.js';
import type { SimulateProfile } from './tracking/profiles.js';

/** `--simulate inbox-journey` on every mail: a minute of the journey per second, so it is seen while testing. */
const AUTO_JOURNEY_COMPRESS = 60;
import type { Settings } from './config/schema.js';
import { EventBus } from './events/bus.js';
import { Ingest } from './ingest/ingest.js';
import { injectorFrom, type InjectorSettings } from './ingest/injector-settings.js';
import { PreparePool, defaultPrepareThreads } from './ingest/pool.js';
import type { MailToPrepare } from './ingest/prepare.js';
import { createLogger, systemClock, type Clock, type Logger } from './logger.js';
import { formatHostPort } from './net/listen.js';
import { isLoopbackUrl, type HostRules } from './net/host-check.js';
import type { HttpLimits } from './net/http-limits.js';
import { SmtpCatcher } from './smtp/catcher.js';
import { loadSmtpTls } from './smtp/tls.js';
import { CommitQueue } from './store/commit-queue.js';
import { WalCheckpointer } from './store/checkpointer.js';
import { openDatabase } from './store/database.js';
import { DataDirLock } from './store/data-dir-lock.js';
import { EventRetention } from './store/event-retention.js';
import { MessageStore } from './store/messages.js';
import { VERSION } from './version.js';

export interface SandboxOptions {
  logger?: Logger;
  clock?: Clock;
  /** better_sqlite3.node built for Electron's ABI, when running inside Electron. */
  nativeBinding?: string;
  /** The built renderer; defaults to out/renderer beside the package. */
  uiDir?: string;
  /** Timeouts and connection cap of the UI/API/hub listener (src-main/net/http-limits.ts); tests shorten them. */
  httpLimits?: Partial<HttpLimits>;
  /** The same for the tracking listener, on whichever thread it runs. */
  trackingLimits?: Partial<HttpLimits>;
}

export interface SandboxAddresses {
  /** host:port */
  smtp: string;
  /** http://host:port */
  http: string;
  /** http://host:port of the tracking listener (links use `trackingUrl`, which may differ) */
  tracking: string;
  /** The public base of tracking links. */
  trackingUrl: string;
  /** host:port of the POP3 listener, when enabled (--pop3). */
  pop3?: string;
}

export const DATABASE_FILE = 'mailbeacon.db';

/** The built UI: `out/renderer` in the package root, found by walking up (works from src-main/ and any bundle chunk). */
export function defaultUiDir(from = import.meta.dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src-main')))
      return join(dir, 'out', 'renderer');
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'out', 'renderer')))
      return join(dir, 'out', 'renderer');
    if (dirname(dir) === dir) return join(from, '..', 'renderer');
  }
}

const urlOf = (host: string, port: number) => `http://${formatHostPort(host, port)}`;

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
  #db?: Database;
  #commits?: CommitQueue;
  #store?: MessageStore;
  #ingest?: Ingest;
  #pool?: PreparePool;
  #smtp?: SmtpCatcher;
  #pop3?: Pop3Server;
  #api?: ApiServer;
  #hub?: Hub;
  #publisher?: AppPublisher;
  #tracking?: TrackingListener;
  #recorder?: HitRecorder;
  #simulator?: Simulator;
  #relay?: RelayWorker | null;
  #webhooks?: WebhookDispatcher | null;
  #checkpointer?: WalCheckpointer;
  #retention?: Retention;
  #lock?: DataDirLock;
  #eventRetention?: EventRetention;
  #keyFingerprint = '';
  #addresses?: SandboxAddresses;
  #startedAt = 0;
  #deleted = 0;
  #stopping?: Promise<void>;

  constructor(settings: Settings, options: SandboxOptions = {}) {
    this.settings = settings;
    this.#options = options;
    this.logger = options.logger ?? createLogger(settings.quiet ? 'warn' : 'info');
    this.clock = options.clock ?? systemClock;
  }

  get addresses(): SandboxAddresses {
    if (!this.#addresses) throw new Error('the sandbox is not started');
    return this.#addresses;
  }

  get store(): MessageStore {
    if (!this.#store) throw new Error('the sandbox is not started');
    return this.#store;
  }

  get ingest(): Ingest {
    if (!this.#ingest) throw new Error('the sandbox is not started');
    return this.#ingest;
  }

  /** Background pruning (`--max-age`); tests run a pass with `runOnce()`. */
  get retention(): Retention {
    if (!this.#retention) throw new Error('the sandbox is not started');
    return this.#retention;
  }

  get db(): Database {
    if (!this.#db) throw new Error('the sandbox is not started');
    return this.#db;
  }

  unreadCount(): number {
    return this.#store?.count().unread ?? 0;
  }

  get capturePaused(): boolean {
    return this.#smtp?.paused ?? false;
  }

  setCapturePaused(paused: boolean): void {
    this.#smtp?.setPaused(paused);
  }

  /** Opens the store and starts every listener; on any failure stops what was started and rethrows. */
  async start(): Promise<SandboxAddresses> {
    const { settings, logger, clock, bus } = this;
    try {
      const dbPath = settings.dataDir === ':memory:' ? ':memory:' : join(settings.dataDir, DATABASE_FILE);
      // Before anything is opened: a second process on the same data would relay and announce the same mail twice.
      if (settings.dataDir !== ':memory:') this.#lock = DataDirLock.acquire(settings.dataDir);
      this.#db = openDatabase({
        path: dbPath,
        nativeBinding: this.#options.nativeBinding,
        warn: (message) => logger.warn(message),
      });
      const commits = (this.#commits = new CommitQueue(this.#db));
      // The index reads a mail stored without its entry through ingest's reader, imported when first needed.
      const readText = async (raw: Buffer) => (await import('./ingest/parse.js')).readSearchText(raw);
      const store = (this.#store = new MessageStore(this.#db, { commits, readText }));
      const checkpointer = (this.#checkpointer = new WalCheckpointer(this.#db, logger.child('db'), {
        path: dbPath,
        nativeBinding: this.#options.nativeBinding,
        indexOn: (port) => store.indexOn(port),
      }));
      bus.on('message.deleted', (ids) => {
        if (ids !== 'all') this.#deleted += ids.length;
      });

      const events = new EventStore(this.#db, commits);
      const retention = (this.#eventRetention = new EventRetention({
        db: this.#db,
        maxEvents: settings.maxEvents,
        logger: logger.child('db'),
      }));
      retention.start();
      bus.on('tracking.event', () => retention.recorded());
      const { codec, keys, fingerprint } = codecFromSettings(settings);
      this.#keyFingerprint = fingerprint;
      let trackingBase = '';
      let trackingListener = '';
      let httpUrl = '';
      // Marks Mailbeacon's own hits (preview, simulations); its key lives in this process only (see SandboxMarker).
      const marker = new SandboxMarker();
      const simulator = (this.#simulator = new Simulator({
        resolveId: (id) => {
          const resolved = store.resolveId(id);
          return resolved !== undefined && store.createdAt(resolved) !== undefined ? resolved : undefined;
        },
        manifest: (id) => store.manifestJson(id),
        marker,
        listener: () => trackingListener,
        logger: logger.child('simulate'),
        clock,
      }));

      const injection: InjectorSettings = {
        enabled: !settings.noTrack,
        trackText: settings.trackText,
        rules: settings.trackingRules,
        tokenMode: settings.tokenMode,
        keys,
      };
      const injector = injectorFrom(injection, () => trackingBase);
      // Imported on the first mail prepared on this thread: with workers, the parser's modules stay out of the main
      // thread's heap.
      let preparing: Promise<typeof import('./ingest/prepare.js')> | undefined;
      const inline = async (mail: MailToPrepare) =>
        (await (preparing ??= import('./ingest/prepare.js'))).prepareMail(mail, injector);
      const pool = (this.#pool = new PreparePool({
        size: settings.ingestThreads ?? defaultPrepareThreads(),
        // An explicit --ingest-threads 0 keeps every mail on the main thread; by default large ones get a worker.
        largeMailBytes: settings.ingestThreads === 0 ? Infinity : undefined,
        data: { tracking: injection },
        trackingBase: () => trackingBase,
        inline,
        checkpoint: checkpointer.possible ? () => checkpointer.handOff() : undefined,
        onCheckpointsLost: () => checkpointer.start(),
        logger: logger.child('ingest'),
      }));
      if (pool.checkpoints) checkpointer.delegated();
      else checkpointer.start();
      const ingest = (this.#ingest = new Ingest({
        store,
        bus,
        clock,
        maxMessages: settings.maxMessages,
        prepare: (mail) => pool.prepare(mail),
        tags: tagger({
          rules: settings.tag,
          plusAddresses: settings.tagsPlusAddresses,
          username: settings.tagsUsername,
        }),
      }));
      this.#retention = new Retention({
        store,
        bus,
        clock,
        logger: logger.child('db'),
        maxAgeMs: settings.maxAge,
      });
      const chaos = new Chaos(settings.enableChaos);

      // The relay's outbox row is written in the same transaction as each mail it should forward.
      const relay = (this.#relay = createRelay(settings, {
        db: this.#db,
        store,
        bus,
        logger: logger.child('relay'),
        clock,
      }));
      relay?.attach(ingest);
      const webhooks = (this.#webhooks = createWebhooks(settings, {
        db: this.#db,
        bus,
        logger: logger.child('webhooks'),
        clock,
      }));

      const hubKeys = loadOrCreateHubKeys(settings.dataDir, settings);
      const hub = (this.#hub = new Hub({
        db: { db: this.#db, commits },
        ...hubKeys,
        anonymous: settings.hubAnonymous,
        corsOrigins: settings.hubCorsOrigins,
        heartbeatMs: settings.hubHeartbeat * 1000,
        historySize: settings.hubHistory,
        logger: logger.child('hub'),
        clock,
        publicUrl: () => httpUrl,
      }));
      this.#publisher = new AppPublisher({ bus, hub });
      this.#publisher.start();

      this.#api = new ApiServer({
        logger: logger.child('http'),
        uiDir: this.#options.uiDir ?? defaultUiDir(),
        uiAuth: settings.uiAuth,
        hub,
        publicUrl: () => httpUrl,
        allowedHosts: settings.allowedHosts,
        limits: this.#options.httpLimits,
        routes: [
          (app) =>
            registerAppRoutes(app, {
              store,
              ingest,
              bus,
              info: () => this.#info(),
              webui: () => this.#webui(),
              settings: () => this.#maskedSettings(),
            }),
          (app) => registerMessageRoutes(app, { store, bus }),
          (app) =>
            registerTrackingRoutes(app, {
              store,
              events,
              codec,
              trackingBase: () => trackingBase,
              marker,
              simulator,
            }),
          (app) => registerHubRoutes(app, { hub }),
          (app) => registerRelayRoutes(app, { relay, store }),
          (app) => registerWebhookRoutes(app, { webhooks }),
          (app) =>
            registerMcpRoute(app, {
              client: () => new MailbeaconClient({ url: httpUrl, auth: settings.uiAuth }),
              write: settings.mcpWrite,
              version: VERSION,
              logger: logger.child('mcp'),
            }),
          (app) => registerTagRoutes(app, { store, bus }),
          (app) => registerChaosRoutes(app, { chaos }),
          (app) => registerViewRoutes(app, { store }),
          (app) =>
            registerCheckRoutes(app, {
              store,
              spamassassin: settings.spamassassin,
              trackingOrigins: () =>
                [trackingBase, this.#addresses?.tracking ?? ''].map((u) => u && new URL(u).origin),
            }),
        ],
      });
      const http = await this.#api.listen(settings.http.host, settings.http.port);
      httpUrl = urlOf(http.host, http.port);

      const trackingLog = logger.child('tracking');
      const recorder = (this.#recorder = new HitRecorder({
        events,
        bus,
        logger: trackingLog,
        deliveredAt: (id) => store.createdAt(id),
      }));
      // Links in mail reach a public tracking URL under any name; a loopback one answers only names of ours.
      const hostRules: HostRules = {
        allowedHosts: settings.allowedHosts,
        publicUrls: settings.trackingUrl ? [settings.trackingUrl] : [],
        anyHost: settings.trackingUrl !== undefined && !isLoopbackUrl(settings.trackingUrl),
      };
      const trackingHere = () =>
        new TrackingServer({
          codec,
          sink: recorder,
          logger: trackingLog,
          clock,
          allowHosts: settings.redirectAllow,
          sandboxKey: marker.key,
          trustedProxies: settings.trustedProxies,
          hostRules,
          limits: this.#options.trackingLimits,
        });
      // A clock given to the sandbox (tests drive time with one) cannot reach another thread.
      this.#tracking =
        (settings.trackingThread ?? defaultTrackingThread()) && !this.#options.clock
          ? new TrackingThread({
              mode: settings.tokenMode,
              keys,
              allowHosts: settings.redirectAllow,
              sandboxKey: marker.key,
              trustedProxies: settings.trustedProxies,
              hostRules,
              limits: this.#options.trackingLimits,
              sink: recorder,
              logger: trackingLog,
              inline: trackingHere,
            })
          : trackingHere();
      const tracking = await this.#tracking.listen(settings.tracking.host, settings.tracking.port);
      trackingBase = trackingBaseUrl(settings.trackingUrl, tracking.host, tracking.port);
      trackingListener = trackingBaseUrl(undefined, tracking.host, tracking.port);
      if (settings.simulate.length > 0) this.#simulateEvery(simulator, settings.simulate);

      const tls = await loadSmtpTls({
        dataDir: settings.dataDir,
        certFile: settings.smtpTlsCert,
        keyFile: settings.smtpTlsKey,
      });
      this.#smtp = new SmtpCatcher({
        accept: (mail) => ingest.accept(mail),
        logger: logger.child('smtp'),
        maxMessageSize: settings.maxMessageSize,
        maxRecipients: settings.maxRecipients,
        maxConnections: settings.maxConnections,
        commandTimeoutMs: settings.smtpCommandTimeout,
        dataTimeoutMs: settings.smtpDataTimeout,
        auth: settings.smtpAuth,
        tls,
        chaos,
      });
      const smtp = await this.#smtp.listen(settings.smtp.host, settings.smtp.port);
      const pop3 =
        settings.pop3 && (await startPop3(settings, { store, bus, tls, logger: logger.child('pop3') }));
      if (pop3) this.#pop3 = pop3.server;

      this.#addresses = {
        smtp: formatHostPort(smtp.host, smtp.port),
        http: httpUrl,
        tracking: urlOf(tracking.host, tracking.port),
        trackingUrl: trackingBase,
        ...(pop3 && { pop3: pop3.address }),
      };
      // Webhooks first: the relay announces the entries it resumes, and those events should reach them.
      webhooks?.start();
      relay?.start();
      this.#retention.start();
      this.#startedAt = clock.now();
      this.#warnIfExposed();
      return this.#addresses;
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** Stops listeners first (no new mail), waits for mails being stored, then closes the store. Idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      const errors: unknown[] = [];
      const attempt = async (what: string, fn: () => Promise<void> | void) => {
        try {
          await fn();
        } catch (err) {
          errors.push(err);
          this.logger.error(`stopping ${what}: ${(err as Error).message}`);
        }
      };
      await attempt('smtp', () => this.#smtp?.close());
      this.#simulator?.close();
      await attempt('pop3', () => this.#pop3?.close());
      await attempt('tracking', async () => {
        await this.#tracking?.close();
        this.#recorder?.flush(); // the last hits, stored and announced while the hub still listens
      });
      await attempt('retention', () => this.#retention?.stop());
      await attempt('relay', () => this.#relay?.stop());
      await attempt('webhooks', () => this.#webhooks?.stop());
      this.#publisher?.stop();
      await attempt('hub', () => this.#hub?.close());
      await attempt('http', () => this.#api?.close());
      await attempt('ingest', () => this.#pool?.close());
      this.#eventRetention?.stop();
      await attempt('checkpoints', () => this.#checkpointer?.stop());
      await attempt('db', () => {
        if (!this.#db) return;
        this.#commits?.flush(); // what the last turn queued (hub history) before the store goes
        this.#db.close();
      });
      this.#lock?.release();
      this.bus.removeAllListeners();
    })();
    return this.#stopping;
  }

  /** `--simulate`: the profiles run on every caught mail that has tracking; journeys a minute per second. */
  #simulateEvery(simulator: Simulator, profiles: Settings['simulate']): void {
    const log = this.logger.child('simulate');
    this.bus.on('message.created', (message) => {
      void (async () => {
        for (const profile of profiles) {
          try {
            await simulator.simulate(message.ID, {
              profile: profile as SimulateProfile,
              compress: AUTO_JOURNEY_COMPRESS,
            });
          } catch (err) {
            // A mail caught without tracking has nothing to simulate; anything else is worth a line.
            if (!(err instanceof SimulateError && err.status === 409))
              log.warn(`${profile} on ${message.ID}: ${(err as Error).message}`);
          }
        }
      })();
    });
  }

  #warnIfExposed(): void {
    const { settings, logger } = this;
    const local = (host: string) => host === '127.0.0.1' || host === '::1' || host === 'localhost';
    if (!settings.uiAuth && !local(settings.http.host)) {
      logger.warn(
        `[http] listening on ${settings.http.host} without --ui-auth: anyone who can reach it can read every caught mail`,
      );
    }
  }

  #info(): AppInformation {
    const { total, unread } = this.store.count();
    const stats = this.#ingest!.stats;
    let size = 0;
    if (this.settings.dataDir !== ':memory:') {
      try {
        size = statSync(join(this.settings.dataDir, DATABASE_FILE)).size;
      } catch {
        size = 0;
      }
    }
    return {
      Version: VERSION,
      LatestVersion: VERSION,
      Database:
        this.settings.dataDir === ':memory:' ? ':memory:' : join(this.settings.dataDir, DATABASE_FILE),
      DatabaseSize: size,
      Messages: total,
      Unread: unread,
      Tags: this.store.tagCounts(),
      RuntimeStats: {
        Uptime: Math.round((this.clock.now() - this.#startedAt) / 1000),
        Memory: process.memoryUsage().rss,
        MessagesDeleted: this.#deleted,
        SMTPAccepted: stats.accepted,
        SMTPAcceptedSize: stats.acceptedBytes,
        SMTPRejected: this.#smtp?.rejected ?? 0,
        SMTPIgnored: 0,
      },
      Listeners: { smtp: this.addresses.smtp, http: this.addresses.http, tracking: this.addresses.tracking },
      TrackingURL: this.addresses.trackingUrl,
      KeyFingerprint: this.#keyFingerprint,
    };
  }

  #webui(): Record<string, unknown> {
    const s = this.settings;
    return {
      Label: '',
      MessageRelay: {
        Enabled: !!s.relay,
        SMTPServer: s.relay ? new URL(s.relay).host : '',
        AllowedRecipients: s.relayAllow?.source ?? '',
        BlockedRecipients: s.relayBlock?.source ?? '',
        OverrideFrom: s.relayFrom ?? '',
        ReturnPath: '',
        PreserveMessageIDs: true,
      },
      SpamAssassin: !!s.spamassassin,
      ChaosEnabled: this.settings.enableChaos,
      DuplicatesIgnored: false,
      HideDeleteAllButton: false,
    };
  }

  #maskedSettings(): Record<string, unknown> {
    const secret = /auth|key|secret/i;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(this.settings)) {
      if (value === undefined) continue;
      if (secret.test(key) && !/^hubAnonymous$/.test(key))
        out[key] = Array.isArray(value) ? value.map(() => '••••') : '••••';
      else if (value instanceof RegExp) out[key] = value.source;
      else if (key === 'relay' && typeof value === 'string')
        out[key] = value.replace(/\/\/[^@/]*@/, '//••••@');
      else if (Array.isArray(value) && value.some((v) => typeof v === 'object'))
        out[key] = JSON.parse(
          JSON.stringify(value, (_k, v: unknown) => (v instanceof RegExp ? v.source : v)),
        );
      else out[key] = value;
    }
    out.addresses = this.#addresses;
    return out;
  }
}
