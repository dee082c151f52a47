import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { TokenKind } from '../model/tracking.js';
import type { Clock, Logger } from '../logger.js';
import { listen } from '../net/listen.js';
import { AddressSet, clientAddress } from '../net/addresses.js';
import { HostPolicy, refuseHost, type HostRules } from '../net/host-check.js';
import {
  TRACKING_HTTP_LIMITS,
  applyHttpLimits,
  httpServerOptions,
  type HttpLimits,
} from '../net/http-limits.js';
import type { Hit, HitSink } from './hits.js';
import { PAGE_CSP, badLinkPage, confirmPage, unsubscribedPage } from './pages.js';
import { PIXEL_PNG } from './pixel.js';
import {
  IMITATE_AGE_HEADER,
  IMITATE_IP_HEADER,
  SANDBOX_PARAM,
  SandboxMarker,
  type OwnSource,
} from './sandbox-mark.js';
import { TokenError, type DecodedToken, type TokenCodec } from './token.js';

/** A one-click body is `List-Unsubscribe=One-Click`; anything beyond this is not a form we need to read. */
const MAX_POST_BODY = 64 * 1024;
/** Stored user agents are for display; a megabyte of header is not. */
const MAX_UA_LENGTH = 512;
/**
 * The hits of one turn of the event loop go to the sink together, and are answered once it has stored them: a
 * response means the event is stored, at one commit per batch instead of one per hit. A batch never grows past
 * this, so one transaction stays short.
 */
const MAX_BATCH = 512;

/** How a stored hit is answered: plain data rather than a closure per hit, since this runs for every pixel. */
type Reply = 'pixel' | 'pixel-head' | 'redirect' | 'unsubscribed';

interface PendingHit {
  res: ServerResponse;
  reply: Reply;
  /** The redirect's Location, or the recipient named on the unsubscribed page. */
  detail: string;
}

export interface TrackingServerOptions {
  codec: TokenCodec;
  /** Stores the hits (see HitRecorder), on this thread or the one that owns the database. */
  sink: HitSink;
  logger: Logger;
  clock: Clock;
  /** Hosts plain-mode click tokens may redirect to (plain tokens are forgeable: anything else is an open redirect). */
  allowHosts: string[];
  /** The key of the marks on Mailbeacon's own hits (see SandboxMarker); without it every hit is a recipient's. */
  sandboxKey?: Uint8Array;
  /** Peers whose `Forwarded` / `X-Forwarded-For` are believed (`--trusted-proxies`). */
  trustedProxies?: string[];
  /** Which Host names are answered (any, for a public --tracking-url); loopback names only when absent. */
  hostRules?: HostRules;
  /** Timeouts and the connection cap (TRACKING_HTTP_LIMITS unless given); tests shorten them. */
  limits?: Partial<HttpLimits>;
}

/**
 * Headers as flat name/value arrays, built once: Node takes them as they are instead of walking an object per hit.
 * Every fetch of the pixel must reach us (each is an open), hence no caching; Cache-Control says so to every
 * HTTP/1.1 cache, which is all of them (Pragma has no meaning in a response, and max-age overrides Expires).
 */
const PIXEL_HEADERS = [
  'Content-Type',
  'image/png',
  'Content-Length',
  String(PIXEL_PNG.length),
  'Cache-Control',
  'no-store, no-cache, must-revalidate, max-age=0',
];
/** The PNG as a latin1 string: Node then sends head and body as one string instead of two buffers. */
const PIXEL_BODY = PIXEL_PNG.toString('latin1');

/**
 * The public endpoints in tracking links, on their own listener: GET /o (pixel), GET|HEAD /c (redirect),
 * GET /u (confirmation page), POST /u (RFC 8058 one-click). Every accepted hit goes to the sink, which stores it as
 * an event, and is answered once stored; no input, however broken, is answered with a 5xx. It needs nothing but its
 * codec and its sink, so it can run on a thread of its own (see TrackingThread).
 */
export class TrackingServer {
  private readonly server: Server;
  private readonly log: Logger;
  private readonly allowHosts: Set<string>;
  private readonly marker?: SandboxMarker;
  private readonly trusted?: AddressSet;
  private readonly hosts: HostPolicy;
  /** Hits of this turn, not yet sent to the sink, and their answers at the same positions. */
  private pending: PendingHit[] = [];
  private pendingHits: Hit[] = [];
  private readonly sendPending = () => this.send();

  constructor(private readonly options: TrackingServerOptions) {
    this.log = options.logger;
    this.allowHosts = new Set(options.allowHosts.map((h) => h.toLowerCase()));
    if (options.sandboxKey) this.marker = new SandboxMarker(options.sandboxKey);
    if (options.trustedProxies?.length) this.trusted = new AddressSet(options.trustedProxies);
    this.hosts = new HostPolicy(options.hostRules ?? { allowedHosts: [], publicUrls: [] });
    // Slow or stuck clients must not hold sockets open (see net/http-limits.ts).
    const limits = { ...TRACKING_HTTP_LIMITS, ...options.limits };
    this.server = createServer(httpServerOptions(limits), (req, res) => this.handle(req, res));
    applyHttpLimits(this.server, limits);
    // Malformed HTTP never reaches the handler; answer it with a 400 instead of dropping the socket silently.
    this.server.on('clientError', (_err, socket) => {
      if (socket.writable)
        socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      else socket.destroy();
    });
  }

  async listen(host: string, port: number): Promise<{ host: string; port: number }> {
    const bound = await listen(this.server, host, port, 'tracking');
    this.hosts.bind(bound.host, bound.port);
    return bound;
  }

  /** Stops listening; the hits of this turn still go to the sink. */
  close(): Promise<void> {
    this.send();
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      // Mail clients keep connections alive; without this close() would wait for their idle timeout.
      this.server.closeAllConnections();
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (!this.hosts.allows(req.headers.host)) return refuseHost(res, req.headers.host);
    try {
      const target = req.url ?? '/';
      const q = target.indexOf('?');
      const path = q < 0 ? target : target.slice(0, q);
      const token = q < 0 ? '' : queryParam(target.slice(q + 1), 't');
      const method = req.method ?? 'GET';
      if (path === '/o' && (method === 'GET' || method === 'HEAD')) return this.open(req, res, token, method);
      if (path === '/c' && (method === 'GET' || method === 'HEAD'))
        return this.click(req, res, token, method);
      if (path === '/u' && (method === 'GET' || method === 'HEAD'))
        return this.unsubscribePage(res, token, method);
      if (path === '/u' && method === 'POST') return this.unsubscribe(req, res, token);
      if (['/o', '/c', '/u'].includes(path)) {
        res
          .writeHead(405, { Allow: path === '/u' ? 'GET, HEAD, POST' : 'GET, HEAD', 'Content-Length': '0' })
          .end();
        return;
      }
      text(res, 404, 'not found');
    } catch (err) {
      // Nothing a client sends should get here; if something does, the client still gets an answer.
      this.log.error(`request failed: ${(err as Error).message}`);
      if (!res.headersSent) text(res, 400, 'bad request');
      else res.destroy();
    }
  }

  private open(req: IncomingMessage, res: ServerResponse, token: string, method: string): void {
    // A broken image would show in the mail, so even a bad token gets the pixel; it just records nothing.
    const decoded = this.tryDecode(token, 'open');
    const reply = method === 'HEAD' ? 'pixel-head' : 'pixel';
    if (decoded) this.record(req, res, decoded, method, reply, '');
    else answer(res, reply, '');
  }

  private click(req: IncomingMessage, res: ServerResponse, token: string, method: string): void {
    const decoded = this.tryDecode(token, 'click');
    if (!decoded) return this.bad(res, 'The link is damaged or was not made by this Mailbeacon.');
    const destination = this.destination(decoded);
    if (!destination)
      return this.bad(res, 'The link does not lead to an address this server may redirect to.');
    this.record(req, res, decoded, method, 'redirect', destination);
  }

  private unsubscribePage(res: ServerResponse, token: string, method: string): void {
    const decoded = this.tryDecode(token, 'unsub');
    if (!decoded) return this.bad(res, 'The unsubscribe link is damaged or was not made by this Mailbeacon.');
    html(
      res,
      200,
      confirmPage(`/u?t=${encodeURIComponent(token)}`, decoded.payload.metadata.recipient ?? ''),
      method,
    );
  }

  private unsubscribe(req: IncomingMessage, res: ServerResponse, token: string): void {
    // The body (List-Unsubscribe=One-Click, form-urlencoded or multipart) carries nothing we need: the token is in
    // the URL. It is read, bounded, so the connection stays usable, then answered without a redirect (RFC 8058).
    let size = 0;
    let answered = false;
    const answer = () => {
      if (answered) return;
      answered = true;
      try {
        this.confirmUnsubscribe(req, res, token);
      } catch (err) {
        // Outside the request handler's try: nothing here may take the process down.
        this.log.error(`unsubscribe failed: ${(err as Error).message}`);
        if (!res.headersSent) unsubscribeFailed(res);
      }
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_POST_BODY && !answered) {
        answered = true;
        res.setHeader('Connection', 'close');
        text(res, 413, 'request body too large');
        req.resume();
      }
    });
    req.on('end', answer);
    req.on('error', () => res.destroy());
  }

  private confirmUnsubscribe(req: IncomingMessage, res: ServerResponse, token: string): void {
    const decoded = this.tryDecode(token, 'unsub');
    if (!decoded) return this.bad(res, 'The unsubscribe link is damaged or was not made by this Mailbeacon.');
    // Idempotent: the sink stores a second POST for the same link as nothing new, and the answer is the same.
    this.record(req, res, decoded, 'POST', 'unsubscribed', decoded.payload.metadata.recipient ?? '');
  }

  private tryDecode(token: string, kind: TokenKind): DecodedToken | undefined {
    try {
      return this.options.codec.decode(token, kind);
    } catch (err) {
      if (!(err instanceof TokenError)) this.log.warn(`unexpected token failure: ${(err as Error).message}`);
      return undefined;
    }
  }

  /** The token's URL if it is http(s), and, for a forgeable plain token, on the allowlist. */
  private destination(decoded: DecodedToken): string | undefined {
    let url: URL;
    try {
      url = new URL(decoded.payload.url ?? '');
    } catch {
      return undefined;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    if (decoded.mode === 'plain' && !this.allowHosts.has(url.hostname.toLowerCase())) return undefined;
    return url.href;
  }

  /** Queues the hit for this turn's batch; it is answered once stored (or once storing failed). */
  private record(
    req: IncomingMessage,
    res: ServerResponse,
    decoded: DecodedToken,
    method: string,
    reply: Reply,
    detail: string,
  ): void {
    this.pending.push({ res, reply, detail });
    const ip = clientAddress(
      req.socket.remoteAddress ?? '',
      { forwarded: req.headers.forwarded, xForwardedFor: req.headers['x-forwarded-for'] },
      this.trusted,
    ).slice(0, 64);
    const hit: Hit = {
      payload: decoded.payload,
      method,
      ua: String(req.headers['user-agent'] ?? '').slice(0, MAX_UA_LENGTH),
      remoteIp: ip,
      ts: this.options.clock.nowNs(),
      source: 'recipient',
    };
    const own = this.ownSource(req);
    if (own) {
      hit.source = own;
      // Only a simulation imitates a client; the preview is the user's own browser, as it is.
      if (own === 'simulated') this.imitate(req, hit);
    }
    this.pendingHits.push(hit);
    if (this.pending.length === 1) setImmediate(this.sendPending);
    else if (this.pending.length >= MAX_BATCH) this.send();
  }

  /** Who made the hit when the request carries a valid mark for its token: the preview or a simulation. */
  private ownSource(req: IncomingMessage): OwnSource | undefined {
    if (!this.marker) return undefined;
    const target = req.url ?? '';
    const q = target.indexOf('?');
    if (q < 0) return undefined;
    const mark = queryParam(target.slice(q + 1), SANDBOX_PARAM);
    return mark === '' ? undefined : this.marker.verify(queryParam(target.slice(q + 1), 't'), mark);
  }

  /** A simulated hit: the address and delivery age the simulation imitates, so it is classified as that client. */
  private imitate(req: IncomingMessage, hit: Hit): void {
    const ip = req.headers[IMITATE_IP_HEADER];
    if (typeof ip === 'string' && isIP(ip.trim())) hit.remoteIp = ip.trim();
    const age = Number(req.headers[IMITATE_AGE_HEADER]);
    if (req.headers[IMITATE_AGE_HEADER] !== undefined && Number.isFinite(age) && age >= 0)
      hit.ageMs = Math.round(age * 1000);
  }

  /** Hands this turn's hits to the sink, to be answered once they are stored. */
  private send(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    const hits = this.pendingHits;
    this.pending = [];
    this.pendingHits = [];
    // The reader's pixel or link must still work when the store cannot take the events (the sink reports why); an
    // unsubscribe must not say it is done when it was not stored.
    this.options.sink.store(hits, (err) => {
      for (const hit of batch) {
        try {
          if (err && hit.reply === 'unsubscribed') unsubscribeFailed(hit.res);
          else answer(hit.res, hit.reply, hit.detail);
        } catch {
          // the client went away; nothing to tell it
        }
      }
    });
  }

  private bad(res: ServerResponse, reason: string): void {
    html(res, 400, badLinkPage(reason), 'GET');
  }
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(body.length),
  });
  res.end(body);
}

function unsubscribeFailed(res: ServerResponse): void {
  text(res, 503, 'the unsubscribe could not be stored; please try again');
}

function answer(res: ServerResponse, reply: Reply, detail: string): void {
  switch (reply) {
    case 'pixel':
      res.writeHead(200, PIXEL_HEADERS);
      res.end(PIXEL_BODY, 'latin1');
      return;
    case 'pixel-head':
      res.writeHead(200, PIXEL_HEADERS);
      res.end();
      return;
    case 'redirect':
      res.writeHead(302, ['Location', detail, 'Cache-Control', 'no-store', 'Referrer-Policy', 'no-referrer']);
      res.end();
      return;
    case 'unsubscribed':
      html(res, 200, unsubscribedPage(detail), 'POST');
      return;
  }
}

function html(res: ServerResponse, status: number, body: string, method: string): void {
  const bytes = Buffer.from(body, 'utf8');
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': String(bytes.length),
    'Cache-Control': 'no-store',
    'Content-Security-Policy': PAGE_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  });
  res.end(method === 'HEAD' ? undefined : bytes);
}

/**
 * A query parameter (`t`, the token), percent-decoded but with `+` kept: a token in standard base64 (which decoders
 * accept) carries `+`, and form decoding would turn it into a space.
 */
function queryParam(query: string, name: string): string {
  const key = `${name}=`;
  let start = 0;
  while (start < query.length) {
    let end = query.indexOf('&', start);
    if (end < 0) end = query.length;
    if (query.startsWith(key, start)) {
      const value = query.slice(start + key.length, end);
      // Tokens are base64url: most carry no escape at all, and decoding them would only copy them.
      if (!value.includes('%')) return value;
      try {
        return decodeURIComponent(value);
      } catch {
        return value; // broken percent-encoding: the codec will call it malformed
      }
    }
    start = end + 1;
  }
  return '';
}
