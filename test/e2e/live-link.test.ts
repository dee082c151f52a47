// The UI's live link (HubConnection) against a real SSE server on a free port: it reports its state, delivers
// updates, resumes with Last-Event-ID after a dropped stream, and retries with backoff after the server refused it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EventSource } from 'eventsource';

// The module belongs to the renderer's TypeScript project (DOM types); this test runs in Node, so it is loaded at
// run time and typed here by the surface the test uses.
type LinkState = 'connecting' | 'live' | 'reconnecting' | 'down';
interface HubConnection {
  start(): void;
  stop(): void;
  retryNow(): void;
}
interface HubModule {
  HubConnection: new (options: {
    url: string;
    topics: string[];
    onUpdate: (data: unknown) => void;
    onState: (state: LinkState, retryAt: number | null) => void;
    onResync: () => void;
    createEventSource: (url: string) => unknown;
  }) => HubConnection;
  hubUrl: (base: string, topics: string[], lastEventId: string | null) => string;
  retryDelay: (attempt: number) => number;
}
const HUB_MODULE = '../../src-renderer/src/live/HubConnection.ts';
const { HubConnection, hubUrl, retryDelay } = (await import(/* @vite-ignore */ HUB_MODULE)) as HubModule;

interface Seen {
  url: string;
  lastEventId: string | undefined;
}

let server: Server | null = null;
let connection: HubConnection | null = null;

afterEach(async () => {
  connection?.stop();
  connection = null;
  await new Promise<void>((resolve) => {
    if (!server) return resolve();
    server.closeAllConnections();
    server.close(() => resolve());
  });
  server = null;
});

async function listen(
  handler: (req: IncomingMessage, res: ServerResponse, n: number) => void,
): Promise<string> {
  let n = 0;
  server = createServer((req, res) => handler(req, res, n++));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/.well-known/mercure`;
}

async function until(what: string, test: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function sse(res: ServerResponse): void {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' });
  res.flushHeaders();
}

function start(url: string, states: LinkState[], updates: unknown[], resyncs: { n: number }): HubConnection {
  const c = new HubConnection({
    url,
    topics: ['urn:mailbeacon:messages', 'urn:mailbeacon:events'],
    onUpdate: (d) => updates.push(d),
    onState: (s) => states.push(s),
    onResync: () => resyncs.n++,
    createEventSource: (u) => new EventSource(u),
  });
  c.start();
  return c;
}

describe('live link to the hub', () => {
  it('subscribes to both topics, delivers JSON updates and goes live', async () => {
    const seen: Seen[] = [];
    const url = await listen((req, res) => {
      seen.push({ url: req.url!, lastEventId: req.headers['last-event-id'] as string | undefined });
      sse(res);
      res.write('id: urn:uuid:1\ndata: {"type":"deleted","ids":"all"}\n\n');
    });
    const states: LinkState[] = [];
    const updates: unknown[] = [];
    connection = start(url, states, updates, { n: 0 });
    await until('an update', () => updates.length === 1);
    expect(updates[0]).toEqual({ type: 'deleted', ids: 'all' });
    expect(states).toEqual(['connecting', 'live']);
    const params = new URL(seen[0].url, 'http://x').searchParams;
    expect(params.getAll('topic')).toEqual(['urn:mailbeacon:messages', 'urn:mailbeacon:events']);
  });

  it('resumes after a dropped stream from the last event id, and asks for a resync', async () => {
    const seen: Seen[] = [];
    const url = await listen((req, res, n) => {
      seen.push({ url: req.url!, lastEventId: req.headers['last-event-id'] as string | undefined });
      sse(res);
      res.write('retry: 50\n\n');
      if (n === 0) {
        res.write('id: ev-7\ndata: {"type":"read","ids":["a"],"read":true}\n\n');
        setTimeout(() => res.end(), 50); // the server restarts or a proxy drops the stream
      }
    });
    const states: LinkState[] = [];
    const resyncs = { n: 0 };
    connection = start(url, states, [], resyncs);
    await until('a second connection', () => seen.length >= 2 && resyncs.n >= 1);
    const resumedFrom =
      seen[1].lastEventId ?? new URL(seen[1].url, 'http://x').searchParams.get('lastEventID');
    expect(resumedFrom).toBe('ev-7');
    expect(states.at(-1)).toBe('live');
  });

  it('shows the link as down when the hub refuses, then retries with backoff and recovers', async () => {
    const seen: Seen[] = [];
    const url = await listen((req, res, n) => {
      seen.push({ url: req.url!, lastEventId: req.headers['last-event-id'] as string | undefined });
      if (n === 0) {
        res.writeHead(503, { 'Content-Type': 'text/plain' });
        res.end('starting');
        return;
      }
      sse(res);
      res.write('id: 1\ndata: {"type":"deleted","ids":[]}\n\n');
    });
    const states: LinkState[] = [];
    const updates: unknown[] = [];
    connection = start(url, states, updates, { n: 0 });
    await until('the down state', () => states.includes('down'));
    await until('recovery', () => updates.length === 1, 15_000);
    expect(states.indexOf('down')).toBeLessThan(states.lastIndexOf('live'));
    expect(seen.length).toBe(2);
  });

  it('retries at once when asked instead of waiting out the backoff', async () => {
    let refuse = true;
    const seen: Seen[] = [];
    const url = await listen((req, res) => {
      seen.push({ url: req.url!, lastEventId: undefined });
      if (refuse) {
        res.writeHead(503);
        res.end();
        return;
      }
      sse(res);
    });
    const states: LinkState[] = [];
    connection = start(url, states, [], { n: 0 });
    await until('the down state', () => states.includes('down'));
    refuse = false;
    connection.retryNow();
    await until('live', () => states.at(-1) === 'live', 3_000);
  });

  it('backs off exponentially up to a cap, and builds the hub URL with lastEventID', () => {
    expect([0, 1, 2, 3].map(retryDelay)).toEqual([250, 500, 1000, 2000]);
    // A restarted server is found again within the cap.
    expect(retryDelay(20)).toBe(2_000);
    expect(hubUrl('/.well-known/mercure', ['a', 'b c'], 'id:1')).toBe(
      '/.well-known/mercure?topic=a&topic=b+c&lastEventID=id%3A1',
    );
  });
});
