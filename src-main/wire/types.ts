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
  MessageUpdate,
  EventUpdate,
  HubUpdate,
  HtmlCheckResult,
  HtmlCheckWarning,
  HtmlCheckResponse,
  LinkStatus,
  LinkCheckResponse,
  SpamRule,
  SpamCheckResponse,
  InboxSettingsWire,
  InboxSettingsResponse,
} from './schemas.js';

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

// ---- hub topics (docs/HUB.md); the updates' schemas are in schemas.ts ----

export const TOPIC_MESSAGES = 'urn:mailbeacon:messages';
export const TOPIC_EVENTS = 'urn:mailbeacon:events';
export const messageTopic = (id: string): string => `urn:mailbeacon:messages/${id}`;
export const messageEventsTopic = (id: string): string => `urn:mailbeacon:messages/${id}/events`;

export type HitCounts = message.HitCounts;
export type CountScope = counting.CountScope;
export type HitRole = counting.HitRole;
export { roleOf, countedSources, DEFAULT_COUNT_SCOPE, TRACKING_SOURCES } from '../model/counting.js';
