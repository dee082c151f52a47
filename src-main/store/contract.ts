import type { MessagePort } from 'node:worker_threads';
import type { InboxScope } from '../model/inbox.js';
import type { InboxSettings } from '../model/inbox-settings.js';
import type { AttachmentInfo, MessageListing, TrackingCounts } from '../model/message.js';
import type { HubHistoryRows } from '../model/hub-update.js';
import type { RelayAttempt, RelayEntry, RelayStatus } from '../model/relay.js';
import type {
  EventsResponse,
  MessageTracking,
  TrackingEvent,
  TrackingSource,
  TrackingSummary,
} from '../model/tracking.js';
import type { WebhookDelivery } from '../model/webhook.js';
import type { FullMessageRow, IdSelection, MessagePage, MessageRow, NewMessage } from './message-rows.js';
import type { CountFilter, EventQuery, NewTrackingEvent, RecordOptions } from './event-rows.js';
import type { AttemptOutcome, NewOutboxEntry, OutboxRow } from './outbox-rows.js';
import type { DeliveryAttempt, DeliveryRow, NewDelivery } from './delivery-rows.js';

// What the services use of the store: an engine (today SQLite, in sqlite/) implements these, `openStore` returns
// them, and test/store/contract/ checks any engine against them.
//
// The rule: whatever a network database would send to its server returns a Promise (every read, every statement
// of its own, a mail's pieces as an AsyncIterable), and callers await it; what must not interleave is one method,
// one transaction. Synchronous stays what runs inside the shared transaction (`QueuedWrite.write`,
// `EventStore.recordMany`, `RelayOutbox.insert` in a commit hook: for a network engine, statements of that same
// transaction, batched by the callback-based commit queue). The hub's history
// (model/hub-update.ts) is still synchronous: its replay reads the history and registers the subscriber in one turn.

/** Page size of `EventStore.list` when a caller gives none, and the most one page may hold. */
export const DEFAULT_EVENTS_LIMIT = 50;
export const MAX_EVENTS_LIMIT = 1_000;

/** Rows a writer has waiting, written in the next shared transaction. */
export interface QueuedWrite {
  /** Writes the rows; runs inside the shared transaction, in a savepoint of its own. */
  write(): void;
  /** After the transaction: `err` is this write's error, or the commit's; undefined once the rows are durable. */
  done(err?: Error): void;
}

/** The database's shared commit: writers queue their rows and hear once they are durable (see CommitQueue). */
export interface SharedCommit {
  enqueue(write: QueuedWrite): void;
  /** Commits what is queued now. */
  flush(): void;
}

/** What a commit hook sees: the stored mail, inside the transaction that stores it. */
export interface StoredMail {
  seq: number;
  id: string;
  message: NewMessage;
}

/** Work that commits atomically with every mail (the relay's outbox row); runs inside the mail's transaction. */
export type CommitHook = (mail: StoredMail) => void;

/** The mails: the write path, reads, pages, searches, tags, read flags, deletes and pruning. */
export interface MessageStore {
  /**
   * The one way a caught mail is stored: large-mail slices, the group commit, `--max-messages` pruning, the counts
   * and the full-text hand-off. Resolves with the mail's seq once it is durable; rejected, nothing of it is stored.
   */
  write(message: NewMessage, manifestJson?: Buffer | null): Promise<number>;
  /** Work written in the same transaction as every mail (the relay's outbox row). */
  addCommitHook(hook: CommitHook): void;

  pruneOlderThan(cutoffMs: number, limit: number): Promise<string[]>;
  /**
   * Up to `limit` mails of `scope` received before `cutoffMs` deleted (an inbox's MaxAge, or `--max-age` for the
   * inboxes without their own); returns their ids.
   */
  pruneOlderThanIn(cutoffMs: number, limit: number, scope: InboxScope): Promise<string[]>;
  /** The ids of mails an inbox's own bound (`inboxMaxMessages`) pruned since the last call, for `message.deleted`. */
  takeInboxPruned(): Promise<string[]>;
  /** Drops finished relay entries of mails pruned by `--max-messages`; returns how many mails are left to do. */
  dropRelayEntries(limit?: number): Promise<number>;
  // Reads and bulk writes take the inboxes they may reach (model/inbox.ts; default: every inbox).
  setRead(selection: IdSelection, read: boolean, scope?: InboxScope): Promise<string[]>;
  delete(selection: IdSelection, scope?: InboxScope): Promise<string[]>;
  count(): Promise<{ total: number; unread: number }>;
  /** The mails, and unread mails, of `scope`. */
  countIn(scope: InboxScope): Promise<{ total: number; unread: number }>;
  /** The inbox a mail belongs to, undefined for an unknown id. */
  inboxOf(id: string): Promise<string | undefined>;

  get(id: string): Promise<FullMessageRow | undefined>;
  raw(id: string): Promise<{ raw: Buffer; tracked: Buffer | null } | undefined>;
  /**
   * One of a mail's stored blobs (as received, its tracked copy, or the tracked copy's patch) as the pieces it is
   * stored in, each read when asked for. Undefined for an unknown id.
   */
  pieces(id: string, kind: 'raw' | 'tracked' | 'patch'): Promise<AsyncIterable<Buffer> | undefined>;
  part(
    id: string,
    partId: string,
  ): Promise<{ filename: string; content_type: string; content: Buffer } | undefined>;
  attachmentsOf(seq: number): Promise<{ inline: AttachmentInfo[]; attachments: AttachmentInfo[] }>;
  page(start: number, limit: number, query?: string, scope?: InboxScope): Promise<MessagePage>;
  /** The list row of a mail already read, with its tracking counts (read from the events). */
  summaryOf(row: MessageRow): Promise<MessageListing>;
  trackingCounts(ids: string[]): Promise<Map<string, TrackingCounts>>;
  latestId(scope?: InboxScope): Promise<string | undefined>;
  resolveId(id: string, scope?: InboxScope): Promise<string | undefined>;
  manifestJson(id: string): Promise<string | null | undefined>;
  createdAt(id: string): Promise<number | undefined>;

  /** The thread that fills the full-text index (the checkpoint thread), or undefined for this one. */
  indexOn(port: MessagePort | undefined): void;
  /** Resolves once every mail stored so far can be found by a search. */
  searchReady(): Promise<void>;
  matches(id: string, query: string): Promise<boolean>;
  idsMatching(query: string, scope?: InboxScope): Promise<string[]>;
  latestMatching(query: string, scope?: InboxScope): Promise<string | undefined>;

  tags(): Promise<string[]>;
  tagCounts(): Promise<Record<string, number>>;
  setTags(ids: string[], tags: string[]): Promise<string[]>;
  /** Adds tags to the mails' own in one transaction; returns the ids whose tags changed. */
  addTags(ids: string[], tags: string[]): Promise<string[]>;
  renameTag(from: string, to: string): Promise<string[]>;
  deleteTag(tag: string): Promise<string[]>;
  /** The tags in use on the mails of `scope`, sorted (a closed inbox's tags stay inside it). */
  tagsIn(scope: InboxScope): Promise<string[]>;
  /** How many mails of `scope` carry each tag. */
  tagCountsIn(scope: InboxScope): Promise<Record<string, number>>;
  /** renameTag on the mails of `scope` alone; returns the ids that changed. */
  renameTagIn(from: string, to: string, scope: InboxScope): Promise<string[]>;
  /** deleteTag on the mails of `scope` alone; returns the ids that changed. */
  deleteTagIn(tag: string, scope: InboxScope): Promise<string[]>;
}

/** Tracking events: recorded in the shared commit, read as pages, counts and summaries. */
export interface EventStore {
  /** The shared commit the tracking server writes its hits in (`recordMany` runs inside it). */
  readonly commits: SharedCommit;
  /** Writes the hits; runs inside the shared transaction. Returns the events stored. */
  recordMany(events: NewTrackingEvent[], options?: RecordOptions): TrackingEvent[];
  hasUnsubscribe(tokenId: string, source?: TrackingSource): Promise<boolean>;
  list(query?: EventQuery): Promise<EventsResponse>;
  subjectsOf(messageIds: string[]): Promise<Record<string, string>>;
  summary(filter?: CountFilter, perMail?: number, scope?: InboxScope): Promise<TrackingSummary>;
  countsFor(messageIds: string[]): Promise<Map<string, TrackingCounts>>;
  statsFor(messageId: string, filter?: CountFilter): Promise<MessageTracking['stats']>;
}

/** An inbox's row with its figures, as `InboxStore.list` reads them. */
export interface InboxRow {
  name: string;
  createdMs: number;
  total: number;
  unread: number;
  /** When its newest mail arrived (ms), null when it holds none. */
  lastMs: number | null;
}

/**
 * The inboxes and what moves whole inboxes. A mail's own inbox is written with the mail, which creates the inbox;
 * emptying and deleting remove its mails, events and outbox entries in one transaction.
 */
export interface InboxStore {
  list(): Promise<InboxRow[]>;
  exists(name: string): Promise<boolean>;
  /** Creates an inbox (nothing when it exists); true when it is new. */
  create(name: string, nowMs: number): Promise<boolean>;
  /** Moves everything of `from` to `to` in one transaction: 'missing' when `from` does not exist, 'taken' when `to` does. */
  rename(from: string, to: string): Promise<'renamed' | 'missing' | 'taken'>;
  /** Deletes an inbox's mails, events and outbox entries; returns the mails' ids. */
  empty(name: string): Promise<string[]>;
  /** Deletes an inbox with everything in it; undefined when it does not exist. */
  delete(name: string): Promise<string[] | undefined>;
  /** What an inbox overrides of the flags (NO_OVERRIDES when nothing); undefined when it does not exist. */
  settings(name: string): Promise<InboxSettings | undefined>;
  /** Replaces an inbox's settings; false when it does not exist. */
  saveSettings(name: string, settings: InboxSettings): Promise<boolean>;
  /** Every inbox's settings, those without overrides too. */
  allSettings(): Promise<Map<string, InboxSettings>>;
  /**
   * Moves mails within `scope` into inbox `to` with their events and outbox entries, in one transaction; mails
   * already there, unknown or outside the scope stay. Undefined when `to` does not exist.
   */
  moveMessages(ids: string[], to: string, scope?: InboxScope): Promise<MovedMail[] | undefined>;
}

/** A mail `InboxStore.moveMessages` moved, and the inbox it left. */
export interface MovedMail {
  id: string;
  from: string;
}

/** The relay's transactional outbox. A row is claimed ('sending') by one worker only, however many ask. */
export interface RelayOutbox {
  /** Inside the mail's transaction (a commit hook): the row, pending or claimed already. */
  insert(entry: NewOutboxEntry, status?: 'pending' | 'sending'): OutboxRow;
  /** In a transaction of its own; returns the row's id. */
  enqueue(entry: NewOutboxEntry, status?: 'pending' | 'sending'): Promise<number>;
  /** Whether a row written inside a transaction was committed with it. */
  committed(row: OutboxRow): Promise<boolean>;
  /** Claims up to `limit` due rows; none of them is handed to another claim until it is finished. */
  claimDue(nowMs: number, limit: number): Promise<OutboxRow[]>;
  nextDueMs(): Promise<number | null>;
  /** Records outcomes, and claims up to `claim` more due rows in the same transaction. */
  finishAll(outcomes: AttemptOutcome[], nowMs: number, claim?: number): Promise<OutboxRow[]>;
  /** Rows a stopped process left claimed go back to pending; returns their ids. */
  resumeInterrupted(nowMs: number): Promise<number[]>;
  retry(id: number, nowMs: number): Promise<boolean>;
  row(id: number): Promise<OutboxRow | undefined>;
  entry(id: number): Promise<RelayEntry | undefined>;
  attempts(id: number): Promise<RelayAttempt[]>;
  list(limit?: number): Promise<RelayEntry[]>;
  prune(keep: number): Promise<number>;
  counts(): Promise<Record<RelayStatus, number>>;
}

/** The webhook outbox: one row per (endpoint, event), claimed under a lease. */
export interface WebhookDeliveries {
  enqueue(rows: NewDelivery[]): Promise<number[]>;
  /** Claims up to `limit` due rows for `leaseMs`; no other claim gets them within the lease. */
  claimDue(nowMs: number, leaseMs: number, limit: number): Promise<DeliveryRow[]>;
  nextDueMs(): Promise<number | null>;
  finish(
    id: number,
    attempt: DeliveryAttempt,
    status: WebhookDelivery['status'],
    next: number | null,
  ): Promise<void>;
  replay(id: number, nowMs: number): Promise<boolean>;
  prune(keep: number): Promise<number>;
  row(id: number): Promise<DeliveryRow | undefined>;
  delivery(id: number): Promise<WebhookDelivery | undefined>;
  list(limit?: number): Promise<WebhookDelivery[]>;
}

/** `--max-events`: the oldest tracking events beyond the bound are pruned in the background. */
export interface EventPruning {
  start(): void;
  /** Counts new events, to prune once enough have come. */
  recorded(n?: number): void;
  stop(): void;
}

/** Every repository of one database, and its shutdown. */
export interface Store {
  messages: MessageStore;
  events: EventStore;
  /** The inboxes (see InboxStore). */
  inboxes: InboxStore;
  /** The hub's history (`--hub-history`). */
  hubHistory: HubHistoryRows;
  relayOutbox: RelayOutbox;
  webhookDeliveries: WebhookDeliveries;
  /** Flushes the last queued writes and closes the database. */
  close(): Promise<void>;
}

export type { FullMessageRow, IdSelection, MessagePage, MessageRow, NewMessage };
export type { CountFilter, EventQuery, NewTrackingEvent, RecordOptions };
export type { AttemptOutcome, NewOutboxEntry, OutboxRow };
export type { DeliveryAttempt, DeliveryRow, NewDelivery };
