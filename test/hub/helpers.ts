import { EventSource } from 'eventsource';
import { mkdtempSync, rmSync } from 'node:fs';
import {
  createServer,
  request,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type LogLine } from '../../src-main/logger.js';
import { Hub, type HubOptions } from '../../src-main/hub/hub.js';
import { isHubPath } from '../../src-main/hub/discovery.js';

export const PUBLISHER_KEY = 'test-publisher-key-that-is-long-enough';
export const SUBSCRIBER_KEY = 'test-subscriber-key-that-is-long-enough';

/** How long any single wait in these tests may take before it counts as a failure (never a speed check). */
export const WAIT_MS = 10_000;

export interface TestHub {
  hub: Hub;
  base: string;
  hubUrl: string;
  logs: LogLine[];
  server: Server;
  close(): Promise<void>;
}

/** A hub behind its own node:http listener on 127.0.0.1:0, the way the app's listener routes to it. */
export async function startHub(
  overrides: Partial<HubOptions> = {},
  other?: (req: IncomingMessage, res: ServerResponse, hub: Hub) => void,
): Promise<TestHub> {
  const logs: LogLine[] = [];
  let base = '';
  const hub = new Hub({
    publisherKey: PUBLISHER_KEY,
    subscriberKey: SUBSCRIBER_KEY,
    anonymous: false,
    corsOrigins: [],
    heartbeatMs: 60_000,
    historySize: 100,
    logger: createLogger('info', (line) => logs.push(line), 'hub'),
    publicUrl: () => base,
    ...overrides,
  });
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (isHubPath(path)) return hub.handle(req, res);
    if (other) return other(req, res, hub);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  return {
    hub,
    base,
    hubUrl: `${base}/.well-known/mercure`,
    logs,
    server,
    async close() {
      await hub.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function subscribeUrl(hubUrl: string, topics: string[], extra: Record<string, string> = {}): string {
  const url = new URL(hubUrl);
  for (const t of topics) url.searchParams.append('topic', t);
  for (const [k, v] of Object.entries(extra)) url.searchParams.set(k, v);
  return url.toString();
}

/** Resolves with the value `poll` returns once it is not undefined; rejects after WAIT_MS. */
export async function waitFor<T>(what: string, poll: () => T | undefined, ms = WAIT_MS): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = poll();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface Received {
  id: string;
  type: string;
  data: string;
}

/** A real EventSource client (the `eventsource` package) with everything it received. */
export class Client {
  readonly es: EventSource;
  readonly received: Received[] = [];
  readonly errors: { code?: number; message?: string }[] = [];
  opened = false;
  responseHeaders: Headers | undefined;

  constructor(url: string, options: { token?: string; lastEventId?: string; types?: string[] } = {}) {
    this.es = new EventSource(url, {
      fetch: async (input, init) => {
        const headers: Record<string, string> = { ...(init.headers as Record<string, string>) };
        if (options.token) headers.Authorization = `Bearer ${options.token}`;
        if (options.lastEventId && !headers['Last-Event-ID']) headers['Last-Event-ID'] = options.lastEventId;
        const res = await fetch(input, { ...init, headers });
        this.responseHeaders = res.headers;
        return res;
      },
    });
    this.es.addEventListener('open', () => (this.opened = true));
    this.es.addEventListener('error', (e) => this.errors.push({ code: e.code, message: e.message }));
    const push = (e: MessageEvent) =>
      this.received.push({ id: e.lastEventId, type: e.type, data: e.data as string });
    this.es.addEventListener('message', push);
    for (const type of options.types ?? []) this.es.addEventListener(type, push);
  }

  async open(): Promise<this> {
    await waitFor('the stream to open', () => (this.opened ? true : this.errors.length ? true : undefined));
    if (!this.opened) throw new Error(`stream failed: ${JSON.stringify(this.errors)}`);
    return this;
  }

  /** Waits for an update whose data satisfies `test`, and returns it. */
  waitFor(test: (r: Received) => boolean): Promise<Received> {
    return waitFor('an update', () => this.received.find(test));
  }

  close(): void {
    this.es.close();
  }
}

export async function post(
  url: string,
  fields: [string, string][],
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: Headers }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

/** A raw GET whose response headers and first bytes we inspect, then abort. */
export function rawGet(
  url: string,
  headers: Record<string, string> = {},
  untilBytes = 1,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      const done = () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        if (res.statusCode === 200 && body.length >= untilBytes) done();
      });
      res.on('end', done);
    });
    req.setTimeout(WAIT_MS, () => req.destroy(new Error('raw GET timed out')));
    req.on('error', reject);
    req.end();
  });
}

export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'mailbeacon-hub-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
