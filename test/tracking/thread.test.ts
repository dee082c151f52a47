import type { Database } from 'better-sqlite3';
import { createServer, type Server } from 'node:net';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../src-main/events/bus.js';
import { createLogger, systemClock, type LogLine } from '../../src-main/logger.js';
import { openDatabase } from '../../src-main/store/sqlite/database.js';
import { SqliteEventStore } from '../../src-main/store/sqlite/events.js';
import { spawner } from '../../src-main/workers/index.js';
import { TokenCodec, generateKey, mintUrl } from '../../src-main/tracking/index.js';
import { HitRecorder, type Hit } from '../../src-main/tracking/hits.js';
import { TrackingServer } from '../../src-main/tracking/server.js';
import {
  TrackingThread,
  packHits,
  unpackHits,
  type TrackingThreadOptions,
} from '../../src-main/tracking/thread.js';
import { commitsOf } from '../helpers/stores.js';

interface Harness {
  db: Database;
  events: SqliteEventStore;
  thread: TrackingThread;
  codec: TokenCodec;
  logs: LogLine[];
  /** Every thread started so far, newest last. */
  workers: Worker[];
  listen(): Promise<string>;
}

const harnesses: Harness[] = [];

function harness(spawn?: TrackingThreadOptions['spawn']): Harness {
  const keys = [generateKey()];
  const codec = new TokenCodec({ mode: 'sealed', keys });
  const db = openDatabase({ path: ':memory:' });
  const events = new SqliteEventStore(db, commitsOf(db));
  const logs: LogLine[] = [];
  const logger = createLogger('info', (line) => logs.push(line));
  const sink = new HitRecorder({ events, bus: new EventBus(), logger, deliveredAt: async () => undefined });
  const workers: Worker[] = [];
  const thread = new TrackingThread({
    mode: 'sealed',
    keys,
    allowHosts: [],
    sink,
    logger,
    inline: () => new TrackingServer({ codec, sink, logger, clock: systemClock, allowHosts: [] }),
    spawn:
      spawn ??
      ((data) => {
        const worker = spawner('tracking-worker')({ workerData: data });
        workers.push(worker);
        return worker;
      }),
  });
  const h: Harness = {
    db,
    events,
    thread,
    codec,
    logs,
    workers,
    listen: async () => {
      const address = await thread.listen('127.0.0.1', 0);
      return `http://127.0.0.1:${address.port}`;
    },
  };
  harnesses.push(h);
  return h;
}

afterEach(async () => {
  for (const h of harnesses.splice(0)) {
    await h.thread.close();
    h.db.close();
  }
});

/** GETs the URL until it answers (a restarted thread takes a moment), at most `tries` times. */
async function fetchWhenUp(url: string, tries = 100): Promise<Response> {
  for (let i = 1; ; i++) {
    try {
      return await fetch(url);
    } catch (err) {
      if (i >= tries) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

describe('TrackingThread', () => {
  it('answers on its own thread once the main thread has stored the hit, and keeps the port when the thread dies', async () => {
    const h = harness();
    const base = await h.listen();
    const open = mintUrl(base, 'open', h.codec, { metadata: { message_id: 'm1' } });
    const res = await fetch(open, { headers: { 'user-agent': 'Thunderbird/128.0' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    // Answered means stored: the event is in the database, read on this thread, with the request's facts.
    const [event] = (await h.events.list()).events;
    expect(event).toMatchObject({
      kind: 'open',
      message_id: 'm1',
      ua: 'Thunderbird/128.0',
      remote_ip: '127.0.0.1',
    });

    expect(h.workers).toHaveLength(1);
    await h.workers[0]!.terminate(); // as if the thread had crashed
    const again = await fetchWhenUp(open);
    expect(again.status).toBe(200);
    expect(h.workers).toHaveLength(2);
    expect((await h.events.list()).total).toBe(2);
    expect(h.logs.some((l) => l.level === 'warn' && /tracking thread exited/.test(l.message))).toBe(true);
  });

  it('gives the port to a listener on the main thread once the thread has died too often', async () => {
    const h = harness();
    const base = await h.listen();
    const open = mintUrl(base, 'open', h.codec);
    // Bounded: the first thread and five restarts, each killed once it answers.
    for (let killed = 0; killed < 6; killed++) {
      expect((await fetchWhenUp(open)).status).toBe(200);
      expect(h.workers).toHaveLength(killed + 1);
      await h.workers[killed]!.terminate();
    }
    expect((await fetchWhenUp(open)).status).toBe(200);
    expect(h.workers).toHaveLength(6);
    expect(h.thread.busyMs).toBeUndefined();
    expect((await h.events.list()).total).toBe(7);
    expect(h.logs.some((l) => /main thread: the tracking thread keeps dying/.test(l.message))).toBe(true);
  });

  it('stores every hit of a burst and answers each, clicks with their redirect', async () => {
    const h = harness();
    const base = await h.listen();
    const urls = Array.from({ length: 60 }, (_, i) =>
      i % 2
        ? mintUrl(base, 'open', h.codec, { metadata: { message_id: `m${i}` } })
        : mintUrl(base, 'click', h.codec, {
            url: `https://example.com/${i}`,
            metadata: { message_id: `m${i}` },
          }),
    );
    const answers = await Promise.all(urls.map((u) => fetch(u, { redirect: 'manual' })));
    expect(answers.map((r) => r.status).sort()).toEqual([...Array(30).fill(200), ...Array(30).fill(302)]);
    expect(
      answers
        .filter((r) => r.status === 302)
        .map((r) => r.headers.get('location'))
        .sort(),
    ).toEqual(Array.from({ length: 30 }, (_, i) => `https://example.com/${i * 2}`).sort());
    expect((await h.events.list()).total).toBe(60);
  });

  it('runs the listener on the main thread when no thread can start', async () => {
    const h = harness(() => {
      throw new Error('no threads here');
    });
    const base = await h.listen();
    expect((await fetch(mintUrl(base, 'open', h.codec))).status).toBe(200);
    expect((await h.events.list()).total).toBe(1);
    expect(h.logs).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: expect.stringMatching(/main thread: no threads here/),
      }),
    );
  });

  it('runs the listener on the main thread when the thread dies before it listens', async () => {
    const h = harness(() => new Worker('process.exit(3)', { eval: true }));
    const base = await h.listen();
    expect((await fetch(mintUrl(base, 'open', h.codec))).status).toBe(200);
    expect((await h.events.list()).total).toBe(1);
    expect(h.logs.some((l) => /exited with code 3 before listening/.test(l.message))).toBe(true);
  });

  it('reports a port in use as an error instead of falling back', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as { port: number }).port;
      const h = harness();
      await expect(h.thread.listen('127.0.0.1', port)).rejects.toMatchObject({
        code: 'EADDRINUSE',
        listener: 'tracking',
        message: expect.stringMatching(/^\[tracking\] port \d+ on 127\.0\.0\.1 is in use .*--tracking$/),
      });
      expect(h.logs.filter((l) => l.level !== 'info')).toEqual([]);
    } finally {
      taken.close();
    }
  });
});

describe('hits between threads', () => {
  it('cross as JSON text and come back the same, times to the nanosecond', () => {
    const hits: Hit[] = [
      {
        payload: {
          id: 'tok-1',
          kind: 'click',
          url: 'https://example.com/ü?a=1&b="2"',
          metadata: { message_id: 'm1', recipient: 'r@example.org', link: '3' },
          ts: 1_764_000_000_123_456_789n,
          exp: 1_800_000_000,
        },
        method: 'HEAD',
        ua: 'Mozilla/5.0 "quoted" \\ back\u2028slash',
        remoteIp: '2001:db8::1',
        ts: 1_764_000_001_987_654_321n,
        source: 'simulated',
        ageMs: 300_000,
      },
      {
        payload: { id: 'tok-2', kind: 'open', metadata: {}, ts: -5n },
        method: 'GET',
        ua: '',
        remoteIp: '',
        ts: 9_223_372_036_854_775_807_000n,
        source: 'recipient',
      },
    ];
    const back = unpackHits(packHits(hits));
    expect(back).toEqual(hits);
    expect('url' in back[1]!.payload).toBe(false);
    expect('exp' in back[1]!.payload).toBe(false);
  });
});
