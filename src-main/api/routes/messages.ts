import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { badRequest, notFound, parseOr400 } from '../errors.js';
import type { Message } from '../../wire/types.js';
import { toWireAttachment, toWireSummary } from '../../wire/messages.js';
import type { EventBus } from '../../events/bus.js';
import type { MessagePage, MessageStore } from '../../store/contract.js';
import { parseQuery } from '../../search/query.js';
import { readBody, readHeaders } from '../../ingest/parse.js';
import { ALL_INBOXES, inScope, type InboxScope } from '../../model/inbox.js';

export interface MessageRoutesDeps {
  store: MessageStore;
  bus: EventBus;
}

// Other route files import these from here.
export { notFound, parseOr400 };

/** Mailpit's default page size. */
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 5000;

const paging = z.object({
  start: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(DEFAULT_LIMIT),
  query: z.string().max(2000).default(''),
});

const idsBody = z
  .object({
    IDs: z.array(z.string().max(200)).max(100_000).optional(),
    Read: z.boolean().optional(),
    /** Mailpit: set the read status of every message matching this search instead. */
    Search: z.string().max(2000).optional(),
  })
  .nullish();

const tagsBody = z.object({
  IDs: z.array(z.string().max(200)).max(100_000),
  // Mailpit's client leaves Tags out to remove every tag.
  Tags: z.array(z.string().max(100)).max(50).default([]),
});

/**
 * True when a search query has at least one term: one made only of operators and punctuation (`*`, `"`, `)`)
 * matches nothing in particular, and a bulk delete must never read it as "everything".
 */
export function hasSearchTerm(query: string): boolean {
  // A filter with nothing after it (`from:`) is ignored by the parser, and would leave no condition at all.
  return /[\p{L}\p{N}]/u.test(query) && parseQuery(query).length > 0;
}

/** A stored part's file name as an RFC 6266 Content-Disposition: an ASCII fallback plus the UTF-8 `filename*`. */
export function contentDisposition(type: 'inline' | 'attachment', filename: string): string {
  // Control characters never belong in a header; the rest of the name is kept as the sender wrote it.
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  const clean = filename.replace(/[\u0000-\u001f\u007f]/g, '_');
  const fallback = clean.replace(/[^\x20-\x7e]/g, '_').replace(/["\\%]/g, '_');
  if (fallback === clean) return `${type}; filename="${fallback}"`;
  const encoded = encodeURIComponent(clean).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${type}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

const latestQuery = z.object({ query: z.string().max(2000).optional() });

/**
 * The mail a route's `:id` names: Mailpit's `latest` is the newest mail, or with `?query=…` the newest one matching
 * that search; undefined when there is none.
 */
export async function resolveMessageId(
  store: MessageStore,
  id: string,
  querystring: unknown,
  scope: InboxScope = ALL_INBOXES,
): Promise<string | undefined> {
  if (id !== 'latest') return id;
  const { query } = parseOr400(latestQuery, querystring);
  if (!query?.trim()) return store.latestId(scope);
  // A bad query is a 400 before any wait.
  parseQuery(query);
  await store.searchReady();
  return store.latestMatching(query, scope);
}

/**
 * A header name as Mailpit spells it, Go's `textproto.CanonicalMIMEHeaderKey`: the first letter and every letter
 * after a hyphen upper case, the rest lower case (`Message-Id`, `Mime-Version`); a name with a byte that is not a
 * token character stays as it is.
 */
export function canonicalHeaderName(name: string): string {
  if (!/^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/.test(name)) return name;
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
}

/** Mailpit v1 message routes, with Mailpit's paths and JSON shapes. */
export function registerMessageRoutes(app: FastifyInstance, { store, bus }: MessageRoutesDeps): void {
  app.get(
    '/api/v1/messages',
    { config: { summary: 'List messages, newest first (start, limit)' } },
    async (req) => {
      const { start, limit } = parseOr400(paging, req.query);
      return toMailpitPage(
        await store.page(start, limit, '', req.inboxScope),
        await store.tagsIn(req.inboxScope),
      );
    },
  );

  app.get(
    '/api/v1/search',
    { config: { summary: 'Search messages with Mailpit syntax (query, start, limit)' } },
    async (req) => {
      const { start, limit, query } = parseOr400(paging, req.query);
      // As Mailpit: the list without a query is GET /api/v1/messages.
      if (!query.trim())
        throw badRequest('bad request: query is required (GET /api/v1/messages lists every message)');
      parseQuery(query);
      await store.searchReady();
      return toMailpitPage(
        await store.page(start, limit, query, req.inboxScope),
        await store.tagsIn(req.inboxScope),
      );
    },
  );

  app.put(
    '/api/v1/messages',
    { config: { summary: 'Mark messages read or unread ({IDs, Read} or {Search, Read}; neither = all)' } },
    async (req) => {
      const body = parseOr400(idsBody, req.body);
      const read = body?.Read ?? false;
      if (body?.Search?.trim()) await store.searchReady();
      const ids = body?.Search?.trim()
        ? await store.idsMatching(body.Search, req.inboxScope)
        : body?.IDs?.length
          ? body.IDs
          : 'all';
      const changed = await store.setRead(ids, read, req.inboxScope);
      if (changed.length) bus.emit('message.read', changed, read);
      return 'ok';
    },
  );

  app.delete(
    '/api/v1/messages',
    { config: { summary: 'Delete messages ({IDs}; no IDs = all)' } },
    async (req) => {
      const body = parseOr400(idsBody, req.body);
      const ids = body?.IDs?.length ? body.IDs : 'all';
      const deleted = await store.delete(ids, req.inboxScope);
      // Everyone's "all" only when every inbox was emptied; within a scope, the mails that went.
      const everything = ids === 'all' && req.inboxScope.kind === 'all';
      if (deleted.length) bus.emit('message.deleted', everything ? 'all' : deleted);
      return 'ok';
    },
  );

  app.delete(
    '/api/v1/search',
    { config: { summary: 'Delete every message matching a search (query)' } },
    async (req) => {
      const { query } = parseOr400(paging, req.query);
      if (!query.trim()) throw badRequest('bad request: query is required');
      if (!hasSearchTerm(query))
        throw badRequest(
          `bad request: the query "${query}" has no search term; to delete every message use DELETE /api/v1/messages`,
        );
      await store.searchReady();
      const deleted = await store.delete(await store.idsMatching(query, req.inboxScope), req.inboxScope);
      if (deleted.length) bus.emit('message.deleted', deleted);
      return 'ok';
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/message/:id',
    // A GET changes nothing: the UI marks a mail read with PUT /api/v1/messages when it opens it.
    { config: { summary: 'One message (ID, or "latest" with an optional ?query= search)' } },
    async (req, reply) => {
      const id = await resolveMessageId(store, req.params.id, req.query);
      const row = id ? await store.get(id) : undefined;
      if (!row) return notFound(reply);
      const { inline, attachments } = await store.attachmentsOf(row.seq);
      // Text, HTML and headers are read from the stored bytes (as Mailpit does), the tracked HTML from the tracked mail.
      const stored = await store.raw(row.id);
      if (!stored) return notFound(reply); // deleted meanwhile
      const { text, html, headers } = await readBody(stored.raw);
      const trackedHtml = stored.tracked ? (await readBody(stored.tracked)).html : '';
      const header = (name: string) => headers.find((h) => h.name.toLowerCase() === name)?.value ?? '';
      const listUnsubscribe = header('list-unsubscribe');
      const summary = await store.summaryOf(row);
      const message: Message = {
        ID: row.id,
        MessageID: row.message_id,
        From: summary.from,
        To: summary.to,
        Cc: summary.cc,
        Bcc: summary.bcc,
        ReplyTo: summary.replyTo,
        ReturnPath: row.return_path,
        Subject: row.subject,
        ListUnsubscribe: {
          Header: listUnsubscribe,
          Links: [...listUnsubscribe.matchAll(/<([^>]+)>/g)].map((m) => m[1]!),
          Errors: '',
          HeaderPost: header('list-unsubscribe-post'),
        },
        Date: new Date(row.date_ms ?? row.created_ms).toISOString(),
        Tags: summary.tags,
        Username: row.username,
        Text: text,
        HTML: html,
        Size: row.size,
        Inline: inline.map(toWireAttachment),
        Attachments: attachments.map(toWireAttachment),
        TrackedHTML: trackedHtml,
        Warnings: JSON.parse(row.warnings_json) as string[],
        Tracking: summary.tracking,
      };
      return message;
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/message/:id/headers',
    { config: { summary: "Headers of a message, name (Mailpit's spelling) → values, names in order" } },
    async (req, reply) => {
      const id = await resolveMessageId(store, req.params.id, req.query);
      const stored = id ? await store.raw(id) : undefined;
      if (!stored) return notFound(reply);
      const byName = new Map<string, string[]>();
      for (const h of readHeaders(stored.raw)) {
        const name = canonicalHeaderName(h.name);
        const values = byName.get(name);
        if (values) values.push(h.value);
        else byName.set(name, [h.value]);
      }
      // Sorted as Mailpit's JSON map is (Go orders a map's keys by their bytes).
      const out: Record<string, string[]> = {};
      for (const name of [...byName.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)))
        out[name] = byName.get(name)!;
      return out;
    },
  );

  app.get<{ Params: { id: string }; Querystring: { version?: string; query?: string } }>(
    '/api/v1/message/:id/raw',
    { config: { summary: 'The message source as received (version=tracked: with tracking injected)' } },
    async (req, reply) => {
      const id = await resolveMessageId(store, req.params.id, req.query);
      const raw = id ? await store.raw(id) : undefined;
      if (!raw) return notFound(reply);
      const version = req.query.version ?? 'original';
      if (version !== 'original' && version !== 'tracked') {
        throw badRequest('bad request: version must be original or tracked');
      }
      const body = version === 'tracked' ? (raw.tracked ?? raw.raw) : raw.raw;
      return reply.type('text/plain; charset=utf-8').send(body);
    },
  );

  app.get<{ Params: { id: string; partId: string } }>(
    '/api/v1/message/:id/part/:partId',
    { config: { summary: 'An attachment or inline part, decoded' } },
    async (req, reply) => {
      const id = await resolveMessageId(store, req.params.id, req.query);
      const part = id ? await store.part(id, req.params.partId) : undefined;
      if (!part) return notFound(reply, 'part');
      reply.type(part.content_type || 'application/octet-stream');
      if (part.filename) reply.header('Content-Disposition', contentDisposition('inline', part.filename));
      // Parts are the sender's bytes: never let a browser run them as a page of ours.
      reply.header(
        'Content-Security-Policy',
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox",
      );
      reply.header('X-Content-Type-Options', 'nosniff');
      return reply.send(part.content);
    },
  );

  app.get('/api/v1/tags', { config: { summary: 'All tags in use' } }, async (req) =>
    store.tagsIn(req.inboxScope),
  );

  app.put('/api/v1/tags', { config: { summary: 'Set the tags of messages ({IDs, Tags})' } }, async (req) => {
    const { IDs, Tags } = parseOr400(tagsBody, req.body);
    const scope = req.inboxScope;
    // Another inbox's mail is left as it is, as if it did not exist.
    const ids = scope.kind === 'all' ? IDs : await idsIn(store, scope, IDs);
    const changed = await store.setTags(ids, Tags);
    if (changed.length) bus.emit('message.tags', changed);
    return 'ok';
  });
}

/** The ids of mails in `scope`, in order. */
async function idsIn(store: MessageStore, scope: InboxScope, ids: string[]): Promise<string[]> {
  const inboxes = await Promise.all(ids.map((id) => store.inboxOf(id)));
  return ids.filter((_id, i) => inScope(scope, inboxes[i] ?? ''));
}

function toMailpitPage(page: MessagePage, tags: string[]) {
  return {
    total: page.total,
    unread: page.unread,
    count: page.count,
    messages_count: page.messagesCount,
    messages_unread: page.messagesUnread,
    start: page.start,
    tags,
    messages: page.messages.map(toWireSummary),
  };
}
