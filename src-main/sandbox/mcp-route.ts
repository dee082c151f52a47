import type { RouteModule } from '../api/server.js';
import { MailbeaconClient } from '../client/index.js';
import type { Settings } from '../config/schema.js';
import type { Logger } from '../logger.js';
import { registerMcpRoute } from '../mcp/http.js';
import { VERSION } from '../version.js';

/** `/mcp` on the API's listener: an MCP server that is a client of that same API, over HTTP. */
export function mcpRoute(settings: Settings, logger: Logger, httpUrl: () => string): RouteModule {
  return (app) =>
    registerMcpRoute(app, {
      client: () => new MailbeaconClient({ url: httpUrl(), auth: settings.uiAuth }),
      write: settings.mcpWrite,
      version: VERSION,
      logger: logger.child('mcp'),
    });
}
