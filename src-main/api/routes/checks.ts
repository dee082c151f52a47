import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { ListenAddress } from '../../config/schema.js';
import type { MessageStore } from '../../store/contract.js';
import { checkLinks } from '../../checks/link-check.js';
import { CheckRefused } from '../../checks/limits.js';
import type { CheckRunner } from '../../checks/runner.js';
import { checkSpam } from '../../checks/spamd.js';
import { ThumbnailService } from '../../checks/thumbnail.js';
import type { GuardedFetch } from '../../net/guarded-fetch.js';
import { pointsAt } from '../../tracking/host-match.js';
import type { HtmlCheckResponse, LinkCheckResponse, SpamCheckResponse } from '../../wire/types.js';
import { notFound, parseOr400 } from './messages.js';

export interface CheckRoutesDeps {
  store: MessageStore;
  /** spamd's address (--spamassassin); without it the spam check explains how to enable it. */
  spamassassin?: ListenAddress;
  /** Origins of our own tracking endpoints: the link check never requests them (that would record a click). */
  trackingOrigins: () => string[];
  /** Runs the checks' CPU work off the main thread, under time limits. */
  runner: CheckRunner;
  /** The one outbound fetch for what a mail names. */
  fetch: GuardedFetch;
  /** `--allow-internal-http-requests`, switchable in the app for this run. */
  internal: { allowed: boolean };
}

/** Link checks running at once, across all mails; more wait in line, up to LINK_CHECK_QUEUE. */
const LINK_CHECKS_AT_ONCE = 2;
const LINK_CHECK_QUEUE = 8;
/** A result is served again for this long: the Checks tab, MCP and a test suite ask repeatedly. */
const LINK_CHECK_CACHE_MS = 60_000;
const LINK_CHECK_CACHE_ENTRIES = 100;

const linkQuery = z.object({ follow: z.enum(['true', 'false', '1', '0', '']).default('false') });
const internalBody = z.object({ allowInternalHttpRequests: z.boolean() });

const badRequest = (message: string) =>
  Object.assign(new Error(`bad request: ${message}`), { statusCode: 400 });

/** A check's refusal (too large, too deep, overran, busy) as its 4xx/503 with the reason. */
function refusalAsHttp(err: unknown): never {
  if (err instanceof CheckRefused)
    throw Object.assign(new Error(err.message), { statusCode: err.statusCode });
  throw err;
}

/** Mailpit's checks of a caught mail: HTML compatibility, links, spam score, attachment thumbnails. */
export function registerCheckRoutes(app: FastifyInstance, deps: CheckRoutesDeps): void {
  const { store, spamassassin, trackingOrigins, runner } = deps;
  /** The mail as the sender wrote it: checks never look at the tracked copy. */
  const original = async (id: string) => {
    const resolved = await store.resolveId(id);
    const raw = resolved ? (await store.raw(resolved))?.raw : undefined;
    return raw && resolved ? { id: resolved, raw } : undefined;
  };

  app.get<{ Params: { id: string } }>(
    '/api/v1/message/:id/html-check',
    {
      config: {
        summary: 'HTML and CSS features of the mail and their support in email clients (caniemail.com)',
        outbound: true,
      },
    },
    async (req, reply) => {
      const mail = await original(req.params.id);
      if (!mail) return notFound(reply);
      return runner.run<HtmlCheckResponse>({ kind: 'html-check', raw: mail.raw }).catch(refusalAsHttp);
    },
  );

  const links = new LinkChecks(deps);
  app.get<{ Params: { id: string } }>(
    '/api/v1/message/:id/link-check',
    {
      config: {
        summary: 'Status of every link and image of the original mail (follow=true: follow redirects)',
        outbound: true,
      },
    },
    async (req, reply) => {
      const { follow } = parseOr400(linkQuery, req.query);
      const mail = await original(req.params.id);
      if (!mail) return notFound(reply);
      const ours = trackingOrigins();
      return links
        .check(mail.id, follow === 'true' || follow === '1', async (followRedirects) => {
          const urls = await runner.run<string[]>({ kind: 'links', raw: mail.raw });
          return checkLinks(urls, {
            follow: followRedirects,
            fetch: deps.fetch,
            skip: (url) => pointsAt(url, ours),
          });
        })
        .catch(refusalAsHttp);
    },
  );

  app.get(
    '/api/v1/checks/settings',
    { config: { summary: 'Settings of the checks: {allowInternalHttpRequests}' } },
    async () => ({ allowInternalHttpRequests: deps.internal.allowed }),
  );
  app.put(
    '/api/v1/checks/settings',
    {
      config: {
        summary:
          'Let link check request internal addresses ({allowInternalHttpRequests}) until the next start',
      },
    },
    async (req) => {
      const body = parseOr400(internalBody, req.body ?? {});
      deps.internal.allowed = body.allowInternalHttpRequests;
      links.forget();
      return { allowInternalHttpRequests: deps.internal.allowed };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/message/:id/sa-check',
    { config: { summary: 'SpamAssassin score and rules of the mail (needs --spamassassin HOST:PORT)' } },
    async (req, reply) => {
      if (!spamassassin) {
        throw badRequest(
          'SpamAssassin is not enabled: start Mailbeacon with --spamassassin HOST:PORT pointing at a running spamd (e.g. 127.0.0.1:783)',
        );
      }
      const mail = await original(req.params.id);
      if (!mail) return notFound(reply);
      return checkSpam(mail.raw, spamassassin, {
        parse: (answer) => runner.run<SpamCheckResponse>({ kind: 'spam-report', reply: answer }),
      });
    },
  );

  const thumbnails = new ThumbnailService();
  app.get<{ Params: { id: string; partId: string } }>(
    '/api/v1/message/:id/part/:partId/thumb',
    { config: { summary: 'A 180×120 JPEG thumbnail of an image attachment (blank for other parts)' } },
    async (req, reply: FastifyReply) => {
      const id = await store.resolveId(req.params.id);
      if (!id) return notFound(reply, 'part');
      const jpeg = await thumbnails.of(`${id}/${req.params.partId}`, () => store.part(id, req.params.partId));
      if (!jpeg) return notFound(reply, 'part');
      return reply.type('image/jpeg').send(jpeg);
    },
  );
}

interface Running {
  follow: boolean;
  result: Promise<LinkCheckResponse>;
}

/**
 * The link checks' traffic rules: one check per mail at a time (a second asker shares the running one), a few
 * checks at once overall with a short line behind them, and each result kept a minute.
 */
class LinkChecks {
  readonly #running = new Map<string, Running>();
  readonly #cache = new Map<string, { at: number; result: LinkCheckResponse }>();
  readonly #waiting: (() => void)[] = [];
  #active = 0;

  constructor(private readonly deps: Pick<CheckRoutesDeps, 'internal'>) {}

  forget(): void {
    this.#cache.clear();
  }

  async check(
    id: string,
    follow: boolean,
    run: (follow: boolean) => Promise<LinkCheckResponse>,
  ): Promise<LinkCheckResponse> {
    const key = `${id}:${follow}:${this.deps.internal.allowed}`;
    const cached = this.#cache.get(key);
    if (cached && Date.now() - cached.at < LINK_CHECK_CACHE_MS) return cached.result;
    const running = this.#running.get(id);
    if (running) {
      if (running.follow === follow) return running.result;
      throw new CheckRefused('a link check of this mail is running; try again when it is done', 429);
    }
    if (this.#active >= LINK_CHECKS_AT_ONCE && this.#waiting.length >= LINK_CHECK_QUEUE)
      throw new CheckRefused('too many link checks are running; try again shortly', 429);
    const result = this.#inTurn(() => run(follow));
    this.#running.set(id, { follow, result });
    try {
      const done = await result;
      this.#cache.set(key, { at: Date.now(), result: done });
      if (this.#cache.size > LINK_CHECK_CACHE_ENTRIES) this.#cache.delete(this.#cache.keys().next().value!);
      return done;
    } finally {
      this.#running.delete(id);
    }
  }

  async #inTurn<T>(work: () => Promise<T>): Promise<T> {
    if (this.#active >= LINK_CHECKS_AT_ONCE) await new Promise<void>((go) => this.#waiting.push(go));
    this.#active++;
    try {
      return await work();
    } finally {
      this.#active--;
      this.#waiting.shift()?.();
    }
  }
}
