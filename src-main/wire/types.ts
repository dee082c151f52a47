// JSON shapes of the HTTP API (/api/v1) and of the hub's updates.
// The message shapes follow Mailpit's API v1 field names exactly, so clients written for Mailpit work unchanged;
// the tracking, relay and webhook shapes are Mailbeacon's own. The renderer imports this file for its types only.

import type * as message from '../model/message.js';
import type * as tracking from '../model/tracking.js';
import type * as relay from '../model/relay.js';
import type * as webhook from '../model/webhook.js';
import type * as counting from '../model/counting.js';

// Where the wire shape is the domain's shape, the wire type is the model's (the dependency points api -> model).
export type Address = message.Address;
export type TrackingCounts = message.TrackingCounts;
export type TokenKind = tracking.TokenKind;
export type Classification = tracking.Classification;
export type TrackingSource = tracking.TrackingSource;
export type SimulateProfile = tracking.SimulateProfile;
export type HumanClient = tracking.HumanClient;
export type TrackedLink = tracking.TrackedLink;
export type SkippedLink = tracking.SkippedLink;
export type TrackingManifest = tracking.TrackingManifest;
export type TrackingEvent = tracking.TrackingEvent;
export type RelayStatus = relay.RelayStatus;
export type RelayAttempt = relay.RelayAttempt;
export type RelayEntry = relay.RelayEntry;
export type WebhookDelivery = webhook.WebhookDelivery;
export type EventsResponse = tracking.EventsResponse;
export type TrackingSummary = tracking.TrackingSummary;
export type MessageTracking = tracking.MessageTracking;
export { SIMULATE_PROFILES, HUMAN_CLIENTS, PROFILE_HELP } from '../model/tracking.js';

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
  /**
   * Mailbeacon: the POP3 listener (--pop3) and its login; the password only when it was generated (one given with
   * --pop3-auth is the user's own). Whoever can read this API can read every mail already.
   */
  POP3?: { Address: string; User: string; Password?: string };
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
export type HitCounts = message.HitCounts;
export type CountScope = counting.CountScope;
export type HitRole = counting.HitRole;
export { roleOf, countedSources, DEFAULT_COUNT_SCOPE, TRACKING_SOURCES } from '../model/counting.js';
