import type { InboxScope } from '../model/inbox.js';
import { inboxAllows, inboxOfTopics } from './inbox-topics.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { systemClock, type Clock, type Logger } from '../logger.js';
import { AUTH_COOKIE, AUTH_COOKIE_PATH, AuthorizationError, authorizeRequest } from './authorize.js';
import { ClientBudget, type ClientLimits } from './client-limits.js';
import { HUB_PATH, SUBSCRIPTIONS_PATH, isHubPath } from './discovery.js';
import type { HubHistoryRows } from '../model/hub-update.js';
import { EARLIEST, MemoryHistory, StoredHistory, type UpdateHistory } from './history.js';
import { HubHttpError, sendJsonLd, sendText } from './http.js';
import type { HubCore } from './core.js';
import { mintToken, type VerifiedToken } from './jwt.js';
import { publish } from './publish.js';
import { subscribe } from './subscribe.js';
import { COMMENT, type Subscriber } from './subscriber.js';
import {
  answerSubscriptionsQuery,
  parseSubscriptionsPath,
  subscriptionDocument,
  subscriptionTopic,
} from './subscriptions.js';
import { TopicSelectorMatcher } from './topic-selector.js';
import { UpdateError, createUpdate, formatEvent, type Update, type UpdateInput } from './update.js';

/**
 * Default bytes a subscriber may leave unread before it is dropped. Far more than a burst of app updates
 * (a message summary is about 1 KB), small enough that thousands of stuck clients cannot exhaust memory.
 */
export const DEFAULT_QUEUE_LIMIT = 1024 * 1024;

/** Lifetime of the UI's cookie JWT: a working day and then some; the page gets a fresh one on every load. */
const COOKIE_TTL_SECONDS = 24 * 60 * 60;

const CORS_HEADERS = 'Authorization, Cache-Control, Content-Type, Last-Event-ID';

export interface HubOptions {
  /** The store's `hub_history` table (store/hub-history.ts); without it the history lives in memory. */
  storedHistory?: HubHistoryRows;
  publisherKey: string;
  subscriberKey: string;
  /** Subscribers without a JWT may receive public updates. */
  anonymous: boolean;
  /** Origins whose pages may subscribe (CORS with credentials) and use the cookie; '*' for any. */
  corsOrigins: string[];
  heartbeatMs: number;
  /** Updates the in-memory history keeps (the stored one is bounded by the store). */
  historySize: number;
  queueLimit?: number;
  /** Streams and URI templates a client may hold open (client-limits.ts); tests lower them. */
  clientLimits?: Partial<ClientLimits>;
  logger: Logger;
  clock?: Clock;
  /** The HTTP listener's public base, e.g. http://127.0.0.1:8025; a function because the port is known late. */
  publicUrl: () => string;
}

/**
 * The Mercure hub (draft-07 wire format) at /.well-known/mercure: event streams for subscribers, a publish
 * endpoint, JWT authorization, Last-Event-ID replay from a bounded history and the active subscriptions API.
 * The HTTP listener hands it every request under its path; in-process publishers call `publish()`.
 */
export class Hub implements HubCore {
  readonly anonymous: boolean;
  readonly history: UpdateHistory;
  readonly matcher = new TopicSelectorMatcher();
  readonly queueLimit: number;
  readonly budget: ClientBudget;
  readonly logger: Logger;
  readonly clock: Clock;
  private readonly options: HubOptions;
  private readonly subscribers = new Set<Subscriber>();
  /** The inbox scope of each hub request, handed in by the HTTP listener with the request. */
  private readonly scopes = new WeakMap<IncomingMessage, InboxScope>();
  private readonly heartbeat: NodeJS.Timeout | undefined;
  private lastDispatchedId = EARLIEST;
  private closed = false;
  /** Subscription events waiting to be published, oldest first. */
  private readonly announcements: UpdateInput[] = [];
  private announcing = false;

  constructor(options: HubOptions) {
    this.options = options;
    this.anonymous = options.anonymous;
    this.queueLimit = options.queueLimit ?? DEFAULT_QUEUE_LIMIT;
    this.budget = new ClientBudget(options.clientLimits);
    this.logger = options.logger;
    this.clock = options.clock ?? systemClock;
    this.history = options.storedHistory
      ? new StoredHistory(options.storedHistory)
      : new MemoryHistory(options.historySize);
    if (options.heartbeatMs > 0) {
      // One timer for all streams rather than one per subscriber.
      this.heartbeat = setInterval(() => {
        for (const s of this.subscribers) s.send(COMMENT);
      }, options.heartbeatMs);
      this.heartbeat.unref();
    }
  }

  /** Number of open event streams. */
  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Answers every request whose path is /.well-known/mercure or below it. */
  handle(req: IncomingMessage, res: ServerResponse, scope?: InboxScope): void {
    if (scope) this.scopes.set(req, scope);
    this.route(req, res).catch((err: unknown) => this.fail(req, res, err));
  }

  /** Publishes from inside the process (no JWT needed); returns the update's id. */
  publish(input: UpdateInput): string {
    return this.dispatch(input).id;
  }

  mintSubscriberToken(selectors: string[], ttlSeconds?: number): Promise<string> {
    return mintToken(this.options.subscriberKey, { subscribe: selectors }, ttlSeconds);
  }

  mintPublisherToken(selectors: string[], ttlSeconds?: number): Promise<string> {
    return mintToken(this.options.publisherKey, { publish: selectors }, ttlSeconds);
  }

  /** A Set-Cookie value giving a browser page a subscriber JWT for every topic, readable by no script. */
  async subscriberCookie(prefix = ''): Promise<string> {
    const jwt = await this.mintSubscriberToken(['*'], COOKIE_TTL_SECONDS);
    return `${AUTH_COOKIE}=${jwt}; HttpOnly; SameSite=Strict; Path=${prefix}${AUTH_COOKIE_PATH}`;
  }

  /** Ends every event stream; later requests get 503. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.heartbeat);
    for (const s of [...this.subscribers]) s.end();
    this.subscribers.clear();
    this.history.flush?.();
  }

  // ---- HubCore ----

  async authorize(
    req: IncomingMessage,
    query: URLSearchParams,
    role: 'publisher' | 'subscriber',
  ): Promise<VerifiedToken | undefined> {
    return authorizeRequest(req, query, {
      key: role === 'publisher' ? this.options.publisherKey : this.options.subscriberKey,
      nowMs: this.clock.now(),
      allowedOrigins: this.options.corsOrigins,
      publicUrl: this.options.publicUrl(),
    });
  }

  scopeOf(req: IncomingMessage): InboxScope | undefined {
    return this.scopes.get(req);
  }

  canReceive(subscriber: Subscriber, update: Update): boolean {
    if (!inboxAllows(subscriber.scope, subscriber.allowed, inboxOfTopics(update.topics))) return false;
    if (update.private && !this.matcher.matchesAny(update.topics, subscriber.allowed)) return false;
    return this.matcher.matchesAny(update.topics, subscriber.topics);
  }

  dispatch(input: UpdateInput): Update {
    if (this.closed) throw new UpdateError('[hub] the hub is closed', 503);
    const update = createUpdate(input);
    // An id the hub made up (a fresh UUID) cannot be a duplicate: only a publisher's own ids are looked up.
    this.history.append(update, input.id === undefined);
    this.lastDispatchedId = update.id;
    if (this.subscribers.size === 0) return update;
    // Encoded once: written as is to every socket instead of being re-encoded from a string per subscriber.
    const frame = Buffer.from(formatEvent(update));
    // Many subscribers share selectors (every UI tab asks for the same ones): decide each selector once per update.
    const memo = new Map<string, boolean>();
    const matches = (selectors: string[]) => {
      for (const selector of selectors) {
        let hit = memo.get(selector);
        if (hit === undefined) {
          hit = this.matcher.matchesAny(update.topics, [selector]);
          memo.set(selector, hit);
        }
        if (hit) return true;
      }
      return false;
    };
    const inbox = inboxOfTopics(update.topics);
    for (const s of this.subscribers) {
      // Rights first: they come from signed tokens, while topic selectors are whatever the subscriber sent.
      if (!inboxAllows(s.scope, s.allowed, inbox)) continue;
      if ((!update.private || matches(s.allowed)) && matches(s.topics)) s.send(frame);
    }
    return update;
  }

  register(subscriber: Subscriber): void {
    if (!subscriber.isOpen) return;
    // The hub may have closed while this subscriber's token was being checked.
    if (this.closed) return subscriber.end();
    this.subscribers.add(subscriber);
    this.announce(subscriber, true);
  }

  unregister(subscriber: Subscriber): void {
    if (!this.subscribers.delete(subscriber)) return;
    if (!this.closed) this.announce(subscriber, false);
  }

  // ---- internals ----

  /**
   * Subscription events: private updates, so only subscribers allowed to see subscriptions get them. A stream
   * announces one per selector, and matching each against every subscriber's templates is real work: they are
   * published one per turn of the event loop, in order, so other requests are served in between.
   */
  private announce(subscriber: Subscriber, active: boolean): void {
    for (const topic of subscriber.topics) {
      this.announcements.push({
        topics: [subscriptionTopic(topic, subscriber.id)],
        data: JSON.stringify(subscriptionDocument(topic, subscriber, active)),
        private: true,
      });
    }
    if (!this.announcing) {
      this.announcing = true;
      setImmediate(() => this.announceNext());
    }
  }

  private announceNext(): void {
    const next = this.announcements.shift();
    if (!next || this.closed) {
      this.announcements.length = 0;
      this.announcing = false;
      return;
    }
    // Runs from a timer: a failure (the store already closed at shutdown) must not escape as an uncaught
    // exception, and losing a subscription event is harmless.
    try {
      this.dispatch(next);
    } catch (err) {
      this.logger.warn(`subscription event ${next.topics[0]} not published: ${(err as Error).message}`);
    }
    setImmediate(() => this.announceNext());
  }

  private lastEventId(): string {
    const fromHistory = this.history.lastEventId();
    return fromHistory === EARLIEST ? this.lastDispatchedId : fromHistory;
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://hub.invalid');
    if (!isHubPath(url.pathname)) throw new HubHttpError(404, '[hub] not found');
    this.applyCors(req, res);
    if (req.method === 'OPTIONS') return this.preflight(req, res);
    if (this.closed) throw new HubHttpError(503, '[hub] shutting down');

    if (url.pathname === HUB_PATH) {
      if (req.method === 'GET') return subscribe(this, req, res, url.searchParams);
      if (req.method === 'POST') return publish(this, req, res, url.searchParams);
      throw new HubHttpError(405, '[hub] use GET to subscribe or POST to publish', {
        Allow: 'GET, POST, OPTIONS',
      });
    }
    if (url.pathname === SUBSCRIPTIONS_PATH || url.pathname.startsWith(`${SUBSCRIPTIONS_PATH}/`)) {
      if (req.method !== 'GET')
        throw new HubHttpError(405, '[hub] the subscriptions API is read-only', { Allow: 'GET, OPTIONS' });
      return this.subscriptions(req, res, url);
    }
    throw new HubHttpError(404, '[hub] not found');
  }

  private async subscriptions(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const query = parseSubscriptionsPath(url.pathname);
    if (!query) throw new HubHttpError(404, '[hub] not a subscriptions URL');
    const token = await this.authorize(req, url.searchParams, 'subscriber');
    if (!token)
      throw new AuthorizationError('[hub] a subscriber JWT is required for the subscriptions API', 401);
    if (!this.matcher.matchesAny([query.path], token.mercure.subscribe ?? [])) {
      throw new AuthorizationError(`[hub] the JWT does not allow reading ${query.path}`, 403);
    }
    const doc = answerSubscriptionsQuery(query, this.subscribers, this.lastEventId());
    if (!doc) throw new HubHttpError(404, '[hub] no such subscription');
    sendJsonLd(res, doc);
  }

  private allowedOrigin(req: IncomingMessage): string | undefined {
    const origin = req.headers.origin;
    if (typeof origin !== 'string' || origin === '') return undefined;
    const allowed = this.options.corsOrigins;
    return allowed.includes('*') || allowed.includes(origin) ? origin : undefined;
  }

  private applyCors(req: IncomingMessage, res: ServerResponse): void {
    const origin = this.allowedOrigin(req);
    res.setHeader('Vary', 'Origin');
    if (!origin) return;
    // The origin itself rather than '*': browsers refuse '*' on requests that carry cookies.
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Access-Control-Expose-Headers', 'Last-Event-ID');
  }

  private preflight(req: IncomingMessage, res: ServerResponse): void {
    if (this.allowedOrigin(req)) {
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', CORS_HEADERS);
      res.setHeader('Access-Control-Max-Age', '600');
    }
    res.writeHead(204);
    res.end();
  }

  private fail(req: IncomingMessage, res: ServerResponse, err: unknown): void {
    let status = 500;
    let headers: Record<string, string> = {};
    if (err instanceof HubHttpError) {
      status = err.status;
      headers = err.headers;
    } else if (err instanceof AuthorizationError || err instanceof UpdateError) {
      status = err.status;
    }
    if (status === 401) headers['WWW-Authenticate'] = 'Bearer realm="mercure"';
    const message = err instanceof Error ? err.message : String(err);
    const logged = message.replace(/^\[hub\] /, '');
    const where = `${req.method} ${(req.url ?? '').split('?')[0]}`;
    if (status >= 500)
      this.logger.error(`${where}: ${err instanceof Error ? (err.stack ?? message) : message}`);
    else this.logger.warn(`${where}: ${status} ${logged}`);
    sendText(res, status, status >= 500 && status !== 503 ? '[hub] internal error' : message, headers);
  }
}
