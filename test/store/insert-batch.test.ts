// Mails that arrive together are stored in one transaction, and one that cannot be stored does not take the others
// with it: each gets its own seq or its own error, whether the batch is written in one go or mail by mail.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from 'better-sqlite3';
import { newMessageId } from '../../src-main/ingest/ingest.js';
import { parseMail } from '../../src-main/ingest/parse.js';
import { openDatabase } from '../../src-main/store/sqlite/database.js';
import { SqliteMessageStore, type NewMessage } from '../../src-main/store/sqlite/messages.js';
import { storeOptions } from '../helpers/stores.js';

async function mail(subject: string, id = newMessageId()): Promise<NewMessage> {
  const raw = Buffer.from(
    `From: a@acme.test\r\nTo: b@acme.test\r\nSubject: ${subject}\r\n\r\nabout ${subject}\r\n`,
  );
  return {
    id,
    createdMs: Date.now(),
    ...(await parseMail(raw)),
    username: '',
    envelopeFrom: 'a@acme.test',
    envelopeTo: ['b@acme.test'],
    remoteIp: '127.0.0.1',
    manifest: null,
    raw,
    tracked: null,
  };
}

const subjects = async (store: SqliteMessageStore) =>
  (await store.page(0, 50)).messages.map((m) => m.subject).reverse();

describe('SqliteMessageStore.insertBatch', () => {
  let db: Database;
  let store: SqliteMessageStore;
  beforeEach(() => {
    db = openDatabase({ path: ':memory:' });
    store = new SqliteMessageStore(db, storeOptions(db));
  });
  afterEach(() => db.close());

  it('stores every mail of a batch, in order, with consecutive seqs', async () => {
    const items = await Promise.all(['one', 'two', 'three'].map(async (s) => ({ message: await mail(s) })));
    const results = store.insertBatch(items);
    expect(results.every((r) => typeof r === 'number')).toBe(true);
    const seqs = results as number[];
    expect(seqs[1]! - seqs[0]!).toBe(1);
    expect(seqs[2]! - seqs[1]!).toBe(1);
    expect(await subjects(store)).toEqual(['one', 'two', 'three']);
    expect((await store.count()).total).toBe(3);
  });

  it('refuses only the mail that cannot be stored, and keeps the others of its batch', async () => {
    const first = await mail('first');
    store.insert(first);
    // The middle mail reuses a stored id, which the unique index refuses.
    const items = [
      { message: await mail('before') },
      { message: await mail('duplicate', first.id) },
      { message: await mail('after') },
    ];
    const results = store.insertBatch(items);
    expect(typeof results[0]).toBe('number');
    expect(results[1]).toBeInstanceOf(Error);
    expect((results[1] as Error).message).toMatch(/UNIQUE/);
    expect(typeof results[2]).toBe('number');
    // Nothing of the batch's first, rolled-back attempt is left behind, and the count is right.
    expect(await subjects(store)).toEqual(['first', 'before', 'after']);
    expect((await store.count()).total).toBe(3);
    expect(db.prepare('SELECT count(*) FROM message_data').pluck().get()).toBe(3);
  });

  it('runs each mail’s hooks once, in its transaction, also when another mail of the batch fails', async () => {
    const first = await mail('first');
    store.insert(first);
    const hooked: string[] = [];
    const hook = (name: string) => [(seq: number) => void hooked.push(`${name}:${seq}`)];
    const results = store.insertBatch([
      { message: await mail('before'), hooks: hook('before') },
      { message: await mail('duplicate', first.id), hooks: hook('duplicate') },
      { message: await mail('after'), hooks: hook('after') },
    ]);
    expect(hooked).toEqual([`before:${results[0]}`, `after:${results[2]}`]);
    expect(await subjects(store)).toEqual(['first', 'before', 'after']);
  });

  it('prunes the oldest mails beyond maxMessages in the same transaction', async () => {
    for (const s of ['a', 'b', 'c']) store.insert(await mail(s));
    const items = await Promise.all(['d', 'e'].map(async (s) => ({ message: await mail(s) })));
    store.insertBatch(items, 3);
    expect(await subjects(store)).toEqual(['c', 'd', 'e']);
    expect((await store.count()).total).toBe(3);
  });
});
