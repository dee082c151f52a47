// A large mail is written in slices before its row (SqliteMessageStore.writeSlices): over SMTP, its source (as received
// and as tracked) and its attachments still download byte for byte; deleting it removes its slices; slices left by
// a mail whose row never committed are gone when the store opens again.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../src-main/sandbox.js';
import { openDatabase } from '../../src-main/store/sqlite/database.js';
import { SqliteMessageStore, SLICED_MAIL_BYTES } from '../../src-main/store/sqlite/messages.js';
import { getJson, smtpTransport, startSandbox, tempDir, type TestSandbox } from '../helpers/sandbox.js';
import { storeOptions } from '../helpers/stores.js';

interface Message {
  ID: string;
  Attachments: { PartID: string; FileName: string; Size: number }[];
}

describe('a large mail stored in slices', () => {
  const temp = tempDir();
  let t: TestSandbox;
  let id: string;
  const attachments = [
    { filename: 'one.bin', content: randomBytes(1_500_000) },
    { filename: 'two.bin', content: randomBytes(900_000) },
  ];
  // A link on every line, in quoted-printable: the tracked mail is kept as a patch.
  const html = Array.from(
    { length: 4_000 },
    (_, i) => `<p><a href="https://shop.example/item/${i}">Item ${i}</a></p>`,
  ).join('\n');

  beforeAll(async () => {
    t = await startSandbox({ dataDir: temp.dir });
    const info = await smtpTransport(t).sendMail({
      from: 'shop@example.com',
      to: 'reader@example.org',
      subject: 'big',
      html,
      attachments,
    });
    expect(info.response).toMatch(/^250/);
    id = (await getJson<{ messages: { ID: string }[] }>(`${t.http}/api/v1/messages`)).messages[0]!.ID;
  });
  afterAll(async () => {
    await t.stop();
    temp.remove();
  });

  it('keeps its bytes in slices, not in its row', async () => {
    const raw = Buffer.from(await (await fetch(`${t.http}/api/v1/message/${id}/raw`)).arrayBuffer());
    expect(raw.length).toBeGreaterThanOrEqual(SLICED_MAIL_BYTES);
    const db = t.sandbox.db;
    const row = db
      .prepare(
        `SELECT d.sliced, length(d.raw) AS raw, d.tracked_patch IS NULL AS noPatch FROM message_data d
         JOIN messages m ON m.seq = d.seq WHERE m.id = ?`,
      )
      .get(id);
    expect(row).toEqual({ sliced: 1, raw: 0, noPatch: 1 });
    const kinds = db
      .prepare(
        'SELECT kind, count(*) AS n, sum(length(data)) AS bytes FROM message_slices WHERE mail_id = ? GROUP BY kind',
      )
      .all(id) as { kind: string; n: number; bytes: number }[];
    expect(kinds.find((k) => k.kind === 'raw')).toEqual({
      kind: 'raw',
      n: Math.ceil(raw.length / 2 ** 20),
      bytes: raw.length,
    });
    expect(kinds.some((k) => k.kind === 'patch')).toBe(true);
    expect(db.prepare('SELECT max(length(content)) FROM message_parts').pluck().get()).toBe(0);
  });

  it('gives back its source as received and as tracked', async () => {
    const raw = Buffer.from(await (await fetch(`${t.http}/api/v1/message/${id}/raw`)).arrayBuffer());
    const parsed = await simpleParser(raw);
    expect(parsed.html).toBe(html);
    const tracked = Buffer.from(
      await (await fetch(`${t.http}/api/v1/message/${id}/raw?version=tracked`)).arrayBuffer(),
    );
    expect(tracked.equals(raw)).toBe(false);
    const trackedHtml = (await simpleParser(tracked)).html as string;
    expect(trackedHtml).not.toContain('https://shop.example/item/7"');
    expect(trackedHtml.length).toBeGreaterThan(html.length);
  });

  it('gives back its tracking manifest', async () => {
    const res = await fetch(`${t.http}/api/v1/message/${id}/tracking`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('https://shop.example/item/3999');
    const kinds = t.sandbox.db
      .prepare('SELECT DISTINCT kind FROM message_slices ORDER BY kind')
      .pluck()
      .all();
    expect(kinds).toEqual(['manifest', 'patch', 'raw']);
  });

  it('serves each attachment byte for byte', async () => {
    const message = await getJson<Message>(`${t.http}/api/v1/message/${id}`);
    expect(message.Attachments.map((a) => a.FileName)).toEqual(['one.bin', 'two.bin']);
    for (const [i, part] of message.Attachments.entries()) {
      const res = await fetch(`${t.http}/api/v1/message/${id}/part/${part.PartID}`);
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(attachments[i]!.content)).toBe(true);
    }
    expect((await fetch(`${t.http}/api/v1/message/${id}/part/9.9`)).status).toBe(404);
  });

  it('removes its slices with it, and slices of no mail when the store opens', async () => {
    const db = t.sandbox.db;
    const res = await fetch(`${t.http}/api/v1/messages`, {
      method: 'DELETE',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ IDs: [id] }),
    });
    expect(res.status).toBe(200);
    expect(db.prepare('SELECT count(*) FROM message_slices').pluck().get()).toBe(0);

    // Slices of a mail whose commit never came, as a crash between them leaves them.
    db.prepare("INSERT INTO message_slices (mail_id, kind, n, data) VALUES ('lost', 'raw', 0, x'00')").run();
    await t.stop();
    const reopened = openDatabase({ path: join(temp.dir, DATABASE_FILE) });
    try {
      new SqliteMessageStore(reopened, storeOptions(reopened));
      expect(reopened.prepare('SELECT count(*) FROM message_slices').pluck().get()).toBe(0);
    } finally {
      reopened.close();
    }
    t = await startSandbox({ dataDir: temp.dir });
  });
});
