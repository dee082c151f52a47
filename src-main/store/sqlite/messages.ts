import type { MessagePort } from 'node:worker_threads';
import type { Database } from 'better-sqlite3';
import { ALL_INBOXES, type InboxScope } from '../../model/inbox.js';
import type { AttachmentInfo, MessageListing, TrackingCounts } from '../../model/message.js';
import type { CommitQueue } from './commit-queue.js';
import type { SqliteEventStore } from './events.js';
import { MailWriter } from './mail-writer.js';
import type { CommitHook, MessageStore } from '../contract.js';
import { MessageReads, type MailPartReader } from './message-reads.js';
import type { FullMessageRow, IdSelection, MessagePage, MessageRow, NewMessage } from '../message-rows.js';
import { MessageTags } from './message-tags.js';
import { MessageWrites, type MailToInsert } from './message-writes.js';
import { SearchHandoff } from './search-handoff.js';
import type { MailTextReader, SearchEntry } from '../search-index.js';

export {
  SLICED_MAIL_BYTES,
  summaryOfNew,
  toListing,
  type FullMessageRow,
  type IdSelection,
  type MessageFields,
  type MessagePage,
  type MessageRow,
  type NewMessage,
  type StoredPart,
} from '../message-rows.js';
export { cleanTags } from '../message-rows.js';

export interface MessageStoreOptions {
  /** The database's shared commit, which every writer to it uses. */
  commits: CommitQueue;
  /** The tracking events, whose counts the listings carry (one SqliteEventStore per database). */
  events: SqliteEventStore;
  /** `--max-messages`: the oldest mails beyond it go in the commit that stores new ones (0 = keep all). */
  maxMessages?: number;
  /** How the full-text index reads a mail stored without its entry (see search-index.ts). */
  readText: MailTextReader;
  /** How the parts of a mail stored in slices are read again from its bytes (see message-reads.ts). */
  readParts: MailPartReader;
}

/**
 * Mails, their raw bytes, parts and tags: what the rest of the code uses of the mail tables. It only delegates, to
 * one part per job, where the queries and their reasons are: `MailWriter` (the way a caught mail is written),
 * `MessageWrites` (inserts, slices, pruning, deletes, read flags), `MessageReads` (rows, bytes, parts, pages), `SearchHandoff` (the full-text index and matching) and
 * `MessageTags`. Knows nothing of who is told about changes (see EventBus).
 */
export class SqliteMessageStore implements MessageStore {
  /** The database's shared commit (see CommitQueue). */
  readonly commits: CommitQueue;
  readonly #writes: MessageWrites;
  readonly #writer: MailWriter;
  readonly #reads: MessageReads;
  readonly #search: SearchHandoff;
  readonly #tags: MessageTags;

  constructor(db: Database, { commits, events, maxMessages = 0, readText, readParts }: MessageStoreOptions) {
    this.commits = commits;
    this.#search = new SearchHandoff(db, readText);
    this.#tags = new MessageTags(db);
    const writes = new MessageWrites(db, commits, this.#tags);
    this.#writes = writes;
    this.#writer = new MailWriter({ commits, writes, search: this.#search, maxMessages });
    this.#reads = new MessageReads(db, events, () => writes.count(), readParts);
  }

  // The write path (mail-writer.ts)

  /** Stores a caught mail; resolves with its seq once it is durable (see MailWriter). */
  write(message: NewMessage, manifestJson?: Buffer | null): Promise<number> {
    return this.#writer.write(message, manifestJson);
  }

  /** Registers work that commits atomically with every mail written (the relay's outbox row). */
  addCommitHook(hook: CommitHook): void {
    this.#writer.addCommitHook(hook);
  }

  // Writes (message-writes.ts)

  /** Fixtures (tests, the benchmarks' prefill): stores mails now, outside the shared commit. */
  insertBatch(items: MailToInsert[], maxMessages = 0): (number | Error)[] {
    return this.#writes.insertBatch(items, maxMessages);
  }

  /** Fixtures: one mail now, outside the shared commit; see insertBatch. */
  insert(message: NewMessage, maxMessages = 0, hooks: ((seq: number) => void)[] = []): number {
    return this.#writes.insert(message, maxMessages, hooks);
  }

  async pruneOlderThan(cutoffMs: number, limit: number): Promise<string[]> {
    return this.#writes.pruneOlderThan(cutoffMs, limit);
  }

  async pruneOlderThanIn(cutoffMs: number, limit: number, scope: InboxScope): Promise<string[]> {
    return this.#writes.pruneOlderThanIn(cutoffMs, limit, scope);
  }

  async takeInboxPruned(): Promise<string[]> {
    return this.#writes.takeInboxPruned();
  }

  async dropRelayEntries(limit?: number): Promise<number> {
    return this.#writes.dropRelayEntries(limit);
  }

  async setRead(selection: IdSelection, read: boolean, scope: InboxScope = ALL_INBOXES): Promise<string[]> {
    return this.#writes.setRead(selection, read, scope);
  }

  async delete(selection: IdSelection, scope: InboxScope = ALL_INBOXES): Promise<string[]> {
    return this.#writes.delete(selection, scope);
  }

  async count(): Promise<{ total: number; unread: number }> {
    return this.#writes.count();
  }

  /** delete(), inside a transaction of the caller's (a whole-inbox change, see SqliteInboxStore). */
  deleteNow(selection: IdSelection, scope: InboxScope): string[] {
    return this.#writes.delete(selection, scope);
  }

  /** Counts the mails again, after a failed whole-inbox change (see SqliteInboxStore). */
  recount(): void {
    this.#writes.recount();
  }

  // Reads (message-reads.ts)

  async get(id: string): Promise<FullMessageRow | undefined> {
    return this.#reads.get(id);
  }

  async raw(id: string): Promise<{ raw: Buffer; tracked: Buffer | null } | undefined> {
    return this.#reads.raw(id);
  }

  async pieces(id: string, kind: 'raw' | 'tracked' | 'patch'): Promise<AsyncIterable<Buffer> | undefined> {
    const pieces = this.#reads.pieces(id, kind);
    return pieces && eachAsync(pieces);
  }

  part(
    id: string,
    partId: string,
  ): Promise<{ filename: string; content_type: string; content: Buffer } | undefined> {
    return this.#reads.part(id, partId);
  }

  async attachmentsOf(seq: number): Promise<{ inline: AttachmentInfo[]; attachments: AttachmentInfo[] }> {
    return this.#reads.attachmentsOf(seq);
  }

  async page(
    start: number,
    limit: number,
    query = '',
    scope: InboxScope = ALL_INBOXES,
  ): Promise<MessagePage> {
    return this.#reads.page(start, limit, query, scope);
  }

  async countIn(scope: InboxScope): Promise<{ total: number; unread: number }> {
    return this.#reads.countIn(scope);
  }

  async inboxOf(id: string): Promise<string | undefined> {
    return this.#reads.inboxOf(id);
  }

  async summaryOf(row: MessageRow): Promise<MessageListing> {
    return this.#reads.summaryOf(row);
  }

  async trackingCounts(ids: string[]): Promise<Map<string, TrackingCounts>> {
    return this.#reads.trackingCounts(ids);
  }

  async latestId(scope: InboxScope = ALL_INBOXES): Promise<string | undefined> {
    return this.#reads.latestId(scope);
  }

  async resolveId(id: string, scope: InboxScope = ALL_INBOXES): Promise<string | undefined> {
    return this.#reads.resolveId(id, scope);
  }

  async manifestJson(id: string): Promise<string | null | undefined> {
    return this.#reads.manifestJson(id);
  }

  async createdAt(id: string): Promise<number | undefined> {
    return this.#reads.createdAt(id);
  }

  // The full-text index (search-handoff.ts)

  indexOn(port: MessagePort | undefined): void {
    this.#search.indexOn(port);
  }

  handToSearch(entries: SearchEntry[]): void {
    this.#search.handToSearch(entries);
  }

  searchReady(): Promise<void> {
    return this.#search.searchReady();
  }

  async matches(id: string, query: string): Promise<boolean> {
    return this.#search.matches(id, query);
  }

  async idsMatching(query: string, scope: InboxScope = ALL_INBOXES): Promise<string[]> {
    return this.#search.idsMatching(query, scope);
  }

  async latestMatching(query: string, scope: InboxScope = ALL_INBOXES): Promise<string | undefined> {
    return this.#search.latestMatching(query, scope);
  }

  // Tags (message-tags.ts)

  async tags(): Promise<string[]> {
    return this.#tags.tags();
  }

  async tagCounts(): Promise<Record<string, number>> {
    return this.#tags.tagCounts();
  }

  async setTags(ids: string[], tags: string[]): Promise<string[]> {
    return this.#tags.setTags(ids, tags);
  }

  async addTags(ids: string[], tags: string[]): Promise<string[]> {
    return this.#tags.addTags(ids, tags);
  }

  async renameTag(from: string, to: string): Promise<string[]> {
    return this.#tags.renameTag(from, to);
  }

  async deleteTag(tag: string): Promise<string[]> {
    return this.#tags.deleteTag(tag);
  }

  async tagsIn(scope: InboxScope): Promise<string[]> {
    return this.#tags.tagsIn(scope);
  }

  async tagCountsIn(scope: InboxScope): Promise<Record<string, number>> {
    return this.#tags.tagCountsIn(scope);
  }

  async renameTagIn(from: string, to: string, scope: InboxScope): Promise<string[]> {
    return this.#tags.renameTag(from, to, scope);
  }

  async deleteTagIn(tag: string, scope: InboxScope): Promise<string[]> {
    return this.#tags.deleteTag(tag, scope);
  }
}

/** The pieces, each still read when asked for. */
async function* eachAsync(pieces: Iterable<Buffer>): AsyncGenerator<Buffer> {
  yield* pieces;
}
