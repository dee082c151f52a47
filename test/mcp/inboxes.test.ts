// MCP over the HTTP listener sees what its caller may: no closed inbox's mail without its credentials, and one
// inbox alone under `/inbox/NAME/mcp`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { smtpTransport, startSandbox, type TestSandbox } from '../helpers/sandbox.js';

let t: TestSandbox;
const clients: Client[] = [];

beforeAll(async () => {
  t = await startSandbox({ inboxAuth: ['vault=vu:vp'] });
  const send = (subject: string, auth?: { user: string; pass: string }) =>
    smtpTransport(t, auth ? { auth } : {}).sendMail({
      from: 'a@x.test',
      to: 'b@y.test',
      subject,
      text: 'hi',
    });
  await send('Secret', { user: 'vu', pass: 'vp' });
  await send('Plain');
  await send('Shop', { user: 'shop', pass: 'any' });
}, 60_000);

afterAll(async () => {
  for (const c of clients) await c.close();
  await t?.stop();
});

interface ToolResult {
  content: { text?: string }[];
  isError?: boolean;
}

async function call(
  path: string,
  authorization: string | undefined,
  name: string,
  args: Record<string, unknown>,
): Promise<ToolResult> {
  const client = new Client({ name: 'test', version: '1.0.0' });
  clients.push(client);
  const headers: Record<string, string> = authorization ? { Authorization: authorization } : {};
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${t.http}${path}`), { requestInit: { headers } }),
  );
  return (await client.callTool({ name, arguments: args })) as ToolResult;
}

const text = (result: ToolResult) => result.content.map((c) => c.text ?? '').join('');

async function subjects(
  path: string,
  authorization?: string,
  args: Record<string, unknown> = {},
): Promise<string[]> {
  const result = await call(path, authorization, 'list_messages', args);
  expect(result.isError, text(result)).toBeFalsy();
  const body = JSON.parse(text(result)) as { messages: { Subject: string }[] };
  return body.messages.map((m) => m.Subject).sort();
}

describe('MCP and inboxes', () => {
  it('lists no closed inbox mail to an anonymous caller, and that inbox alone to its credentials', async () => {
    expect(await subjects('/mcp')).toEqual(['Plain', 'Shop']);
    const basic = `Basic ${Buffer.from('vu:vp').toString('base64')}`;
    expect(await subjects('/inbox/vault/mcp', basic)).toEqual(['Secret']);
    expect(await subjects('/mcp', basic)).toEqual(['Plain', 'Secret', 'Shop']);
  });

  it('scopes a tool to its inbox argument, with the caller’s own rights', async () => {
    const basic = `Basic ${Buffer.from('vu:vp').toString('base64')}`;
    expect(await subjects('/mcp', undefined, { inbox: 'shop' })).toEqual(['Shop']);
    expect(await subjects('/mcp', undefined, { inbox: 'default', query: 'hi' })).toEqual(['Plain']);
    expect(await subjects('/mcp', basic, { inbox: 'vault' })).toEqual(['Secret']);
    // A tool that reads one mail: `latest` is the newest of that inbox.
    const latest = await call('/mcp', undefined, 'read_message', { id: 'latest', inbox: 'shop' });
    expect((JSON.parse(text(latest)) as { Subject: string }).Subject).toBe('Shop');
    const events = await call('/mcp', undefined, 'list_events', { inbox: 'shop' });
    expect(JSON.parse(text(events))).toMatchObject({ total: 0 });
    // Under /inbox/NAME/mcp the tools reach that inbox alone.
    expect(await subjects('/inbox/vault/mcp', basic, { inbox: 'vault' })).toEqual(['Secret']);
  });

  it('answers a closed inbox it cannot open as it answers an inbox that does not exist', async () => {
    const unknown = await call('/mcp', undefined, 'list_messages', { inbox: 'nowhere' });
    const closed = await call('/mcp', undefined, 'list_messages', { inbox: 'vault' });
    expect(unknown.isError).toBe(true);
    expect(text(unknown)).toBe('inbox not found: nowhere');
    expect(closed.isError).toBe(true);
    expect(text(closed)).toBe('inbox not found: vault');
    const read = await call('/mcp', undefined, 'read_message', { id: 'latest', inbox: 'vault' });
    expect(text(read)).toBe('inbox not found: vault');
    // Another inbox's /inbox/NAME/mcp does not reach past its inbox, even to an open one.
    const basic = `Basic ${Buffer.from('vu:vp').toString('base64')}`;
    const across = await call('/inbox/vault/mcp', basic, 'list_messages', { inbox: 'shop' });
    expect(text(across)).toBe('inbox not found: shop');
    const bad = await call('/mcp', undefined, 'list_messages', { inbox: '../x' });
    expect(bad.isError).toBe(true);
  });
});
