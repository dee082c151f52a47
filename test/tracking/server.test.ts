import type { Database } from 'better-sqlite3';
import { spawner } from '../../src-main/workers/index.js';
import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TrackingEvent } from '../../src-main/wire/types.js';
import { EventBus } from '../../src-main/events/bus.js';
import { createLogger, systemClock } from '../../src-main/logger.js';
import { openDatabase } from '../../src-main/store/sqlite/database.js';
import { SqliteEventStore } from '../../src-main/store/sqlite/events.js';
import {
  TokenCodec,
  generateKey,
  mintUrl,
  serializePayload,
  trackingUrl,
  type TokenMode,
} from '../../src-main/tracking/index.js';
import { PIXEL_PNG } from '../../src-main/tracking/pixel.js';
import { HitRecorder } from '../../src-main/tracking/hits.js';
import { TrackingServer } from '../../src-main/tracking/server.js';
import {
  TrackingThread,
  type TrackingListener,
  type TrackingWorkerData,
} from '../../src-main/tracking/thread.js';
import { commitsOf } from '../helpers/stores.js';

const spawnThread = (workerData: TrackingWorkerData) => spawner('tracking-worker')({ workerData });

const BROWSER_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36';

interface Harness {
  db: Database;
  events: SqliteEventStore;
  bus: EventBus;
  server: TrackingListener;
  codec: TokenCodec;
  base: string;
  emitted: TrackingEvent[];
  delivered: Map<string, number>;
}

/** Where the listener runs: on the thread that stores the hits, or on a thread of its own (the default). */
type Where = 'here' | 'thread';

async function start(
  where: Where,
  mode: TokenMode,
  keys: Buffer[],
  allowHosts: string[] = [],
): Promise<Harness> {
  const codec = new TokenCodec({ mode, keys });
  const db = openDatabase({ path: ':memory:' });
  const events = new SqliteEventStore(db, commitsOf(db));
  const bus = new EventBus();
  const emitted: TrackingEvent[] = [];
  bus.on('tracking.event', (e) => emitted.push(e));
  const delivered = new Map<string, number>();
  const logger = createLogger('silent');
  const sink = new HitRecorder({ events, bus, logger, deliveredAt: async (id) => delivered.get(id) });
  const here = () => new TrackingServer({ codec, sink, logger, clock: systemClock, allowHosts });
  const server =
    where === 'here'
      ? here()
      : new TrackingThread({ mode, keys, allowHosts, sink, logger, inline: here, spawn: spawnThread });
  const { host, port } = await server.listen('127.0.0.1', 0);
  return { db, events, bus, server, codec, base: `http://${host}:${port}`, emitted, delivered };
}

/** Sends bytes as they are (fetch would normalise a broken URL before it reaches the server). */
function rawRequest(port: number, head: Buffer | string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.setTimeout(10_000, () => socket.destroy(new Error('timeout')));
    socket.on('data', (d) => {
      data += d.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
      if (m) {
        resolve(Number(m[1]));
        socket.destroy();
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0)));
    socket.end(head);
  });
}

describe.each<[string, Where]>([
  ['the tracking listener on the storing thread', 'here'],
  ['the tracking listener on a thread of its own', 'thread'],
])('%s', (_name, where) => {
  let h: Harness;
  beforeEach(async () => {
    h = await start(where, 'sealed', [generateKey()]);
  });
  afterEach(async () => {
    await h.server.close();
    h.db.close();
  });

  it('serves the pixel and stores the open with IP and user agent, end to end from a minted URL', async () => {
    const url = mintUrl(h.base, 'open', h.codec, {
      metadata: { message_id: 'msg1', recipient: 'r@example.com' },
    });
    const res = await fetch(url, { headers: { 'user-agent': BROWSER_UA } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('cache-control')).toContain('no-store');
    expect(Buffer.from(await res.arrayBuffer()).equals(PIXEL_PNG)).toBe(true);
    const { total, events } = await h.events.list({ messageId: 'msg1' });
    expect(total).toBe(1);
    expect(events[0]).toMatchObject({
      kind: 'open',
      remote_ip: '127.0.0.1',
      ua: BROWSER_UA,
      message_id: 'msg1',
      classification: 'human',
      metadata: { message_id: 'msg1', recipient: 'r@example.com' },
    });
    expect(h.emitted).toHaveLength(1);
    expect(h.emitted[0]!.id).toBe(events[0]!.id);
    expect((await h.events.countsFor(['msg1'])).get('msg1')).toEqual({
      opens: 1,
      uniqueOpens: 1,
      clicks: 0,
      uniqueClicks: 0,
      unsubscribed: false,
      machine: { opens: 0, clicks: 0 },
      recipients: {
        opens: 1,
        uniqueOpens: 1,
        clicks: 0,
        uniqueClicks: 0,
        unsubscribed: false,
        machine: { opens: 0, clicks: 0 },
      },
      preview: { opens: 0, clicks: 0, unsubscribed: false },
    });
  });

  it('answers a bad open token with the pixel and records nothing', async () => {
    for (const t of ['', 'garbage', h.codec.mint({ kind: 'click', url: 'https://example.com/' }).token]) {
      const res = await fetch(`${h.base}/o?t=${t}`);
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(PIXEL_PNG)).toBe(true);
    }
    expect((await h.events.list()).total).toBe(0);
  });

  it('redirects a click, classifies HEAD and early clicks as scanners, Gmail proxy opens as proxy', async () => {
    const url = mintUrl(h.base, 'click', h.codec, {
      url: 'https://example.com/landing?x=1',
      metadata: { message_id: 'm2' },
    });
    const res = await fetch(url, { redirect: 'manual', headers: { 'user-agent': BROWSER_UA } });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://example.com/landing?x=1');
    const head = await fetch(url, { method: 'HEAD', redirect: 'manual' });
    expect(head.status).toBe(302);

    h.delivered.set('m3', Date.now());
    const early = mintUrl(h.base, 'click', h.codec, {
      url: 'https://example.com/',
      metadata: { message_id: 'm3' },
    });
    await fetch(early, { redirect: 'manual', headers: { 'user-agent': BROWSER_UA } });
    const proxyOpen = mintUrl(h.base, 'open', h.codec, { metadata: { message_id: 'm2' } });
    await fetch(proxyOpen, {
      headers: {
        'user-agent':
          'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)',
      },
    });

    const byMessage = async (id: string) =>
      (await h.events.list({ messageId: id })).events.map((e) => `${e.kind}:${e.method}:${e.classification}`);
    expect((await byMessage('m2')).sort()).toEqual([
      'click:GET:human',
      'click:HEAD:scanner',
      'open:GET:proxy',
    ]);
    expect(await byMessage('m3')).toEqual(['click:GET:scanner']);
    expect((await h.events.list({ classifications: ['scanner'] })).total).toBe(2);
    expect((await h.events.list({ kind: 'open' })).total).toBe(1);
  });

  it('answers a burst of concurrent hits only once each is stored, and emits each with its row id', async () => {
    const HITS = 150;
    const tokenId = (url: string) => h.codec.decode(new URL(url).searchParams.get('t')).payload.id;
    const urls = Array.from({ length: HITS }, (_, i) =>
      i % 2 === 0
        ? mintUrl(h.base, 'open', h.codec, { metadata: { message_id: `burst${i % 3}` } })
        : mintUrl(h.base, 'click', h.codec, {
            url: `https://example.com/${i}`,
            metadata: { message_id: `burst${i % 3}` },
          }),
    );
    const statuses = await Promise.all(
      urls.map(async (url) => {
        const res = await fetch(url, { redirect: 'manual', headers: { 'user-agent': BROWSER_UA } });
        await res.arrayBuffer();
        // answered means stored: the row is there by the time the client has the response
        expect(h.db.prepare('SELECT COUNT(*) FROM events WHERE token_id = ?').pluck().get(tokenId(url))).toBe(
          1,
        );
        return res.status;
      }),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(HITS / 2);
    expect(statuses.filter((s) => s === 302)).toHaveLength(HITS / 2);
    expect(h.emitted).toHaveLength(HITS);
    const rows = new Map(
      (
        h.db.prepare('SELECT id, token_id, kind FROM events').all() as {
          id: number;
          token_id: string;
          kind: string;
        }[]
      ).map((r) => [r.id, r]),
    );
    expect(rows.size).toBe(HITS);
    for (const event of h.emitted)
      expect(rows.get(event.id)).toEqual({ id: event.id, token_id: event.token_id, kind: event.kind });
  });

  it('looks the mail up only for clicks on recent tokens (a token minted long ago cannot be a fresh delivery)', async () => {
    const asked: string[] = [];
    h.delivered.get = (id: string) => {
      asked.push(id);
      // Delivered a moment before the click: "now" here may already be a millisecond past the hit's own time.
      return Date.now() - 500;
    };
    await (
      await fetch(mintUrl(h.base, 'open', h.codec, { metadata: { message_id: 'lookup-open' } }))
    ).arrayBuffer();
    const click = (id: string, ts?: bigint) =>
      trackingUrl(
        h.base,
        'click',
        h.codec.mint({ kind: 'click', url: 'https://example.com/', metadata: { message_id: id }, ts }).token,
      );
    await fetch(click('lookup-new'), { redirect: 'manual' });
    const hourAgo = BigInt(Date.now() - 3_600_000) * 1_000_000n;
    await fetch(click('lookup-old', hourAgo), { redirect: 'manual' });
    expect(asked).toEqual(['lookup-new']);
    const classified = async (id: string) =>
      (await h.events.list({ messageId: id })).events[0]!.classification;
    expect(await classified('lookup-new')).toBe('scanner');
    expect(await classified('lookup-old')).toBe('human');
  });

  it('records an expired click as expired but still redirects', async () => {
    const url = mintUrl(h.base, 'click', h.codec, {
      url: 'https://example.com/old',
      exp: 1000,
      metadata: { message_id: 'm4' },
    });
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect((await h.events.list({ messageId: 'm4' })).events[0]!.classification).toBe('expired');
    expect((await h.events.countsFor(['m4'])).get('m4')!.clicks).toBe(0);
  });

  it('accepts a token written in standard base64 with + and padding, unescaped in the query', async () => {
    let token = '';
    for (let i = 0; i < 200 && !token.includes('-'); i++) {
      token = h.codec.mint({ kind: 'click', url: 'https://example.com/std' }).token;
    }
    expect(token).toContain('-');
    const standard = Buffer.from(token, 'base64url').toString('base64');
    expect(standard).toContain('+');
    const res = await fetch(`${h.base}/c?t=${standard}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://example.com/std');
  });

  it('never redirects a tampered, foreign, wrong-kind or non-http click token', async () => {
    const good = h.codec.mint({ kind: 'click', url: 'https://example.com/' }).token;
    const other = new TokenCodec({ mode: 'sealed', keys: [generateKey()] });
    const bad = [
      good.slice(0, -3),
      good.slice(0, 10) + (good[10] === 'A' ? 'Q' : 'A') + good.slice(11),
      other.mint({ kind: 'click', url: 'https://example.com/' }).token,
      h.codec.mint({ kind: 'open' }).token,
      h.codec.mint({ kind: 'unsub', url: 'https://example.com/' }).token,
      h.codec.mint({ kind: 'click', url: 'javascript:alert(1)' }).token,
      h.codec.mint({ kind: 'click' }).token,
      Buffer.from(
        serializePayload({ id: 'x', kind: 'click', url: 'https://evil.example/', metadata: {}, ts: 1n }),
      ).toString('base64url'),
    ];
    for (const t of bad) {
      const res = await fetch(`${h.base}/c?t=${encodeURIComponent(t)}`, { redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(await res.text()).toContain('not valid');
    }
    expect((await h.events.list()).total).toBe(0);
  });

  it('shows a confirmation page on GET /u and unsubscribes once on a one-click POST', async () => {
    const url = mintUrl(h.base, 'unsub', h.codec, {
      metadata: { message_id: 'm5', recipient: 'r@example.com' },
    });
    const page = await fetch(url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<form method="post"');
    expect(html).toContain('r@example.com');
    expect((await h.events.list()).total).toBe(0);

    const form = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('Unsubscribed');
    const multipart = new FormData();
    multipart.set('List-Unsubscribe', 'One-Click');
    const again = await fetch(url, { method: 'POST', redirect: 'manual', body: multipart });
    expect(again.status).toBe(200);
    expect((await h.events.list({ kind: 'unsub' })).total).toBe(1);
    expect((await h.events.countsFor(['m5'])).get('m5')!.unsubscribed).toBe(true);

    const bad = await fetch(`${h.base}/u?t=nope`, { method: 'POST', body: 'List-Unsubscribe=One-Click' });
    expect(bad.status).toBe(400);
  });

  it('keeps serving pixels and redirects when the store fails, and never crashes', async () => {
    const open = mintUrl(h.base, 'open', h.codec, { metadata: { message_id: 'm9' } });
    const click = mintUrl(h.base, 'click', h.codec, {
      url: 'https://example.com/',
      metadata: { message_id: 'm9' },
    });
    const unsub = mintUrl(h.base, 'unsub', h.codec, { metadata: { message_id: 'm9' } });
    h.db.close();
    expect((await fetch(open)).status).toBe(200);
    expect((await fetch(click, { redirect: 'manual' })).status).toBe(302);
    const post = await fetch(unsub, { method: 'POST', body: 'List-Unsubscribe=One-Click' });
    expect(post.status).toBe(503);
    expect(h.emitted).toHaveLength(0);
    // still up
    expect((await fetch(open)).status).toBe(200);
  });

  it('answers every hostile request below 500', async () => {
    const port = Number(new URL(h.base).port);
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    const statuses = new Set<number>();
    const token = h.codec.mint({ kind: 'click', url: 'https://example.com/' }).token;
    const heads: (Buffer | string)[] = [
      `GET /c?t=${'A'.repeat(9000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      `GET /c?t=${'A'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      `GET /c?t=${token.slice(0, 17)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      `GET /c?t=%E0%A4%A&t=%%%% HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      Buffer.concat([
        Buffer.from('GET /u?t='),
        Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
        Buffer.from(' HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
      ]),
      `POST /u?t=${token} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nab`,
      `DELETE /o HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      `GARBAGE\r\n\r\n`,
      `GET /nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    ];
    for (let n = 0; n < 60; n++) {
      const bytes = Buffer.alloc(rand() % 300);
      for (let i = 0; i < bytes.length; i++) bytes[i] = rand() % 256;
      const path = ['/o', '/c', '/u'][n % 3];
      heads.push(
        Buffer.concat([
          Buffer.from(`GET ${path}?t=`),
          Buffer.from(bytes.toString('latin1').replace(/[\s]/g, '_'), 'latin1'),
          Buffer.from(' HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
        ]),
      );
    }
    for (const head of heads) {
      const status = await rawRequest(port, head);
      statuses.add(status);
      expect(status === 0 || status < 500).toBe(true);
    }
    expect([...statuses].some((s) => s >= 400 && s < 500)).toBe(true);
    expect((await h.events.list()).total).toBe(0);
  });
});

describe.each<Where>(['here', 'thread'])('the tracking listener in plain mode (%s)', (where) => {
  let h: Harness;
  afterEach(async () => {
    await h.server.close();
    h.db.close();
  });

  it('redirects plain click tokens only to allowlisted hosts', async () => {
    h = await start(where, 'plain', [], ['allowed.example']);
    const ok = mintUrl(h.base, 'click', h.codec, { url: 'https://ALLOWED.example/x' });
    const no = mintUrl(h.base, 'click', h.codec, { url: 'https://evil.example/x' });
    expect((await fetch(ok, { redirect: 'manual' })).status).toBe(302);
    const refused = await fetch(no, { redirect: 'manual' });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('location')).toBeNull();
  });
});
