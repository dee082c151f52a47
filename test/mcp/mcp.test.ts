import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startSandbox, type RunningSandbox } from '../../src-main/testing/index.js';
import { WRITE_REFUSED } from '../../src-main/mcp/server.js';
import type { TrackingSummary } from '../../src-main/wire/types.js';

const ROOT = join(import.meta.dirname, '..', '..');
const TOOLS = [
  'click_link',
  'delete_messages',
  'list_events',
  'list_messages',
  'read_message',
  'release_message',
  'simulate_recipient',
  'tracking_summary',
  'wait_for_event',
  'wait_for_mail',
];

type ToolResult = { content: { type: string; text?: string }[]; isError?: boolean };

async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = (await client.callTool({ name, arguments: args })) as ToolResult;
  const text = result.content.map((c) => c.text ?? '').join('');
  return { text, isError: !!result.isError, json: () => JSON.parse(text) as Record<string, unknown> };
}

async function send(mb: RunningSandbox, to: string, subject: string) {
  const transport = nodemailer.createTransport({ host: mb.smtp.host, port: mb.smtp.port });
  await transport.sendMail({
    from: 'app@example.com',
    to,
    subject,
    text: 'Plain body',
    html: '<html><body><p>Hi</p><a href="https://example.com/start">Get started</a></body></html>',
    attachments: [{ filename: 'notes.txt', content: 'some notes' }],
  });
  transport.close();
}

async function stdioClient(mb: RunningSandbox, ...flags: string[]) {
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [join(ROOT, 'bin', 'mailbeacon.js'), 'mcp', '--http', mb.http, ...flags],
      cwd: ROOT,
      stderr: 'pipe',
    }),
  );
  return client;
}

async function httpClient(mb: RunningSandbox) {
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${mb.http}/mcp`)));
  return client;
}

describe('mailbeacon mcp over stdio, read-only by default', () => {
  let mb: RunningSandbox;
  let client: Client;
  let id: string;
  beforeAll(async () => {
    mb = await startSandbox();
    await send(mb, 'reader@example.com', 'Welcome to the app');
    id = (await mb.client.waitForMail({ to: 'reader@example.com' })).ID;
    client = await stdioClient(mb);
  }, 30_000);
  afterAll(async () => {
    await client?.close();
    await mb?.stop();
  });

  it('lists every tool, each with a description and an input schema', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(TOOLS);
    for (const tool of tools) {
      expect(tool.description!.length).toBeGreaterThan(40);
      expect(tool.inputSchema.type).toBe('object');
    }
    expect(tools.find((t) => t.name === 'delete_messages')!.description).toContain('--mcp-write');
  });

  it('lists, searches, reads and waits', async () => {
    const list = (await call(client, 'list_messages')).json();
    expect((list.messages as { ID: string }[]).map((m) => m.ID)).toEqual([id]);
    const none = (await call(client, 'list_messages', { query: 'subject:nothinglikethis' })).json();
    expect(none.messages).toEqual([]);
    const read = (
      await call(client, 'read_message', {
        id,
        include: ['text', 'html', 'headers', 'attachments', 'tracking', 'checks'],
      })
    ).json();
    expect(read.Subject).toBe('Welcome to the app');
    expect(read.Text).toContain('Plain body');
    expect(read.HTML).toContain('Get started');
    expect((read.Headers as Record<string, string[]>).Subject).toEqual(['Welcome to the app']);
    expect(read.Attachments).toEqual([expect.objectContaining({ FileName: 'notes.txt' })]);
    expect((read.TrackingManifest as { links: unknown[] }).links).toHaveLength(1);
    expect(read.Checks).toBeDefined();
    const waited = (await call(client, 'wait_for_mail', { to: 'reader@example.com', timeout: 5 })).json();
    expect(waited.ID).toBe(id);
    const late = await call(client, 'wait_for_mail', { to: 'nobody@example.com', timeout: 0.3 });
    expect(late.isError).toBe(true);
    expect(late.text).toContain('nobody@example.com');
    await mb.client.click(id, { index: 1 });
    const event = (await call(client, 'wait_for_event', { message: id, kind: 'click', timeout: 5 })).json();
    expect(event.url).toBe('https://example.com/start');
    // The tool clicks in a recipient's place: a simulated person's click, counted like the Events page counts it.
    expect([event.source, event.classification]).toEqual(['simulated', 'human']);
    const rates = (await call(client, 'tracking_summary', {})).json() as unknown as TrackingSummary;
    expect(rates.clicked).toBeGreaterThanOrEqual(1);
    expect(rates.bySource.simulated.clicked).toBe(rates.clicked);
    expect((await call(client, 'tracking_summary', { simulated: false })).json().clicked).toBe(0);
    const events = (await call(client, 'list_events', { message: id })).json();
    expect((events.events as unknown[]).length).toBe(1);
    const all = (
      await call(client, 'list_events', { kind: 'click', classification: event.classification })
    ).json();
    expect(all.total).toBe(1);
    const other = event.classification === 'human' ? 'proxy' : 'human';
    const noneOfThem = (await call(client, 'list_events', { message: id, classification: other })).json();
    expect(noneOfThem.events).toEqual([]);
    const missing = await call(client, 'read_message', { id: 'no-such-mail' });
    expect(missing.isError).toBe(true);
    expect(missing.text).toContain('404');
  });

  it('refuses the tools that change state, and says how to allow them', async () => {
    for (const [name, args] of [
      ['delete_messages', { all: true }],
      ['release_message', { id, to: ['a@example.org'] }],
      ['simulate_recipient', { id, profile: 'human-open' }],
      ['click_link', { id, index: 1 }],
    ] as const) {
      const result = await call(client, name, args);
      expect(result.isError, name).toBe(true);
      expect(result.text).toBe(WRITE_REFUSED);
    }
    expect((await mb.client.list()).messages).toHaveLength(1);
    expect((await mb.client.events({ message: id })).total).toBe(1);
  });

  it('offers mails as resources', async () => {
    const { resources } = await client.listResources();
    expect(resources).toEqual([
      expect.objectContaining({ uri: `mailbeacon://message/${id}`, name: 'Welcome to the app' }),
    ]);
    const { contents } = await client.readResource({ uri: `mailbeacon://message/${id}` });
    expect(JSON.parse((contents[0] as { text: string }).text).Subject).toBe('Welcome to the app');
  });
});

describe('/mcp on the HTTP listener, with --mcp-write', () => {
  let mb: RunningSandbox;
  let client: Client;
  beforeAll(async () => {
    mb = await startSandbox({ flags: { mcpWrite: true } });
    client = await httpClient(mb);
  });
  afterAll(async () => {
    await client?.close();
    await mb?.stop();
  });

  it('serves the same tools and lets them change state', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(TOOLS);
    // The Settings page lists the effective settings from this route.
    const settings = (await (await fetch(`${mb.http}/api/v1/settings`)).json()) as Record<string, unknown>;
    expect(settings.mcpWrite).toBe(true);
    await send(mb, 'writer@example.com', 'Changes allowed');
    const mail = (await call(client, 'wait_for_mail', { subject: 'Changes allowed', timeout: 10 })).json();
    const id = String(mail.ID);
    const clicked = await call(client, 'click_link', { id, text: 'get started' });
    expect(clicked.json().location).toBe('https://example.com/start');
    const event = (await call(client, 'wait_for_event', { message: id, kind: 'click', timeout: 5 })).json();
    expect(event.url).toBe('https://example.com/start');
    // The tool clicks in a recipient's place: a simulated person's click, counted like the Events page counts it.
    expect([event.source, event.classification]).toEqual(['simulated', 'human']);
    const rates = (await call(client, 'tracking_summary', {})).json() as unknown as TrackingSummary;
    expect(rates.clicked).toBeGreaterThanOrEqual(1);
    expect(rates.bySource.simulated.clicked).toBe(rates.clicked);
    expect((await call(client, 'tracking_summary', { simulated: false })).json().clicked).toBe(0);
    // No --relay here: the tool reaches the route and reports the server's reason.
    const release = await call(client, 'release_message', { id, to: ['a@example.org'] });
    expect(release.isError).toBe(true);
    expect(release.text).toContain('no relay is configured');
    const noChoice = await call(client, 'delete_messages', {});
    expect(noChoice.isError).toBe(true);
    expect((await call(client, 'delete_messages', { ids: [id] })).isError).toBe(false);
    expect((await mb.client.list()).total).toBe(0);
  });

  it('simulates a recipient', async () => {
    await send(mb, 'sim@example.com', 'Simulate me');
    const { ID } = await mb.client.waitForMail({ to: 'sim@example.com' });
    const result = await call(client, 'simulate_recipient', { id: ID, profile: 'human-open' });
    expect(result.isError, result.text).toBe(false);
    expect(result.json().profile).toBe('human-open');
  });

  it('refuses cross-origin requests and answers GET with 405', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    const cross = await fetch(`${mb.http}/mcp`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
        Origin: 'https://evil.example',
      },
      body,
    });
    expect(cross.status).toBe(403);
    expect((await fetch(`${mb.http}/mcp`)).status).toBe(405);
  });
});

describe('mailbeacon mcp on the command line', () => {
  it('refuses a bad --http with a clear message and exit code 2', async () => {
    const result = await promisify(execFile)(
      process.execPath,
      [join(ROOT, 'bin', 'mailbeacon.js'), 'mcp', '--http', 'http://exa mple'],
      { cwd: ROOT },
    ).catch((err: { code: number; stderr: string }) => err);
    expect('code' in result && result.code).toBe(2);
    expect(result.stderr).toContain('--http must be a URL');
  });
});
