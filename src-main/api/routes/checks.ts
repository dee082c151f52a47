import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ListenAddress } from '../../config/schema.js';
import type { MessageStore } from '../../store/messages.js';
import { readBody } from '../../ingest/parse.js';
import { checkLinks, extractLinks } from '../../checks/link-check.js';
import { checkSpam } from '../../checks/spamd.js';
import { notFound, parseOr400 } from './messages.js';
import { loadOptional } from '../../optional-package.js';

export interface CheckRoutesDeps {
  store: MessageStore;
  /** spamd's address (--spamassassin); without it the spam check explains how to enable it. */
  spamassassin?: ListenAddress;
  /** Origins of our own tracking endpoints: the link check never requests them (that would record a click). */
  trackingOrigins: () => string[];
}

/** caniemail's parser runs on the event loop; larger HTML would stall every other request while it runs. */
const MAX_CHECKED_HTML = 2 * 1024 * 1024;

const linkQuery = z.object({ follow: z.enum(['true', 'false', '1', '0', '']).default('false') });

const badRequest = (message: string) =>
  Object.assign(new Error(`bad request: ${message}`), { statusCode: 400 });

/** Mailpit's checks of a caught mail: HTML compatibility, links, spam score, attachment thumbnails. */
export function registerCheckRoutes(
  app: FastifyInstance,
  { store, spamassassin, trackingOrigins }: CheckRoutesDeps,
): void {
  /** The mail as the sender wrote it: checks never look at the tracked copy. */
  const original = (id: string) => {
    const resolved = store.resolveId(id);
    return resolved ? store.raw(resolved)?.raw : undefined;
  };

  app.get<{ Params: { id: string } }>(
    '/api/v1/message/:id/html-check',
    {
      config: {
        summary: 'HTML and CSS features of the mail and their support in email clients (caniemail.com)',
      },
    },
    async (req, reply) => {
      const raw = original(req.params.id);
      if (!raw) return notFound(reply);
      const { html } = await readBody(raw);
      if (!html) throw badRequest('the message does not contain HTML');
      if (html.length > MAX_CHECKED_HTML) throw badRequest('the HTML is larger than 2 MB and is not checked');
      // caniemail's data and sharp's native library are loaded on first use, not at every start.
      const { checkHtml } = await loadOptional(
        'caniemail',
        'The HTML check',
        () => import('../../checks/html-check.js'),
      );
      return checkHtml(html);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/message/:id/link-check',
    {
      config: {
        summary: 'Status of every link and image of the original mail (follow=true: follow redirects)',
      },
    },
    async (req, reply) => {
      const { follow } = parseOr400(linkQuery, req.query);
      const raw = original(req.params.id);
      if (!raw) return notFound(reply);
      const { html, text } = await readBody(raw);
      const ours = new Set(trackingOrigins());
      return checkLinks(extractLinks(html, text), {
        follow: follow === 'true' || follow === '1',
        skip: (url) => ours.has(url.origin),
      });
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
      const raw = original(req.params.id);
      if (!raw) return notFound(reply);
      return checkSpam(raw, spamassassin);
    },
  );

  app.get<{ Params: { id: string; partId: string } }>(
    '/api/v1/message/:id/part/:partId/thumb',
    { config: { summary: 'A 180×120 JPEG thumbnail of an image attachment (blank for other parts)' } },
    async (req, reply) => {
      const id = store.resolveId(req.params.id);
      const part = id ? await store.part(id, req.params.partId) : undefined;
      if (!part) return notFound(reply, 'part');
      const { thumbnail } = await loadOptional(
        'sharp',
        'Thumbnails',
        () => import('../../checks/thumbnail.js'),
      );
      return reply.type('image/jpeg').send(await thumbnail(part.content, part.content_type));
    },
  );
}
