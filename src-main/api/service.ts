import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { HttpLimits } from '../net/http-limits.js';
import type { Settings } from '../config/schema.js';
import type { Hub } from '../hub/hub.js';
import type { Logger } from '../logger.js';
import type { RelayWorker } from '../relay/index.js';
import type { Chaos } from '../smtp/chaos.js';
import type { EventStore, InboxStore } from '../store/contract.js';
import type { InboxAccess } from '../inboxes/access.js';
import type { InboxSettingsView } from '../inboxes/settings.js';
import type { Tracking } from '../tracking/service.js';
import type { WebhookDispatcher } from '../webhooks/index.js';
import { ApiServer, type RouteModule } from './server.js';
import { registerAppRoutes, type AppRoutesDeps } from './routes/app.js';
import { countDeletions } from './routes/info.js';
import { registerChaosRoutes } from './routes/chaos.js';
import { registerCheckRoutes } from './routes/checks.js';
import { CheckRunner } from '../checks/runner.js';
import { GuardedFetch } from '../net/guarded-fetch.js';
import type { SpawnWorker } from '../threads/spawn.js';
import { registerHubRoutes } from './routes/hub.js';
import { registerMessageRoutes, resolveMessageId } from './routes/messages.js';
import { registerInboxRoutes } from './routes/inboxes.js';
import { defaultsToWire } from './routes/inbox-settings.js';
import { registerRelayRoutes } from './routes/relay.js';
import { registerTagRoutes } from './routes/tags.js';
import { registerTrackingRoutes } from './routes/tracking.js';
import { registerViewRoutes } from './routes/view.js';
import { registerWebhookRoutes } from './routes/webhooks.js';

export interface SandboxRoutesDeps extends AppRoutesDeps {
  events: EventStore;
  tracking: Tracking;
  hub: Hub;
  relay: RelayWorker | null;
  webhooks: WebhookDispatcher | null;
  chaos: Chaos;
  inboxes: InboxStore;
  inboxAccess: InboxAccess;
  /** Every inbox's settings, read and written by the inbox routes. */
  inboxSettings: InboxSettingsView;
  /** http://host:port of this API, once it listens. */
  httpUrl: () => string;
  logger: Logger;
  /** Starts a check worker (workers/checks.ts). */
  spawnChecks: SpawnWorker;
  /** Routes the sandbox builds from parts above the API (the MCP route). */
  extraRoutes?: RouteModule[];
}

/** Every route module of a sandbox's API, each given its slice of the services. */
export function sandboxRoutes(deps: SandboxRoutesDeps): RouteModule[] {
  const { settings, store, bus, tracking } = deps;
  return [
    (app) => registerAppRoutes(app, deps),
    (app) => registerMessageRoutes(app, { store, bus }),
    (app) =>
      registerInboxRoutes(app, {
        store,
        bus,
        inboxes: deps.inboxes,
        access: deps.inboxAccess,
        clock: deps.clock,
        settings: deps.inboxSettings,
        defaults: defaultsToWire(settings),
      }),
    (app) =>
      registerTrackingRoutes(app, {
        store,
        events: deps.events,
        codec: tracking.codec,
        trackingBase: tracking.base,
        marker: tracking.marker,
        simulator: tracking.simulator,
      }),
    (app) => registerHubRoutes(app, { hub: deps.hub }),
    (app) => registerRelayRoutes(app, { relay: deps.relay, store }),
    (app) => registerWebhookRoutes(app, { webhooks: deps.webhooks }),
    (app) => registerTagRoutes(app, { store, bus }),
    (app) => registerChaosRoutes(app, { chaos: deps.chaos }),
    (app) => registerViewRoutes(app, { store }),
    (app) => {
      const runner = new CheckRunner({ logger: deps.logger.child('checks'), spawn: deps.spawnChecks });
      app.addHook('onClose', () => runner.close());
      // Read per request: the Settings page switches it for this run.
      const internal = { allowed: settings.allowInternalHttpRequests };
      const own = () => {
        const a = deps.addresses();
        return [deps.httpUrl(), tracking.address(), a?.smtp, a?.pop3].filter((l): l is string => !!l);
      };
      registerCheckRoutes(app, {
        store,
        spamassassin: settings.spamassassin,
        trackingOrigins: () => [tracking.base(), tracking.address()],
        runner,
        fetch: new GuardedFetch({ allowInternal: () => internal.allowed, ownListeners: own }),
        internal,
      });
    },
    ...(deps.extraRoutes ?? []),
  ];
}

/** The built UI: `out/renderer` in the package root, found by walking up (works from src-main/ and any bundle chunk). */
export function defaultUiDir(from = import.meta.dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    // A checkout's root (lib/ has a package.json and src-main/ too, but no UI sources).
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src-renderer')))
      return join(dir, 'out', 'renderer');
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'out', 'renderer')))
      return join(dir, 'out', 'renderer');
    if (dirname(dir) === dir) return join(from, '..', 'renderer');
  }
}

/** Said once the sandbox is up, when its UI/API listener serves every caught mail to the network unguarded. */
export function warnIfExposed(settings: Settings, logger: Logger): void {
  const local = (host: string) => host === '127.0.0.1' || host === '::1' || host === 'localhost';
  if (!settings.uiAuth && !local(settings.http.host)) {
    logger.warn(
      `[http] listening on ${settings.http.host} without --ui-auth: anyone who can reach it can read every caught mail`,
    );
  }
}

/** The UI/API/hub listener of a sandbox with all its routes. */
export function createApi(
  given: Omit<SandboxRoutesDeps, 'deleted'> & { uiDir?: string; limits?: Partial<HttpLimits> },
): ApiServer {
  // Counted from now on: the info payload reports the mails deleted since the start.
  const deps = { ...given, deleted: countDeletions(given.bus) };
  const { settings, logger } = deps;
  return new ApiServer({
    logger: logger.child('http'),
    uiDir: deps.uiDir ?? defaultUiDir(),
    uiAuth: settings.uiAuth,
    inboxes: {
      access: deps.inboxAccess,
      exists: (name) => deps.inboxes.exists(name),
      inboxOf: (id) => deps.store.inboxOf(id),
      resolveLatest: (query, scope) => resolveMessageId(deps.store, 'latest', query, scope),
    },
    hub: deps.hub,
    publicUrl: deps.httpUrl,
    allowedHosts: settings.allowedHosts,
    limits: deps.limits,
    routes: sandboxRoutes(deps),
  });
}
