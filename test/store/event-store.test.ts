import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/store/sqlite/database.js';
import { SqliteEventStore, type NewTrackingEvent } from '../../src-main/store/sqlite/events.js';
import { commitsOf } from '../helpers/stores.js';

function hit(i: number): NewTrackingEvent {
  return {
    kind: i % 3 === 0 ? 'click' : 'open',
    url: i % 3 === 0 ? `https://example.com/${i}` : '',
    metadata: { message_id: `m${i % 4}`, recipient: `r${i}@example.org` },
    remote_ip: `192.0.2.${i % 250}`,
    ua: `agent ${i}`,
    ts: 1_730_000_000_000_000_000n + BigInt(i) * 1_000_000n,
    token_id: `token-${i}`,
    message_id: `m${i % 4}`,
    classification: i % 5 === 0 ? 'scanner' : 'human',
    method: 'GET',
    source: 'recipient',
    client: `192.0.2.${i % 250} agent ${i}`,
  };
}

describe('SqliteEventStore.recordMany', () => {
  let db: Database;
  let store: SqliteEventStore;

  beforeEach(() => {
    db = openDatabase({ path: ':memory:' });
    store = new SqliteEventStore(db, commitsOf(db));
  });
  afterEach(() => db.close());

  it('stores batches of every size in order, each event carrying the id of its own row', () => {
    let next = 0;
    // sizes around the multi-row chunk boundaries, and a batch larger than the largest chunk
    for (const size of [1, 2, 3, 7, 63, 64, 65, 127, 200]) {
      const batch = Array.from({ length: size }, () => hit(next++));
      const stored = store.recordMany(batch);
      expect(stored).toHaveLength(size);
      for (const [i, event] of stored.entries()) {
        const row = db
          .prepare('SELECT * FROM events WHERE id = ?')
          .safeIntegers(true)
          .get(event.id) as Record<string, unknown>;
        const sent = batch[i]!;
        expect(row).toMatchObject({
          kind: sent.kind,
          url: sent.url,
          ua: sent.ua,
          ts: sent.ts,
          token_id: sent.token_id,
          message_id: sent.message_id,
          classification: sent.classification,
        });
        expect(JSON.parse(row.metadata as string)).toEqual(sent.metadata);
        expect(event).toMatchObject({
          token_id: sent.token_id,
          ts: sent.ts.toString(),
          metadata: sent.metadata,
        });
        expect(event.time).toBe(new Date(Number(sent.ts / 1_000_000n)).toISOString());
      }
    }
    expect(db.prepare('SELECT COUNT(*) FROM events').pluck().get()).toBe(next);
    const ids = db.prepare('SELECT token_id FROM events ORDER BY id').pluck().all();
    expect(ids).toEqual(Array.from({ length: next }, (_, i) => `token-${i}`));
  });

  it("returns each hit with its mail's inbox, as its row holds it, across chunk boundaries", async () => {
    // m0 and m2 in inboxes of their own, m1 in default, m3 no stored mail at all.
    const mail = db.prepare(
      `INSERT INTO messages (id, created_ms, subject, to_json, size, snippet, read, inbox)
       VALUES (?, 1700000000000, 's', '[]', 1, '', 0, ?)`,
    );
    mail.run('m0', 'shop');
    mail.run('m1', 'default');
    mail.run('m2', 'blog');
    const expected: Record<string, string> = { m0: 'shop', m1: 'default', m2: 'blog', m3: 'default' };
    const stored = store.recordMany(Array.from({ length: 99 }, (_, i) => hit(i)));
    for (const event of stored) {
      expect(event.inbox).toBe(expected[event.message_id]);
      expect(db.prepare('SELECT inbox FROM events WHERE id = ?').pluck().get(event.id)).toBe(event.inbox);
    }
    expect((await store.list({ limit: 200 })).events.map((e) => [e.id, e.inbox])).toEqual(
      stored.map((e) => [e.id, e.inbox]).reverse(),
    );
  });

  it('stores nothing from a batch whose insert fails', () => {
    store.recordMany([hit(0)]);
    const broken = { ...hit(2), kind: null } as unknown as NewTrackingEvent; // NOT NULL column
    expect(() => store.recordMany([hit(1), broken, hit(3)])).toThrow();
    expect(db.prepare('SELECT token_id FROM events').pluck().all()).toEqual(['token-0']);
  });

  it('keeps ids consecutive with rows deleted in between (AUTOINCREMENT never reuses one)', () => {
    const first = store.recordMany(Array.from({ length: 10 }, (_, i) => hit(i)));
    db.prepare('DELETE FROM events WHERE id > ?').run(first[4]!.id);
    const second = store.recordMany(Array.from({ length: 5 }, (_, i) => hit(10 + i)));
    expect(second.map((e) => e.id)).toEqual([1, 2, 3, 4, 5].map((n) => first[9]!.id + n));
    const tokenOf = db.prepare('SELECT token_id FROM events WHERE id = ?').pluck();
    for (const event of second) expect(tokenOf.get(event.id)).toBe(event.token_id);
  });
});
