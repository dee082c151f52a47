import { join } from 'node:path';
import { newMessageId } from '../../src-main/ingest/ingest.js';
import { parseMail } from '../../src-main/ingest/parse.js';
import { DATABASE_FILE } from '../../src-main/sandbox.js';
import { closeDatabase, openDatabase } from '../../src-main/store/sqlite/database.js';
import { CommitQueue } from '../../src-main/store/sqlite/commit-queue.js';
import { SqliteEventStore } from '../../src-main/store/sqlite/events.js';
import { mailReaders } from '../../src-main/ingest/service.js';
import { SqliteMessageStore, type NewMessage, type StoredPart } from '../../src-main/store/sqlite/messages.js';
import { addressText, type SearchEntry } from '../../src-main/store/search-index.js';
import { SENDERS, WORDS, sampleFields, sampleMailRenderer } from './sample-mail.js';

/** Mails per transaction while pre-filling; one commit per mail would measure fsync, not the mailbox size. */
const BATCH = 1_000;

/** Prefilled mails are spread one a minute back from now, so before:/after: have a real range to cut. */
export const PREFILL_SPACING_MS = 60_000;

/** Every PREFILL_ATTACHMENT_EVERY-th mail has an attachment, every PREFILL_READ_EVERY-th is read. */
export const PREFILL_ATTACHMENT_EVERY = 10;
export const PREFILL_READ_EVERY = 3;

/** A number no other part of the sample mail contains, so its occurrences can be swapped for each mail's own. */
const MARKER = 987_654_321;

/**
 * Fills a data dir's database with `count` mails through SqliteMessageStore, the way ingest stores them, without SMTP or
 * parsing every mail (that is what the benchmark measures afterwards). Each mail has its own id, subject, sender,
 * recipient, text words and date; raw bytes are the real rendered mail. Run it before `serve` opens the data dir.
 */
export async function prefillMailbox(
  dataDir: string,
  count: number,
  onProgress?: (done: number) => void,
): Promise<void> {
  const render = await sampleMailRenderer();
  const template = await parseMail(render(MARKER));
  const marker = sampleFields(MARKER);
  const attachment: StoredPart = {
    partId: '2',
    filename: 'invoice.pdf',
    contentType: 'application/pdf',
    contentId: '',
    inline: false,
    size: 1024,
    md5: '0'.repeat(32),
    sha1: '0'.repeat(40),
    sha256: '0'.repeat(64),
    content: Buffer.alloc(1024, 0x25),
  };
  const swap = (text: string, n: number) => {
    const f = sampleFields(n);
    return text
      .replaceAll(String(MARKER), String(n))
      .replaceAll(marker.word, f.word)
      .replaceAll(marker.from, f.from);
  };
  const now = Date.now();

  const db = openDatabase({ path: join(dataDir, DATABASE_FILE) });
  // A page cache of its own size: the prefill writes the indexes of a mailbox far larger than serve's cache holds.
  db.pragma('cache_size = -262144');
  // Nothing to keep across a crash until the prefill is done.
  db.pragma('synchronous = OFF');
  try {
    const commits = new CommitQueue(db);
    const store = new SqliteMessageStore(db, { commits, events: new SqliteEventStore(db, commits), ...mailReaders });
    const message = (n: number): NewMessage => {
      const f = sampleFields(n);
      return {
        ...template,
        id: newMessageId(),
        createdMs: now - (count - n) * PREFILL_SPACING_MS,
        messageId: `${n}.bench@shop.example.test`,
        subject: f.subject,
        from: { Name: '', Address: f.from },
        to: [{ Name: '', Address: f.to }],
        snippet: swap(template.snippet, n),
        searchText: swap(template.searchText, n),
        parts: n % PREFILL_ATTACHMENT_EVERY === 0 ? [attachment] : [],
        username: '',
        envelopeFrom: f.from,
        envelopeTo: [f.to],
        remoteIp: '127.0.0.1',
        manifest: null,
        raw: render(n),
        tracked: null,
      };
    };
    // Each mail's search entry is handed over after its commit with the text already read, as ingest does, so the
    // index is not built by parsing every stored mail again.
    const insertBatch = db.transaction((from: number, to: number) => {
      const entries: SearchEntry[] = [];
      for (let n = from; n < to; n++) {
        const m = message(n);
        const seq = store.insert(m, 0);
        entries.push({
          seq,
          subject: m.subject,
          addresses: addressText([m.from, ...m.to, ...m.cc, ...m.bcc, ...m.replyTo], m.envelopeTo),
          body: m.searchText,
        });
      }
      return entries;
    });
    for (let n = 0; n < count; n += BATCH) {
      store.handToSearch(insertBatch(n, Math.min(n + BATCH, count)));
      await store.searchReady();
      onProgress?.(Math.min(n + BATCH, count));
    }
    db.prepare(`UPDATE messages SET read = 1 WHERE seq % ${PREFILL_READ_EVERY} = 0`).run();
    // The full-text index, as `serve` would have filled it behind the mails.
    await store.searchReady();
  } finally {
    // Closed as `serve` closes it, with the clean-close marker: the mailbox is measured as after a clean stop.
    closeDatabase(db);
  }
}

/** What the prefill makes findable, for choosing search queries with known selectivity. */
export const PREFILL_VOCABULARY = { words: WORDS, senders: SENDERS };
