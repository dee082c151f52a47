// A database made by an earlier Mailbeacon is brought up to date when it is opened, keeping what it holds.
import BetterSqlite3 from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readHeaders } from '../../src-main/ingest/parse.js';
import { openDatabase, migrate } from '../../src-main/store/sqlite/database.js';
import { MIGRATIONS } from '../../src-main/store/sqlite/migrations.js';
import { SqliteMessageStore } from '../../src-main/store/sqlite/messages.js';
import { tempDir } from '../helpers/sandbox.js';
import { storeOptions } from '../helpers/stores.js';

const temps: { remove: () => void }[] = [];
afterEach(() => temps.splice(0).forEach((t) => t.remove()));

const RAW = Buffer.from(
  'From: a@acme.test\r\nReceived: first\r\nReceived: second\r\nSubject: Hello\r\n\r\nhi there\r\n',
);
const TRACKED = Buffer.from(`List-Unsubscribe: <http://t/u>\r\n${RAW.toString()}`);
const MANIFEST = JSON.stringify({ enabled: true, links: [] });

describe('schema migrations', () => {
  it('keeps the bytes and the manifest of mails stored at version 3, in one row from version 6 on', async () => {
    const temp = tempDir();
    temps.push(temp);
    const path = join(temp.dir, 'mailbeacon.db');
    const old = new BetterSqlite3(path);
    migrate(old, MIGRATIONS.slice(0, 3));
    old.exec(`
      INSERT INTO messages (id, created_ms, subject, to_json, cc_json, bcc_json, reply_to_json, size, snippet,
        warnings_json, envelope_from, envelope_to, remote_ip)
        VALUES ('old-mail', 1, 'Hello', '[]', '[]', '[]', '[]', 10, '', '[]', '', '[]', ''),
               ('untracked', 2, 'Plain', '[]', '[]', '[]', '[]', 10, '', '[]', '', '[]', '');
      INSERT INTO message_headers (seq, pos, name, value) VALUES
        (1, 2, 'Received', 'second'), (1, 0, 'From', 'a@acme.test'), (1, 1, 'Received', 'first');
    `);
    old
      .prepare(
        "INSERT INTO message_body (seq, text, html, tracked_html, manifest_json) VALUES (?, 'hi', '', '', ?)",
      )
      .run(1, MANIFEST);
    old.prepare("INSERT INTO message_body (seq, text, html, tracked_html) VALUES (2, 'hi', '', '')").run();
    old.prepare('INSERT INTO message_raw (seq, raw, tracked) VALUES (?, ?, ?)').run(1, RAW, TRACKED);
    old.prepare('INSERT INTO message_raw (seq, raw, tracked) VALUES (?, ?, ?)').run(2, RAW, null);
    old.close();

    const db = openDatabase({ path });
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      const store = new SqliteMessageStore(db, storeOptions(db));
      expect(await store.raw('old-mail')).toEqual({ raw: RAW, tracked: TRACKED });
      expect(await store.raw('untracked')).toEqual({ raw: RAW, tracked: null });
      expect(await store.manifestJson('old-mail')).toBe(MANIFEST);
      expect(await store.manifestJson('untracked')).toBeNull();
      // The headers, once rows of their own (version 4 made them JSON), are read from the bytes, in order.
      expect(readHeaders((await store.raw('old-mail'))!.raw).map((h) => h.value)).toEqual([
        'a@acme.test',
        'first',
        'second',
        'Hello',
      ]);
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
      expect(tables).not.toContain('message_headers');
      expect(tables).not.toContain('message_body');
      expect(tables).not.toContain('message_raw');
      // The full-text index, a database of its own since version 8, is built again from the stored mails.
      await store.searchReady();
      expect((await store.page(0, 50, 'hello there')).messages.map((m) => m.id)).toEqual(['old-mail']);
      expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'messages_fts'").pluck().get()).toBe(
        0,
      );
      // Deleting a mail still takes its data with it.
      expect(await store.delete(['old-mail'])).toEqual(['old-mail']);
      expect(db.prepare('SELECT count(*) FROM message_data').pluck().get()).toBe(1);
    } finally {
      db.close();
    }
  });
});
