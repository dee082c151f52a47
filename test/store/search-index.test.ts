// The full-text index is filled behind the commits, on the thread that runs the checkpoints: a search still finds
// every mail stored before it, a restart or a mail stored without an entry loses nothing, deleted mails are never
// found, and retention purges their entries.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newMessageId } from '../../src-main/ingest/ingest.js';
import { parseMail } from '../../src-main/ingest/parse.js';
import { DATABASE_FILE } from '../../src-main/sandbox.js';
import { openDatabase } from '../../src-main/store/sqlite/database.js';
import { SqliteMessageStore } from '../../src-main/store/sqlite/messages.js';
import { SearchIndexer } from '../../src-main/store/search-index.js';
import { getJson, smtpTransport, startSandbox, tempDir, type TestSandbox } from '../helpers/sandbox.js';
import { storeOptions } from '../helpers/stores.js';
import { readSearchText } from '../../src-main/ingest/parse.js';

interface Page {
  messages_count: number;
  messages: { ID: string; Subject: string }[];
}

const running: TestSandbox[] = [];
const temps: { remove: () => void }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((t) => t.stop()));
  temps.splice(0).forEach((t) => t.remove());
});

async function start(flags: Record<string, unknown>): Promise<TestSandbox> {
  const t = await startSandbox(flags);
  running.push(t);
  return t;
}

const search = (t: TestSandbox, query: string) =>
  getJson<Page>(`${t.http}/api/v1/search?query=${encodeURIComponent(query)}`);

const send = (t: TestSandbox, subject: string, text: string) =>
  smtpTransport(t).sendMail({ from: 'shop@acme.test', to: 'reader@example.test', subject, text });

describe('the full-text index, filled behind the commits', () => {
  it('finds a mail in a search made right after it was stored, and never one deleted since', async () => {
    const temp = tempDir();
    temps.push(temp);
    const t = await start({ dataDir: temp.dir });
    for (let i = 0; i < 20; i++) {
      await send(t, `Order ${i}`, `the parcel word${i} is on its way`);
      // Asked at once: the search waits for the index, which is filled a moment after the commit.
      const page = await search(t, `word${i}`);
      expect(page.messages.map((m) => m.Subject)).toEqual([`Order ${i}`]);
    }
    expect((await search(t, 'parcel')).messages_count).toBe(20);
    expect((await search(t, 'from:shop@acme.test')).messages_count).toBe(20);

    const [victim] = (await search(t, 'word3')).messages;
    await fetch(`${t.http}/api/v1/messages`, {
      method: 'DELETE',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ IDs: [victim!.ID] }),
    });
    expect((await search(t, 'word3')).messages_count).toBe(0);
    expect((await search(t, 'parcel')).messages_count).toBe(19);
  });

  it('indexes mails stored without an entry (before a restart, or by another path) once it runs again', async () => {
    const temp = tempDir();
    temps.push(temp);
    const first = await start({ dataDir: temp.dir });
    await send(first, 'Before the restart', 'kept across restarts');
    await first.stop();
    running.splice(running.indexOf(first), 1);

    // Stored straight into the database, as if the process had died before the index saw it.
    const db = openDatabase({ path: join(temp.dir, DATABASE_FILE) });
    try {
      const raw = Buffer.from(
        'From: other@acme.test\r\nTo: reader@example.test\r\nSubject: Stored behind its back\r\n\r\nunindexed zebra\r\n',
      );
      new SqliteMessageStore(db, storeOptions(db)).insert({
        id: newMessageId(),
        createdMs: Date.now(),
        ...(await parseMail(raw)),
        username: '',
        envelopeFrom: 'other@acme.test',
        envelopeTo: ['reader@example.test'],
        remoteIp: '127.0.0.1',
        manifest: null,
        raw,
        tracked: null,
      });
    } finally {
      db.close();
    }

    const t = await start({ dataDir: temp.dir });
    expect((await search(t, 'zebra')).messages.map((m) => m.Subject)).toEqual(['Stored behind its back']);
    expect((await search(t, 'restarts')).messages.map((m) => m.Subject)).toEqual(['Before the restart']);
    await send(t, 'After the restart', 'a new giraffe');
    expect((await search(t, 'giraffe')).messages_count).toBe(1);
  });

  it('reads back a mail stored without an entry between mails handed over with theirs', async () => {
    const db = openDatabase({ path: ':memory:' });
    try {
      const store = new SqliteMessageStore(db, storeOptions(db));
      const seqs: number[] = [];
      for (const word of ['alpha', 'bravo', 'charlie']) {
        const raw = Buffer.from(`From: a@acme.test\r\nSubject: ${word}\r\n\r\nthe word ${word}\r\n`);
        seqs.push(
          store.insert({
            id: newMessageId(),
            createdMs: Date.now(),
            ...(await parseMail(raw)),
            username: '',
            envelopeFrom: 'a@acme.test',
            envelopeTo: [],
            remoteIp: '',
            manifest: null,
            raw,
            tracked: null,
          }),
        );
      }
      // Entries for the first and the last only, as if the middle one had been stored by another path.
      const indexer = new SearchIndexer(db, readSearchText);
      indexer.add([
        { seq: seqs[0]!, subject: 'alpha', addresses: '', body: 'the word alpha' },
        { seq: seqs[2]!, subject: 'charlie', addresses: '', body: 'the word charlie' },
      ]);
      await indexer.catchUp(0);
      expect(indexer.indexedSeq()).toBe(seqs[2]);
      expect((await store.page(0, 10, 'word')).messages.map((m) => m.subject)).toEqual([
        'charlie',
        'bravo',
        'alpha',
      ]);
    } finally {
      db.close();
    }
  });

  it('drops the entries of the mails retention removed', async () => {
    const temp = tempDir();
    temps.push(temp);
    const t = await start({ dataDir: temp.dir, maxMessages: 3 });
    for (let i = 0; i < 8; i++) await send(t, `Mail ${i}`, `rolling mailbox number${i}`);
    expect((await search(t, 'rolling')).messages.map((m) => m.Subject)).toEqual([
      'Mail 7',
      'Mail 6',
      'Mail 5',
    ]);
    expect((await search(t, 'number0')).messages_count).toBe(0);
    await t.stop();
    running.splice(running.indexOf(t), 1);

    // Only the kept mails (and none of the five removed) have entries left, once the indexer has run again.
    const db = openDatabase({ path: join(temp.dir, DATABASE_FILE) });
    try {
      const store = new SqliteMessageStore(db, storeOptions(db));
      await store.searchReady();
      const entries = db.prepare('SELECT count(*) FROM search.messages_fts').pluck().get();
      expect(entries).toBe(3);
      const linked = db.prepare('SELECT count(DISTINCT seq) FROM search.message_addresses').pluck().get();
      expect(linked).toBe(3);
    } finally {
      db.close();
    }
  });
});
