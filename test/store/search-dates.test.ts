// before: and after: match by the time a mail was received, whatever order the mails were stored in.
import { afterEach, describe, expect, it } from 'vitest';
import { newMessageId } from '../../src-main/ingest/ingest.js';
import { openDatabase } from '../../src-main/store/sqlite/database.js';
import { SqliteMessageStore, type NewMessage } from '../../src-main/store/sqlite/messages.js';
import { storeOptions } from '../helpers/stores.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 9, 1);
const day = (n: number) => new Date(T0 + n * DAY).toISOString().slice(0, 10);

function mail(subject: string, createdMs: number): NewMessage {
  const raw = Buffer.from(`Subject: ${subject}\r\n\r\nhi\r\n`);
  return {
    id: newMessageId(),
    createdMs,
    messageId: '',
    subject,
    from: null,
    to: [],
    cc: [],
    bcc: [],
    replyTo: [],
    returnPath: '',
    dateMs: null,
    searchText: 'hi',
    snippet: 'hi',
    parts: [],
    warnings: [],
    username: '',
    envelopeFrom: '',
    envelopeTo: [],
    remoteIp: '',
    manifest: null,
    raw,
    tracked: null,
  };
}

const dbs: { close: () => void }[] = [];
afterEach(() => dbs.splice(0).forEach((db) => db.close()));

describe('date search', () => {
  it('before: finds exactly the mails received before the date, newest first, when seq and time disagree', async () => {
    const db = openDatabase({ path: ':memory:' });
    dbs.push(db);
    const store = new SqliteMessageStore(db, storeOptions(db));
    // Stored in this order (seq 1..7); received on these days. A mail that took long to store has a later seq
    // than mails received after it ("late", "early"): the bound on seq a date gives must not cut it off.
    const days: [string, number][] = [
      ['d1', 1],
      ['d3', 3],
      ['d2', 2],
      ['d5', 5],
      ['late', 4],
      ['d6', 6],
      ['early', 0],
    ];
    for (const [subject, n] of days) store.insert(mail(subject, T0 + n * DAY + 1000));
    const subjects = async (query: string, start = 0, limit = 50) =>
      (await store.page(start, limit, query)).messages.map((m) => m.subject);

    expect(await subjects(`before:${day(5)}`)).toEqual(['early', 'late', 'd2', 'd3', 'd1']);
    expect((await store.page(0, 50, `before:${day(5)}`)).messagesCount).toBe(5);
    expect(await subjects(`before:${day(3)}`)).toEqual(['early', 'd2', 'd1']);
    expect(await subjects(`before:${day(1)}`)).toEqual(['early']);
    expect(await subjects(`before:${day(0)}`)).toEqual([]);
    expect(await subjects(`before:${day(9)}`, 1, 2)).toEqual(['d6', 'late']);
    expect(await subjects(`-before:${day(5)}`)).toEqual(['d6', 'd5']);
    expect(await subjects(`after:${day(4)} before:${day(6)}`)).toEqual(['late', 'd5']);
    // Unread counts come from the same index.
    await store.setRead([(await store.page(0, 1, `before:${day(3)}`)).messages[0]!.id], true);
    expect((await store.page(0, 50, `before:${day(3)}`)).messagesUnread).toBe(2);
  });
});
