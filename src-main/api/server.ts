import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { Logger } from '../logger.js';
import { listen, type BoundAddress } from '../net/listen.js';
import { HostPolicy, refuseHost } from '../net/host-check.js';
import { API_HTTP_LIMITS, applyHttpLimits, httpServerOptions, type HttpLimits } from '../net/http-limits.js';
import { isHubPath, mercureLinkHeader } from '../hub/discovery.js';
import { errorBody } from './errors.js';
import { crossSiteOutboundRefusal, crossSiteRefusal, fromProgram } from './csrf.js';
import { MissingPackageError } from '../optional-package.js';
import type { InboxScope } from '../model/inbox.js';
import { admits, registerInboxScope, takeInboxPrefix, type InboxEndpoint } from './inbox-scope.js';

/** The parts of the Mercure hub the HTTP listener needs (see src-main/hub). */
export interface HubEndpoint {
  handle(req: IncomingMessage, res: ServerResponse, scope?: InboxScope): void;
  /** `prefix` is the page's `/inbox/NAME`, so that the cookie goes to that inbox's hub URL. */
  subscriberCookie(prefix?: string): Promise<string>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** One line for the OpenAPI document (`/api/v1/openapi.json`). */
    summary?: string;
    /** Leave the route out of the OpenAPI document. */
    hide?: boolean;
    /** The route makes outbound requests: other sites' pages may not start it, not even with a GET. */
    outbound?: boolean;
  }
}

/** A route module: registers its routes on the fastify instance (full `/api/v1/…` paths). */
export type RouteModule = (app: FastifyInstance) => void;

export interface ApiServerOptions {
  logger: Logger;
  routes: RouteModule[];
  hub?: HubEndpoint;
  /** Folder of the built renderer (index.html and assets); the UI is served at `/`. */
  uiDir?: string;
  uiAuth?: { user: string; pass: string };
  /** The inboxes: `/inbox/NAME/…` serves everything below for NAME alone, and each request gets its scope. */
  inboxes?: InboxEndpoint;
  /** Public base of this listener (known after listen), for the Mercure discovery Link header. */
  publicUrl: () => string;
  /** Host names answered besides loopback and the bound address (`--allowed-hosts`); anything else gets 421. */
  allowedHosts?: readonly string[];
  /** Timeouts and the connection cap; tests shorten them. */
  limits?: Partial<HttpLimits>;
}

/** Everything a page of the UI may load: itself, inline styles (React style props), images from anywhere (mail). */
const UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // Mail previews (srcdoc iframes inherit this policy) link remote stylesheets and web fonts.
  "style-src 'self' 'unsafe-inline' http: https:",
  "font-src 'self' data: http: https:",
  'img-src * data: blob:',
  "connect-src 'self'",
  "frame-src 'self' about: data: blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  // No other site may frame the UI and trick clicks out of it.
  "frame-ancestors 'none'",
].join('; ');

function credentialsMatch(header: string | undefined, auth: { user: string; pass: string }): boolean {
  if (!header?.startsWith('Basic ')) return false;
  const given = Buffer.from(header.slice(6), 'base64');
  const expected = Buffer.from(`${auth.user}:${auth.pass}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The UI + API + hub listener: one node:http server; `/.well-known/mercure` goes to the hub untouched (it streams),
 * everything else to fastify.
 */
export class ApiServer {
  readonly app: FastifyInstance;
  readonly #server: Server;
  readonly #options: ApiServerOptions;
  readonly #hosts: HostPolicy;

  constructor(options: ApiServerOptions) {
    this.#options = options;
    const { logger, hub, uiAuth } = options;
    const limits = { ...API_HTTP_LIMITS, ...options.limits };
    this.#hosts = new HostPolicy({ allowedHosts: options.allowedHosts ?? [], publicUrls: [] });
    let fastifyHandler: (req: IncomingMessage, res: ServerResponse) => void = () => {};
    this.#server = createServer(httpServerOptions(limits), (req, res) => {
      // Before anything else, authentication included: a rebound name must learn nothing, not even that auth exists.
      if (!this.#hosts.allows(req.headers.host)) {
        refuseHost(res, req.headers.host);
        return;
      }
      const { inboxes } = options;
      const found = inboxes ? takeInboxPrefix(req, inboxes.access) : undefined;
      const admitted = inboxes
        ? admits(found!, inboxes.access, !!uiAuth)
        : !uiAuth || credentialsMatch(req.headers.authorization, uiAuth);
      if (!admitted) {
        res.writeHead(401, {
          'WWW-Authenticate': 'Basic realm="Mailbeacon", charset="UTF-8"',
          'Content-Type': 'text/plain',
        });
        res.end('Authentication required\n');
        return;
      }
      if (hub && isHubPath((req.url ?? '/').split('?')[0]!)) {
        hub.handle(req, res, found && inboxes!.access.scope(found.caller, found.name));
        return;
      }
      fastifyHandler(req, res);
    });
    applyHttpLimits(this.#server, limits);

    this.app = Fastify({
      serverFactory: (handler) => {
        fastifyHandler = handler;
        return this.#server;
      },
      logger: false,
      bodyLimit: 60 * 1024 * 1024,
      // Mailpit's ids and part ids are short; anything longer is garbage and gets a 404, not a crash.
      routerOptions: { maxParamLength: 200 },
      return503OnClosing: false,
    });
    this.#registerErrors(logger);
    this.#registerCsrfCheck();
    if (options.inboxes) registerInboxScope(this.app, options.inboxes);
    this.#registerDiscovery();
    this.#registerBodyParsers();
    for (const register of options.routes) register(this.app);
    this.#registerUi();
  }

  /** Every error of every route leaves here, as `{"Error": "…"}`; a 5xx says nothing about the inside. */
  #registerErrors(logger: Logger): void {
    this.app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
      const given = err.statusCode;
      const status = given !== undefined && given >= 400 && given <= 599 ? given : 500;
      // A feature whose optional package is missing says which package; every other 5xx hides its detail.
      const said = err instanceof MissingPackageError;
      if (status >= 500 && !said)
        logger.error(`${req.method} ${req.url.split('?')[0]}: ${err.stack ?? err.message}`);
      // Headers set before the failure (a part's Content-Disposition) may be what failed; the answer has its own.
      reply.removeHeader('Content-Disposition');
      reply
        .code(status)
        .type('application/json; charset=utf-8')
        .send(errorBody(status >= 500 && !said ? 'internal error' : err.message));
    });
    this.app.setNotFoundHandler((req, reply) => {
      reply
        .code(404)
        .type('application/json; charset=utf-8')
        .send(errorBody(`not found: ${req.method} ${req.url.split('?')[0]}`));
    });
  }

  /** A state-changing request a page on another site could have sent gets 403 before any route sees it. */
  #registerCsrfCheck(): void {
    this.app.addHook('onRequest', async (req, reply) => {
      const isOwnHost = (host: string) => this.#hosts.allows(host);
      const refusal =
        crossSiteRefusal(req.raw, isOwnHost) ??
        (req.routeOptions.config.outbound ? crossSiteOutboundRefusal(req.raw, isOwnHost) : undefined);
      if (refusal) return reply.code(403).type('application/json; charset=utf-8').send(errorBody(refusal));
    });
  }

  /**
   * Bodies of other types than JSON arrive as bytes, which no route takes (see parseOr400). A program that sends JSON
   * under another type (curl's `-d` says application/x-www-form-urlencoded, and Mailpit's and our docs' examples use
   * it) has it read as JSON; a browser's request never does, so a page elsewhere still cannot send a body a route
   * reads (the cross-site check lets through only JSON types and this app's own origin).
   */
  #registerBodyParsers(): void {
    const json = this.app.getDefaultJsonParser('error', 'error');
    this.app.addContentTypeParser(
      ['text/plain', 'message/rfc822', '*'],
      { parseAs: 'buffer' },
      (req, body, done) => {
        const bytes = body as Buffer;
        const start = bytes.findIndex((b) => b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d);
        if (start < 0) return done(null, undefined); // no body at all
        const looksJson = bytes[start] === 0x7b || bytes[start] === 0x5b; // { or [
        if (!looksJson || !fromProgram(req.raw)) return done(null, bytes);
        void json(req, bytes.toString('utf8'), done);
      },
    );
  }

  /** Mercure discovery: every API response says where the hub is. */
  #registerDiscovery(): void {
    this.app.addHook('onSend', async (req, reply, payload) => {
      if (req.url.startsWith('/api/')) {
        reply.header('Link', mercureLinkHeader(this.#options.publicUrl()));
        reply.header('Cache-Control', 'no-store');
      }
      return payload;
    });
  }

  #registerUi(): void {
    const { uiDir, hub } = this.#options;
    const hasUi = !!uiDir && existsSync(join(uiDir, 'index.html'));
    const sendIndex = async (
      req: import('fastify').FastifyRequest,
      reply: import('fastify').FastifyReply,
    ) => {
      if (!hasUi) {
        return reply
          .code(503)
          .type('text/plain; charset=utf-8')
          .send(
            'The UI is not built. Run `npm run build` in the Mailbeacon folder; the API at /api/v1 works meanwhile.\n',
          );
      }
      // The UI's live updates need a subscriber JWT; it travels as an HttpOnly cookie scoped to the hub.
      if (hub) reply.header('Set-Cookie', await hub.subscriberCookie(inboxPrefixOf(req.inboxName)));
      reply.header('Content-Security-Policy', UI_CSP);
      // For browsers that predate frame-ancestors.
      reply.header('X-Frame-Options', 'DENY');
      reply.header('Cache-Control', 'no-store');
      return reply.sendFile('index.html', uiDir!);
    };
    if (hasUi) {
      // Assets are looked up per request (wildcard), so a rebuilt UI is served without a restart.
      this.app.register(fastifyStatic, {
        root: join(uiDir!, 'assets'),
        prefix: '/assets/',
        index: false,
        wildcard: true,
      });
    }
    this.app.get('/', { config: { summary: 'The web UI' } }, sendIndex);
    // Client-side routes of the UI (/events, /relay, /settings, /message/…) all load the same page.
    this.app.get('/*', { config: { hide: true } }, async (req, reply) => {
      if (req.url.startsWith('/api/') || req.url.startsWith('/assets/')) {
        return reply
          .code(404)
          .type('application/json; charset=utf-8')
          .send(errorBody(`not found: ${req.method} ${req.url.split('?')[0]}`));
      }
      return sendIndex(req, reply);
    });
  }

  async listen(host: string, port: number): Promise<BoundAddress> {
    await this.app.ready();
    const bound = await listen(this.#server, host, port, 'http');
    this.#hosts.bind(bound.host, bound.port);
    return bound;
  }

  async close(): Promise<void> {
    // fastify only closes servers it started listening itself; this one is ours.
    const closed = new Promise<void>((resolve) =>
      this.#server.listening ? this.#server.close(() => resolve()) : resolve(),
    );
    this.#server.closeAllConnections();
    await this.app.close();
    await closed;
  }
}

/** The URL prefix of a request's inbox ('' on the unscoped routes). */
const inboxPrefixOf = (name: string | undefined): string =>
  name === undefined ? '' : `/inbox/${encodeURIComponent(name)}`;
