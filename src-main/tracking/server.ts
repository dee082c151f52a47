import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TokenKind, TrackingEvent } from '../api/types.js';
import type { EventBus } from '../events/bus.js';
import type { Clock, Logger } from '../logger.js';
import type { EventStore, NewTrackingEvent } from '../store/events.js';
import type { QueuedWrite } from '../store/commit-queue.js';
import { classifyHit, mayBeNearDelivery } from './classify.js';
import { PAGE_CSP, badLinkPage, confirmPage, unsubscribedPage } from './pages.js';
import { PIXEL_PNG } from './pixel.js';
import { TokenError, isExpired, type DecodedToken, type TokenCodec } from './token.js';

/** A one-click body is `List-Unsubscribe=One-Click`; anything beyond this is not a form we need to read. */
const MAX_POST_BODY = 64 * 1024;
/** Slow or stuck clients must not hold sockets open; mail clients fetch a pixel in well under this. */
const REQUEST_TIMEOUT_MS = 15_000;
const HEADERS_TIMEOUT_MS = 10_000;
/** Stored user agents are for display; a megabyte of header is not. */
const MAX_UA_LENGTH = 512;
/**
 * Hits arriving in the same turn of the event loop, or the next, are stored in one transaction, and answered once
 * it has committed: a response means the event is stored, at one WAL commit per batch instead of one per hit.
 * A batch never grows past this, so one transaction stays short.
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
  events: EventStore;
  bus: EventBus;
  logger: Logger;
  clock: Clock;
  /** Hosts plain-mode click tokens may redirect to (plain tokens are forgeable: anything else is an open redirect). */
  allowHosts: string[];
  /** When the mail was caught (ms), for the "click within 2 s of delivery" scanner rule. */
  deliveredAt: (messageId: string) => number | undefined;
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

/** Hits written in one commit: their answers, their events, and the events as stored. */
interface HitBatch {
  batch: PendingHit[];
  events: NewTrackingEvent[];
  stored: TrackingEvent[];
}

/**
 * The public endpoints in tracking links, on their own listener: GET /o (pixel), GET|HEAD /c (redirect),
 * GET /u (confirmation page), POST /u (RFC 8058 one-click). Every accepted hit is stored as an event and
 * emitted on the bus; no input, however broken, is answered with a 5xx.
 */
export class TrackingServer {
  private readonly server: Server;
  private readonly log: Logger;
  private readonly allowHosts: Set<string>;
  /** Hits waiting for the next commit, and their events at the same positions. */
  private pending: PendingHit[] = [];
  private pendingEvents: NewTrackingEvent[] = [];
  /** The hits of the shared commit being written: answered once it is done. */
  private readonly write: QueuedWrite = {
    write: () => this.writeHits(),
    done: (err) => this.answerHits(err),
  };
  private writing: HitBatch | null = null;

  constructor(private readonly options: TrackingServerOptions) {
    this.log = options.logger;
    this.allowHosts = new Set(options.allowHosts.map((h) => h.toLowerCase()));
    this.server = createServer(
      { requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: HEADERS_TIMEOUT_MS },
      (req, res) => this.handle(req, res),
    );
    // Malformed HTTP never reaches the handler; answer it with a 400 instead of dropping the socket silently.
    this.server.on('clientError', (_err, socket) => {
      if (socket.writable)
        socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      else socket.destroy();
    });
  }

  listen(host: string, port: number): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) =>
        reject(new Error(`[tracking] cannot listen on ${host}:${port}: ${err.message}`));
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        const address = this.server.address() as AddressInfo;
        resolve({ host: address.address, port: address.port });
      });
    });
  }

  close(): Promise<void> {
    this.options.events.commits.flush();
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      // Mail clients keep connections alive; without this close() would wait for their idle timeout.
      this.server.closeAllConnections();
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    try {
      const target = req.url ?? '/';
      const q = target.indexOf('?');
      const path = q < 0 ? target : target.slice(0, q);
      const token = q < 0 ? '' : tokenParam(target.slice(q + 1));
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
      this.text(res, 404, 'not found');
    } catch (err) {
      // Nothing a client sends should get here; if something does, the client still gets an answer.
      this.log.error(`request failed: ${(err as Error).message}`);
      if (!res.headersSent) this.text(res, 400, 'bad request');
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
        // Outside the request handler's try: a failing store must not take the process down.
        this.log.error(`unsubscribe failed: ${(err as Error).message}`);
        if (!res.headersSent) this.text(res, 503, 'the unsubscribe could not be stored; please try again');
      }
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_POST_BODY && !answered) {
        answered = true;
        res.setHeader('Connection', 'close');
        this.text(res, 413, 'request body too large');
        req.resume();
      }
    });
    req.on('end', answer);
    req.on('error', () => res.destroy());
  }

  private confirmUnsubscribe(req: IncomingMessage, res: ServerResponse, token: string): void {
    const decoded = this.tryDecode(token, 'unsub');
    if (!decoded) return this.bad(res, 'The unsubscribe link is damaged or was not made by this Mailbeacon.');
    const recipient = decoded.payload.metadata.recipient ?? '';
    // Idempotent: a second POST for the same link records nothing new.
    const id = decoded.payload.id;
    const known = this.options.events.hasUnsubscribe(id) || this.pendingEvents.some((e) => e.token_id === id);
    if (known) answer(res, 'unsubscribed', recipient);
    else this.record(req, res, decoded, 'POST', 'unsubscribed', recipient);
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

  /** Queues the hit for the next batch; it is answered once stored (or once storing failed). */
  private record(
    req: IncomingMessage,
    res: ServerResponse,
    decoded: DecodedToken,
    method: string,
    reply: Reply,
    detail: string,
  ): void {
    const { payload } = decoded;
    const { clock } = this.options;
    const messageId = payload.metadata.message_id ?? '';
    const ua = String(req.headers['user-agent'] ?? '').slice(0, MAX_UA_LENGTH);
    const nowMs = clock.now();
    const event: NewTrackingEvent = {
      kind: payload.kind,
      url: payload.url ?? '',
      metadata: payload.metadata,
      remote_ip: remoteIp(req),
      ua,
      ts: clock.nowNs(),
      token_id: payload.id,
      message_id: messageId,
      classification: classifyHit({
        kind: payload.kind,
        method,
        ua,
        expired: isExpired(payload, nowMs),
        // Only a click's timing says anything (an open right after delivery is often a person), and only if its
        // token is recent: the delivery time is a look-up in the store, which most hits can skip.
        deliveredAtMs:
          payload.kind === 'click' && mayBeNearDelivery(payload.ts, nowMs)
            ? this.deliveredAt(messageId)
            : undefined,
        nowMs,
      }),
      method,
    };
    this.pending.push({ res, reply, detail });
    this.pendingEvents.push(event);
    if (this.pending.length === 1) this.options.events.commits.enqueue(this.write);
    if (this.pending.length >= MAX_BATCH) this.options.events.commits.flush();
  }

  /** When the mail was caught; unknown (not a failure) if the lookup fails, since the hit must still be answered. */
  private deliveredAt(messageId: string): number | undefined {
    if (!messageId) return undefined;
    try {
      return this.options.deliveredAt(messageId);
    } catch {
      return undefined;
    }
  }

  /** The hits pending now, taken out of the pending lists. */
  private takePending(): HitBatch {
    const taken = { batch: this.pending, events: this.pendingEvents, stored: [] };
    this.pending = [];
    this.pendingEvents = [];
    return taken;
  }

  /** Inside the shared transaction: stores the hits pending now. */
  private writeHits(): void {
    this.writing = this.takePending();
    this.writing.stored = this.options.events.recordMany(this.writing.events);
  }

  /** After the shared transaction: answers the hits (those never written too), and tells the bus of those stored. */
  private answerHits(err: Error | undefined): void {
    const { batch, stored } = this.writing ?? this.takePending();
    this.writing = null;
    if (err) {
      // The reader's pixel or link must still work when the store cannot take the events.
      this.log.error(`could not record ${batch.length} tracking event(s): ${err.message}`);
    }
    for (const hit of batch) {
      try {
        answer(hit.res, hit.reply, hit.detail);
      } catch {
        // the client went away; nothing to tell it
      }
    }
    for (const event of err ? [] : stored) {
      try {
        this.options.bus.emit('tracking.event', event);
      } catch (err) {
        this.log.error(`a tracking.event listener failed: ${(err as Error).message}`);
      }
    }
  }

  private bad(res: ServerResponse, reason: string): void {
    html(res, 400, badLinkPage(reason), 'GET');
  }

  private text(res: ServerResponse, status: number, body: string): void {
    res.writeHead(status, {
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': String(body.length),
    });
    res.end(body);
  }
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
 * The `t` query parameter, percent-decoded but with `+` kept: a token in standard base64 (which decoders accept)
 * carries `+`, and form decoding would turn it into a space.
 */
function tokenParam(query: string): string {
  let start = 0;
  while (start < query.length) {
    let end = query.indexOf('&', start);
    if (end < 0) end = query.length;
    if (query.startsWith('t=', start)) {
      const value = query.slice(start + 2, end);
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

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * The client's address. Behind a local tunnel (`--tracking-url`) every request comes from loopback, so only then
 * is the first X-Forwarded-For entry believed; from anywhere else the header could be forged.
 */
function remoteIp(req: IncomingMessage): string {
  const peer = req.socket.remoteAddress ?? '';
  const forwarded = req.headers['x-forwarded-for'];
  if (LOOPBACK.has(peer) && typeof forwarded === 'string' && forwarded.trim()) {
    return forwarded.split(',')[0]!.trim().slice(0, 64);
  }
  return peer.startsWith('::ffff:') ? peer.slice(7) : peer;
}
