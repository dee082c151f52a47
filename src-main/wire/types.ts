// JSON shapes of the HTTP API (/api/v1) and of the hub's updates, as types: the one place the renderer imports.
// The message shapes follow Mailpit's API v1 field names exactly, so clients written for Mailpit work unchanged;
// the tracking, relay and webhook shapes are Mailbeacon's own.

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

// The shapes the API's zod schemas describe (schemas.ts) are their one definition: their types are inferred there.
// Re-exported as types only, so the renderer's bundle does not take in zod.
export type {
  MessageSummary,
  MessagesSummary,
  Attachment,
  ListUnsubscribe,
  Message,
  AppInformation,
  RelayConfigView,
  RelayResponse,
  WebhooksResponse,
  SettingsResponse,
  InboxSettingsWire,
  InboxSettingsResponse,
} from './schemas.js';
import type { MessageSummary } from './schemas.js';

/** One inbox in `GET /api/v1/inboxes` (`{Inboxes: InboxSummary[]}`). */
export interface InboxSummary {
  Name: string;
  Total: number;
  Unread: number;
  /** Closed by `--inbox-auth`: its mail needs its credentials or the administrator's. */
  Closed: boolean;
  /** When its newest mail arrived (ISO 8601), null when it holds none. */
  LastMail: string | null;
  Created: string;
}

/** `POST /api/v1/inboxes/{NAME}/messages {IDs}`: how many of the mails moved into NAME. */
export interface InboxMoveResult {
  Moved: number;
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
