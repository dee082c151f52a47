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
}, 60_000);

afterAll(async () => {
  for (const c of clients) await c.close();
  await t?.stop();
});

async function subjects(path: string, authorization?: string): Promise<string[]> {
  const client = new Client({ name: 'test', version: '1.0.0' });
  clients.push(client);
  const headers: Record<string, string> = authorization ? { Authorization: authorization } : {};
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${t.http}${path}`), { requestInit: { headers } }),
  );
  const result = (await client.callTool({ name: 'list_messages', arguments: {} })) as {
    content: { text?: string }[];
  };
  const body = JSON.parse(result.content.map((c) => c.text ?? '').join('')) as {
    messages: { Subject: string }[];
  };
  return body.messages.map((m) => m.Subject).sort();
}

describe('MCP and inboxes', () => {
  it('lists no closed inbox mail to an anonymous caller, and that inbox alone to its credentials', async () => {
    expect(await subjects('/mcp')).toEqual(['Plain']);
    const basic = `Basic ${Buffer.from('vu:vp').toString('base64')}`;
    expect(await subjects('/inbox/vault/mcp', basic)).toEqual(['Secret']);
    expect(await subjects('/mcp', basic)).toEqual(['Plain', 'Secret']);
  });
});
