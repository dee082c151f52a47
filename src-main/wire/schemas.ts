// The JSON shapes of the API routes that the typed client and the MCP server use, as zod schemas: the client's types
// are inferred from them and the OpenAPI document's response schemas are generated from them, so the two cannot
// drift. The interfaces in types.ts (which the renderer imports without zod) are checked against them at compile time.
import { z } from 'zod';
import type * as T from './types.js';
import { SIMULATE_PROFILES } from './types.js';

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
  ListUnsubscribe: z.object({
    Header: z.string(),
    Links: z.array(z.string()),
    Errors: z.string(),
    HeaderPost: z.string(),
  }),
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

// Compile-time: the hand-written interfaces the server code and the renderer use are the same shapes.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Expect<_ extends true> = true;
export type WireAgreesWithTypes = [
  Expect<Same<MessageSummary, T.MessageSummary>>,
  Expect<Same<MessagesSummary, T.MessagesSummary>>,
  Expect<Same<Message, T.Message>>,
  Expect<Same<TrackingEvent, T.TrackingEvent>>,
  Expect<Same<EventsResponse, T.EventsResponse>>,
  Expect<Same<MessageTracking, T.MessageTracking>>,
  Expect<Same<AppInformation, T.AppInformation>>,
];
