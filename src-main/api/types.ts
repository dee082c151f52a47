// JSON shapes of the HTTP API (/api/v1) and of the hub's updates.
// The message shapes follow Mailpit's API v1 field names exactly, so clients written for Mailpit work unchanged;
// the tracking, relay and webhook shapes are Mailbeacon's own. The renderer imports this file for its types only.

export interface Address {
  Name: string;
  Address: string;
}

/** One row of `GET /api/v1/messages` and `GET /api/v1/search` (Mailpit's MessageSummary plus tracking counts). */
export interface MessageSummary {
  ID: string;
  MessageID: string;
  Read: boolean;
  From: Address | null;
  To: Address[];
  Cc: Address[];
  Bcc: Address[];
  ReplyTo: Address[];
  Subject: string;
  Created: string;
  Username: string;
  Tags: string[];
  Size: number;
  Attachments: number;
  Snippet: string;
  /** Mailbeacon: counts of tracking events for this mail (human and machine alike; see `classification`). */
  Tracking: TrackingCounts;
}

/**
 * A mail's tracking counts. The top-level figures count a recipient's people only (classification `human`, source
 * `recipient`); machine hits (proxy, scanner) and Mailbeacon's own hits (sandbox) are counted beside them, never
 * mixed in. "Unique" is distinct (token, client), a client being IP + user agent, or Apple's proxy as one client.
 */
export interface TrackingCounts {
  opens: number;
  uniqueOpens: number;
  clicks: number;
  uniqueClicks: number;
  unsubscribed: boolean;
  /** A recipient's machine hits: mail providers' image proxies and link scanners. */
  machine: { opens: number; clicks: number };
  /** Hits from Mailbeacon itself: the preview and simulations. */
  sandbox: { opens: number; clicks: number; unsubscribed: boolean };
}

export interface MessagesSummary {
  total: number;
  unread: number;
  count: number;
  messages_count: number;
  messages_unread: number;
  start: number;
  tags: string[];
  messages: MessageSummary[];
}

export interface Attachment {
  PartID: string;
  FileName: string;
  ContentType: string;
  ContentID: string;
  Size: number;
  Checksums: { MD5: string; SHA1: string; SHA256: string };
}

export interface ListUnsubscribe {
  Header: string;
  Links: string[];
  Errors: string;
  HeaderPost: string;
}

/** `GET /api/v1/message/{ID}`. `HTML` is the mail as received; the tracked HTML is `TrackedHTML`. */
export interface Message {
  ID: string;
  MessageID: string;
  From: Address | null;
  To: Address[];
  Cc: Address[];
  Bcc: Address[];
  ReplyTo: Address[];
  ReturnPath: string;
  Subject: string;
  ListUnsubscribe: ListUnsubscribe;
  Date: string;
  Tags: string[];
  Username: string;
  Text: string;
  HTML: string;
  Size: number;
  Inline: Attachment[];
  Attachments: Attachment[];
  /** Mailbeacon: the HTML after tracking was injected ('' when the mail has no HTML or tracking was off). */
  TrackedHTML: string;
  /** Mailbeacon: problems the parser met; the raw mail is stored as received regardless. */
  Warnings: string[];
  Tracking: TrackingCounts;
}

export interface AppInformation {
  Version: string;
  LatestVersion: string;
  Database: string;
  DatabaseSize: number;
  Messages: number;
  Unread: number;
  Tags: Record<string, number>;
  RuntimeStats: {
    Uptime: number;
    Memory: number;
    MessagesDeleted: number;
    SMTPAccepted: number;
    SMTPAcceptedSize: number;
    SMTPRejected: number;
    SMTPIgnored: number;
  };
  /** Mailbeacon: the real listener addresses and tracking settings. */
  Listeners: { smtp: string; http: string; tracking: string };
  TrackingURL: string;
  KeyFingerprint: string;
}

// ---- tracking ----

export type TokenKind = 'open' | 'click' | 'unsub';
export type Classification = 'human' | 'proxy' | 'scanner' | 'expired';
/** Recipients `POST /api/v1/message/{ID}/simulate` can imitate (docs/TRACKING.md). */
export const SIMULATE_PROFILES = [
  'human-open',
  'human-click',
  'apple-mpp',
  'gmail-proxy',
  'safe-links',
  'unsubscribe-one-click',
  'inbox-journey',
] as const;

export type SimulateProfile = (typeof SIMULATE_PROFILES)[number];

/** The mail clients `human-open` can be (`client` option); Gmail on the web always fetches through its proxy. */
export const HUMAN_CLIENTS = ['outlook-desktop', 'apple-mail', 'ios-mail', 'thunderbird'] as const;
export type HumanClient = (typeof HUMAN_CLIENTS)[number];

export const PROFILE_HELP: Record<SimulateProfile, string> = {
  'human-open': 'a person opens the mail in a desktop or mobile client (client option)',
  'human-click': 'a person clicks a link (link option, else the first) in a browser',
  'apple-mpp': "Apple Mail Privacy Protection fetches the pixel through Apple's proxy",
  'gmail-proxy': "Gmail's GoogleImageProxy fetches the pixel",
  'safe-links': 'a link scanner (Defender Safe Links) fetches every link right after delivery',
  'unsubscribe-one-click': 'the mailbox provider sends the RFC 8058 one-click POST',
  'inbox-journey': 'delivery, proxy prefetch, a human open, a click, sometimes an unsubscribe, over time',
};

/** Who caused a hit: a recipient's side (person or machine), or Mailbeacon itself (preview, simulations). */
export type TrackingSource = 'recipient' | 'sandbox';

export interface TrackedLink {
  /** 1-based number of the rewritten link in document order, as shown in the UI. */
  index: number;
  /** Byte offset of the href value in the original decoded HTML, and its 1-based line. */
  offset: number;
  line: number;
  tag: 'a' | 'area';
  originalUrl: string;
  trackedUrl: string;
  tokenId: string;
  /** True when the link sits inside an MSO conditional comment (<!--[if mso]> … VML buttons). */
  inMsoComment: boolean;
  /** Which part of the MIME tree it came from ("1.2"), and whether that part is text/plain (--track-text). */
  partId: string;
}

export interface SkippedLink {
  offset: number;
  line: number;
  url: string;
  reason: string;
  partId: string;
}

export interface TrackingManifest {
  enabled: boolean;
  /** Why tracking was off for this mail ('' when enabled). */
  disabledReason: string;
  pixel: {
    tokenId: string;
    url: string;
    placement: 'before-body-end' | 'end-of-document';
    offset: number;
    line: number;
    partId: string;
  } | null;
  links: TrackedLink[];
  skipped: SkippedLink[];
  unsubscribe: {
    tokenId: string;
    url: string;
    headersAdded: boolean;
    placeholdersFilled: number;
    existingHeader: string;
  };
}

export interface TrackingEvent {
  id: number;
  kind: TokenKind;
  url: string;
  metadata: Record<string, string>;
  remote_ip: string;
  ua: string;
  /** Unix nanoseconds as a decimal string (does not fit a JS number). */
  ts: string;
  /** ISO time of the hit, for display. */
  time: string;
  token_id: string;
  message_id: string;
  classification: Classification;
  method: string;
  source: TrackingSource;
}

export interface EventsResponse {
  total: number;
  events: TrackingEvent[];
  /** The subject of each mail the listed events belong to, by message id. */
  subjects: Record<string, string>;
}

/** `GET /api/v1/tracking/summary`: the rates and the per-mail ranking for one filter (classification, source). */
export interface TrackingSummary {
  /** Mails caught (all of them, whatever the filter). */
  mails: number;
  /** Mails with at least one open / click / unsubscribe that passes the filter. */
  opened: number;
  clicked: number;
  unsubscribed: number;
  /** Events beside the filtered ones, so that none is hidden: machine hits of recipients, and sandbox hits. */
  machine: number;
  sandbox: number;
  /** The mails with the most filtered events, most first. */
  perMail: { id: string; subject: string; opens: number; clicks: number; unsubs: number }[];
}

export interface MessageTracking extends TrackingManifest {
  /** Per link and pixel: counts of events (human and machine alike) and the last hit. */
  stats: Record<string, { total: number; unique: number; last: string | null }>;
}

// ---- relay and webhooks ----

export type RelayStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'dead';

export interface RelayAttempt {
  at: string;
  ok: boolean;
  reply: string;
}

export interface RelayEntry {
  id: number;
  messageId: string;
  subject: string;
  recipients: string[];
  status: RelayStatus;
  reason: 'rule' | 'release';
  attempts: RelayAttempt[];
  nextAttemptAt: string | null;
  createdAt: string;
}

export interface WebhookDelivery {
  id: number;
  webhookId: string;
  url: string;
  eventType: string;
  status: 'pending' | 'delivered' | 'failed' | 'dead';
  attempts: { at: string; status: number | null; error: string }[];
  nextAttemptAt: string | null;
  createdAt: string;
}

// ---- hub topics and payloads (docs/HUB.md) ----

export const TOPIC_MESSAGES = 'urn:mailbeacon:messages';
export const TOPIC_EVENTS = 'urn:mailbeacon:events';
export const messageTopic = (id: string): string => `urn:mailbeacon:messages/${id}`;
export const messageEventsTopic = (id: string): string => `urn:mailbeacon:messages/${id}/events`;

export type MessageUpdate =
  | { type: 'created'; message: MessageSummary }
  | { type: 'read'; ids: string[]; read: boolean }
  | { type: 'deleted'; ids: string[] | 'all' }
  | { type: 'tags'; ids: string[] }
  | { type: 'relay'; entry: RelayEntry };

export interface EventUpdate {
  type: 'event';
  event: TrackingEvent;
}

// Checks of a caught mail (Mailpit's html-check, link-check and sa-check shapes).

/** Mailpit's HTMLCheckResult: one client version's support of a feature. */
export interface HtmlCheckResult {
  Family: string;
  Name: string;
  NoteNumber: string;
  Platform: string;
  Support: 'yes' | 'no' | 'partial';
  Version: string;
}

/** Mailpit's HTMLCheckWarning, plus `Lines`: where in the mail's HTML the feature is used (1-based). */
export interface HtmlCheckWarning {
  Category: string;
  Description: string;
  Keywords: string;
  NotesByNumber: Record<string, string>;
  Results: HtmlCheckResult[];
  Score: { Found: number; Partial: number; Supported: number; Unsupported: number };
  Slug: string;
  Tags: string[];
  Title: string;
  URL: string;
  Lines: number[];
}

export interface HtmlCheckResponse {
  Platforms: Record<string, string[]>;
  Total: { Nodes: number; Partial: number; Supported: number; Tests: number; Unsupported: number };
  Warnings: HtmlCheckWarning[];
}

export interface LinkStatus {
  URL: string;
  StatusCode: number;
  Status: string;
}

/** Mailpit's LinkCheckResponse. */
export interface LinkCheckResponse {
  Errors: number;
  Links: LinkStatus[];
}

export interface SpamRule {
  Name: string;
  Score: number;
  Description: string;
}

/** Mailpit's SpamAssassinResponse. */
export interface SpamCheckResponse {
  Error: string;
  IsSpam: boolean;
  Score: number;
  Rules: SpamRule[];
}
