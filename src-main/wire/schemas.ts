// The JSON shapes of the API, as zod schemas and the types inferred from them: the one definition the server, the
// typed client, the MCP server and (through types.ts, types only) the renderer use. The OpenAPI document's response
// schemas are generated from them.
import { z } from 'zod';
import type { Address as ModelAddress } from '../model/message.js';
import type { RelayEntry } from '../model/relay.js';
import { SIMULATE_PROFILES, type TrackingEvent as ModelTrackingEvent } from '../model/tracking.js';
import type { WebhookDelivery } from '../model/webhook.js';

export const address = z.object({ Name: z.string(), Address: z.string() });

const hitCounts = z.object({
  opens: z.number(),
  uniqueOpens: z.number(),
  clicks: z.number(),
  uniqueClicks: z.number(),
  unsubscribed: z.boolean(),
  machine: z.object({ opens: z.number(), clicks: z.number() }),
});

export const trackingCounts = hitCounts.extend({
  recipients: hitCounts,
  preview: z.object({ opens: z.number(), clicks: z.number(), unsubscribed: z.boolean() }),
});

export const messageSummary = z.object({
  ID: z.string(),
  MessageID: z.string(),
  Read: z.boolean(),
  From: address.nullable(),
  To: z.array(address),
  Cc: z.array(address),
  Bcc: z.array(address),
  ReplyTo: z.array(address),
  Subject: z.string(),
  Created: z.string(),
  Username: z.string(),
  Inbox: z.string(),
  Tags: z.array(z.string()),
  Size: z.number(),
  Attachments: z.number(),
  Snippet: z.string(),
  Tracking: trackingCounts,
});

export const messagesSummary = z.object({
  total: z.number(),
  unread: z.number(),
  count: z.number(),
  messages_count: z.number(),
  messages_unread: z.number(),
  start: z.number(),
  tags: z.array(z.string()),
  messages: z.array(messageSummary),
});

export const attachment = z.object({
  PartID: z.string(),
  FileName: z.string(),
  ContentType: z.string(),
  ContentID: z.string(),
  Size: z.number(),
  Checksums: z.object({ MD5: z.string(), SHA1: z.string(), SHA256: z.string() }),
});

export const listUnsubscribe = z.object({
  Header: z.string(),
  Links: z.array(z.string()),
  Errors: z.string(),
  HeaderPost: z.string(),
});

/** `GET /api/v1/message/{ID}`. `HTML` is the mail as received; the tracked HTML is `TrackedHTML`. */
export const message = z.object({
  ID: z.string(),
  MessageID: z.string(),
  From: address.nullable(),
  To: z.array(address),
  Cc: z.array(address),
  Bcc: z.array(address),
  ReplyTo: z.array(address),
  ReturnPath: z.string(),
  Subject: z.string(),
  ListUnsubscribe: listUnsubscribe,
  Date: z.string(),
  Tags: z.array(z.string()),
  Username: z.string(),
  Text: z.string(),
  HTML: z.string(),
  Size: z.number(),
  Inline: z.array(attachment),
  Attachments: z.array(attachment),
  TrackedHTML: z.string(),
  Warnings: z.array(z.string()),
  Tracking: trackingCounts,
});

/** `GET /api/v1/message/{id}/headers`: header name → its values in order. */
export const messageHeaders = z.record(z.string(), z.array(z.string()));

export const tokenKind = z.enum(['open', 'click', 'unsub']);
export const classification = z.enum(['human', 'proxy', 'scanner', 'expired']);

export const trackingEvent = z.object({
  id: z.number(),
  kind: tokenKind,
  url: z.string(),
  metadata: z.record(z.string(), z.string()),
  remote_ip: z.string(),
  ua: z.string(),
  ts: z.string().describe('Unix nanoseconds as a decimal string'),
  time: z.string(),
  token_id: z.string(),
  message_id: z.string(),
  classification,
  method: z.string(),
  source: z.enum(['recipient', 'simulated', 'preview']),
  inbox: z.string().describe("the inbox of the hit's mail"),
});

export const eventsResponse = z.object({
  total: z.number(),
  events: z.array(trackingEvent),
  subjects: z.record(z.string(), z.string()),
});

const position = { offset: z.number(), line: z.number(), partId: z.string() };

export const trackingManifest = z.object({
  enabled: z.boolean(),
  disabledReason: z.string(),
  pixel: z
    .object({
      tokenId: z.string(),
      url: z.string(),
      placement: z.enum(['before-body-end', 'end-of-document']),
      ...position,
    })
    .nullable(),
  links: z.array(
    z.object({
      index: z.number(),
      tag: z.enum(['a', 'area']),
      originalUrl: z.string(),
      trackedUrl: z.string(),
      tokenId: z.string(),
      inMsoComment: z.boolean(),
      ...position,
    }),
  ),
  skipped: z.array(z.object({ url: z.string(), reason: z.string(), ...position })),
  unsubscribe: z.object({
    tokenId: z.string(),
    url: z.string(),
    headersAdded: z.boolean(),
    placeholdersFilled: z.number(),
    existingHeader: z.string(),
  }),
});

export const messageTracking = trackingManifest.extend({
  stats: z.record(
    z.string(),
    z.object({ total: z.number(), unique: z.number(), last: z.string().nullable() }),
  ),
});

export const appInformation = z.object({
  Version: z.string(),
  LatestVersion: z.string(),
  Database: z.string(),
  DatabaseSize: z.number(),
  Messages: z.number(),
  Unread: z.number(),
  Tags: z.record(z.string(), z.number()),
  RuntimeStats: z.object({
    Uptime: z.number(),
    Memory: z.number(),
    MessagesDeleted: z.number(),
    SMTPAccepted: z.number(),
    SMTPAcceptedSize: z.number(),
    SMTPRejected: z.number(),
    SMTPIgnored: z.number(),
  }),
  Listeners: z.object({ smtp: z.string(), http: z.string(), tracking: z.string() }),
  TrackingURL: z.string(),
  KeyFingerprint: z.string(),
  POP3: z.object({ Address: z.string(), User: z.string(), Password: z.string().optional() }).optional(),
});

export const simulationProfile = z.enum(SIMULATE_PROFILES);

/** `POST /api/v1/message/{id}/simulate`: the hits the simulated recipient made, in order. */
export const simulationResult = z.object({
  profile: simulationProfile,
  steps: z.array(
    z.object({
      at: z.string(),
      kind: tokenKind,
      classification,
      url: z.string().optional(),
    }),
  ),
});

/** `GET /api/v1/wait`: the message (kind=message) or the event that arrived. */
export const waitResult = z.union([messageSummary, trackingEvent]);

export const hubToken = z.object({
  token: z.string(),
  hub: z.string(),
  selectors: z.array(z.string()),
  ttl: z.number(),
});

const relayStatus = z.enum(['pending', 'sending', 'sent', 'failed', 'dead']);

export const relayEntry = z.object({
  id: z.number(),
  messageId: z.string(),
  inbox: z.string(),
  subject: z.string(),
  recipients: z.array(z.string()),
  status: relayStatus,
  reason: z.enum(['rule', 'release']),
  attempts: z.array(z.object({ at: z.string(), ok: z.boolean(), reply: z.string() })),
  nextAttemptAt: z.string().nullable(),
  createdAt: z.string(),
});

/** The relay's configuration as `GET /api/v1/relay` shows it (the upstream's password masked). */
export const relayConfigView = z.object({
  enabled: z.literal(true),
  url: z.string(),
  all: z.boolean(),
  matching: z.string().nullable(),
  allow: z.string().nullable(),
  block: z.string().nullable(),
  to: z.string().nullable(),
  from: z.string().nullable(),
  original: z.boolean(),
  retries: z.array(z.number()),
  dkim: z.object({ domain: z.string(), selector: z.string() }).nullable(),
});

/** `GET /api/v1/relay`: the configuration, or `enabled: false` without --relay, and the outbox. */
export const relayResponse = z.object({
  config: z.union([relayConfigView, z.object({ enabled: z.literal(false) })]),
  entries: z.array(relayEntry),
});

export const webhookDelivery = z.object({
  id: z.number(),
  webhookId: z.string(),
  url: z.string(),
  inbox: z.string().nullable(),
  eventType: z.string(),
  status: z.enum(['pending', 'delivered', 'failed', 'dead']),
  attempts: z.array(z.object({ at: z.string(), status: z.number().nullable(), error: z.string() })),
  nextAttemptAt: z.string().nullable(),
  createdAt: z.string(),
});

/** `GET /api/v1/webhooks/deliveries`: newest first, and the configured endpoints and event types. */
export const webhooksResponse = z.object({
  deliveries: z.array(webhookDelivery),
  config: z.object({ urls: z.array(z.string()), events: z.array(z.string()) }),
});

/** `GET /api/v1/settings`: the running settings by name, secrets masked, and the listeners' addresses. */
export const settingsResponse = z.record(z.string(), z.unknown());

// ---- the hub's updates (docs/HUB.md): the JSON `data` of what the app publishes on its topics ----

/** On urn:mailbeacon:messages (and the mail's and its inbox's topics): what changed in the mailbox. */
export const messageUpdate = z.discriminatedUnion('type', [
  z.object({ type: z.literal('created'), message: messageSummary }),
  z.object({ type: z.literal('read'), ids: z.array(z.string()), read: z.boolean() }),
  z.object({ type: z.literal('deleted'), ids: z.union([z.array(z.string()), z.literal('all')]) }),
  z.object({ type: z.literal('tags'), ids: z.array(z.string()) }),
  z.object({ type: z.literal('relay'), entry: relayEntry }),
]);

/** On urn:mailbeacon:events (and the mail's events topic): a tracking hit. */
export const eventUpdate = z.object({ type: z.literal('event'), event: trackingEvent });

/** Every update the app publishes, told apart by `type`. */
export const hubUpdate = z.discriminatedUnion('type', [...messageUpdate.options, eventUpdate]);

// ---- checks of a caught mail (Mailpit's html-check, link-check and sa-check shapes) ----

/** Mailpit's HTMLCheckResult: one client version's support of a feature. */
export const htmlCheckResult = z.object({
  Family: z.string(),
  Name: z.string(),
  NoteNumber: z.string(),
  Platform: z.string(),
  Support: z.enum(['yes', 'no', 'partial']),
  Version: z.string(),
});

/** Mailpit's HTMLCheckWarning, plus `Lines`: where in the mail's HTML the feature is used (1-based). */
export const htmlCheckWarning = z.object({
  Category: z.string(),
  Description: z.string(),
  Keywords: z.string(),
  NotesByNumber: z.record(z.string(), z.string()),
  Results: z.array(htmlCheckResult),
  Score: z.object({ Found: z.number(), Partial: z.number(), Supported: z.number(), Unsupported: z.number() }),
  Slug: z.string(),
  Tags: z.array(z.string()),
  Title: z.string(),
  URL: z.string(),
  Lines: z.array(z.number()),
});

/** `GET /api/v1/message/{id}/html-check` (Mailpit's HTMLCheckResponse). */
export const htmlCheckResponse = z.object({
  Platforms: z.record(z.string(), z.array(z.string())),
  Total: z.object({
    Nodes: z.number(),
    Partial: z.number(),
    Supported: z.number(),
    Tests: z.number(),
    Unsupported: z.number(),
  }),
  Warnings: z.array(htmlCheckWarning),
});

export const linkStatus = z.object({ URL: z.string(), StatusCode: z.number(), Status: z.string() });

/** `GET /api/v1/message/{id}/link-check` (Mailpit's LinkCheckResponse). */
export const linkCheckResponse = z.object({ Errors: z.number(), Links: z.array(linkStatus) });

export const spamRule = z.object({ Name: z.string(), Score: z.number(), Description: z.string() });

/** `GET /api/v1/message/{id}/sa-check` (Mailpit's SpamAssassinResponse). */
export const spamCheckResponse = z.object({
  Error: z.string(),
  IsSpam: z.boolean(),
  Score: z.number(),
  Rules: z.array(spamRule),
});

/**
 * What an inbox overrides of the flags (model/inbox-settings.ts); null, or Relay.Mode "default", is the flag's value.
 * MaxAge is written as `--max-age` takes it ("7d", "12h").
 */
export const inboxSettings = z.object({
  MaxMessages: z.number().nullable(),
  MaxAge: z.string().nullable(),
  Tracking: z.boolean().nullable(),
  Relay: z.object({
    Mode: z.enum(['default', 'off', 'all', 'matching']),
    Matching: z.string().nullable(),
    To: z.string().nullable(),
  }),
  Webhook: z.object({ URL: z.string().nullable(), Secret: z.string().nullable() }),
  TagRules: z.array(z.object({ Tag: z.string(), Query: z.string() })),
});

/** `GET|PUT /api/v1/inboxes/{name}/settings`: the inbox's settings and the flags' values null falls back to. */
export const inboxSettingsResponse = z.object({
  Inbox: z.string(),
  Settings: inboxSettings,
  /** The server's flags in the same shape (Webhook.Secret masked). */
  Defaults: inboxSettings,
});

/** The body of every JSON error the API sends (Mailpit's shape). */
export const apiError = z.object({ Error: z.string() });

/** Response schemas by OpenAPI operation (`method path`), for the routes whose JSON the client reads. */
export const RESPONSES = {
  'get /api/v1/info': appInformation,
  'get /api/v1/messages': messagesSummary,
  'get /api/v1/search': messagesSummary,
  'get /api/v1/message/{id}': message,
  'get /api/v1/message/{id}/headers': messageHeaders,
  'get /api/v1/message/{id}/tracking': messageTracking,
  'get /api/v1/message/{id}/events': eventsResponse,
  'get /api/v1/events': eventsResponse,
  'get /api/v1/wait': waitResult,
  'get /api/v1/tags': z.array(z.string()),
  'get /api/v1/hub/token': hubToken,
  'post /api/v1/message/{id}/simulate': simulationResult,
  'get /api/v1/relay': relayResponse,
  'get /api/v1/webhooks/deliveries': webhooksResponse,
  'get /api/v1/settings': settingsResponse,
  'get /api/v1/message/{id}/html-check': htmlCheckResponse,
  'get /api/v1/message/{id}/link-check': linkCheckResponse,
  'get /api/v1/message/{id}/sa-check': spamCheckResponse,
  'get /api/v1/inboxes/{name}/settings': inboxSettingsResponse,
  'put /api/v1/inboxes/{name}/settings': inboxSettingsResponse,
} satisfies Record<string, z.ZodType>;

export type Operation = keyof typeof RESPONSES;

/** The OpenAPI (JSON Schema 2020-12) form of an operation's 200 response, or undefined when it is not described. */
export function responseJsonSchema(operation: string): Record<string, unknown> | undefined {
  const schema = (RESPONSES as Record<string, z.ZodType>)[operation];
  return schema ? (z.toJSONSchema(schema, { io: 'output' }) as Record<string, unknown>) : undefined;
}

export type Address = z.infer<typeof address>;
export type TrackingCounts = z.infer<typeof trackingCounts>;
export type MessageSummary = z.infer<typeof messageSummary>;
export type MessagesSummary = z.infer<typeof messagesSummary>;
export type Attachment = z.infer<typeof attachment>;
export type Message = z.infer<typeof message>;
export type MessageHeaders = z.infer<typeof messageHeaders>;
export type TokenKind = z.infer<typeof tokenKind>;
export type Classification = z.infer<typeof classification>;
export type TrackingEvent = z.infer<typeof trackingEvent>;
export type EventsResponse = z.infer<typeof eventsResponse>;
export type TrackingManifest = z.infer<typeof trackingManifest>;
export type MessageTracking = z.infer<typeof messageTracking>;
export type AppInformation = z.infer<typeof appInformation>;
export type SimulationProfile = z.infer<typeof simulationProfile>;
export type SimulationResult = z.infer<typeof simulationResult>;
export type HubToken = z.infer<typeof hubToken>;

export type ListUnsubscribe = z.infer<typeof listUnsubscribe>;
export type RelayConfigView = z.infer<typeof relayConfigView>;
export type RelayResponse = z.infer<typeof relayResponse>;
export type WebhooksResponse = z.infer<typeof webhooksResponse>;
export type SettingsResponse = z.infer<typeof settingsResponse>;
export type MessageUpdate = z.infer<typeof messageUpdate>;
export type EventUpdate = z.infer<typeof eventUpdate>;
export type HubUpdate = z.infer<typeof hubUpdate>;
export type HtmlCheckResult = z.infer<typeof htmlCheckResult>;
export type HtmlCheckWarning = z.infer<typeof htmlCheckWarning>;
export type HtmlCheckResponse = z.infer<typeof htmlCheckResponse>;
export type LinkStatus = z.infer<typeof linkStatus>;
export type LinkCheckResponse = z.infer<typeof linkCheckResponse>;
export type SpamRule = z.infer<typeof spamRule>;
export type SpamCheckResponse = z.infer<typeof spamCheckResponse>;
export type InboxSettingsWire = z.infer<typeof inboxSettings>;
export type InboxSettingsResponse = z.infer<typeof inboxSettingsResponse>;

// Compile-time: where the wire shape is the model's, the two agree (relay and webhook entries go out as stored).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Expect<_ extends true> = true;
export type WireAgreesWithModel = [
  Expect<Same<z.infer<typeof relayEntry>, RelayEntry>>,
  Expect<Same<z.infer<typeof webhookDelivery>, WebhookDelivery>>,
  Expect<Same<TrackingEvent, ModelTrackingEvent>>,
  Expect<Same<Address, ModelAddress>>,
];
