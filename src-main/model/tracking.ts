// The domain of tracking: tokens, classifications, the manifest of a tracked mail and its events.
// Events keep snake_case fields: they are the events table's columns and the API's, webhooks' and hub's payloads.

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

/**
 * Who made a hit (docs/TRACKING.md): `recipient`, anything Mailbeacon did not make itself; `simulated`, a hit
 * Mailbeacon made on purpose in a recipient's place (Simulate, the simulate API and CLI, `--simulate`, the client's
 * `click()`); `preview`, the user reading the mail in Mailbeacon's own preview (formerly `sandbox`).
 */
export type TrackingSource = 'recipient' | 'simulated' | 'preview';

/**
 * Whose hits the figures count: recipients and simulated recipients alike (`with-simulated`, the default, since a
 * sandbox rarely has real recipients), or real recipients only (`recipients`).
 */
export type CountScope = 'with-simulated' | 'recipients';

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
  /** The inbox of the mail the hit belongs to (`default` for a hit of no stored mail). */
  inbox: string;
}

export interface EventsResponse {
  total: number;
  events: TrackingEvent[];
  /** The subject of each mail the listed events belong to, by message id. */
  subjects: Record<string, string>;
}

/** How many mails had at least one open, click and unsubscribe. */
export interface MailsWith {
  opened: number;
  clicked: number;
  unsubscribed: number;
}

/**
 * `GET /api/v1/tracking/summary`: the rates and the per-mail ranking. By default the figures follow the one
 * definition (model/counting.ts) under the scope; `classification` and `source` parameters replace it.
 */
export interface TrackingSummary {
  /** Whose hits count: recipients and simulated recipients, or real recipients only. */
  scope: CountScope;
  /** Mails caught (all of them, whatever the filter). */
  mails: number;
  /** The rates' denominators: mails that carry an open pixel, and mails with at least one tracked link. */
  withPixel: number;
  withLinks: number;
  /** Mails with at least one open / click / unsubscribe that passes the filter. */
  opened: number;
  clicked: number;
  unsubscribed: number;
  /** The same per source, so a figure can say where it comes from ("1 opened · simulated"). */
  bySource: { recipient: MailsWith; simulated: MailsWith };
  /** Hits beside the counted ones, so that none is hidden: machine hits (proxies, scanners) of counted sources,
   * simulated hits when only real recipients count, and the user's own preview hits. */
  machine: number;
  excluded: number;
  preview: number;
  /** The mails with the most filtered events, most first. */
  perMail: { id: string; subject: string; opens: number; clicks: number; unsubs: number }[];
}

export interface MessageTracking extends TrackingManifest {
  /** Per link and pixel: counts of events (human and machine alike) and the last hit. */
  stats: Record<string, { total: number; unique: number; last: string | null }>;
}
