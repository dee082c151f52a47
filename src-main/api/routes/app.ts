import type { FastifyInstance } from 'fastify';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { z } from 'zod';
import type { TrackingEvent } from '../../wire/types.js';
import type { MessageListing } from '../../model/message.js';
import { inScope } from '../../model/inbox.js';
import { toWireSummary } from '../../wire/messages.js';
import type { EventBus } from '../../events/bus.js';
import { parseQuery } from '../../search/query.js';
import { errorBody, parseOr400 } from '../errors.js';
import { responseJsonSchema } from '../../wire/schemas.js';
import { VERSION } from '../../version.js';
import { appInformation, maskedSettings, webuiConfig, type InfoDeps } from './info.js';

/** The info routes' needs (src-main/api/routes/info.ts) plus the bus. */
export interface AppRoutesDeps extends InfoDeps {
  bus: EventBus;
}

const mailbox = z.object({ Email: z.string().min(3).max(320), Name: z.string().max(200).optional() });

/** Mailpit's `POST /api/v1/send` body. */
const sendBody = z.object({
  From: mailbox,
  To: z.array(mailbox).max(100).default([]),
  Cc: z.array(mailbox).max(100).default([]),
  Bcc: z.array(z.string()).max(100).default([]),
  ReplyTo: z.array(mailbox).max(10).default([]),
  Subject: z.string().max(1000).default(''),
  Text: z.string().default(''),
  HTML: z.string().default(''),
  Headers: z.record(z.string(), z.string()).default({}),
  Tags: z.array(z.string()).default([]),
  Attachments: z
    .array(
      z.object({
        Content: z.string(),
        Filename: z.string(),
        ContentType: z.string().optional(),
        ContentID: z.string().optional(),
      }),
    )
    .default([]),
});

const waitQuery = z.object({
  query: z.string().max(2000).default(''),
  kind: z.enum(['message', 'open', 'click', 'unsub', 'event']).default('message'),
  message: z.string().max(200).optional(),
  timeout: z.coerce.number().min(0).max(300).default(30),
});

/** A 200 response, with its JSON schema when wire.ts describes the route. */
function okResponse(operation: string): Record<string, unknown> {
  const schema = responseJsonSchema(operation);
  return schema ? { description: 'OK', content: { 'application/json': { schema } } } : { description: 'OK' };
}

const fmt = (a: { Email: string; Name?: string }) => (a.Name ? { name: a.Name, address: a.Email } : a.Email);

/** Info, Mailpit's send API, the long-poll wait route and the OpenAPI document. */
export function registerAppRoutes(app: FastifyInstance, deps: AppRoutesDeps): void {
  const { store, ingest, bus } = deps;
  const routes: { method: string; url: string; summary: string }[] = [];
  app.addHook('onRoute', (route) => {
    const config = route.config;
    if (config?.hide) return;
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      routes.push({ method: method.toLowerCase(), url: route.url, summary: config?.summary ?? '' });
    }
  });

  app.get(
    '/api/v1/info',
    { config: { summary: 'Application information and listener addresses' } },
    async (req) => appInformation(deps, req.inboxScope),
  );
  app.get('/api/v1/webui', { config: { summary: "Web UI configuration (Mailpit's shape)" } }, async () =>
    webuiConfig(deps.settings),
  );
  app.get(
    '/api/v1/settings',
    { config: { summary: 'The effective configuration, secrets masked' } },
    async () => maskedSettings(deps.settings, deps.addresses()),
  );

  app.post(
    '/api/v1/send',
    { config: { summary: "Send a message into the sandbox (Mailpit's send API)" } },
    async (req) => {
      const body = parseOr400(sendBody, req.body);
      const composer = new MailComposer({
        from: fmt(body.From),
        to: body.To.map(fmt),
        cc: body.Cc.map(fmt),
        replyTo: body.ReplyTo.map(fmt),
        subject: body.Subject,
        text: body.Text || undefined,
        html: body.HTML || undefined,
        headers: body.Headers,
        attachments: body.Attachments.map((a) => ({
          filename: a.Filename,
          content: Buffer.from(a.Content, 'base64'),
          contentType: a.ContentType,
          cid: a.ContentID,
        })),
      });
      const raw = await composer.compile().build();
      const id = await ingest.accept({
        raw,
        envelopeFrom: body.From.Email,
        envelopeTo: [...body.To.map((a) => a.Email), ...body.Cc.map((a) => a.Email), ...body.Bcc],
        username: '',
        remoteIp: req.ip,
        // Sent under /inbox/NAME/: into that inbox.
        ...(req.inboxName !== undefined && { inbox: req.inboxName }),
      });
      if (body.Tags.length) {
        // Added to the tags ingest gave it (X-Tags, plus-addresses, --tag rules).
        if ((await store.addTags([id], body.Tags)).length) bus.emit('message.tags', [id]);
      }
      return { ID: id };
    },
  );

  app.get(
    '/api/v1/wait',
    {
      config: {
        summary:
          'Long poll: answers when a message matching `query` arrives (kind=message), or a tracking event (kind=open|click|unsub|event, optionally for `message`), or 408 after `timeout` seconds',
      },
    },
    async (req, reply) => {
      const q = parseOr400(waitQuery, req.query);
      // A bad query is a 400 now, not a silent wait until the timeout.
      if (q.query) parseQuery(q.query);
      // Nothing may travel for up to `timeout` seconds: the listener's idle timeout must not cut the wait.
      req.raw.socket.setTimeout(0);
      return new Promise((resolve) => {
        let finished = false;
        const done = (status: number, body: unknown) => {
          if (finished) return;
          finished = true;
          clearTimeout(timer);
          bus.off('message.created', onMessage);
          bus.off('tracking.event', onEvent);
          reply.raw.off('close', onClose);
          resolve(reply.code(status).send(body));
        };
        const scope = req.inboxScope;
        const onMessage = (m: MessageListing) => {
          if (q.kind !== 'message' || !inScope(scope, m.inbox)) return;
          const query = q.query;
          if (!query) return done(200, toWireSummary(m));
          // The new mail is in the full-text index a moment after it is announced.
          store.searchReady().then(
            () => {
              if (finished) return;
              void store.matches(m.id, query).then(
                (hit) => {
                  if (hit) done(200, toWireSummary(m));
                },
                () => {},
              );
            },
            () => {},
          );
        };
        const onEvent = (e: TrackingEvent) => {
          if (q.kind === 'message' || (q.kind !== 'event' && e.kind !== q.kind)) return;
          if (q.message && e.message_id !== q.message) return;
          if (scope.kind === 'all') return done(200, e);
          void store.inboxOf(e.message_id).then(
            (inbox) => {
              if (inScope(scope, inbox ?? '')) done(200, e);
            },
            () => {},
          );
        };
        // The client went away: stop listening (nothing can be sent any more).
        const onClose = () => done(499, 'client closed');
        const timer = setTimeout(
          () => done(408, errorBody('nothing arrived before the timeout')),
          q.timeout * 1000,
        );
        bus.on('message.created', onMessage);
        bus.on('tracking.event', onEvent);
        reply.raw.on('close', onClose);
      });
    },
  );

  app.get('/api/v1/openapi.json', { config: { summary: 'This document' } }, async () => {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const r of routes) {
      if (!r.url.startsWith('/api/') && r.url !== '/') continue;
      const path = r.url.replace(/:(\w+)/g, '{$1}');
      const params = [...r.url.matchAll(/:(\w+)/g)].map((m) => ({
        name: m[1],
        in: 'path',
        required: true,
        schema: { type: 'string' },
      }));
      (paths[path] ??= {})[r.method] = {
        summary: r.summary,
        ...(params.length ? { parameters: params } : {}),
        responses: { 200: okResponse(`${r.method} ${path}`) },
      };
    }
    return {
      openapi: '3.1.0',
      info: {
        title: 'Mailbeacon API',
        version: VERSION,
        description: 'Mailpit-compatible message routes plus tracking, relay, webhook and hub routes.',
      },
      paths,
    };
  });
}
