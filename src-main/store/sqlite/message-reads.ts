import type { Database, Statement } from 'better-sqlite3';
import type { AttachmentInfo, MessageListing, TrackingCounts } from '../../model/message.js';
import { applyPatch } from '../../mime/patch.js';
import type { SqliteEventStore } from './events.js';
import {
  NO_BYTES,
  NO_TRACKING,
  toListing,
  type FullMessageRow,
  type MessagePage,
  type MessageRow,
} from '../message-rows.js';
import { buildSearch } from '../search-sql.js';
import { ALL_INBOXES, scopeSql, type InboxScope } from '../../model/inbox.js';

const SUMMARY_COLUMNS = `m.seq, m.id, m.created_ms, m.message_id, m.subject, m.from_json, m.to_json, m.cc_json, m.bcc_json,
  m.reply_to_json, m.username, m.size, m.snippet, m.attachments, m.read, m.tags_json, m.inbox`;

/** Reads a mail's parts (decoded) from its raw bytes: ingest's reader, handed in by whoever opens the store. */
export type MailPartReader = (raw: Buffer) => Promise<{ partId: string; content: Buffer }[]>;

/** What reads the mails: a mail's row, bytes and parts, pages of the listing (searched or not), tracking counts. */
export class MessageReads {
  readonly #db: Database;
  readonly #events: SqliteEventStore;
  /** The mails and unread mails in all (see MessageWrites.count). */
  readonly #count: () => { total: number; unread: number };
  readonly #fullById: Statement;
  readonly #createdAt: Statement;
  readonly #manifest: Statement;
  readonly #latestId: Statement;
  readonly #raw: Statement;
  readonly #part: Statement;
  readonly #partsOf: Statement;
  readonly #slices: Statement;
  readonly #listSeqs: Statement;
  readonly #rowsOf: Statement;
  readonly #listInbox: Statement;
  readonly #countInbox: Statement;
  readonly #latestInInbox: Statement;
  readonly #inboxOf: Statement;
  readonly #readParts: MailPartReader;

  constructor(
    db: Database,
    events: SqliteEventStore,
    count: () => { total: number; unread: number },
    readParts: MailPartReader,
  ) {
    this.#db = db;
    this.#readParts = readParts;
    this.#events = events;
    this.#count = count;
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
    this.#slices = db
      .prepare('SELECT data FROM message_slices WHERE mail_id = ? AND kind = ? ORDER BY n')
      .pluck();
    this.#listSeqs = db
      .prepare('SELECT seq FROM messages INDEXED BY messages_seq_read ORDER BY seq DESC LIMIT ? OFFSET ?')
      .pluck();
    this.#listInbox = db
      .prepare(
        'SELECT seq FROM messages INDEXED BY messages_inbox WHERE inbox = ? ORDER BY seq DESC LIMIT ? OFFSET ?',
      )
      .pluck();
    this.#countInbox = db.prepare(
      `SELECT count(*) AS total, coalesce(sum(read = 0), 0) AS unread FROM messages INDEXED BY messages_inbox
      WHERE inbox IN (SELECT value FROM json_each(?))`,
    );
    this.#latestInInbox = db
      .prepare('SELECT id FROM messages INDEXED BY messages_inbox WHERE inbox = ? ORDER BY seq DESC LIMIT 1')
      .pluck();
    this.#inboxOf = db.prepare('SELECT inbox FROM messages WHERE id = ?').pluck();
    this.#rowsOf = db.prepare(
      `SELECT ${SUMMARY_COLUMNS} FROM messages m WHERE m.seq IN (SELECT value FROM json_each(?)) ORDER BY m.seq DESC`,
    );
  }

  /** The newest mail in `scope`. */
  latestId(scope: InboxScope = ALL_INBOXES): string | undefined {
    if (scope.kind === 'all') return this.#latestId.get() as string | undefined;
    if (scope.kind === 'inbox') return this.#latestInInbox.get(scope.name) as string | undefined;
    const inScope = scopeSql(scope, 'inbox')!;
    return this.#db
      .prepare(`SELECT id FROM messages WHERE ${inScope.where} ORDER BY seq DESC LIMIT 1`)
      .pluck()
      .get(...inScope.params) as string | undefined;
  }

  /** Resolves Mailpit's `latest` alias. */
  resolveId(id: string, scope: InboxScope = ALL_INBOXES): string | undefined {
    return id === 'latest' ? this.latestId(scope) : id;
  }

  /** The inbox a mail belongs to, undefined for an unknown id. */
  inboxOf(id: string): string | undefined {
    return this.#inboxOf.get(id) as string | undefined;
  }

  /** The mails, and unread mails, of `scope` (the running count for every inbox, an index range otherwise). */
  countIn(scope: InboxScope): { total: number; unread: number } {
    if (scope.kind === 'all') return this.#count();
    const names = scope.kind === 'inbox' ? [scope.name] : scope.hidden;
    const counted = this.#countInbox.get(JSON.stringify(names)) as { total: number; unread: number };
    if (scope.kind === 'inbox') return counted;
    const all = this.#count();
    return { total: all.total - counted.total, unread: all.unread - counted.unread };
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

  #joinSlices(id: string, kind: string): Buffer | null {
    const slices = this.#slices.all(id, kind) as Buffer[];
    return slices.length ? Buffer.concat(slices) : null;
  }

  raw(id: string): { raw: Buffer; tracked: Buffer | null } | undefined {
    const row = this.#raw.get(id) as
      { raw: Buffer; tracked: Buffer | null; tracked_patch: Buffer | null; sliced: number } | undefined;
    if (!row) return undefined;
    if (row.sliced) {
      const raw = this.#joinSlices(id, 'raw') ?? NO_BYTES;
      const patch = this.#joinSlices(id, 'patch');
      return { raw, tracked: patch ? applyPatch(raw, patch) : this.#joinSlices(id, 'tracked') };
    }
    return {
      raw: row.raw,
      tracked: row.tracked_patch ? applyPatch(row.raw, row.tracked_patch) : row.tracked,
    };
  }

  /**
   * One of a mail's stored blobs (as received, its tracked copy, or the tracked copy's patch) as the pieces it is
   * stored in, each read when asked for: a large mail's slices one at a time instead of joined. No piece for a blob
   * not stored; undefined for an unknown id. A mail deleted while read fails its next piece.
   */
  pieces(id: string, kind: 'raw' | 'tracked' | 'patch'): Iterable<Buffer> | undefined {
    const row = this.#raw.get(id) as
      { raw: Buffer; tracked: Buffer | null; tracked_patch: Buffer | null; sliced: number } | undefined;
    if (!row) return undefined;
    if (!row.sliced) {
      const blob = kind === 'raw' ? row.raw : kind === 'tracked' ? row.tracked : row.tracked_patch;
      return blob ? [blob] : [];
    }
    const db = this.#db;
    const count = db
      .prepare('SELECT count(*) FROM message_slices WHERE mail_id = ? AND kind = ?')
      .pluck()
      .get(id, kind) as number;
    const slice = db
      .prepare('SELECT data FROM message_slices WHERE mail_id = ? AND kind = ? AND n = ?')
      .pluck();
    return (function* () {
      for (let n = 0; n < count; n++) {
        const data = slice.get(id, kind, n) as Buffer | undefined;
        if (!data) throw new Error('[store] the mail was deleted while it was read');
        yield data;
      }
    })();
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
    const parts = await this.#readParts(raw);
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
   * A page of mails, newest first, optionally filtered by a Mailpit search query (see `searchReady`). The page's seqs
   * are found first, in narrow indexes where the query allows, and only its rows are read: skipping `start` mails
   * then steps over index entries, not rows.
   */
  page(start: number, limit: number, query = '', scope: InboxScope = ALL_INBOXES): MessagePage {
    const { total, unread } = this.countIn(scope);
    const inScope = scopeSql(scope, 'm.inbox');
    const search = query.trim() || inScope ? buildSearch(query) : null;
    let messagesCount = total;
    let messagesUnread = unread;
    let seqs: number[];
    if (!search) {
      seqs = this.#listSeqs.all(limit, start) as number[];
    } else if (scope.kind === 'inbox' && !search.hasTerms) {
      seqs = this.#listInbox.all(scope.name, limit, start) as number[];
    } else {
      const { narrow } = search;
      // The scope first: within one inbox the search reads that inbox's slice of the (inbox, seq, read) index.
      const where = inScope ? `${inScope.where} AND ${search.where}` : search.where;
      const params = inScope ? [...inScope.params, ...search.params] : search.params;
      // A query on sets of mails (m.seq IN …) and read alone is answered from the (seq, read) index, and within one
      // inbox from the (inbox, seq, read) one; one on read alone from the read index, which holds only the entries
      // it counts.
      const condition = `${search.where} ${narrow?.where ?? ''}`;
      const covered = !/\bm\.(?!seq\b|read\b|inbox\b)\w/.test(condition);
      const from = !covered
        ? 'messages m'
        : scope.kind === 'inbox'
          ? 'messages m INDEXED BY messages_inbox'
          : /\bm\.inbox\b/.test(where) || !/\bm\.seq\b/.test(condition)
            ? 'messages m'
            : 'messages m INDEXED BY messages_seq_read';
      const counts = this.#db
        .prepare(`SELECT count(*) AS n, coalesce(sum(m.read = 0), 0) AS u FROM ${from} WHERE ${where}`)
        .get(...params) as { n: number; u: number };
      messagesCount = counts.n;
      messagesUnread = counts.u;
      // Few matches are gathered through the filter's own index and sorted; many are met soon enough walking the
      // mailbox newest first.
      const sparse = counts.n * counts.n < (start + limit) * total;
      const matching = `SELECT m.seq FROM ${from} WHERE ${where}${narrow ? ` AND ${narrow.where}` : ''}`;
      seqs =
        start >= counts.n
          ? []
          : (this.#db
              .prepare(
                sparse
                  ? `WITH hits AS MATERIALIZED (${matching}) SELECT seq FROM hits ORDER BY seq DESC LIMIT ? OFFSET ?`
                  : `${matching} ORDER BY m.seq DESC LIMIT ? OFFSET ?`,
              )
              .pluck()
              .all(...params, ...(narrow?.params ?? []), limit, start) as number[]);
    }
    const rows = seqs.length ? (this.#rowsOf.all(JSON.stringify(seqs)) as MessageRow[]) : [];
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

  /** Open/click counts per mail (see SqliteEventStore.countsFor). */
  trackingCounts(ids: string[]): Map<string, TrackingCounts> {
    return this.#events.countsForSync(ids);
  }
}
