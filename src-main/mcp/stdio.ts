import { parseArgs } from 'node:util';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { MailbeaconClient } from '../client/index.js';
import { VERSION } from '../version.js';
import { createMcpServer } from './server.js';

export const MCP_HELP = `Usage: mailbeacon mcp [--http URL] [--ui-auth USER:PASS] [--mcp-write]

Speaks MCP over stdin/stdout for an MCP client (Claude Desktop, VS Code, …), acting on a running Mailbeacon
(mailbeacon serve or the desktop app).

  --http URL            the running Mailbeacon's UI + API address (default http://127.0.0.1:8025; MB_MCP_HTTP)
  --ui-auth USER:PASS   its --ui-auth credentials, if it has any (MB_UI_AUTH)
  --mcp-write           allow the tools that change state: delete, release, simulate, click (MB_MCP_WRITE=1)`;

const truthy = (v: string | undefined) => !!v && ['1', 'true', 'yes'].includes(v.toLowerCase());

/** `mailbeacon mcp`: an MCP server on stdio, in front of a running Mailbeacon's API. */
export async function mcp(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        http: { type: 'string' },
        'ui-auth': { type: 'string' },
        'mcp-write': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${MCP_HELP}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${MCP_HELP}\n`);
    return 0;
  }
  const raw = values.http ?? env.MB_MCP_HTTP ?? 'http://127.0.0.1:8025';
  const url = /^https?:\/\//i.test(raw) ? raw : `http://${raw}`;
  try {
    new URL(url);
  } catch {
    process.stderr.write(`[mcp] --http must be a URL like http://127.0.0.1:8025, not "${raw}"\n`);
    return 2;
  }
  const authText = values['ui-auth'] ?? env.MB_UI_AUTH;
  const colon = authText?.indexOf(':') ?? -1;
  if (authText !== undefined && colon < 1) {
    process.stderr.write('[mcp] --ui-auth must be USER:PASS\n');
    return 2;
  }
  const auth = authText ? { user: authText.slice(0, colon), pass: authText.slice(colon + 1) } : undefined;
  const write = values['mcp-write'] ?? truthy(env.MB_MCP_WRITE);
  const server = createMcpServer({ client: new MailbeaconClient({ url, auth }), write, version: VERSION });
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
  });
  await server.connect(transport);
  process.stderr.write(
    `[mcp] serving Mailbeacon at ${url} over stdio (${write ? 'read-write' : 'read-only'})\n`,
  );
  await closed;
  await server.close();
  return 0;
}
