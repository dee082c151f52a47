import type { Address, HitCounts, MessageListing, TrackingCounts } from '../model/message.js';
import type { TrackingManifest } from '../model/tracking.js';
import { DEFAULT_INBOX } from '../model/inbox.js';

// The rows of the mail tables as the store's parts read and write them, and their mapping to the model's listing.

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
  /** The inbox it lands in (model/inbox.ts); `default` when not given. */
  inbox?: string;
  /** Its inbox's own bound (that inbox's MaxMessages setting): older mails of that inbox beyond it go with this write. */
  inboxMaxMessages?: number;
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
  inbox: string;
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

/** From this size a mail is written in slices (see `writeSlices`); below it one insert holds the loop a few ms. */
export const SLICED_MAIL_BYTES = 2 * 1024 * 1024;

/** What a mail stored in slices keeps in its own row's byte columns. */
export const NO_BYTES = Buffer.alloc(0);

export const NO_TRACKING: TrackingCounts = emptyCounts();

/** Largest IN (…) list per statement; SQLite's default limit on bound parameters is 32766. */
const ID_CHUNK = 500;

/** Runs `run` over `ids` in chunks that fit one statement; returns what the runs returned, in order. */
export function inChunks(ids: string[], run: (chunk: string[]) => string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < ids.length; i += ID_CHUNK) out.push(...run(ids.slice(i, i + ID_CHUNK)));
  return out;
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
    inbox: m.inbox ?? DEFAULT_INBOX,
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
    inbox: r.inbox,
    tags: JSON.parse(r.tags_json) as string[],
    size: r.size,
    attachments: r.attachments,
    snippet: r.snippet,
    tracking,
  };
}

/**
 * What a mail's body is found by in the full-text index: its text (see `searchText`) and the file names of its parts,
 * as Mailpit searches them, with runs of whitespace made one space so that a quoted phrase finds words that a line
 * break separates.
 */
export function searchBody(fields: Pick<MessageFields, 'searchText' | 'parts'>): string {
  let body = fields.searchText;
  for (const part of fields.parts) if (part.filename) body += ` ${part.filename}`;
  return body.replace(/\s+/g, ' ').trim();
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

function emptyHitCounts(): HitCounts {
  return {
    opens: 0,
    uniqueOpens: 0,
    clicks: 0,
    uniqueClicks: 0,
    unsubscribed: false,
    machine: { opens: 0, clicks: 0 },
  };
}

export function emptyCounts(): TrackingCounts {
  return {
    ...emptyHitCounts(),
    recipients: emptyHitCounts(),
    preview: { opens: 0, clicks: 0, unsubscribed: false },
  };
}
