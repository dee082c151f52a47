import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { inboxNameProblem, inScope, type InboxScope } from '../model/inbox.js';
import { ANONYMOUS, basicCredentials, type Caller, type InboxAccess } from '../inboxes/access.js';
import { errorBody } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The inboxes this request sees: every store read and write of a route goes through it. */
    inboxScope: InboxScope;
    /** The inbox named by the URL (`/inbox/NAME/…`); undefined on the unscoped routes. */
    inboxName: string | undefined;
    /** Who is asking (see inboxes/access.ts). */
    caller: Caller;
  }
}

/** What the listener needs to know of the inboxes. */
export interface InboxEndpoint {
  access: InboxAccess;
  exists(name: string): Promise<boolean>;
  /** The inbox of a mail, undefined for an unknown id. */
  inboxOf(id: string): Promise<string | undefined>;
  /** Mailpit's `latest` (with its optional `?query=`) within a scope. */
  resolveLatest(querystring: unknown, scope: InboxScope): Promise<string | undefined>;
}

/** What the listener learnt of a request before fastify saw it. */
interface RequestInbox {
  /** The `/inbox/NAME` the URL started with (decoded), if any. */
  name: string | undefined;
  caller: Caller;
}

const REQUEST_INBOX = new WeakMap<IncomingMessage, RequestInbox>();

const PREFIX = /^\/inbox\/([^/?#]*)(.*)$/s;

/**
 * Takes `/inbox/NAME` off a request's URL, so that every route (Mailpit's API, ours, the UI) answers under it as it
 * does at `/`, and remembers NAME and the caller for the route's scope. Returns what it learnt.
 */
export function takeInboxPrefix(req: IncomingMessage, access: InboxAccess): RequestInbox {
  const m = PREFIX.exec(req.url ?? '/');
  let name: string | undefined;
  if (m) {
    try {
      name = decodeURIComponent(m[1]!);
    } catch {
      name = m[1]!; // refused as a bad name below
    }
    req.url = m[2]!.startsWith('/') ? m[2]! : `/${m[2]!}`;
  }
  const given = basicCredentials(req.headers.authorization);
  const found = { name, caller: given ? access.caller(given) : ANONYMOUS };
  REQUEST_INBOX.set(req, found);
  return found;
}

/** The inbox a raw request's URL named (for the listeners beside fastify: the hub). */
export const urlInboxOf = (req: IncomingMessage): string | undefined => REQUEST_INBOX.get(req)?.name;

/**
 * Whether the listener lets a request in before any route sees it (true), given `--ui-auth` and the closed inboxes:
 * with `--ui-auth`, only the administrator, or a closed inbox's own credentials under its `/inbox/NAME/`. A closed
 * inbox needs its credentials (or the administrator's); credentials that match nobody are refused under any
 * `/inbox/…` whether that inbox exists or not, so a wrong password never tells which inboxes exist.
 */
export function admits(found: RequestInbox, access: InboxAccess, uiAuth: boolean): boolean {
  const { name, caller } = found;
  if (caller.admin) return true;
  if (uiAuth) return name !== undefined && caller.opened.includes(name);
  if (name === undefined) return true;
  if (caller.refused) return false;
  return access.mayOpen(caller, name);
}

/** The id a per-mail route names: `:id`, or `/view/{ID}.html`'s file name. */
function mailIdOf(req: FastifyRequest): { id: string; set: (id: string) => void } | undefined {
  const params = req.params as Record<string, string> | undefined;
  if (!params) return undefined;
  if (typeof params.id === 'string' && req.routeOptions.url?.startsWith('/api/v1/message/:id')) {
    return { id: params.id, set: (id) => (params.id = id) };
  }
  const file = req.routeOptions.url === '/view/:file' ? /^(.+)\.(html|txt)$/.exec(params.file ?? '') : null;
  if (file) return { id: file[1]!, set: (id) => (params.file = `${id}.${file[2]}`) };
  return undefined;
}

/** An id no mail has: a mail outside the scope is answered as if it did not exist. */
const NO_MAIL = '-';

/**
 * Gives every request its scope (`req.inboxScope`), answers 400 for a bad inbox name and 404 for an unknown inbox
 * in the URL, and keeps every per-mail route (`/api/v1/message/:id…`, `/view/…`) to the mails of the scope:
 * another inbox's mail is a 404, and `latest` is the newest of the scope.
 */
export function registerInboxScope(app: FastifyInstance, inboxes: InboxEndpoint): void {
  app.decorateRequest('inboxScope', null as never);
  app.decorateRequest('inboxName', undefined);
  app.decorateRequest('caller', null as never);
  app.addHook('onRequest', async (req, reply) => {
    const found = REQUEST_INBOX.get(req.raw) ?? { name: undefined, caller: ANONYMOUS };
    req.inboxName = found.name;
    req.caller = found.caller;
    req.inboxScope = inboxes.access.scope(found.caller, found.name);
    if (found.name === undefined) return;
    const problem = inboxNameProblem(found.name);
    const json = 'application/json; charset=utf-8';
    if (problem)
      return reply
        .code(400)
        .type(json)
        .send(errorBody(`bad inbox name: ${problem}`));
    if (!(await inboxes.exists(found.name)))
      return reply
        .code(404)
        .type(json)
        .send(errorBody(`inbox not found: ${found.name}`));
  });
  app.addHook('preHandler', async (req) => {
    const scope = req.inboxScope;
    if (scope.kind === 'all') return;
    const mail = mailIdOf(req);
    if (!mail) return;
    if (mail.id === 'latest') {
      mail.set((await inboxes.resolveLatest(req.query, scope)) ?? NO_MAIL);
      return;
    }
    const inbox = await inboxes.inboxOf(mail.id);
    if (inbox !== undefined && !inScope(scope, inbox)) mail.set(NO_MAIL);
  });
}
