import type { Hub } from '../../hub/hub.js';
import type { Logger } from '../../logger.js';
import { MailbeaconClient } from '../../client/index.js';
import { registerMcpRoute } from '../../mcp/http.js';
import type { RelayWorker } from '../../relay/index.js';
import type { Chaos } from '../../smtp/chaos.js';
import type { EventStore } from '../../store/events.js';
import type { Tracking } from '../../tracking/service.js';
import type { WebhookDispatcher } from '../../webhooks/index.js';
import { VERSION } from '../../version.js';
import type { RouteModule } from '../server.js';
import { registerAppRoutes, type AppRoutesDeps } from './app.js';
import { registerChaosRoutes } from './chaos.js';
import { registerCheckRoutes } from './checks.js';
import { registerHubRoutes } from './hub.js';
import { registerMessageRoutes } from './messages.js';
import { registerRelayRoutes } from './relay.js';
import { registerTagRoutes } from './tags.js';
import { registerTrackingRoutes } from './tracking.js';
import { registerViewRoutes } from './view.js';
import { registerWebhookRoutes } from './webhooks.js';

export interface SandboxRoutesDeps extends AppRoutesDeps {
  events: EventStore;
  tracking: Tracking;
  hub: Hub;
  relay: RelayWorker | null;
  webhooks: WebhookDispatcher | null;
  chaos: Chaos;
  /** http://host:port of this API, once it listens (the MCP route's client calls it). */
  httpUrl: () => string;
  logger: Logger;
}

/** Every route module of a sandbox's API, each given its slice of the services. */
export function sandboxRoutes(deps: SandboxRoutesDeps): RouteModule[] {
  const { settings, store, bus, tracking } = deps;
  return [
    (app) => registerAppRoutes(app, deps),
    (app) => registerMessageRoutes(app, { store, bus }),
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
    (app) =>
      registerMcpRoute(app, {
        client: () => new MailbeaconClient({ url: deps.httpUrl(), auth: settings.uiAuth }),
        write: settings.mcpWrite,
        version: VERSION,
        logger: deps.logger.child('mcp'),
      }),
    (app) => registerTagRoutes(app, { store, bus }),
    (app) => registerChaosRoutes(app, { chaos: deps.chaos }),
    (app) => registerViewRoutes(app, { store }),
    (app) =>
      registerCheckRoutes(app, {
        store,
        spamassassin: settings.spamassassin,
        trackingOrigins: () => [tracking.base(), tracking.address()].map((u) => u && new URL(u).origin),
      }),
  ];
}
