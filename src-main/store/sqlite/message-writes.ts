import type { Database, Statement } from 'better-sqlite3';
import { ALL_INBOXES, DEFAULT_INBOX, scopeSql, type InboxScope } from '../../model/inbox.js';
import type { CommitQueue } from './commit-queue.js';
import { inChunks, NO_BYTES, type IdSelection, type NewMessage } from '../message-rows.js';
import type { MessageTags } from './message-tags.js';

/** Bytes per slice, one commit each. */
const SLICE_BYTES = 1024 * 1024;

/** A mail for `insertBatch`, with what to write in its transaction once its seq is known. */
export interface MailToInsert {
  message: NewMessage;
  hooks?: ((seq: number) => void)[];
}

/**
 * What changes the mails: the insert path through the shared commit, the slices of large mails, pruning, deletes
 * and read flags. Keeps the running count of mails, since every insert and delete goes through it.
 */
export class MessageWrites {
  readonly #db: Database;
  readonly #commits: CommitQueue;
  readonly #tags: MessageTags;
  readonly #insertMessage: Statement;
  readonly #insertInbox: Statement;
  readonly #insertData: Statement;
  readonly #insertPart: Statement;
  readonly #count: Statement;
  readonly #countUnread: Statement;
  readonly #oldest: Statement;
  readonly #olderThan: Statement;
  readonly #finishedRelay: Statement;
  /** Mails pruned for `--max-messages` whose relay entries are still to go (see `dropRelayEntries`). */
  #prunedIds: string[] = [];
  /** Mails pruned for their inbox's own bound, not yet announced (see `takeInboxPruned`). */
  #inboxPrunedIds: string[] = [];
  readonly #inboxBeyond: Statement;
  readonly #inboxOlderThan: Statement;
  readonly #bySeq: Statement;
  readonly #insertSlice: Statement;
  readonly #dropSlices: Statement;
  readonly #savepoint: (message: NewMessage, hooks: ((seq: number) => void)[]) => number;
  /** Number of stored mails, kept here (every insert and delete goes through this class) so pruning costs no count(*). */
  #total: number;

  constructor(db: Database, commits: CommitQueue, tags: MessageTags) {
    this.#db = db;
    this.#commits = commits;
    this.#tags = tags;
    this.#insertMessage =
      db.prepare(`INSERT INTO messages (id, created_ms, message_id, subject, from_json, to_json,
      cc_json, bcc_json, reply_to_json, return_path, date_ms, username, size, snippet,
      attachments, warnings_json, envelope_from, envelope_to, remote_ip, tags_json, inbox)
      VALUES (@id, @createdMs, @messageId, @subject, @from, @to, @cc, @bcc, @replyTo, @returnPath, @dateMs, @username,
      @size, @snippet, @attachments, @warnings, @envelopeFrom, @envelopeTo, @remoteIp, @tags, @inbox)`);
    // An inbox exists from its first mail on; when it does already, this is one look-up in a small table.
    this.#insertInbox = db.prepare('INSERT OR IGNORE INTO inboxes (name, created_ms) VALUES (?, ?)');
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
    // A walk down the inbox's slice of (inbox, seq, read), newest first, past the mails it keeps.
    this.#inboxBeyond = db.prepare(
      'SELECT seq, id FROM messages INDEXED BY messages_inbox WHERE inbox = ? ORDER BY seq DESC LIMIT -1 OFFSET ?',
    );
    // Its oldest mails first (seq is the order of arrival); the caller stops at the first young enough.
    this.#inboxOlderThan = db.prepare(
      'SELECT seq, id, created_ms AS createdMs FROM messages INDEXED BY messages_inbox WHERE inbox = ? ORDER BY seq LIMIT ?',
    );
    this.#insertSlice = db.prepare('INSERT INTO message_slices (mail_id, kind, n, data) VALUES (?, ?, ?, ?)');
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
        inbox: m.inbox ?? DEFAULT_INBOX,
      }).lastInsertRowid,
    );
    this.#insertInbox.run(m.inbox ?? DEFAULT_INBOX, m.createdMs);
    if (m.tags) this.#tags.add(seq, m.tags);
    const patch = m.tracked ? m.trackedPatch : null;
    const sliced = m.sliced === true;
    this.#insertData.run(
      seq,
      m.manifest && !sliced ? JSON.stringify(m.manifest) : null,
      sliced ? NO_BYTES : m.raw,
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
        sliced ? NO_BYTES : p.content,
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
  insertBatch(items: MailToInsert[], maxMessages = 0): (number | Error)[] {
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

  #insertEach(items: MailToInsert[], maxMessages: number, isolated: boolean): (number | Error)[] {
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
      pruned += this.#pruneInboxes(items);
      const excess = this.#total + stored - pruned - maxMessages;
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

  /** Inside the batch's transaction: each inbox of the batch with a bound of its own keeps its newest mails. */
  #pruneInboxes(items: MailToInsert[]): number {
    let bounds: Map<string, number> | undefined;
    for (const { message } of items) {
      if (message.inboxMaxMessages)
        (bounds ??= new Map()).set(message.inbox ?? DEFAULT_INBOX, message.inboxMaxMessages);
    }
    if (!bounds) return 0;
    let pruned = 0;
    for (const [inbox, keep] of bounds) {
      for (const old of this.#inboxBeyond.all(inbox, keep) as { seq: number; id: string }[]) {
        pruned += this.#bySeq.run(old.seq).changes;
        this.#prunedIds.push(old.id);
        this.#inboxPrunedIds.push(old.id);
      }
    }
    return pruned;
  }

  takeInboxPruned(): string[] {
    return this.#inboxPrunedIds.splice(0);
  }

  /** Stores one mail; see insertBatch. Throws what refused it. */
  insert(message: NewMessage, maxMessages = 0, hooks: ((seq: number) => void)[] = []): number {
    const [result] = this.insertBatch([{ message, hooks }], maxMessages);
    if (result instanceof Error) throw result;
    return result!;
  }

  /** Counts the stored mails again, after a commit that failed may have left the running count off. */
  recount(): void {
    this.#total = this.#count.get() as number;
  }

  count(): { total: number; unread: number } {
    return { total: this.#total, unread: this.#countUnread.get() as number };
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
   * `pruneOlderThan` within a scope: one inbox walks its own slice of (inbox, seq, read) from its oldest mail, the
   * others (`--max-age` for every inbox without an age of its own) the date index, leaving out the excepted inboxes.
   */
  pruneOlderThanIn(cutoffMs: number, limit: number, scope: InboxScope): string[] {
    if (scope.kind === 'all') return this.pruneOlderThan(cutoffMs, limit);
    const ids = this.#db.transaction(() => {
      let rows: { seq: number; id: string; createdMs?: number }[];
      if (scope.kind === 'inbox') {
        rows = this.#inboxOlderThan.all(scope.name, limit) as {
          seq: number;
          id: string;
          createdMs: number;
        }[];
        const young = rows.findIndex((r) => r.createdMs! >= cutoffMs);
        if (young >= 0) rows = rows.slice(0, young);
      } else {
        const where = scopeSql(scope, 'inbox')!;
        rows = this.#db
          .prepare(
            `SELECT seq, id FROM messages INDEXED BY messages_created WHERE created_ms < ? AND ${where.where}
             ORDER BY created_ms LIMIT ?`,
          )
          .all(cutoffMs, ...where.params, limit) as { seq: number; id: string }[];
      }
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
          this.#commits.enqueue({
            write: () => this.#insertSlice.run(mailId, kind, n, slice),
            done: (err) => (err ? reject(err) : resolve()),
          }),
        );
      }
    }
  }

  /** Removes the slices of a mail that will not be stored (see `writeSlices`). */
  dropSlices(mailId: string): void {
    this.#commits.enqueue({ write: () => this.#dropSlices.run(mailId), done: () => {} });
  }

  /** Sets read state of the mails selected within `scope`; returns the ids that changed. */
  setRead(selection: IdSelection, read: boolean, scope: InboxScope = ALL_INBOXES): string[] {
    const flag = read ? 1 : 0;
    const inScope = scopeSql(scope, 'inbox');
    const and = inScope ? ` AND ${inScope.where}` : '';
    const scopeParams = inScope?.params ?? [];
    if (selection === 'all') {
      return this.#db
        .prepare(`UPDATE messages SET read = ? WHERE read != ?${and} RETURNING id`)
        .pluck()
        .all(flag, flag, ...scopeParams) as string[];
    }
    return inChunks(
      selection,
      (chunk) =>
        this.#db
          .prepare(
            `UPDATE messages SET read = ? WHERE read != ? AND id IN (${chunk.map(() => '?').join(',')})${and} RETURNING id`,
          )
          .pluck()
          .all(flag, flag, ...chunk, ...scopeParams) as string[],
    );
  }

  /** Deletes the mails selected within `scope`; returns the ids that existed. */
  delete(selection: IdSelection, scope: InboxScope = ALL_INBOXES): string[] {
    const inScope = scopeSql(scope, 'inbox');
    if (inScope) {
      const and = ` AND ${inScope.where}`;
      const ids =
        selection === 'all'
          ? (this.#db
              .prepare(`SELECT id FROM messages WHERE 1${and}`)
              .pluck()
              .all(...inScope.params) as string[])
          : selection;
      const deleted = this.#db.transaction(() =>
        inChunks(
          ids,
          (chunk) =>
            this.#db
              .prepare(
                `DELETE FROM messages WHERE id IN (${chunk.map(() => '?').join(',')})${and} RETURNING id`,
              )
              .pluck()
              .all(...chunk, ...inScope.params) as string[],
        ),
      )();
      this.#total -= deleted.length;
      return deleted;
    }
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
            inChunks(
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
}
