import type { MessagePort } from 'node:worker_threads';
import type { Database, Statement } from 'better-sqlite3';
import type { Address, AttachmentInfo, MessageListing, TrackingCounts } from '../model/message.js';
import type { TrackingManifest } from '../model/tracking.js';
import type { CommitQueue } from './commit-queue.js';
import { EventStore, emptyCounts } from './events.js';
import { SearchIndexer, type MailTextReader, type SearchEntry } from './search-index.js';
import { buildSearch } from './search-query.js';
import { applyPatch } from '../mime/patch.js';

export interface StoredPart {
  partId: string;
  filename: string;
  contentType: string;
  contentId: string;
  inline: boolean;
  size: number;
  md5: string;
  sha1: string;
  sha256: string;
  content: Buffer;
}

/** The fields read out of a mail (see ingest/parse.ts). */
export interface MessageFields {
  messageId: string;
  subject: string;
  from: Address | null;
  to: Address[];
  cc: Address[];
  bcc: Address[];
  replyTo: Address[];
  returnPath: string;
  dateMs: number | null;
  /** What search and the snippet read: the text, or the HTML's visible text when there is no text part. */
  searchText: string;
  snippet: string;
  parts: StoredPart[];
  warnings: string[];
  /** Tags: as the mail asks for them (its X-Tags header) once parsed, and all of them once ingest has added its own. */
  tags?: string[];
}

/** Everything ingest knows about a caught mail, written in one transaction. */
export interface NewMessage extends MessageFields {
  id: string;
  createdMs: number;
  username: string;
  envelopeFrom: string;
  envelopeTo: string[];
  remoteIp: string;
  manifest: TrackingManifest | null;
  raw: Buffer;
  tracked: Buffer | null;
  /** `tracked` as a patch of `raw`: stored instead of it when given (a tracked mail changes a few lines of a mail). */
  trackedPatch?: Buffer | null;
  /**
   * Its bytes (raw, tracked or its patch, the manifest's JSON) were written by `writeSlices` already: the row holds
   * none of them, nor the decoded bytes of its parts (read from the raw mail when asked for).
   */
  sliced?: boolean;
}

export interface MessageRow {
  seq: number;
  id: string;
  created_ms: number;
  message_id: string;
  subject: string;
  from_json: string | null;
  to_json: string;
  cc_json: string;
  bcc_json: string;
  reply_to_json: string;
  username: string;
  size: number;
  snippet: string;
  attachments: number;
  read: number;
  tags_json: string;
}

export interface FullMessageRow extends MessageRow {
  return_path: string;
  date_ms: number | null;
  warnings_json: string;
  envelope_from: string;
  envelope_to: string;
  remote_ip: string;
  manifest_json: string | null;
}

export interface MessagePage {
  total: number;
  unread: number;
  count: number;
  messagesCount: number;
  messagesUnread: number;
  start: number;
  messages: MessageListing[];
}

export type IdSelection = string[] | 'all';

export interface MessageStoreOptions {
  /** The database's shared commit, which every writer to it uses. */
  commits: CommitQueue;
  /** How the full-text index reads a mail stored without its entry (see search-index.ts). */
  readText: MailTextReader;
}

const SUMMARY_COLUMNS = `m.seq, m.id, m.created_ms, m.message_id, m.subject, m.from_json, m.to_json, m.cc_json, m.bcc_json,
  m.reply_to_json, m.username, m.size, m.snippet, m.attachments, m.read, m.tags_json`;

const NO_TRACKING: TrackingCounts = emptyCounts();

/** How long a search waits for the indexing thread before it indexes what is missing itself. */
const SEARCH_WAIT_MS = 1_000;
/**
 * Entries for the indexing thread go to it at most this often: one message per commit cost a wake-up of that thread
 * (a system call and a lock) per commit. It writes them every 20 ms anyway, and a search sends what is waiting first.
 */
const POST_INTERVAL_MS = 10;
/** Entries of new mails kept for the next search, at most, when this thread fills the index. */
const MAX_HANDED = 1_000;

/** From this size a mail is written in slices (see `writeSlices`); below it one insert holds the loop a few ms. */
export const SLICED_MAIL_BYTES = 2 * 1024 * 1024;
/** Bytes per slice, one commit each. */
const SLICE_BYTES = 1024 * 1024;
const EMPTY = Buffer.alloc(0);

/** Largest IN (…) list per statement; SQLite's default limit on bound parameters is 32766. */
const ID_CHUNK = 500;

/** Mails, their raw bytes, parts and headers. Knows nothing of who is told about changes (see EventBus). */
export class MessageStore {
  readonly #db: Database;
  /** The database's shared commit (see CommitQueue). */
  readonly commits: CommitQueue;
  readonly #events: EventStore;
  readonly #insertMessage: Statement;
  readonly #insertData: Statement;
  readonly #insertPart: Statement;
  readonly #insertTag: Statement;
  readonly #count: Statement;
  readonly #countUnread: Statement;
  readonly #oldest: Statement;
  readonly #olderThan: Statement;
  readonly #finishedRelay: Statement;
  /** Mails pruned for `--max-messages` whose relay entries are still to go (see `dropRelayEntries`). */
  #prunedIds: string[] = [];
  readonly #bySeq: Statement;
  readonly #fullById: Statement;
  readonly #createdAt: Statement;
  readonly #manifest: Statement;
  readonly #latestId: Statement;
  readonly #raw: Statement;
  readonly #part: Statement;
  readonly #partsOf: Statement;
  readonly #insertSlice: Statement;
  readonly #slices: Statement;
  readonly #dropSlices: Statement;
  readonly #savepoint: (message: NewMessage, hooks: ((seq: number) => void)[]) => number;
  /** Number of stored mails, kept here (every insert and delete goes through this class) so pruning costs no count(*). */
  #total: number;
  /** Fills the full-text index when no other thread does (see search-index.ts). */
  readonly #indexer: SearchIndexer;
  /** Where the entries of new mails go when another thread fills the index. */
  #searchPort: MessagePort | undefined;
  /** Entries waiting for the next message to the indexing thread. */
  #toPost: SearchEntry[] = [];
  #postTimer: NodeJS.Timeout | undefined;

  constructor(db: Database, { commits, readText }: MessageStoreOptions) {
    this.#db = db;
    this.commits = commits;
    this.#events = new EventStore(db, commits);
    this.#indexer = new SearchIndexer(db, readText);
    this.#insertMessage =
      db.prepare(`INSERT INTO messages (id, created_ms, message_id, subject, from_json, to_json,
      cc_json, bcc_json, reply_to_json, return_path, date_ms, username, size, snippet,
      attachments, warnings_json, envelope_from, envelope_to, remote_ip, tags_json)
      VALUES (@id, @createdMs, @messageId, @subject, @from, @to, @cc, @bcc, @replyTo, @returnPath, @dateMs, @username,
      @size, @snippet, @attachments, @warnings, @envelopeFrom, @envelopeTo, @remoteIp, @tags)`);
    this.#insertTag = db.prepare('INSERT OR IGNORE INTO message_tags (tag, seq) VALUES (?, ?)');
    this.#insertData = db.prepare(
      'INSERT INTO message_data (seq, manifest_json, raw, tracked, tracked_patch, sliced) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.#insertPart =
      db.prepare(`INSERT INTO message_parts (seq, part_id, filename, content_type, content_id,
      inline, size, md5, sha1, sha256, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#count = db.prepare('SELECT count(*) AS n FROM messages').pluck();
    this.#countUnread = db.prepare('SELECT count(*) AS n FROM messages WHERE read = 0').pluck();
    this.#oldest = db.prepare('SELECT seq, id FROM messages ORDER BY seq ASC LIMIT ?');
    this.#olderThan = db.prepare(
      'SELECT seq, id FROM messages INDEXED BY messages_created WHERE created_ms < ? ORDER BY created_ms LIMIT ?',
    );
    this.#finishedRelay = db.prepare(
      `DELETE FROM relay_outbox WHERE status IN ('sent', 'dead') AND message_id IN (SELECT value FROM json_each(?))`,
    );
    this.#bySeq = db.prepare('DELETE FROM messages WHERE seq = ?');
    this.#fullById = db.prepare(
      'SELECT m.*, d.manifest_json FROM messages m JOIN message_data d ON d.seq = m.seq WHERE m.id = ?',
    );
    this.#createdAt = db.prepare('SELECT created_ms FROM messages WHERE id = ?').pluck();
    this.#manifest = db.prepare(
      'SELECT d.manifest_json, d.sliced FROM message_data d JOIN messages m ON m.seq = d.seq WHERE m.id = ?',
    );
    this.#latestId = db.prepare('SELECT id FROM messages ORDER BY seq DESC LIMIT 1').pluck();
    this.#raw = db.prepare(
      `SELECT d.raw, d.tracked, d.tracked_patch, d.sliced FROM message_data d JOIN messages m ON m.seq = d.seq
      WHERE m.id = ?`,
    );
    this.#part = db.prepare(`SELECT p.*, d.sliced FROM message_parts p JOIN messages m ON m.seq = p.seq
      JOIN message_data d ON d.seq = p.seq WHERE m.id = ? AND p.part_id = ?`);
    this.#partsOf =
      db.prepare(`SELECT part_id, filename, content_type, content_id, inline, size, md5, sha1, sha256
      FROM message_parts WHERE seq = ? ORDER BY part_id`);
    this.#insertSlice = db.prepare('INSERT INTO message_slices (mail_id, kind, n, data) VALUES (?, ?, ?, ?)');
    this.#slices = db
      .prepare('SELECT data FROM message_slices WHERE mail_id = ? AND kind = ? ORDER BY n')
      .pluck();
    this.#dropSlices = db.prepare('DELETE FROM message_slices WHERE mail_id = ?');
    // Slices of a mail whose own commit never came (a crash, a failed insert) belong to no mail.
    db.prepare('DELETE FROM message_slices WHERE mail_id NOT IN (SELECT id FROM messages)').run();

    // A nested better-sqlite3 transaction is a savepoint.
    this.#savepoint = db.transaction((m: NewMessage, hooks: ((seq: number) => void)[]) =>
      this.#insertRows(m, hooks),
    );
    this.#total = this.#count.get() as number;
  }

  /** One mail's rows; runs inside the caller's transaction. */
  #insertRows(m: NewMessage, hooks: ((seq: number) => void)[]): number {
    const attachments = m.parts.filter((p) => !p.inline).length;
    const seq = Number(
      // (each parameter written out: Node 20's V8 builds `{ ...m, from: … }` on a slow path, and what it builds
      // survives into the old generation)
      this.#insertMessage.run({
        id: m.id,
        createdMs: m.createdMs,
        messageId: m.messageId,
        subject: m.subject,
        from: m.from ? JSON.stringify(m.from) : null,
        to: JSON.stringify(m.to),
        cc: JSON.stringify(m.cc),
        bcc: JSON.stringify(m.bcc),
        replyTo: JSON.stringify(m.replyTo),
        returnPath: m.returnPath,
        dateMs: m.dateMs,
        username: m.username,
        size: m.raw.length,
        snippet: m.snippet,
        attachments,
        warnings: JSON.stringify(m.warnings),
        envelopeFrom: m.envelopeFrom,
        envelopeTo: JSON.stringify(m.envelopeTo),
        remoteIp: m.remoteIp,
        tags: m.tags?.length ? JSON.stringify(m.tags) : '[]',
      }).lastInsertRowid,
    );
    if (m.tags) for (const tag of m.tags) this.#insertTag.run(tag, seq);
    const patch = m.tracked ? m.trackedPatch : null;
    const sliced = m.sliced === true;
    this.#insertData.run(
      seq,
      m.manifest && !sliced ? JSON.stringify(m.manifest) : null,
      sliced ? EMPTY : m.raw,
      sliced || patch ? null : m.tracked,
      sliced ? null : patch,
      sliced ? 1 : 0,
    );
    for (const p of m.parts) {
      this.#insertPart.run(
        seq,
        p.partId,
        p.filename,
        p.contentType,
        p.contentId,
        p.inline ? 1 : 0,
        p.size,
        p.md5,
        p.sha1,
        p.sha256,
        sliced ? EMPTY : p.content,
      );
    }
    for (const hook of hooks) hook(seq);
    return seq;
  }

  /**
   * Stores mails in one transaction (group commit: one WAL write for every mail that arrived together), so that one
   * failing mail does not take the others with it. Runs each mail's `hooks` inside the transaction (the relay's outbox
   * row is written there, so a mail that was acknowledged is never lost to the relay), then prunes beyond
   * `maxMessages` (0 = keep all). Returns each mail's seq, or the error that refused it.
   *
   * Mails without hooks are first written together; only when one of them fails is the batch rolled back and written
   * again with a savepoint per mail. A savepoint per mail copies every page the mail touches into the statement
   * journal once more, mail after mail.
   */
  insertBatch(
    items: { message: NewMessage; hooks?: ((seq: number) => void)[] }[],
    maxMessages = 0,
  ): (number | Error)[] {
    // Hooks may remember what they wrote (the relay keeps the row it claimed), so theirs are never written twice.
    if (items.length > 1 && items.every((item) => !item.hooks?.length)) {
      try {
        return this.#insertEach(items, maxMessages, false);
      } catch {
        // one of them failed and the whole batch was rolled back: each mail on its own now, to know which
      }
    }
    return this.#insertEach(items, maxMessages, true);
  }

  #insertEach(
    items: { message: NewMessage; hooks?: ((seq: number) => void)[] }[],
    maxMessages: number,
    isolated: boolean,
  ): (number | Error)[] {
    let stored = 0;
    let pruned = 0;
    const results = this.#db.transaction(() => {
      const out = items.map(({ message, hooks = [] }): number | Error => {
        if (!isolated) {
          stored++;
          return this.#insertRows(message, hooks);
        }
        try {
          const seq = this.#savepoint(message, hooks);
          stored++;
          return seq;
        } catch (err) {
          return err instanceof Error ? err : new Error(String(err));
        }
      });
      const excess = this.#total + stored - maxMessages;
      if (maxMessages > 0 && excess > 0) {
        for (const old of this.#oldest.all(excess) as { seq: number; id: string }[]) {
          pruned += this.#bySeq.run(old.seq).changes;
          this.#prunedIds.push(old.id);
        }
      }
      return out;
    })();
    this.#total += stored - pruned;
    return results;
  }

  /** Stores one mail; see insertBatch. Throws what refused it. */
  insert(message: NewMessage, maxMessages = 0, hooks: ((seq: number) => void)[] = []): number {
    const [result] = this.insertBatch([{ message, hooks }], maxMessages);
    if (result instanceof Error) throw result;
    return result!;
  }

  /**
   * Deletes up to `limit` mails received before `cutoffMs` (`--max-age`), with their events (trigger) and finished
   * relay entries; returns their ids.
   */
  pruneOlderThan(cutoffMs: number, limit: number): string[] {
    const ids = this.#db.transaction(() => {
      const rows = this.#olderThan.all(cutoffMs, limit) as { seq: number; id: string }[];
      for (const row of rows) this.#bySeq.run(row.seq);
      if (rows.length) this.#finishedRelay.run(JSON.stringify(rows.map((r) => r.id)));
      return rows.map((r) => r.id);
    })();
    this.#total -= ids.length;
    return ids;
  }

  /**
   * Deletes the finished relay entries of mails pruned for `--max-messages` since the last call, in the background:
   * the outbox has no index by mail, and looking them up inside the commit that stores new mails would slow ingest.
   */
  dropRelayEntries(limit = 500): number {
    const ids = this.#prunedIds.splice(0, limit);
    if (ids.length) this.#finishedRelay.run(JSON.stringify(ids));
    return this.#prunedIds.length;
  }

  /** Counts the stored mails again, after a commit that failed may have left the running count off. */
  recount(): void {
    this.#total = this.#count.get() as number;
  }

  count(): { total: number; unread: number } {
    return { total: this.#total, unread: this.#countUnread.get() as number };
  }

  latestId(): string | undefined {
    return this.#latestId.get() as string | undefined;
  }

  /** Resolves Mailpit's `latest` alias. */
  resolveId(id: string): string | undefined {
    return id === 'latest' ? this.latestId() : id;
  }

  /** The stored tracking manifest (JSON), null for a mail stored without one, undefined for an unknown id. */
  manifestJson(id: string): string | null | undefined {
    const row = this.#manifest.get(id) as { manifest_json: string | null; sliced: number } | undefined;
    if (!row?.sliced) return row?.manifest_json;
    return this.#joinSlices(id, 'manifest')?.toString() ?? null;
  }

  /** When the mail was caught (ms), or undefined for an unknown id. */
  createdAt(id: string): number | undefined {
    return this.#createdAt.get(id) as number | undefined;
  }

  get(id: string): FullMessageRow | undefined {
    return this.#fullById.get(id) as FullMessageRow | undefined;
  }

  /**
   * Writes a large mail's bytes before its row (`insert` with `sliced`), a slice per shared commit, so that no
   * turn of the event loop writes more than a slice. Resolves once every slice is durable. The slices of a mail
   * whose row is never written are removed by `dropSlices`, or when the store opens next.
   */
  async writeSlices(
    mailId: string,
    bytes: { raw: Buffer; tracked: Buffer | null; patch: Buffer | null; manifest: Buffer | null },
  ): Promise<void> {
    for (const [kind, data] of Object.entries(bytes) as [string, Buffer | null][]) {
      if (!data) continue;
      for (let n = 0; n * SLICE_BYTES < data.length; n++) {
        const slice = data.subarray(n * SLICE_BYTES, (n + 1) * SLICE_BYTES);
        await new Promise<void>((resolve, reject) =>
          this.commits.enqueue({
            write: () => this.#insertSlice.run(mailId, kind, n, slice),
            done: (err) => (err ? reject(err) : resolve()),
          }),
        );
      }
    }
  }

  /** Removes the slices of a mail that will not be stored (see `writeSlices`). */
  dropSlices(mailId: string): void {
    this.commits.enqueue({ write: () => this.#dropSlices.run(mailId), done: () => {} });
  }

  #joinSlices(id: string, kind: string): Buffer | null {
    const slices = this.#slices.all(id, kind) as Buffer[];
    return slices.length ? Buffer.concat(slices) : null;
  }

  raw(id: string): { raw: Buffer; tracked: Buffer | null } | undefined {
    const row = this.#raw.get(id) as
      { raw: Buffer; tracked: Buffer | null; tracked_patch: Buffer | null; sliced: number } | undefined;
    if (!row) return undefined;
    if (row.sliced) {
      const raw = this.#joinSlices(id, 'raw') ?? EMPTY;
      const patch = this.#joinSlices(id, 'patch');
      return { raw, tracked: patch ? applyPatch(raw, patch) : this.#joinSlices(id, 'tracked') };
    }
    return {
      raw: row.raw,
      tracked: row.tracked_patch ? applyPatch(row.raw, row.tracked_patch) : row.tracked,
    };
  }

  /** A part's decoded bytes: stored, or read again from the raw mail for a mail stored in slices. */
  async part(
    id: string,
    partId: string,
  ): Promise<{ filename: string; content_type: string; content: Buffer } | undefined> {
    const row = this.#part.get(id, partId) as
      { filename: string; content_type: string; content: Buffer; sliced: number } | undefined;
    if (!row?.sliced) return row;
    const raw = this.raw(id)?.raw;
    if (!raw) return undefined;
    // (loaded when first needed, as the full-text index's reader is: most runs never read a part this way)
    const { readWithMailparser } = await import('../ingest/parse.js');
    const { parts } = await readWithMailparser(raw);
    const found = parts.find((p) => p.partId === partId);
    return found && { filename: row.filename, content_type: row.content_type, content: found.content };
  }

  attachmentsOf(seq: number): { inline: AttachmentInfo[]; attachments: AttachmentInfo[] } {
    const rows = this.#partsOf.all(seq) as {
      part_id: string;
      filename: string;
      content_type: string;
      content_id: string;
      inline: number;
      size: number;
      md5: string;
      sha1: string;
      sha256: string;
    }[];
    const toAttachment = (r: (typeof rows)[number]): AttachmentInfo => ({
      partId: r.part_id,
      fileName: r.filename,
      contentType: r.content_type,
      contentId: r.content_id,
      size: r.size,
      md5: r.md5,
      sha1: r.sha1,
      sha256: r.sha256,
    });
    return {
      inline: rows.filter((r) => r.inline).map(toAttachment),
      attachments: rows.filter((r) => !r.inline).map(toAttachment),
    };
  }

  /**
   * The thread that fills the full-text index from now on (the one that runs the checkpoints), through this port;
   * undefined: this thread fills it, when a search needs it.
   */
  indexOn(port: MessagePort | undefined): void {
    // Entries still waiting go to whoever fills the index now.
    const waiting = this.#toPost;
    this.#toPost = [];
    clearTimeout(this.#postTimer);
    this.#postTimer = undefined;
    this.#searchPort = port;
    this.handToSearch(waiting);
  }

  /** The entries of mails just committed, for the full-text index (see search-index.ts). */
  handToSearch(entries: SearchEntry[]): void {
    if (entries.length === 0) return;
    if (this.#searchPort) {
      for (const entry of entries) this.#toPost.push(entry);
      this.#postTimer ??= setTimeout(this.#postEntries, POST_INTERVAL_MS).unref();
      return;
    }
    this.#indexer.add(entries);
    // Kept for the next search, but not without bound.
    if (this.#indexer.handed >= MAX_HANDED) void this.#indexer.catchUp(0).catch(() => {});
  }

  readonly #postEntries = (): void => {
    clearTimeout(this.#postTimer);
    this.#postTimer = undefined;
    if (!this.#toPost.length) return;
    this.#searchPort?.postMessage(this.#toPost);
    this.#toPost = [];
  };

  /**
   * Resolves once every mail stored so far is in the full-text index, so that a search (`page` with a query,
   * `matches`, `idsMatching`) finds it. The index is filled behind the commits, on another thread when one does it
   * (a few milliseconds behind under load); if that thread falls behind by more than a moment (a large mailbox
   * indexed for the first time, a thread that died), this thread does what is missing.
   */
  async searchReady(): Promise<void> {
    if (!this.#searchPort) return this.#indexer.catchUp();
    this.#postEntries();
    const target = this.#indexer.lastStored();
    const deadline = Date.now() + SEARCH_WAIT_MS;
    while (this.#indexer.indexedSeq() < target) {
      if (Date.now() > deadline) return this.#indexer.catchUp();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** A page of mails, newest first, optionally filtered by a Mailpit search query (see `searchReady`). */
  page(start: number, limit: number, query = ''): MessagePage {
    const { total, unread } = this.count();
    const search = query.trim() ? buildSearch(query) : null;
    const where = search ? search.where : '1';
    const params = search ? search.params : [];
    const narrow = search?.narrow;
    const rows = this.#db
      .prepare(
        `SELECT ${SUMMARY_COLUMNS} FROM messages m WHERE ${where}${narrow ? ` AND ${narrow.where}` : ''}
         ORDER BY m.seq DESC LIMIT ? OFFSET ?`,
      )
      .all(...params, ...(narrow?.params ?? []), limit, start) as MessageRow[];
    let messagesCount = total;
    let messagesUnread = unread;
    if (search) {
      const counts = this.#db
        .prepare(`SELECT count(*) AS n, coalesce(sum(m.read = 0), 0) AS u FROM messages m WHERE ${where}`)
        .get(...params) as { n: number; u: number };
      messagesCount = counts.n;
      messagesUnread = counts.u;
    }
    const tracking = this.trackingCounts(rows.map((r) => r.id));
    return {
      total,
      unread,
      count: rows.length,
      messagesCount,
      messagesUnread,
      start,
      messages: rows.map((r) => toListing(r, tracking.get(r.id) ?? NO_TRACKING)),
    };
  }

  /** The list row of a mail already read from the store, with its tracking counts. */
  summaryOf(row: MessageRow): MessageListing {
    return toListing(row, this.trackingCounts([row.id]).get(row.id) ?? NO_TRACKING);
  }

  /** Open/click counts per mail (see EventStore.countsFor). */
  trackingCounts(ids: string[]): Map<string, TrackingCounts> {
    return this.#events.countsFor(ids);
  }

  /** Sets read state; returns the ids that changed. */
  setRead(selection: IdSelection, read: boolean): string[] {
    const flag = read ? 1 : 0;
    if (selection === 'all') {
      return this.#db
        .prepare('UPDATE messages SET read = ? WHERE read != ? RETURNING id')
        .pluck()
        .all(flag, flag) as string[];
    }
    return this.#inChunks(
      selection,
      (chunk) =>
        this.#db
          .prepare(
            `UPDATE messages SET read = ? WHERE read != ? AND id IN (${chunk.map(() => '?').join(',')}) RETURNING id`,
          )
          .pluck()
          .all(flag, flag, ...chunk) as string[],
    );
  }

  /** Deletes mails; returns the ids that existed. */
  delete(selection: IdSelection): string[] {
    const deleted =
      selection === 'all'
        ? this.#db.transaction(() => {
            const ids = this.#db.prepare('SELECT id FROM messages').pluck().all() as string[];
            // Faster than row-by-row deletes through the trigger when the mailbox is large.
            this.#db.exec(`DELETE FROM message_data; DELETE FROM message_parts; DELETE FROM message_tags;
              DELETE FROM message_slices; DELETE FROM events WHERE message_id != '';`);
            this.#db.prepare('DELETE FROM messages').run();
            return ids;
          })()
        : this.#db.transaction(() =>
            this.#inChunks(
              selection,
              (chunk) =>
                this.#db
                  .prepare(
                    `DELETE FROM messages WHERE id IN (${chunk.map(() => '?').join(',')}) RETURNING id`,
                  )
                  .pluck()
                  .all(...chunk) as string[],
            ),
          )();
    this.#total -= deleted.length;
    return deleted;
  }

  /** Every tag in use, sorted. */
  tags(): string[] {
    return this.#db
      .prepare('SELECT tag FROM message_tags GROUP BY tag ORDER BY tag')
      .pluck()
      .all() as string[];
  }

  /** How many mails carry each tag (Mailpit's `Tags` in `/api/v1/info`). */
  tagCounts(): Record<string, number> {
    const rows = this.#db
      .prepare('SELECT tag, count(*) AS n FROM message_tags GROUP BY tag ORDER BY tag')
      .all() as { tag: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.tag, r.n]));
  }

  /** Replaces the tags of the given mails (cleaned as Mailpit does); returns the ids whose tags changed. */
  setTags(ids: string[], tags: string[]): string[] {
    const clean = cleanTags(tags);
    const json = JSON.stringify(clean);
    return this.#db.transaction(() =>
      this.#inChunks(ids, (chunk) => {
        const rows = this.#db
          .prepare(
            `UPDATE messages SET tags_json = ? WHERE tags_json != ? AND id IN (${chunk.map(() => '?').join(',')})
             RETURNING seq, id`,
          )
          .all(json, json, ...chunk) as { seq: number; id: string }[];
        for (const { seq } of rows) this.#replaceTags(seq, clean);
        return rows.map((r) => r.id);
      }),
    )();
  }

  /** Renames a tag on every mail that has it (or merges it into another); returns the ids that changed. */
  renameTag(from: string, to: string): string[] {
    const name = cleanTags([to])[0];
    if (!name) throw Object.assign(new Error('bad request: the new tag name is empty'), { statusCode: 400 });
    return this.#editTag(from, (tags) =>
      tags.map((t) => (t.toLowerCase() === from.toLowerCase() ? name : t)),
    );
  }

  /** Removes a tag from every mail that has it (the mails stay); returns the ids that changed. */
  deleteTag(tag: string): string[] {
    return this.#editTag(tag, (tags) => tags.filter((t) => t.toLowerCase() !== tag.toLowerCase()));
  }

  #editTag(tag: string, edit: (tags: string[]) => string[]): string[] {
    return this.#db.transaction(() => {
      const rows = this.#db
        .prepare(
          'SELECT m.seq, m.id, m.tags_json FROM message_tags t JOIN messages m ON m.seq = t.seq WHERE t.tag = ?',
        )
        .all(tag) as { seq: number; id: string; tags_json: string }[];
      const update = this.#db.prepare('UPDATE messages SET tags_json = ? WHERE seq = ?');
      for (const row of rows) {
        const tags = cleanTags(edit(JSON.parse(row.tags_json) as string[]));
        update.run(JSON.stringify(tags), row.seq);
        this.#replaceTags(row.seq, tags);
      }
      return rows.map((r) => r.id);
    })();
  }

  #replaceTags(seq: number, tags: string[]): void {
    this.#db.prepare('DELETE FROM message_tags WHERE seq = ?').run(seq);
    for (const tag of tags) this.#insertTag.run(tag, seq);
  }

  /** Ids of every mail matching a search query (for `DELETE /api/v1/search`). */
  /** Whether one mail matches a search query (without running the search over the whole mailbox). */
  matches(id: string, query: string): boolean {
    const { where, params } = buildSearch(query);
    return (
      this.#db
        .prepare(`SELECT 1 FROM messages m WHERE m.id = ? AND (${where})`)
        .pluck()
        .get(id, ...params) === 1
    );
  }

  idsMatching(query: string): string[] {
    const { where, params } = buildSearch(query);
    return this.#db
      .prepare(`SELECT m.id FROM messages m WHERE ${where}`)
      .pluck()
      .all(...params) as string[];
  }

  #inChunks(ids: string[], run: (chunk: string[]) => string[]): string[] {
    const out: string[] = [];
    for (let i = 0; i < ids.length; i += ID_CHUNK) out.push(...run(ids.slice(i, i + ID_CHUNK)));
    return out;
  }
}

/**
 * Tags as Mailpit keeps them: letters, digits, `-`, `.`, `_` and spaces (anything else is dropped), trimmed, one of
 * each whatever its case (the first spelling wins), sorted.
 */
export function cleanTags(tags: string[]): string[] {
  const seen = new Map<string, string>();
  for (const tag of tags) {
    const clean = tag
      .replace(/[^\p{L}\p{N}\-._ ]/gu, '')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 100);
    if (clean && !seen.has(clean.toLowerCase())) seen.set(clean.toLowerCase(), clean);
  }
  return [...seen.values()].sort((a, b) => a.localeCompare(b));
}

/** The list row of a mail just stored (no query needed: nothing has happened to it yet). */
export function summaryOfNew(m: NewMessage): MessageListing {
  return {
    id: m.id,
    messageId: m.messageId,
    read: false,
    from: m.from,
    to: m.to,
    cc: m.cc,
    bcc: m.bcc,
    replyTo: m.replyTo,
    subject: m.subject,
    createdMs: m.createdMs,
    username: m.username,
    tags: m.tags ?? [],
    size: m.raw.length,
    attachments: m.parts.filter((p) => !p.inline).length,
    snippet: m.snippet,
    tracking: { ...NO_TRACKING },
  };
}

export function toListing(r: MessageRow, tracking: TrackingCounts): MessageListing {
  return {
    id: r.id,
    messageId: r.message_id,
    read: r.read === 1,
    from: r.from_json ? (JSON.parse(r.from_json) as Address) : null,
    to: JSON.parse(r.to_json) as Address[],
    cc: JSON.parse(r.cc_json) as Address[],
    bcc: JSON.parse(r.bcc_json) as Address[],
    replyTo: JSON.parse(r.reply_to_json) as Address[],
    subject: r.subject,
    createdMs: r.created_ms,
    username: r.username,
    tags: JSON.parse(r.tags_json) as string[],
    size: r.size,
    attachments: r.attachments,
    snippet: r.snippet,
    tracking,
  };
}
