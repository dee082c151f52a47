import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { notFound, parseOr400 } from '../errors.js';
import type { MessageTracking, TrackingManifest } from '../types.js';
import { MAX_EVENTS_LIMIT, type EventStore } from '../../store/events.js';
import type { MessageStore } from '../../store/messages.js';
import { untrackedManifest } from '../../tracking/inject/injector.js';
import type { TokenCodec } from '../../tracking/token.js';
import { trackingUrl } from '../../tracking/urls.js';

export interface TrackingRoutesDeps {
  store: MessageStore;
  events: EventStore;
  codec: TokenCodec;
  /** Public base of tracking links, known once the tracking listener is up. */
  trackingBase: () => string;
}

/** Metadata a minted link may carry: enough for ids and names, not a place to store documents. */
const MAX_METADATA_KEYS = 32;
const MAX_METADATA_VALUE = 1_000;

/** The largest time SQLite's signed 64-bit integers hold, in nanoseconds. */
const MAX_NANOSECONDS = 2n ** 63n - 1n;

const kind = z.enum(['open', 'click', 'unsub']);
const classification = z.enum(['human', 'proxy', 'scanner', 'expired']);

/**
 * `since` as an ISO time, unix milliseconds or unix nanoseconds (anything above 10^15 is taken as nanoseconds,
 * a date in 33658 as milliseconds), turned into nanoseconds.
 */
const since = z
  .string()
  .max(64)
  .transform((value, ctx) => {
    const text = value.trim();
    if (/^\d{1,25}$/.test(text)) {
      const n = BigInt(text);
      const ns = n > 1_000_000_000_000_000n ? n : n * 1_000_000n;
      // Stored times are signed 64-bit nanoseconds: a larger bound is a typo, not a filter.
      if (ns > MAX_NANOSECONDS) {
        ctx.addIssue({ code: 'custom', message: 'since is out of range (after the year 2262)' });
        return z.NEVER;
      }
      return ns;
    }
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) {
      ctx.addIssue({
        code: 'custom',
        message: 'since must be an ISO time, unix milliseconds or nanoseconds',
      });
      return z.NEVER;
    }
    const ns = BigInt(ms) * 1_000_000n;
    if (ns > MAX_NANOSECONDS || ns < 0n) {
      ctx.addIssue({ code: 'custom', message: 'since is out of range (before 1970 or after the year 2262)' });
      return z.NEVER;
    }
    return ns;
  });

const paging = {
  limit: z.coerce.number().int().min(1).max(MAX_EVENTS_LIMIT).optional(),
  start: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  offset: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
};

const eventsQuery = z.object({
  kind: kind.optional(),
  classification: classification.optional(),
  since: since.optional(),
  ...paging,
});

const messageEventsQuery = z.object({ ...paging, kind: kind.optional() });

const idParams = z.object({ id: z.string().min(1).max(200) });

const mintBody = z
  .object({
    kind,
    url: z
      .string()
      .max(4096)
      .refine((u) => {
        try {
          return ['http:', 'https:'].includes(new URL(u).protocol);
        } catch {
          return false;
        }
      }, 'url must be an absolute http(s) URL')
      .optional(),
    metadata: z
      .record(z.string().max(100), z.string().max(MAX_METADATA_VALUE))
      .refine((m) => Object.keys(m).length <= MAX_METADATA_KEYS, `at most ${MAX_METADATA_KEYS} metadata keys`)
      .optional(),
    exp: z.number().int().positive().optional(),
  })
  .refine((b) => b.kind !== 'click' || b.url !== undefined, {
    message: 'a click token needs a url',
    path: ['url'],
  });

/** Tracking routes of the API: a mail's manifest and events, all events, and minting links. */
export function registerTrackingRoutes(app: FastifyInstance, deps: TrackingRoutesDeps): void {
  const { store, events, codec, trackingBase } = deps;

  /** The stored id for `:id` (`latest` resolved as Mailpit does), or undefined for an unknown mail. */
  const resolveId = (id: string): string | undefined => {
    const resolved = store.resolveId(id);
    return resolved !== undefined && store.createdAt(resolved) !== undefined ? resolved : undefined;
  };

  app.get(
    '/api/v1/message/:id/tracking',
    {
      config: {
        summary:
          "A mail's tracking manifest (pixel, rewritten and skipped links, unsubscribe) with hit counts",
      },
    },
    async (req, reply) => {
      const params = parseOr400(idParams, req.params);
      const id = resolveId(params.id);
      if (!id) return notFound(reply);
      const json = store.manifestJson(id);
      let manifest: TrackingManifest;
      try {
        manifest = json
          ? (JSON.parse(json) as TrackingManifest)
          : untrackedManifest('no tracking was stored for this mail');
      } catch {
        manifest = untrackedManifest('the stored tracking manifest could not be read');
      }
      const body: MessageTracking = { ...manifest, stats: events.statsFor(id) };
      return body;
    },
  );

  app.get(
    '/api/v1/message/:id/events',
    { config: { summary: "A mail's tracking events, newest first (kind, limit, start)" } },
    async (req, reply) => {
      const params = parseOr400(idParams, req.params);
      const query = parseOr400(messageEventsQuery, req.query ?? {});
      const id = resolveId(params.id);
      if (!id) return notFound(reply);
      const { limit, start, offset, kind: k } = query;
      return events.list({ messageId: id, kind: k, limit, offset: offset ?? start });
    },
  );

  app.get(
    '/api/v1/events',
    {
      config: {
        summary: 'Tracking events of all mails, newest first (kind, classification, since, limit, start)',
      },
    },
    async (req) => {
      const q = parseOr400(eventsQuery, req.query ?? {});
      return events.list({
        kind: q.kind,
        classification: q.classification,
        since: q.since,
        limit: q.limit,
        offset: q.offset ?? q.start,
      });
    },
  );

  app.post(
    '/api/v1/tracking/mint',
    { config: { summary: 'Mint a tracking link ({kind, url?, metadata?, exp?}) → {token, url}' } },
    async (req) => {
      const b = parseOr400(mintBody, req.body ?? {});
      const { token } = codec.mint({ kind: b.kind, url: b.url, metadata: b.metadata, exp: b.exp });
      return { token, url: trackingUrl(trackingBase(), b.kind, token) };
    },
  );
}
