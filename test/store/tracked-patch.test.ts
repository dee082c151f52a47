// A tracked mail is stored as the patch that turns the mail as received into it, when that is the smaller: every
// mail of the corpus, and every HTML template of the corpus as a quoted-printable mail, comes back from the store
// byte for byte as the injector made it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newMessageId } from '../../src-main/ingest/ingest.js';
import { injectorFrom } from '../../src-main/ingest/injector-settings.js';
import { prepareMail } from '../../src-main/ingest/prepare.js';
import { openDatabase } from '../../src-main/store/sqlite/database.js';
import { SqliteMessageStore } from '../../src-main/store/sqlite/messages.js';
import { encodeQuotedPrintable } from '../../src-main/mime/transfer.js';
import { generateKey } from '../../src-main/tracking/index.js';
import { storeOptions } from '../helpers/stores.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

function files(dir: string, ext: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path, ext);
    return name.endsWith(ext) ? [path] : [];
  });
}

function qpMail(html: Buffer): Buffer {
  return Buffer.from(
    'From: App <app@example.com>\r\nTo: reader@example.org\r\nSubject: Hello\r\nMIME-Version: 1.0\r\n' +
      'Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n' +
      `${encodeQuotedPrintable(html, '\r\n')}\r\n`,
    'latin1',
  );
}

const MAILS = [
  ...files(join(FIXTURES, 'eml'), '.eml').map((path) => ({ name: path, raw: readFileSync(path) })),
  ...files(join(FIXTURES, 'html'), '.html').map((path) => ({ name: path, raw: qpMail(readFileSync(path)) })),
];

describe('tracked mails kept as patches', () => {
  let db: Database;
  let store: SqliteMessageStore;
  const injector = injectorFrom(
    { enabled: true, trackText: true, rules: [], tokenMode: 'sealed', keys: [generateKey()] },
    () => 'http://127.0.0.1:8026',
  );
  beforeAll(() => {
    db = openDatabase({ path: ':memory:' });
    store = new SqliteMessageStore(db, storeOptions(db));
  });
  afterAll(() => db.close());

  it('gives back every tracked mail byte for byte, most of them stored as a patch', async () => {
    let patched = 0;
    let tracked = 0;
    for (const { name, raw } of MAILS) {
      const id = newMessageId();
      const prepared = await prepareMail({ raw, id, envelopeFrom: 'a@acme.test', envelopeTo: [] }, injector);
      store.insert({
        id,
        createdMs: Date.now(),
        ...prepared.fields,
        username: '',
        envelopeFrom: 'a@acme.test',
        envelopeTo: [],
        remoteIp: '',
        manifest: prepared.manifest,
        raw,
        tracked: prepared.tracked,
        trackedPatch: prepared.trackedPatch,
      });
      const stored = (await store.raw(id))!;
      expect(stored.raw.equals(raw), name).toBe(true);
      // (Buffer.equals: a deep comparison of a few megabytes byte by byte takes seconds)
      if (prepared.tracked) expect(stored.tracked?.equals(prepared.tracked), name).toBe(true);
      else expect(stored.tracked, name).toBeNull();
      if (prepared.tracked) tracked++;
      if (prepared.trackedPatch) {
        patched++;
        expect(prepared.trackedPatch.length, name).toBeLessThan(prepared.tracked!.length / 2);
      }
    }
    expect(tracked).toBeGreaterThan(40);
    // Every quoted-printable template changes a few lines of its part; base64 parts are encoded again as a whole.
    expect(patched).toBeGreaterThan(MAILS.length / 3);
    const rows = db
      .prepare('SELECT count(tracked) AS whole, count(tracked_patch) AS patches FROM message_data')
      .get() as { whole: number; patches: number };
    expect(rows).toEqual({ whole: tracked - patched, patches: patched });
  });
});
