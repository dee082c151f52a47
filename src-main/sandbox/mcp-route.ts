import type { RouteModule } from '../api/server.js';
import { MailbeaconClient } from '../client/index.js';
import type { Settings } from '../config/schema.js';
import { basicCredentials } from '../inboxes/access.js';
import type { Logger } from '../logger.js';
import { registerMcpRoute } from '../mcp/http.js';
import { VERSION } from '../version.js';

/**
 * `/mcp` on the API's listener: an MCP server that is a client of that same API, over HTTP, with the request's own
 * Basic credentials and under its `/inbox/NAME`, so it sees what its caller may.
 */
export function mcpRoute(settings: Settings, logger: Logger, httpUrl: () => string): RouteModule {
  return (app) =>
    registerMcpRoute(app, {
      client: (asked) =>
        new MailbeaconClient({
          url: `${httpUrl()}${asked.inboxName === undefined ? '' : `/inbox/${encodeURIComponent(asked.inboxName)}`}`,
          auth: basicCredentials(asked.authorization),
        }),
      write: settings.mcpWrite,
      version: VERSION,
      logger: logger.child('mcp'),
    });
}
