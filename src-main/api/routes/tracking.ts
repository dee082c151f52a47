import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ApiRequestError, errorBody, notFound, parseOr400 } from '../errors.js';
import type { Classification, MessageTracking, TrackingManifest, TrackingSource } from '../../wire/types.js';
import { countedSources, parseSource, TRACKING_SOURCES, type CountScope } from '../../model/counting.js';
import {
  MAX_EVENTS_LIMIT,
  type CountFilter,
  type EventStore,
  type MessageStore,
} from '../../store/contract.js';
import { untrackedManifest } from '../../tracking/inject/injector.js';
import { ALREADY_TRACKING } from '../../tracking/inject/links.js';
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

/** The largest time SQLite's signed 64-bit integers hold, in nanoseconds. */
const MAX_NANOSECONDS = 2n ** 63n - 1n;

const kind = z.enum(['open', 'click', 'unsub']);
const CLASSIFICATIONS: Classification[] = ['human', 'proxy', 'scanner', 'expired'];

/**
 * One vocabulary for every route's `classification` and `source`: a value, a comma-separated list of them, or `all`
 * (or empty) for no filter. `machine` is proxy and scanner; `counted` the sources the scope counts; `sandbox` is
 * the old name of `preview`. Undefined means "not given", so each route applies its own default.
 */
function listParam<T extends string>(
  name: string,
  expand: (value: string) => T[] | undefined,
  known: string,
) {
  return z
    .string()
    .max(200)
    .optional()
    .transform((text, ctx) => {
      if (text === undefined) return undefined;
      const values = text
        .split(',')
        .map((v) => v.trim().toLowerCase())
        .filter(Boolean);
      if (values.length === 0 || values.includes('all')) return 'all' as const;
      const out = new Set<T>();
      for (const value of values) {
        const expanded = expand(value);
        if (!expanded) {
          ctx.addIssue({ code: 'custom', message: `unknown ${name} "${value}" (known: ${known})` });
          return z.NEVER;
        }
        for (const v of expanded) out.add(v);
      }
      return [...out];
    });
}

const classificationParam = listParam<Classification>(
  'classification',
  (v) =>
    v === 'machine'
      ? ['proxy', 'scanner']
      : (CLASSIFICATIONS as string[]).includes(v)
        ? [v as Classification]
        : undefined,
  `${CLASSIFICATIONS.join(', ')}, machine, all`,
);

/** The "real recipients only" switch: `simulated=no` counts recipients alone (default: recipients and simulated). */
const simulatedParam = z
  .enum(['yes', 'no', 'true', 'false', '1', '0'])
  .optional()
  .transform((v): CountScope => (v === 'no' || v === 'false' || v === '0' ? 'recipients' : 'with-simulated'));

const filterQuery = z.object({
  classification: classificationParam,
  source: z.string().max(200).optional(),
  simulated: simulatedParam,
});

/** `source` needs the scope (`counted`), so it is read after the rest of the query. */
function sourcesOf(text: string | undefined, scope: CountScope): TrackingSource[] | 'all' | undefined {
  const parsed = listParam<TrackingSource>(
    'source',
    (v) => (v === 'counted' ? countedSources(scope) : parseSource(v) ? [parseSource(v)!] : undefined),
    `${TRACKING_SOURCES.join(', ')}, counted, all (sandbox for preview)`,
  ).safeParse(text);
  if (!parsed.success) throw new ApiRequestError(400, parsed.error.issues[0]?.message ?? 'bad source');
  return parsed.data;
}

interface ParsedFilter {
  scope: CountScope;
  classifications: Classification[] | 'all' | undefined;
  sources: TrackingSource[] | 'all' | undefined;
}

function readFilter(query: unknown): ParsedFilter {
  const q = parseOr400(filterQuery, query ?? {});
  return { scope: q.simulated, classifications: q.classification, sources: sourcesOf(q.source, q.simulated) };
}

/** What the figures count: the one definition under the scope, unless a classification or source replaces it. */
function countFilter(f: ParsedFilter, since?: bigint): CountFilter {
  if (f.classifications === undefined && f.sources === undefined) return { scope: f.scope, since };
  return {
    scope: f.scope,
    classifications:
      f.classifications === undefined
        ? ['human']
        : f.classifications === 'all'
          ? undefined
          : f.classifications,
    sources: f.sources === undefined ? countedSources(f.scope) : f.sources === 'all' ? undefined : f.sources,
    since,
  };
}

/** A listing's filter: nothing given lists every event; the scope does not hide listed events. */
function listFilter(f: ParsedFilter): { classifications?: Classification[]; sources?: TrackingSource[] } {
  return {
    classifications: Array.isArray(f.classifications) ? f.classifications : undefined,
    sources: Array.isArray(f.sources) ? f.sources : undefined,
  };
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

const eventsQuery = filterQuery.extend({
  kind: kind.optional(),
  since: since.optional(),
  ...paging,
});

const messageEventsQuery = filterQuery.extend({
  ...paging,
  kind: kind.optional(),
});

const summaryQuery = filterQuery.extend({
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

const previewUrlsQuery = z.object({ as: z.enum(['preview', 'simulated']).default('preview') });

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
  const { store, events, codec, trackingBase, marker, simulator } = deps;

  /** The stored id for `:id` (`latest` resolved as Mailpit does), or undefined for an unknown mail. */
  const resolveId = async (id: string): Promise<string | undefined> => {
    const resolved = await store.resolveId(id);
    return resolved !== undefined && (await store.createdAt(resolved)) !== undefined ? resolved : undefined;
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
      const id = await resolveId(params.id);
      if (!id) return notFound(reply);
      const json = await store.manifestJson(id);
      let manifest: TrackingManifest;
      try {
        manifest = json
          ? (JSON.parse(json) as TrackingManifest)
          : untrackedManifest('no tracking was stored for this mail');
      } catch {
        manifest = untrackedManifest('the stored tracking manifest could not be read');
      }
      const body: MessageTracking = {
        ...manifest,
        stats: await events.statsFor(id, countFilter(readFilter(req.query))),
      };
      return body;
    },
  );

  app.get(
    '/api/v1/message/:id/events',
    { config: { summary: "A mail's tracking events, newest first (kind, limit, start)" } },
    async (req, reply) => {
      const params = parseOr400(idParams, req.params);
      const query = parseOr400(messageEventsQuery, req.query ?? {});
      const filter = listFilter(readFilter(req.query));
      const id = await resolveId(params.id);
      if (!id) return notFound(reply);
      return events.list({
        messageId: id,
        kind: query.kind,
        ...filter,
        limit: query.limit,
        offset: query.offset ?? query.start,
      });
    },
  );

  app.get(
    '/api/v1/events',
    {
      config: {
        summary:
          'Tracking events of all mails, newest first (kind, classification, source, since, limit, start)',
      },
    },
    async (req) => {
      const q = parseOr400(eventsQuery, req.query ?? {});
      return events.list({
        kind: q.kind,
        ...listFilter(readFilter(req.query)),
        since: q.since,
        limit: q.limit,
        offset: q.offset ?? q.start,
        scope: req.inboxScope,
      });
    },
  );

  app.get(
    '/api/v1/tracking/summary',
    {
      config: {
        summary:
          'Open, click and unsubscribe rates and the mails with most events: by default people from recipients ' +
          'and simulated recipients (simulated=no: recipients only); classification, source replace it; since',
      },
    },
    async (req) => {
      const query = parseOr400(summaryQuery, req.query ?? {});
      return events.summary(
        countFilter(readFilter(req.query), query.since),
        query.mails ?? 12,
        req.inboxScope,
      );
    },
  );

  app.get(
    '/api/v1/message/:id/preview-urls',
    {
      config: {
        summary:
          "The mail's tracking URLs as the preview fetches them, marked so that its hits are recorded as preview " +
          "(as=simulated: as a simulated recipient, for clients that click in a recipient's place)",
      },
    },
    async (req, reply) => {
      const params = parseOr400(idParams, req.params);
      const { as } = parseOr400(previewUrlsQuery, req.query ?? {});
      const id = await resolveId(params.id);
      if (!id) return notFound(reply);
      let manifest: TrackingManifest | undefined;
      try {
        const json = await store.manifestJson(id);
        manifest = json ? (JSON.parse(json) as TrackingManifest) : undefined;
      } catch {
        manifest = undefined;
      }
      const urls: Record<string, string> = {};
      const add = (url: string | undefined) => {
        if (!url) return;
        try {
          urls[url] = marker.markUrl(url, as);
        } catch {
          // not a URL; the preview leaves it as it is
        }
      };
      add(manifest?.pixel?.url);
      for (const link of manifest?.links ?? []) add(link.trackedUrl);
      add(manifest?.unsubscribe?.url);
      // Links the mail itself has to our listener (any spelling of its host) are the preview's hits too.
      for (const skipped of manifest?.skipped ?? [])
        if (skipped.reason === ALREADY_TRACKING) add(skipped.url);
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
      const params = parseOr400(idParams, req.params);
      const body = parseOr400(simulateBody, req.body ?? {});
      try {
        const { background, ...result } = await simulator.simulate(params.id, {
          ...body,
          profile: body.profile as (typeof SIMULATE_PROFILES)[number],
        });
        return reply.code(background ? 202 : 200).send(result);
      } catch (err) {
        if (err instanceof SimulateError) {
          if (err.status === 404) return notFound(reply);
          throw new ApiRequestError(err.status, err.message);
        }
        req.log.error(`simulation failed: ${(err as Error).message}`);
        return reply
          .code(502)
          .type('application/json; charset=utf-8')
          .send(errorBody('the tracking server did not take the simulated hits'));
      }
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
