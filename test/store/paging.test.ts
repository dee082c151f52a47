// Pages of the list and of searches, at every offset: the page's mails are found in indexes first (and the rows read
// after), through the filter's own index for few matches or walking the mailbox for many; every way must give the
// same mails, in the same order, with the same counts, as filtering the whole mailbox would.
import { afterEach, describe, expect, it } from 'vitest';
import { newMessageId } from '../../src-main/ingest/ingest.js';
import { openDatabase } from '../../src-main/store/sqlite/database.js';
import {
  SqliteMessageStore,
  type NewMessage,
  type StoredPart,
} from '../../src-main/store/sqlite/messages.js';
import { storeOptions } from '../helpers/stores.js';

interface Fixture {
  n: number;
  read: boolean;
  tagged: boolean;
  inline: boolean;
  large: boolean;
  odd: boolean;
}

const inlinePart: StoredPart = {
  partId: '2',
  filename: 'logo.png',
  contentType: 'image/png',
  contentId: 'logo',
  inline: true,
  size: 4,
  md5: '',
  sha1: '',
  sha256: '',
  content: Buffer.from('logo'),
};

function mail(f: Fixture): NewMessage {
  const raw = Buffer.from(`Subject: mail ${f.n}\r\n\r\n${f.large ? 'x'.repeat(3000) : 'hi'}\r\n`);
  return {
    id: newMessageId(),
    createdMs: Date.UTC(2026, 0, 1) + f.n * 60_000,
    messageId: `${f.n}.${f.odd ? 'odd' : 'even'}@paging.test`,
    subject: `mail ${f.n}`,
    from: null,
    to: [],
    cc: [],
    bcc: [],
    replyTo: [],
    returnPath: '',
    dateMs: null,
    searchText: 'hi',
    snippet: 'hi',
    parts: f.inline ? [inlinePart] : [],
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

describe('pages', () => {
  it('give the mails and counts of a filter over the whole mailbox, at every offset and for every plan', async () => {
    const db = openDatabase({ path: ':memory:' });
    dbs.push(db);
    const store = new SqliteMessageStore(db, storeOptions(db));
    const fixtures: (Fixture & { id: string })[] = [];
    for (let n = 0; n < 90; n++) {
      const f: Fixture = {
        n,
        read: n % 3 === 0,
        tagged: n % 11 === 0,
        inline: n % 13 === 0,
        large: n % 7 === 0,
        odd: n % 2 === 1,
      };
      const m = mail(f);
      store.insert(m);
      fixtures.push({ ...f, id: m.id });
    }
    await store.setRead(
      fixtures.filter((f) => f.read).map((f) => f.id),
      true,
    );
    await store.setTags(
      fixtures.filter((f) => f.tagged).map((f) => f.id),
      ['vip'],
    );
    // Gaps in seq: deleted mails must not shift a page.
    const gone = fixtures.filter((f) => f.n % 5 === 4);
    await store.delete(gone.map((f) => f.id));
    const kept = fixtures.filter((f) => f.n % 5 !== 4).reverse(); // newest first

    const queries: [string, (f: Fixture) => boolean][] = [
      ['', () => true],
      ['is:read', (f) => f.read],
      ['is:unread', (f) => !f.read],
      ['-is:read', (f) => !f.read],
      ['is:tagged', (f) => f.tagged],
      ['-is:tagged', (f) => !f.tagged],
      ['tag:vip', (f) => f.tagged],
      ['has:inline', (f) => f.inline],
      ['-has:inline', (f) => !f.inline],
      ['larger:2k', (f) => f.large],
      ['smaller:2k', (f) => !f.large],
      ['message-id:odd', (f) => f.odd],
      ['-message-id:odd', (f) => !f.odd],
      ['is:opened', () => false],
      ['-is:clicked', () => true],
      ['is:unread larger:2k', (f) => !f.read && f.large],
    ];
    for (const [query, pick] of queries) {
      const expected = kept.filter(pick);
      for (let start = 0; start <= expected.length + 1; start += 3) {
        for (const limit of [1, 4, 50]) {
          const page = await store.page(start, limit, query);
          const what = `${query || '(list)'} start ${start} limit ${limit}`;
          expect(
            page.messages.map((m) => m.id),
            what,
          ).toEqual(expected.slice(start, start + limit).map((f) => f.id));
          expect(page.messagesCount, what).toBe(expected.length);
          expect(page.messagesUnread, what).toBe(expected.filter((f) => !f.read).length);
        }
      }
    }
  });
});
