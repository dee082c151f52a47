// The full-text index holds trigrams, so a term is found wherever it is a substring (as Mailpit's LIKE finds it); an
// index written by an earlier version (words, not trigrams) is built again from the mails when the store opens.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { newMessageId } from '../../src-main/ingest/ingest.js';
import { parseMail } from '../../src-main/ingest/parse.js';
import { DATABASE_FILE } from '../../src-main/sandbox.js';
import { openDatabase } from '../../src-main/store/sqlite/database.js';
import { SqliteMessageStore } from '../../src-main/store/sqlite/messages.js';
import { getJson, smtpTransport, startSandbox, tempDir } from '../helpers/sandbox.js';
import { storeOptions } from '../helpers/stores.js';

const temps: { remove: () => void }[] = [];
afterEach(() => temps.splice(0).forEach((t) => t.remove()));

async function storeWith(mails: string[]) {
  const db = openDatabase({ path: ':memory:' });
  const store = new SqliteMessageStore(db, storeOptions(db));
  for (const text of mails) {
    const raw = Buffer.from(text.replaceAll('\n', '\r\n'));
    store.insert({
      id: newMessageId(),
      createdMs: Date.now(),
      ...(await parseMail(raw)),
      username: '',
      envelopeFrom: 'shop@acme.test',
      envelopeTo: [],
      remoteIp: '',
      manifest: null,
      raw,
      tracked: null,
    });
  }
  await store.searchReady();
  return { db, store };
}

describe('substring search on the trigram index', () => {
  it('finds parts of words, of CJK sentences and of file names, and short terms by LIKE', async () => {
    const { db, store } = await storeWith([
      'From: Billing <billing@acme.test>\nSubject: Invoice 1001\n\nPlease pay the\n  invoice soon.\n',
      'From: news@acme.test\nSubject: =?UTF-8?B?5pel5pys6Kqe?=\nContent-Type: text/plain; charset=utf-8\n\n会議は来週の月曜日に変更になりました\n',
      [
        'From: files@acme.test',
        'Subject: Figures',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary=b',
        '',
        '--b',
        'Content-Type: text/plain',
        '',
        'attached',
        '--b',
        'Content-Type: application/pdf; name=Quarterly-Report.pdf',
        'Content-Disposition: attachment; filename=Quarterly-Report.pdf',
        'Content-Transfer-Encoding: base64',
        '',
        'JVBERi0xLjQ=',
        '--b--',
        '',
      ].join('\n'),
    ]);
    try {
      const subjects = async (query: string) =>
        (await store.page(0, 10, query)).messages.map((m) => m.subject);
      expect(await subjects('subject:voice')).toEqual(['Invoice 1001']);
      expect(await subjects('nvoic')).toEqual(['Invoice 1001']);
      // A line break in the text is a space to a phrase.
      expect(await subjects('"the invoice"')).toEqual(['Invoice 1001']);
      expect(await subjects('来週の月曜')).toEqual(['日本語']);
      expect(await subjects('subject:本語')).toEqual(['日本語']);
      expect(await subjects('report.pdf')).toEqual(['Figures']);
      expect(await subjects('from:illing@')).toEqual(['Invoice 1001']);
      expect(await subjects('-voice')).toEqual(['Figures', '日本語']);
      expect(await subjects('01')).toEqual(['Invoice 1001']);
      expect(await subjects('月曜')).toEqual(['日本語']);
      // Still an index lookup: the page's query reads the index, not every mail's text.
      const plan = db
        .prepare(
          `EXPLAIN QUERY PLAN SELECT m.id FROM messages m WHERE m.seq IN
           (SELECT rowid FROM search.messages_fts WHERE messages_fts MATCH ?) ORDER BY m.seq DESC LIMIT 50`,
        )
        .all('"voice"') as { detail: string }[];
      expect(plan.map((p) => p.detail).join('\n')).toMatch(/VIRTUAL TABLE INDEX/);
    } finally {
      db.close();
    }
  });

  it('finds address filters through the index of distinct addresses, field by field, as substrings', async () => {
    const { db, store } = await storeWith([
      'From: Billing Team <billing@shop7.test>\nTo: Ann <ann@example.test>\nSubject: one\n\nx\n',
      'From: billing@shop70.test\nTo: bob@example.test\nCc: ann@example.test\nSubject: two\n\nx\n',
      'From: news@other.test\nTo: cleo@example.test\nReply-To: BILLING@shop7.test\nSubject: three\n\nx\n',
    ]);
    try {
      const subjects = async (query: string) =>
        (await store.page(0, 10, query)).messages.map((m) => m.subject);
      expect(await subjects('from:billing@shop7.test')).toEqual(['one']);
      expect(await subjects('from:shop7')).toEqual(['two', 'one']);
      expect(await subjects('from:illing@SHOP7.te')).toEqual(['one']);
      expect(await subjects('from:"billing team"')).toEqual(['one']);
      expect(await subjects('to:ann@example.test')).toEqual(['one']);
      expect(await subjects('cc:ann')).toEqual(['two']);
      expect(await subjects('reply-to:billing@shop7')).toEqual(['three']);
      expect(await subjects('addressed:ann@')).toEqual(['two', 'one']);
      expect(await subjects('addressed:billing@shop7.test')).toEqual(['three', 'one']);
      expect(await subjects('-from:billing')).toEqual(['three']);
      // Shorter than a trigram: every distinct address is read, not every mail.
      expect(await subjects('to:bo')).toEqual(['two']);
      expect(await subjects('from:70')).toEqual(['two']);
      expect(await subjects('from:nobody@nowhere.test')).toEqual([]);
      expect((await store.page(0, 10, 'from:shop7')).messagesCount).toBe(2);
      const plan = db
        .prepare(
          `EXPLAIN QUERY PLAN SELECT m.seq FROM messages m WHERE m.seq IN (SELECT seq FROM search.message_addresses
           WHERE fields & 1 AND address IN (SELECT rowid FROM search.addresses_fts WHERE addresses_fts MATCH ?))`,
        )
        .all('"shop7"') as { detail: string }[];
      const detail = plan.map((p) => p.detail).join('\n');
      expect(detail).toMatch(/addresses_fts VIRTUAL TABLE INDEX/);
      expect(detail).toMatch(/SEARCH search\.message_addresses USING PRIMARY KEY \(address=\?\)/);
      expect(detail).not.toMatch(/SCAN m\b|SCAN messages/);
    } finally {
      db.close();
    }
  });

  it('builds an index of the earlier (word) kind again, so stored mails are found by substrings', async () => {
    const temp = tempDir();
    temps.push(temp);
    const first = await startSandbox({ dataDir: temp.dir });
    try {
      await smtpTransport(first).sendMail({
        from: 'billing@acme.test',
        to: 'reader@example.test',
        subject: 'Invoice 1001',
        text: 'kept across the upgrade',
      });
      await getJson(`${first.http}/api/v1/search?query=upgrade`);
    } finally {
      await first.stop();
    }

    // The index as version 1 wrote it: words, and a mark saying every mail is in it.
    const search = new Database(join(temp.dir, `${DATABASE_FILE}-search`));
    search.exec(`
      DROP TABLE messages_fts;
      CREATE VIRTUAL TABLE messages_fts USING fts5 (
        subject, addresses, body, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
      );
      INSERT INTO messages_fts (rowid, subject, addresses, body) VALUES (1, 'Invoice 1001', '', 'kept');
    `);
    search.pragma('user_version = 1');
    search.close();

    const t = await startSandbox({ dataDir: temp.dir });
    try {
      const page = await getJson<{ messages: { Subject: string }[] }>(
        `${t.http}/api/v1/search?query=${encodeURIComponent('subject:voice upgrad')}`,
      );
      expect(page.messages.map((m) => m.Subject)).toEqual(['Invoice 1001']);
    } finally {
      await t.stop();
    }
    const after = new Database(join(temp.dir, `${DATABASE_FILE}-search`), { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(3);
    after.close();
  });
});
