// A database made by an earlier Mailbeacon is brought up to date when it is opened, keeping what it holds.
import BetterSqlite3 from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, migrate } from '../../src-main/store/database.js';
import { MIGRATIONS } from '../../src-main/store/migrations.js';
import { MessageStore } from '../../src-main/store/messages.js';
import { tempDir } from '../helpers/sandbox.js';

const temps: { remove: () => void }[] = [];
afterEach(() => temps.splice(0).forEach((t) => t.remove()));

describe('schema migrations', () => {
  it('moves the headers of mails stored before version 4 into their bodies, in order', () => {
    const temp = tempDir();
    temps.push(temp);
    const path = join(temp.dir, 'mailbeacon.db');
    const old = new BetterSqlite3(path);
    migrate(old, MIGRATIONS.slice(0, 3));
    old.exec(`
      INSERT INTO messages (id, created_ms, subject, to_json, cc_json, bcc_json, reply_to_json, size, snippet,
        warnings_json, envelope_from, envelope_to, remote_ip)
        VALUES ('old-mail', 1, 'Hello', '[]', '[]', '[]', '[]', 10, '', '[]', '', '[]', '');
      INSERT INTO message_body (seq, text, html, tracked_html) VALUES (1, 'hi', '', '');
      INSERT INTO message_headers (seq, pos, name, value) VALUES
        (1, 2, 'Received', 'second'), (1, 0, 'From', 'a@acme.test'), (1, 1, 'Received', 'first');
    `);
    old.close();

    const db = openDatabase({ path });
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      const store = new MessageStore(db);
      const row = store.get('old-mail')!;
      expect(store.headersOf(row.seq)).toEqual([
        { name: 'From', value: 'a@acme.test' },
        { name: 'Received', value: 'first' },
        { name: 'Received', value: 'second' },
      ]);
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
      expect(tables).not.toContain('message_headers');
    } finally {
      db.close();
    }
  });
});
