// A data directory from before inboxes: its mail, events and outbox entries land in `default`, served by the real
// listener both unscoped and at /inbox/default/.
import BetterSqlite3 from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src-main/store/sqlite/database.js';
import { MIGRATIONS } from '../../src-main/store/sqlite/migrations.js';
import { getJson, startSandbox, tempDir } from '../helpers/sandbox.js';

const RAW = Buffer.from(
  'From: a@acme.test\r\nTo: b@example.org\r\nSubject: From before inboxes\r\n\r\nold mail\r\n',
);

describe('migrating a data directory made before inboxes', () => {
  const temp = tempDir();
  afterAll(() => temp.remove());

  it('puts its mail, events and outbox entries in the default inbox', async () => {
    const old = new BetterSqlite3(join(temp.dir, 'mailbeacon.db'));
    // The last schema without inboxes.
    migrate(old, MIGRATIONS.slice(0, 14));
    old.exec(`
      INSERT INTO messages (id, created_ms, subject, to_json, size, snippet, read)
        VALUES ('old-mail', 1700000000000, 'From before inboxes', '[{"Name":"","Address":"b@example.org"}]', 90, 'old mail', 0);
      INSERT INTO events (kind, ts, token_id, message_id, classification) VALUES ('open', 1, 't1', 'old-mail', 'human');
      INSERT INTO relay_outbox (message_id, recipients_json, reason, relay_id, created_ms, updated_ms, status)
        VALUES ('old-mail', '[]', 'manual', 'r1', 1, 1, 'sent');
    `);
    old.prepare('INSERT INTO message_data (seq, raw) VALUES (1, ?)').run(RAW);
    old.close();

    const t = await startSandbox({ dataDir: temp.dir });
    try {
      const page = await getJson<{ total: number; messages: { ID: string; Inbox: string }[] }>(
        `${t.http}/api/v1/messages`,
      );
      expect(page.messages).toEqual([expect.objectContaining({ ID: 'old-mail', Inbox: 'default' })]);
      const inboxes = await getJson<{ Inboxes: { Name: string; Total: number; LastMail: string }[] }>(
        `${t.http}/api/v1/inboxes`,
      );
      expect(inboxes.Inboxes).toEqual([
        expect.objectContaining({
          Name: 'default',
          Total: 1,
          LastMail: new Date(1700000000000).toISOString(),
        }),
      ]);
      const one = await getJson<{ Subject: string }>(`${t.http}/inbox/default/api/v1/message/old-mail`);
      expect(one.Subject).toBe('From before inboxes');
      const db = t.sandbox.db;
      expect(db.prepare('SELECT inbox FROM events').pluck().all()).toEqual(['default']);
      expect(db.prepare('SELECT inbox FROM relay_outbox').pluck().all()).toEqual(['default']);
      // Listing one inbox reads its slice of the (inbox, seq, read) index.
      const plan = db
        .prepare("EXPLAIN QUERY PLAN SELECT seq FROM messages WHERE inbox = 'default' ORDER BY seq DESC")
        .all() as { detail: string }[];
      expect(plan.map((p) => p.detail).join(' ')).toMatch(/COVERING INDEX messages_inbox \(inbox=\?\)/);
      // has:attachment within one inbox reads only that inbox's mails with attachments, as the store asks it.
      const attached = db
        .prepare(
          "EXPLAIN QUERY PLAN SELECT count(*) FROM messages m WHERE m.inbox = 'default' AND (m.attachments > 0)",
        )
        .all() as { detail: string }[];
      expect(attached.map((p) => p.detail).join(' ')).toMatch(
        /INDEX messages_inbox_attachments \(inbox=\?\)/,
      );
    } finally {
      await t.stop();
    }
  });
});
