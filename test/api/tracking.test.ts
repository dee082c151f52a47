import type { Database } from 'better-sqlite3';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventsResponse, MessageTracking } from '../../src-main/wire/types.js';
import { registerTrackingRoutes } from '../../src-main/api/routes/tracking.js';
import { SqliteMessageStore } from '../../src-main/store/sqlite/messages.js';
import { EventBus } from '../../src-main/events/bus.js';
import { createLogger, systemClock } from '../../src-main/logger.js';
import { openDatabase } from '../../src-main/store/sqlite/database.js';
import { SqliteEventStore } from '../../src-main/store/sqlite/events.js';
import { TrackingInjector } from '../../src-main/tracking/inject/index.js';
import { TokenCodec, generateKey } from '../../src-main/tracking/index.js';
import { HitRecorder } from '../../src-main/tracking/hits.js';
import { TrackingServer } from '../../src-main/tracking/server.js';
import { SandboxMarker } from '../../src-main/tracking/sandbox-mark.js';
import { Simulator } from '../../src-main/tracking/simulate.js';
import { commitsOf, storeOptions } from '../helpers/stores.js';

const UA =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15';

describe('tracking API routes with a live tracking server', () => {
  let db: Database;
  let app: FastifyInstance;
  let server: TrackingServer;
  let api: string;
  let trackingBase: string;
  let codec: TokenCodec;

  beforeEach(async () => {
    db = openDatabase({ path: ':memory:' });
    const events = new SqliteEventStore(db, commitsOf(db));
    codec = new TokenCodec({ mode: 'sealed', keys: [generateKey()] });
    const logger = createLogger('silent');
    const marker = new SandboxMarker();
    server = new TrackingServer({
      codec,
      sink: new HitRecorder({ events, bus: new EventBus(), logger, deliveredAt: async () => undefined }),
      logger,
      clock: systemClock,
      allowHosts: [],
      sandboxKey: marker.key,
    });
    const t = await server.listen('127.0.0.1', 0);
    trackingBase = `http://${t.host}:${t.port}`;
    app = Fastify();
    const store = new SqliteMessageStore(db, storeOptions(db));
    registerTrackingRoutes(app, {
      store,
      events,
      codec,
      trackingBase: () => trackingBase,
      marker,
      simulator: new Simulator({
        resolveId: async (id) => await store.resolveId(id),
        manifest: async (id) => await store.manifestJson(id),
        marker,
        listener: () => trackingBase,
        logger,
        clock: systemClock,
      }),
    });
    api = await app.listen({ host: '127.0.0.1', port: 0 });
  });

  afterEach(async () => {
    await app.close();
    await server.close();
    db.close();
  });

  /** Stores a mail the way ingest does: a messages row, and its body row with manifest_json and tracked_html. */
  async function storeTrackedMail(id: string): Promise<MessageTracking> {
    const injector = new TrackingInjector({
      codec,
      trackingBase: () => trackingBase,
      trackText: false,
      enabled: true,
      rules: [],
      clock: systemClock,
    });
    const raw = Buffer.from(
      'From: a@example.com\r\nTo: r@example.org\r\nSubject: Hi\r\nContent-Type: text/html\r\n\r\n' +
        '<body><a href="https://example.com/one">1</a><a href="https://example.com/two">2</a><a href="mailto:x@example.com">m</a></body>\r\n',
    );
    const { manifest, raw: tracked } = await injector.inject(raw, {
      messageId: id,
      sender: 'a@example.com',
      recipients: ['r@example.org'],
      subject: 'Hi',
    });
    const { lastInsertRowid } = db
      .prepare('INSERT INTO messages (id, created_ms, size) VALUES (?, ?, ?)')
      .run(id, Date.now() - 60_000, raw.length);
    db.prepare('INSERT INTO message_data (seq, manifest_json, raw, tracked) VALUES (?, ?, ?, ?)').run(
      lastInsertRowid,
      JSON.stringify(manifest),
      raw,
      tracked,
    );
    return { ...manifest, stats: {} };
  }

  it('serves the manifest with per-token stats, and the events of a mail with IP and user agent', async () => {
    const manifest = await storeTrackedMail('m1');
    await storeTrackedMail('m2');
    const headers = { 'user-agent': UA };
    await fetch(manifest.pixel!.url, { headers });
    await fetch(manifest.pixel!.url, { headers });
    const click = await fetch(manifest.links[1]!.trackedUrl, { headers, redirect: 'manual' });
    expect(click.headers.get('location')).toBe('https://example.com/two');

    const tracking = (await (await fetch(`${api}/api/v1/message/m1/tracking`)).json()) as MessageTracking;
    expect(tracking.links.map((l) => l.originalUrl)).toEqual([
      'https://example.com/one',
      'https://example.com/two',
    ]);
    expect(tracking.skipped.map((s) => s.reason)).toEqual(['mailto: link']);
    expect(tracking.stats[manifest.pixel!.tokenId]).toMatchObject({ total: 2, unique: 1 });
    expect(tracking.stats[manifest.links[1]!.tokenId]!.total).toBe(1);
    expect(tracking.stats[manifest.links[0]!.tokenId]).toBeUndefined();

    const events = (await (await fetch(`${api}/api/v1/message/m1/events`)).json()) as EventsResponse;
    expect(events.total).toBe(3);
    expect(events.events[0]).toMatchObject({
      kind: 'click',
      remote_ip: '127.0.0.1',
      ua: UA,
      message_id: 'm1',
      url: 'https://example.com/two',
    });
    expect(events.events[0]!.metadata.link).toBe('2');
    expect(BigInt(events.events[0]!.ts)).toBeGreaterThan(1_700_000_000_000_000_000n);

    // `latest` is the newest mail
    const latest = (await (await fetch(`${api}/api/v1/message/latest/events`)).json()) as EventsResponse;
    expect(latest.total).toBe(0);
    expect((await fetch(`${api}/api/v1/message/nope/tracking`)).status).toBe(404);
    expect(await (await fetch(`${api}/api/v1/message/nope/events`)).json()).toEqual({
      Error: 'message not found',
    });
  });

  it('filters all events by kind, classification and since, with paging', async () => {
    const manifest = await storeTrackedMail('m1');
    const before = new Date(Date.now() - 1000).toISOString();
    await fetch(manifest.pixel!.url, { headers: { 'user-agent': UA } });
    await fetch(manifest.links[0]!.trackedUrl, { method: 'HEAD', redirect: 'manual' });
    await fetch(manifest.links[0]!.trackedUrl, { redirect: 'manual', headers: { 'user-agent': UA } });
    const get = async (q: string) =>
      (await (await fetch(`${api}/api/v1/events?${q}`)).json()) as EventsResponse;
    expect((await get('')).total).toBe(3);
    expect((await get('kind=click')).total).toBe(2);
    expect((await get('kind=click&classification=scanner')).events.map((e) => e.method)).toEqual(['HEAD']);
    expect((await get(`since=${encodeURIComponent(before)}`)).total).toBe(3);
    expect((await get(`since=${Date.now() + 60_000}`)).total).toBe(0);
    const page = await get('limit=1&start=1');
    expect(page.total).toBe(3);
    expect(page.events).toHaveLength(1);
  });

  it('answers garbage query strings with 400 and a message, never 500', async () => {
    const bad = [
      'kind=bogus',
      'classification=robot',
      'since=yesterday-ish',
      'limit=-1',
      'limit=abc',
      'limit=1e400',
      'start=%ff%fe',
      'kind=open&kind=click',
      `since=${'9'.repeat(60)}`,
    ];
    for (const q of bad) {
      const res = await fetch(`${api}/api/v1/events?${q}`);
      expect(res.status, q).toBe(400);
      expect(((await res.json()) as { message: string }).message.length).toBeGreaterThan(0);
    }
    expect((await fetch(`${api}/api/v1/message/m1/events?limit=zero`)).status).toBe(400);
  });

  it('mints links the tracking server accepts', async () => {
    const post = (body: unknown) =>
      fetch(`${api}/api/v1/tracking/mint`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const res = await post({
      kind: 'click',
      url: 'https://example.com/minted',
      metadata: { campaign: 'c1' },
    });
    expect(res.status).toBe(200);
    const { token, url } = (await res.json()) as { token: string; url: string };
    expect(url).toBe(`${trackingBase}/c?t=${token}`);
    const hit = await fetch(url, { redirect: 'manual' });
    expect(hit.headers.get('location')).toBe('https://example.com/minted');
    const events = (await (await fetch(`${api}/api/v1/events?kind=click`)).json()) as EventsResponse;
    expect(events.events[0]!.metadata).toEqual({ campaign: 'c1' });

    for (const body of [
      { kind: 'click' },
      { kind: 'click', url: 'javascript:alert(1)' },
      { kind: 'nope' },
      'x',
      null,
    ]) {
      const r = await post(body);
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
    }
  });
});
