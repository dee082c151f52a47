import type { FastifyInstance } from 'fastify';
import type { MailbeaconClient } from '../client/index.js';
import type { Logger } from '../logger.js';
import { errorBody } from '../api/errors.js';
import { loadOptional } from '../optional-package.js';

export const MCP_PATH = '/mcp';

export interface McpRouteDeps {
  /** A client of this listener's own API (its address is known once it listens). */
  /**
   * A client that sees what the request may: its `/inbox/NAME` (undefined on `/mcp`) and its own Basic credentials,
   * so MCP shows a closed inbox only to whoever could open it.
   */
  client: (asked: { inboxName: string | undefined; authorization: string | undefined }) => MailbeaconClient;
  write: boolean;
  version: string;
  logger: Logger;
}

/**
 * MCP's streamable HTTP transport at `/mcp`, stateless: each POST gets a fresh server, so nothing is kept between
 * requests. The listener's host and auth checks apply as to the API; a browser page of another origin is refused.
 */
export function registerMcpRoute(app: FastifyInstance, deps: McpRouteDeps): void {
  // The MCP SDK is loaded on the first request: a sandbox that never serves MCP does not pay for it at start.
  let loading: Promise<
    [typeof import('./server.js'), typeof import('@modelcontextprotocol/sdk/server/streamableHttp.js')]
  >;
  const load = () =>
    (loading ??= loadOptional('@modelcontextprotocol/sdk', 'MCP', () =>
      Promise.all([import('./server.js'), import('@modelcontextprotocol/sdk/server/streamableHttp.js')]),
    ));
  app.route({
    method: ['GET', 'POST', 'DELETE'],
    url: MCP_PATH,
    config: { summary: 'MCP streamable HTTP transport (stateless; POST JSON-RPC)' },
    handler: async (req, reply) => {
      const origin = req.headers.origin;
      if (origin !== undefined && safeHost(origin) !== req.headers.host) {
        return reply.code(403).send(errorBody('cross-origin MCP requests are refused'));
      }
      // Without sessions there is no stream to open (GET) or end (DELETE).
      if (req.method !== 'POST') {
        return reply
          .code(405)
          .header('Allow', 'POST')
          .send(errorBody('this MCP endpoint is stateless: POST JSON-RPC messages'));
      }
      const [{ createMcpServer }, { StreamableHTTPServerTransport }] = await load();
      const server = createMcpServer({
        client: deps.client({ inboxName: req.inboxName, authorization: req.headers.authorization }),
        write: deps.write,
        version: deps.version,
      });
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      reply.hijack();
      reply.raw.on('close', () => {
        void transport.close();
        void server.close();
      });
      try {
        await server.connect(transport);
        await transport.handleRequest(req.raw, reply.raw, req.body);
      } catch (err) {
        // The reply is ours now (hijacked): answer here, without the internal detail.
        deps.logger.error(`${(err as Error).stack ?? String(err)}`);
        if (!reply.raw.headersSent) {
          reply.raw.writeHead(500, { 'Content-Type': 'application/json' });
          reply.raw.end(
            JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal error' }, id: null }),
          );
        }
      }
    },
  });
}

function safeHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}
