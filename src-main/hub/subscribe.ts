import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AuthorizationError } from './authorize.js';
import { ClientLimitError } from './client-limits.js';
import { EARLIEST } from './history.js';
import type { HubCore } from './core.js';
import { HubHttpError } from './http.js';
import { COMMENT, Subscriber } from './subscriber.js';
import { formatEvent } from './update.js';

/**
 * Topic selectors one subscription may carry (docs/HUB.md). Every update is matched against each of them, and a
 * new subscription announces itself once per selector to every subscriber: more is a mistake or an attempt to
 * make dispatch slow.
 */
export const MAX_TOPICS_PER_SUBSCRIPTION = 32;

/** Headers of every event stream: nothing may cache or buffer it (X-Accel-Buffering: no is for nginx). */
const STREAM_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'private, no-cache, no-store, must-revalidate, max-age=0',
  'X-Accel-Buffering': 'no',
};

function requestedLastEventId(req: IncomingMessage, query: URLSearchParams): string | undefined {
  // The header (sent by EventSource on reconnection) takes precedence over the query parameter.
  const header = req.headers['last-event-id'];
  if (typeof header === 'string' && header !== '') return header;
  return query.get('lastEventID') ?? query.get('Last-Event-ID') ?? undefined;
}

/** GET /.well-known/mercure: opens an event stream for the `topic` selectors of the query. */
export async function subscribe(
  hub: HubCore,
  req: IncomingMessage,
  res: ServerResponse,
  query: URLSearchParams,
): Promise<void> {
  const topics = query.getAll('topic');
  if (topics.length === 0) throw new HubHttpError(400, '[hub] missing "topic" parameter');
  if (topics.length > MAX_TOPICS_PER_SUBSCRIPTION) {
    throw new HubHttpError(
      400,
      `[hub] ${topics.length} "topic" selectors in one subscription; at most ${MAX_TOPICS_PER_SUBSCRIPTION} are accepted (use a URI template or "*" to cover more topics)`,
    );
  }
  const token = await hub.authorize(req, query, 'subscriber');
  if (!token && !hub.anonymous) {
    throw new AuthorizationError('[hub] a subscriber JWT is required (anonymous subscribers are off)', 401);
  }
  // The client may have gone while the token was being checked (or the templates compiled).
  if (req.destroyed || res.destroyed) return;
  await hub.matcher.prepare(topics, () => hub.budget.room(token?.raw, req.socket.remoteAddress ?? ''));
  if (req.destroyed || res.destroyed) return;
  let release: () => void;
  try {
    release = hub.budget.acquire(token?.raw, req.socket.remoteAddress ?? '', topics, (t) =>
      hub.matcher.cost(t),
    );
  } catch (err) {
    if (err instanceof ClientLimitError)
      throw new HubHttpError(429, `[hub] ${err.message}`, { 'Retry-After': '10' });
    throw err;
  }
  res.once('close', release);

  const lastEventId = requestedLastEventId(req, query);
  const cursor = lastEventId === undefined ? undefined : hub.history.after(lastEventId);
  const headers: Record<string, string> = { ...STREAM_HEADERS };
  if (lastEventId !== undefined) {
    headers['Last-Event-ID'] = cursor?.found && lastEventId !== EARLIEST ? lastEventId : EARLIEST;
  }
  // A long-lived stream: no idle timeout may cut it (heartbeats keep intermediaries awake instead).
  req.socket.setTimeout(0);
  req.socket.setNoDelay(true);
  // The stream ends only with its connection, so it needs no chunked framing: without it every update is
  // one write to the socket instead of four (size line, data, CRLF), which is most of the cost of a
  // broadcast to thousands of subscribers. Node then marks the response `Connection: close`.
  res.useChunkedEncodingByDefault = false;
  res.writeHead(200, headers);

  const nowMs = hub.clock.now();
  const subscriber = new Subscriber({
    id: `urn:uuid:${randomUUID()}`,
    res,
    topics,
    allowed: token?.mercure.subscribe ?? [],
    scope: hub.scopeOf(req),
    payload: token?.mercure.payload,
    ...(token?.exp !== undefined ? { expiresAtMs: token.exp * 1000 } : {}),
    nowMs,
    queueLimit: hub.queueLimit,
    logger: hub.logger,
    onClose: (s) => hub.unregister(s),
  });
  // Sent at once so that EventSource fires `open` without waiting for the first update.
  res.write(COMMENT);
  // The replay writes its first batch before its first wait, and registering is synchronous too: no update
  // published from here on can fall between the history and the live stream (those wait in the subscriber).
  // Rights are checked again for every replayed update, exactly as for live ones.
  const replayed = cursor?.found
    ? subscriber.replay(cursor, (u) => (hub.canReceive(subscriber, u) ? formatEvent(u) : undefined))
    : undefined;
  hub.register(subscriber);
  await replayed;
}
