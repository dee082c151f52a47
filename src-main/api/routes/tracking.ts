import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { MessageTracking, TrackingManifest } from '../types.js';
import { MAX_EVENTS_LIMIT, type CountFilter, type EventStore } from '../../store/events.js';
import type { MessageStore } from '../../store/messages.js';
import { untrackedManifest } from '../../tracking/inject/injector.js';
import type { TokenCodec } from '../../tracking/token.js';
import { trackingUrl } from '../../tracking/urls.js';
import { HUMAN_CLIENTS, SIMULATE_PROFILES } from '../../tracking/profiles.js';
import type { SandboxMarker } from '../../tracking/sandbox-mark.js';
import { MAX_COMPRESS, SimulateError, type Simulator } from '../../tracking/simulate.js';

export interface TrackingRoutesDeps {
  store: MessageStore;
  events: EventStore;
  codec: TokenCodec;
  /** Public base of tracking links, known once the tracking listener is up. */
  trackingBase: () => string;
  /** Marks the preview's tracking URLs as Mailbeacon's own. */
  marker: SandboxMarker;
  simulator: Simulator;
}

/** Metadata a minted link may carry: enough for ids and names, not a place to store documents. */
const MAX_METADATA_KEYS = 32;
const MAX_METADATA_VALUE = 1_000;

const kind = z.enum(['open', 'click', 'unsub']);
const classification = z.enum(['human', 'proxy', 'scanner', 'expired']);
const source = z.enum(['recipient', 'sandbox']);
/** `all` (or empty) lifts a filter; counts default to a recipient's people. */
const countFilterQuery = z.object({
  classification: z.union([classification, z.enum(['all', ''])]).optional(),
  source: z.union([source, z.enum(['all', ''])]).optional(),
});

function countFilter(q: z.infer<typeof countFilterQuery>, since?: bigint): CountFilter {
  const c = q.classification ?? 'human';
  const s = q.source ?? 'recipient';
  return { classification: c === 'all' ? '' : c, source: s === 'all' ? '' : s, since };
}

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
      return n > 1_000_000_000_000_000n ? n : n * 1_000_000n;
    }
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) {
      ctx.addIssue({
        code: 'custom',
        message: 'since must be an ISO time, unix milliseconds or nanoseconds',
      });
      return z.NEVER;
    }
    return BigInt(ms) * 1_000_000n;
  });

const paging = {
  limit: z.coerce.number().int().min(1).max(MAX_EVENTS_LIMIT).optional(),
  start: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  offset: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
};

const eventsQuery = z.object({
  kind: kind.optional(),
  classification: classification.optional(),
  source: source.optional(),
  since: since.optional(),
  ...paging,
});

const messageEventsQuery = z.object({
  ...paging,
  kind: kind.optional(),
  classification: classification.optional(),
  source: source.optional(),
});

const summaryQuery = countFilterQuery.extend({
  since: since.optional(),
  mails: z.coerce.number().int().min(1).max(100).optional(),
});

const simulateBody = z
  .object({
    profile: z.string().max(64),
    link: z.number().int().min(1).max(100_000).optional(),
    compress: z.number().min(1).max(MAX_COMPRESS).optional(),
    client: z.enum(HUMAN_CLIENTS).optional(),
  })
  .strict();

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

type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

function parse<T>(schema: z.ZodType<T>, value: unknown): Parsed<T> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    error: result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
  };
}

function fail(reply: FastifyReply, status: 400 | 404 | 409, error: string): FastifyReply {
  return reply.code(status).send({ error });
}

/** Tracking routes of the API: a mail's manifest and events, all events, and minting links. */
export function registerTrackingRoutes(app: FastifyInstance, deps: TrackingRoutesDeps): void {
  const { store, events, codec, trackingBase, marker, simulator } = deps;

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
      const params = parse(idParams, req.params);
      if (!params.ok) return fail(reply, 400, params.error);
      const id = resolveId(params.value.id);
      if (!id) return fail(reply, 404, 'message not found');
      const json = store.manifestJson(id);
      let manifest: TrackingManifest;
      try {
        manifest = json
          ? (JSON.parse(json) as TrackingManifest)
          : untrackedManifest('no tracking was stored for this mail');
      } catch {
        manifest = untrackedManifest('the stored tracking manifest could not be read');
      }
      const filter = parse(countFilterQuery, req.query);
      if (!filter.ok) return fail(reply, 400, filter.error);
      const body: MessageTracking = { ...manifest, stats: events.statsFor(id, countFilter(filter.value)) };
      return body;
    },
  );

  app.get(
    '/api/v1/message/:id/events',
    { config: { summary: "A mail's tracking events, newest first (kind, limit, start)" } },
    async (req, reply) => {
      const params = parse(idParams, req.params);
      if (!params.ok) return fail(reply, 400, params.error);
      const query = parse(messageEventsQuery, req.query);
      if (!query.ok) return fail(reply, 400, query.error);
      const id = resolveId(params.value.id);
      if (!id) return fail(reply, 404, 'message not found');
      const q = query.value;
      return events.list({
        messageId: id,
        kind: q.kind,
        classification: q.classification,
        source: q.source,
        limit: q.limit,
        offset: q.offset ?? q.start,
      });
    },
  );

  app.get(
    '/api/v1/events',
    {
      config: {
        summary: 'Tracking events of all mails, newest first (kind, classification, since, limit, start)',
      },
    },
    async (req, reply) => {
      const query = parse(eventsQuery, req.query);
      if (!query.ok) return fail(reply, 400, query.error);
      const q = query.value;
      return events.list({
        kind: q.kind,
        classification: q.classification,
        source: q.source,
        since: q.since,
        limit: q.limit,
        offset: q.offset ?? q.start,
      });
    },
  );

  app.get(
    '/api/v1/tracking/summary',
    {
      config: {
        summary:
          'Open, click and unsubscribe rates and the mails with most events, for a classification and source ' +
          '(default human, recipient; "all" lifts either), since',
      },
    },
    async (req, reply) => {
      const query = parse(summaryQuery, req.query);
      if (!query.ok) return fail(reply, 400, query.error);
      return events.summary(countFilter(query.value, query.value.since), query.value.mails ?? 12);
    },
  );

  app.get(
    '/api/v1/message/:id/preview-urls',
    {
      config: {
        summary:
          "The mail's tracking URLs as the preview fetches them, marked so that its hits are recorded as sandbox",
      },
    },
    async (req, reply) => {
      const params = parse(idParams, req.params);
      if (!params.ok) return fail(reply, 400, params.error);
      const id = resolveId(params.value.id);
      if (!id) return fail(reply, 404, 'message not found');
      let manifest: TrackingManifest | undefined;
      try {
        const json = store.manifestJson(id);
        manifest = json ? (JSON.parse(json) as TrackingManifest) : undefined;
      } catch {
        manifest = undefined;
      }
      const urls: Record<string, string> = {};
      const add = (url: string | undefined) => {
        if (!url) return;
        try {
          urls[url] = marker.markUrl(url);
        } catch {
          // not a URL; the preview leaves it as it is
        }
      };
      add(manifest?.pixel?.url);
      for (const link of manifest?.links ?? []) add(link.trackedUrl);
      add(manifest?.unsubscribe?.url);
      return { pixel: manifest?.pixel?.url ?? null, urls };
    },
  );

  app.post(
    '/api/v1/message/:id/simulate',
    {
      config: {
        summary:
          `Simulate a recipient ({profile, link?, compress?, client?}; profiles: ${SIMULATE_PROFILES.join(', ')}) ` +
          '→ {profile, steps}; 202 for inbox-journey, which runs in the background',
      },
    },
    async (req, reply) => {
      const params = parse(idParams, req.params);
      if (!params.ok) return fail(reply, 400, params.error);
      const body = parse(simulateBody, req.body);
      if (!body.ok) return fail(reply, 400, body.error);
      try {
        const { background, ...result } = await simulator.simulate(params.value.id, {
          ...body.value,
          profile: body.value.profile as (typeof SIMULATE_PROFILES)[number],
        });
        return reply.code(background ? 202 : 200).send(result);
      } catch (err) {
        if (err instanceof SimulateError) return fail(reply, err.status, err.message);
        req.log.error(`simulation failed: ${(err as Error).message}`);
        return reply.code(502).send({ error: 'the tracking server did not take the simulated hits' });
      }
    },
  );

  app.post(
    '/api/v1/tracking/mint',
    { config: { summary: 'Mint a tracking link ({kind, url?, metadata?, exp?}) → {token, url}' } },
    async (req, reply) => {
      const body = parse(mintBody, req.body);
      if (!body.ok) return fail(reply, 400, body.error);
      const b = body.value;
      const { token } = codec.mint({ kind: b.kind, url: b.url, metadata: b.metadata, exp: b.exp });
      return { token, url: trackingUrl(trackingBase(), b.kind, token) };
    },
  );
}
