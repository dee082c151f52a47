import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { openDatabase } from '../../src-main/store/sqlite/database.js';
import { mintToken } from '../../src-main/hub/jwt.js';
import {
  Client,
  SUBSCRIBER_KEY,
  rawGet,
  startHub,
  subscribeUrl,
  tempDir,
  waitFor,
  type TestHub,
} from './helpers.js';
import { hubHistoryOf } from '../helpers/stores.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function track<T extends { close(): unknown }>(thing: T): T {
  cleanups.push(async () => void (await thing.close()));
  return thing;
}

async function hubOn(db: Database | undefined, historySize = 100): Promise<TestHub> {
  return track(
    await startHub({
      anonymous: true,
      historySize,
      ...(db ? { storedHistory: hubHistoryOf(db, historySize) } : {}),
    }),
  );
}

function openTempDb(): Database {
  const tmp = tempDir();
  cleanups.push(() => tmp.remove());
  const path = join(tmp.dir, 'mailbeacon.db');
  return openDatabase({ path });
}

describe('Last-Event-ID reconciliation', () => {
  it('replays later updates after a hub restart on the same database, re-checking private rights', async () => {
    const tmp = tempDir();
    cleanups.push(() => tmp.remove());
    const path = join(tmp.dir, 'mailbeacon.db');

    let db = openDatabase({ path });
    const first = await startHub({ anonymous: true, storedHistory: hubHistoryOf(db) });
    const ids = [
      first.hub.publish({ topics: ['books/1'], data: 'one' }),
      first.hub.publish({ topics: ['books/1'], data: 'two' }),
      first.hub.publish({ topics: ['books/1'], data: 'private three', private: true }),
      first.hub.publish({ topics: ['books/2'], data: 'other topic' }),
      first.hub.publish({ topics: ['books/1'], data: 'four' }),
    ];
    await first.close();
    db.close();

    db = openDatabase({ path });
    cleanups.push(() => {
      db.close();
    });
    const second = await hubOn(db);
    const url = subscribeUrl(second.hubUrl, ['books/{id}']);

    const anonymous = track(await new Client(url, { lastEventId: ids[0] }).open());
    await anonymous.waitFor((r) => r.data === 'four');
    expect(anonymous.received.map((r) => r.data)).toEqual(['two', 'other topic', 'four']);
    expect(anonymous.received.map((r) => r.id)).toEqual([ids[1], ids[3], ids[4]]);
    expect(anonymous.responseHeaders?.get('last-event-id')).toBe(ids[0]);

    const allowed = track(
      await new Client(subscribeUrl(second.hubUrl, ['books/1'], { lastEventID: ids[1]! }), {
        token: await mintToken(SUBSCRIBER_KEY, { subscribe: ['books/1'] }),
      }).open(),
    );
    await allowed.waitFor((r) => r.data === 'four');
    expect(allowed.received.map((r) => r.data)).toEqual(['private three', 'four']);

    // Replayed and live updates form one ordered stream.
    second.hub.publish({ topics: ['books/1'], data: 'five' });
    await anonymous.waitFor((r) => r.data === 'five');
    expect(anonymous.received.map((r) => r.data)).toEqual(['two', 'other topic', 'four', 'five']);
  });

  it("answers 'earliest' for an unknown id and replays everything for 'earliest'", async () => {
    const h = await hubOn(undefined);
    h.hub.publish({ topics: ['t'], data: 'a' });
    h.hub.publish({ topics: ['t'], data: 'b' });
    const unknown = await rawGet(subscribeUrl(h.hubUrl, ['t']), { 'Last-Event-ID': 'urn:uuid:nope' });
    expect(unknown.headers['last-event-id']).toBe('earliest');
    const header = await rawGet(subscribeUrl(h.hubUrl, ['t'], { lastEventID: 'ignored' }), {
      'Last-Event-ID': 'earliest',
    });
    expect(header.headers['last-event-id']).toBe('earliest');
    const all = track(await new Client(subscribeUrl(h.hubUrl, ['t'], { lastEventID: 'earliest' })).open());
    await all.waitFor((r) => r.data === 'b');
    expect(all.received.map((r) => r.data)).toEqual(['a', 'b']);
    const none = await rawGet(subscribeUrl(h.hubUrl, ['t']));
    expect(none.headers['last-event-id']).toBeUndefined();
  });

  it('keeps at most historySize updates in hub_history, deleting the oldest', async () => {
    const db = openTempDb();
    cleanups.push(() => {
      db.close();
    });
    const h = await hubOn(db, 3);
    const ids = ['a', 'b', 'c', 'd', 'e'].map((data) => h.hub.publish({ topics: ['t'], data }));
    // Updates are written in the shared commit, after the next event-loop turn.
    for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(db.prepare('SELECT id FROM hub_history ORDER BY seq').pluck().all()).toEqual(ids.slice(2));
    const c = track(await new Client(subscribeUrl(h.hubUrl, ['t'], { lastEventID: 'earliest' })).open());
    await c.waitFor((r) => r.data === 'e');
    expect(c.received.map((r) => r.data)).toEqual(['c', 'd', 'e']);
    // A pruned id is unknown: nothing is replayed and the client learns that it may have missed updates.
    const pruned = await rawGet(subscribeUrl(h.hubUrl, ['t'], { lastEventID: ids[0]! }));
    expect(pruned.headers['last-event-id']).toBe('earliest');
  });

  it('bounds the in-memory history the same way', async () => {
    const h = await hubOn(undefined, 2);
    for (const data of ['a', 'b', 'c']) h.hub.publish({ topics: ['t'], data });
    const c = track(await new Client(subscribeUrl(h.hubUrl, ['t'], { lastEventID: 'earliest' })).open());
    await c.waitFor((r) => r.data === 'c');
    expect(c.received.map((r) => r.data)).toEqual(['b', 'c']);
  });
});

describe('large replays', () => {
  for (const storage of ['memory', 'sqlite'] as const) {
    it(`replays a history far larger than the queue limit in order, then the live stream (${storage})`, async () => {
      const db = storage === 'sqlite' ? openTempDb() : undefined;
      if (db) cleanups.push(() => void db.close());
      const h = track(
        await startHub({
          anonymous: true,
          historySize: 1000,
          queueLimit: 16 * 1024,
          ...(db ? { storedHistory: hubHistoryOf(db, 1000) } : {}),
        }),
      );
      const payload = 'p'.repeat(2048);
      const ids: string[] = [];
      for (let i = 0; i < 400; i++) ids.push(h.hub.publish({ topics: ['t'], data: `${i} ${payload}` }));
      const c = track(await new Client(subscribeUrl(h.hubUrl, ['t'], { lastEventID: ids[99]! })).open());
      // Published while the replay may still be running: held back and delivered after it, in order.
      for (let i = 400; i < 410; i++) ids.push(h.hub.publish({ topics: ['t'], data: `${i} live` }));
      await c.waitFor((r) => r.data === '409 live');
      expect(c.received.map((r) => r.id)).toEqual(ids.slice(100));
      expect(h.hub.subscriberCount).toBe(1);
    });
  }
});

describe('replay to a slow reader', () => {
  it('holds live updates back until the replay has been read, and keeps the order', async () => {
    const h = await hubOn(undefined, 1000);
    // 8 MB of history: more than loopback socket buffers hold, so the replay has to wait for the reader.
    const payload = 'p'.repeat(8 * 1024);
    const ids: string[] = [];
    for (let i = 0; i < 1000; i++) ids.push(h.hub.publish({ topics: ['t'], data: payload }));
    const body: string[] = [];
    let ended = false;
    const { request } = await import('node:http');
    const req = request(subscribeUrl(h.hubUrl, ['t'], { lastEventID: 'earliest' }), (res) => {
      res.pause();
      responded = true;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => body.push(chunk));
      res.on('end', () => (ended = true));
      resume = () => res.resume();
    });
    let resume: () => void = () => {};
    let responded = false;
    req.end();
    cleanups.push(() => void req.destroy());
    await waitFor('the response', () => (h.hub.subscriberCount === 1 && responded ? true : undefined));
    for (let i = 0; i < 10; i++) ids.push(h.hub.publish({ topics: ['t'], data: `live ${i}` }));
    resume();
    await waitFor('the live updates', () => (body.join('').includes('data: live 9\n') ? true : undefined));
    const received = [...body.join('').matchAll(/^id: (.*)$/gm)].map((m) => m[1]);
    expect(received).toEqual(ids);
    expect(ended).toBe(false);
  });
});

describe('shutdown order', () => {
  it('survives subscribers leaving after the database was closed', async () => {
    const db = openTempDb();
    const h = await hubOn(db);
    const c = await new Client(subscribeUrl(h.hubUrl, ['t'])).open();
    db.close();
    c.close();
    await waitFor('the subscriber to be gone', () => (h.hub.subscriberCount === 0 ? true : undefined));
    // Subscription events go out one per event-loop turn: the failed one is logged shortly after.
    await waitFor('the unpublished subscription event to be logged', () =>
      h.logs.some((l) => l.level === 'warn' && l.message.includes('not published')) ? true : undefined,
    );
  });
});

describe('EventSource reconnection', () => {
  it('resumes from Last-Event-ID on its own after the hub restarts, without loss or duplicates', async () => {
    const tmp = tempDir();
    cleanups.push(() => tmp.remove());
    const path = join(tmp.dir, 'mailbeacon.db');
    const db = openDatabase({ path });
    cleanups.push(() => {
      db.close();
    });
    // One listener whose hub is replaced, as when the sandbox restarts on the same port.
    const first = await startHub({ anonymous: true, storedHistory: hubHistoryOf(db) });
    let current = first.hub;
    first.server.removeAllListeners('request');
    first.server.on('request', (req, res) => current.handle(req, res));
    cleanups.push(() => first.close());

    const c = track(await new Client(subscribeUrl(first.hubUrl, ['t'])).open());
    // retry: the reconnection delay the client adopts (EventSource's default is seconds).
    const a = first.hub.publish({ topics: ['t'], data: 'A', retry: 20 });
    await c.waitFor((r) => r.id === a);

    await first.hub.close();
    const { Hub } = await import('../../src-main/hub/hub.js');
    const { createLogger } = await import('../../src-main/logger.js');
    const second = new Hub({
      storedHistory: hubHistoryOf(db),
      publisherKey: 'p',
      subscriberKey: 's',
      anonymous: true,
      corsOrigins: [],
      heartbeatMs: 60_000,
      historySize: 100,
      logger: createLogger('silent'),
      publicUrl: () => first.base,
    });
    cleanups.push(() => second.close());
    current = second;
    const b = second.publish({ topics: ['t'], data: 'B' });
    await c.waitFor((r) => r.id === b);
    second.publish({ topics: ['t'], data: 'C' });
    await c.waitFor((r) => r.data === 'C');
    expect(c.received.map((r) => r.data)).toEqual(['A', 'B', 'C']);
    // The reconnection carried the id of A: the hub found it and says the replay starts after it.
    expect(c.responseHeaders?.get('last-event-id')).toBe(a);
  });
});
