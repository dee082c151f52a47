import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../src-main/config/load.js';
import { mintToken } from '../../src-main/hub/jwt.js';
import { createLogger } from '../../src-main/logger.js';
import { API_HTTP_LIMITS, TRACKING_HTTP_LIMITS, type HttpLimits } from '../../src-main/net/http-limits.js';
import { Sandbox } from '../../src-main/sandbox.js';

const HUB_KEY = 'a-hub-key-for-the-limit-tests-long-enough';
/** Short limits, so that the tests wait a second where the real ones would take a minute. */
const SHORT: HttpLimits = {
  headersTimeoutMs: 400,
  requestTimeoutMs: 600,
  keepAliveTimeoutMs: 300,
  idleTimeoutMs: 700,
  maxConnections: 50,
};
/** Longer than every limit above, with room for the server's periodic check. */
const PAST_LIMITS_MS = 2_000;
/** Upper bound of any wait for the server to act (a failure, never a speed check). */
const WAIT_MS = 10_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function start(flags: Record<string, unknown>, limits: Partial<HttpLimits> = SHORT) {
  const settings = loadSettings(
    { smtp: '127.0.0.1:0', http: '127.0.0.1:0', tracking: '127.0.0.1:0', dataDir: ':memory:', ...flags },
    {},
  );
  const sandbox = new Sandbox(settings, {
    logger: createLogger('silent'),
    httpLimits: limits,
    trackingLimits: limits,
  });
  const addresses = await sandbox.start();
  return { sandbox, http: new URL(addresses.http), tracking: new URL(addresses.tracking) };
}

/** A raw socket and everything it received, with a promise settled when the server closes it. */
function open(url: URL): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    let data = '';
    socket.on('data', (c: Buffer) => (data += c.toString('latin1')));
    const closed = new Promise<void>((done) => socket.on('close', () => done()));
    socket.once('connect', () => resolve({ socket, received: () => data, closed }));
    socket.once('error', reject);
  });
}

async function closedWithin(closed: Promise<void>, ms = WAIT_MS): Promise<boolean> {
  return Promise.race([closed.then(() => true), sleep(ms).then(() => false)]);
}

describe('the HTTP listeners bound every connection', () => {
  let t: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    t = await start({ hubJwtKey: HUB_KEY, hubAnonymous: true, trackingThread: 'yes' });
  });
  afterAll(() => t.sandbox.stop());

  it('has named limits, none of them unbounded', () => {
    for (const limits of [API_HTTP_LIMITS, TRACKING_HTTP_LIMITS]) {
      for (const value of Object.values(limits)) expect(value).toBeGreaterThan(0);
      expect(limits.headersTimeoutMs).toBeLessThanOrEqual(limits.requestTimeoutMs);
    }
  });

  it.each(['http', 'tracking'] as const)('closes a socket whose headers never finish (%s)', async (which) => {
    const c = await open(t[which]);
    c.socket.write(`GET /api/v1/info HTTP/1.1\r\nHost: ${t[which].host}\r\nX-Slow: `);
    expect(await closedWithin(c.closed)).toBe(true);
  });

  it.each(['http', 'tracking'] as const)('closes a socket whose body never finishes (%s)', async (which) => {
    const c = await open(t[which]);
    const path = which === 'http' ? '/api/v1/send' : '/u?t=x';
    c.socket.write(
      `POST ${path} HTTP/1.1\r\nHost: ${t[which].host}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"From":`,
    );
    expect(await closedWithin(c.closed)).toBe(true);
    expect(c.received()).not.toMatch(/^HTTP\/1\.1 200/);
  });

  it.each(['http', 'tracking'] as const)('closes an idle keep-alive socket (%s)', async (which) => {
    const c = await open(t[which]);
    const path = which === 'http' ? '/api/v1/info' : '/o?t=x';
    c.socket.write(`GET ${path} HTTP/1.1\r\nHost: ${t[which].host}\r\nConnection: keep-alive\r\n\r\n`);
    expect(await closedWithin(c.closed)).toBe(true);
    expect(c.received()).toMatch(/^HTTP\/1\.1 \d{3} /);
  });

  it('keeps a hub subscriber streaming past every timeout', async () => {
    const c = await open(t.http);
    c.socket.write(
      `GET /.well-known/mercure?topic=${encodeURIComponent('urn:test:limits')} HTTP/1.1\r\nHost: ${t.http.host}\r\n\r\n`,
    );
    await sleep(PAST_LIMITS_MS);
    expect(c.socket.destroyed).toBe(false);
    expect(c.received()).toMatch(/^HTTP\/1\.1 200 /);
    const jwt = await mintToken(HUB_KEY, { publish: ['*'] });
    const res = await fetch(`${t.http.origin}/.well-known/mercure`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${jwt}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'topic=urn:test:limits&data=still-here',
    });
    expect(res.status).toBe(200);
    const deadline = Date.now() + WAIT_MS;
    while (!c.received().includes('data: still-here') && Date.now() < deadline) await sleep(20);
    expect(c.received()).toContain('data: still-here');
    c.socket.destroy();
  });

  it('keeps a long poll of /api/v1/wait open past the idle timeout, then answers it', async () => {
    const res = await fetch(`${t.http.origin}/api/v1/wait?timeout=2`);
    expect(res.status).toBe(408);
    expect(await res.json()).toEqual({ Error: 'nothing arrived before the timeout' });
  });
});

describe('the connection cap', () => {
  it.each(['http', 'tracking'] as const)(
    'refuses connections beyond it on the %s listener',
    async (which) => {
      const t = await start(
        { trackingThread: 'yes' },
        {
          ...SHORT,
          headersTimeoutMs: 60_000,
          requestTimeoutMs: 60_000,
          idleTimeoutMs: 60_000,
          maxConnections: 2,
        },
      );
      try {
        const held = [await open(t[which]), await open(t[which])];
        const extra = await open(t[which]);
        expect(await closedWithin(extra.closed)).toBe(true);
        expect(extra.received()).toBe('');
        for (const h of held) h.socket.destroy();
        await Promise.all(held.map((h) => h.closed));
        const path = which === 'http' ? '/api/v1/info' : '/o?t=x';
        const deadline = Date.now() + WAIT_MS;
        let status = 0;
        while (Date.now() < deadline) {
          status = await fetch(`${t[which].origin}${path}`).then(
            (r) => r.status,
            () => 0,
          );
          if (status) break;
          await sleep(20);
        }
        expect(status).toBeGreaterThan(0);
      } finally {
        await t.sandbox.stop();
      }
    },
  );
});
