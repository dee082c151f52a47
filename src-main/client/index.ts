import { decodeHTML } from 'entities';
import type {
  EventUpdate,
  InboxMoveResult,
  InboxSettingsResponse,
  InboxSettingsWire,
  InboxSummary,
  MessageUpdate,
  TrackingSource,
  TrackingSummary,
} from '../wire/types.js';
import type {
  AppInformation,
  Classification,
  EventsResponse,
  Message,
  MessageHeaders,
  MessageSummary,
  MessagesSummary,
  MessageTracking,
  SimulationProfile,
  SimulationResult,
  TokenKind,
  TrackingEvent,
} from '../wire/schemas.js';
import { MailbeaconError, MailbeaconTimeoutError } from './errors.js';
import { readEventStream } from './live.js';

export { MailbeaconError, MailbeaconTimeoutError } from './errors.js';
export type * from '../wire/schemas.js';
export type { EventUpdate, InboxSummary, MessageUpdate, RelayEntry } from '../wire/types.js';

export interface ClientOptions {
  /** The UI + API listener, e.g. `http://127.0.0.1:8025` (the default). */
  url?: string;
  /** The `--ui-auth` credentials, when the sandbox asks for them. */
  auth?: { user: string; pass: string };
  /** Default timeout of the wait helpers, in ms (default 10 s). */
  timeout?: number;
}

/**
 * A change to an inbox's settings (`PUT /api/v1/inboxes/{name}/settings`): the fields given replace the current
 * ones, null puts one back to the server's flag, the others stay.
 */
export interface InboxSettingsChange {
  MaxMessages?: number | null;
  MaxAge?: string | null;
  Tracking?: boolean | null;
  Relay?: { [K in keyof InboxSettingsWire['Relay']]?: InboxSettingsWire['Relay'][K] | null } | null;
  Webhook?: Partial<InboxSettingsWire['Webhook']> | null;
  TagRules?: InboxSettingsWire['TagRules'] | null;
}

export interface Page {
  start?: number;
  limit?: number;
}

export interface WaitForMailOptions {
  /** A recipient address (or part of one), searched in To, Cc and Bcc. */
  to?: string;
  /** Words of the subject. */
  subject?: string;
  /** Any search in Mailpit's syntax, combined with `to` and `subject`. */
  query?: string;
  /** ms; default the client's (10 s). */
  timeout?: number;
}

export interface WaitForEventOptions {
  /** A message ID: only this mail's events. */
  message?: string;
  kind?: TokenKind;
  classification?: Classification;
  /** Only events after this time (an ISO time, a Date or unix ms): ignore hits recorded earlier. */
  since?: string | Date | number;
  /** ms; default the client's (10 s). */
  timeout?: number;
}

/** Which tracked link to click: by its visible text (substring), its original URL, or its 1-based index. */
export type LinkChoice = { text: string } | { url: string } | { index: number };

export interface ClickResult {
  /** The tracked URL that was requested. */
  trackedUrl: string;
  /** Where the tracking server redirected to (the link's original URL). */
  location: string;
  status: number;
}

export interface LiveOptions {
  /** Topic selectors (default `*`: every message and event update). */
  topics?: string[];
  /** Stop the stream with this signal (or break out of the `for await` loop). */
  signal?: AbortSignal;
}

/**
 * A subscription event of the hub (Mercure's subscriptions API): a subscriber to a topic came or went. Selectors that
 * match `/.well-known/mercure/subscriptions/…`, such as the default `*`, receive them.
 */
export interface SubscriptionUpdate {
  type: 'Subscription';
  id: string;
  topic: string;
  subscriber: string;
  active: boolean;
  payload?: unknown;
}

/** An update that is none of Mailbeacon's own (another publisher's, on a selected topic), as it came. */
export interface OtherUpdate {
  type: 'other';
  /** The update's id (`Last-Event-ID`). */
  id: string;
  /** Its SSE event type (`message` unless the publisher gave one). */
  event: string;
  data: string;
}

export type LiveUpdate = MessageUpdate | EventUpdate | SubscriptionUpdate | OtherUpdate;

/** The `type` of Mailbeacon's own updates (MessageUpdate, EventUpdate) and of the hub's subscription events. */
const KNOWN_UPDATES = new Set(['created', 'read', 'deleted', 'tags', 'relay', 'event', 'Subscription']);

/** One hub event as `live()` yields it: parsed when it is one of the known updates, else as it came. */
function toLiveUpdate(event: { id: string; type: string; data: string }): LiveUpdate {
  let parsed: unknown;
  try {
    parsed = JSON.parse(event.data);
  } catch {
    // Not JSON: another publisher's update.
  }
  const type = (parsed as { type?: unknown } | null)?.type;
  if (typeof type === 'string' && KNOWN_UPDATES.has(type)) return parsed as LiveUpdate;
  return { type: 'other', id: event.id, event: event.type, data: event.data };
}

export interface MessageEventsFilter extends Page {
  message: string;
  kind?: TokenKind;
}

export interface AllEventsFilter extends Page {
  kind?: TokenKind;
  classification?: Classification;
  source?: TrackingSource;
  since?: string;
}

/** `summary()`'s options: `simulated: false` counts real recipients only; `since` as for events. */
export interface SummaryOptions {
  simulated?: boolean;
  since?: string;
}

/** A desktop browser's user agent: a click through the client is classified like a person's click. */
const BROWSER_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';

/** The time since delivery a click through the client stands for, as the simulated `human-click`'s. */
const CLICK_AGE_S = 300;

/** How long one long poll of `/api/v1/wait` lasts before the helper looks again: bounds the start-up race. */
const WAIT_SLICE_MS = 2_000;
const DEFAULT_TIMEOUT_MS = 10_000;

const quoted = (value: string) => `"${value.replaceAll('"', ' ')}"`;

/**
 * A typed client for a running Mailbeacon (the `serve` CLI, the desktop app or `startSandbox()`): Mailpit-style
 * message routes, tracking, long-poll waits, simulated recipients and the hub's live updates.
 */
export class MailbeaconClient {
  readonly url: string;
  readonly #headers: Record<string, string>;
  readonly #timeout: number;

  constructor(options: ClientOptions | string = {}) {
    const o = typeof options === 'string' ? { url: options } : options;
    this.url = (o.url ?? 'http://127.0.0.1:8025').replace(/\/+$/, '');
    this.#headers = o.auth
      ? { Authorization: `Basic ${Buffer.from(`${o.auth.user}:${o.auth.pass}`).toString('base64')}` }
      : {};
    this.#timeout = o.timeout ?? DEFAULT_TIMEOUT_MS;
  }

  /**
   * A client of one inbox's API (`/inbox/NAME`) with these credentials: it lists, searches, waits on and changes
   * that inbox's mail only.
   */
  inbox(name: string): MailbeaconClient {
    const scoped = new MailbeaconClient({ url: `${this.url}/inbox/${enc(name)}`, timeout: this.#timeout });
    Object.assign(scoped.#headers, this.#headers);
    return scoped;
  }

  // ---- messages ----

  info(): Promise<AppInformation> {
    return this.#json('GET', '/api/v1/info');
  }

  /** Messages newest first. */
  list(page: Page = {}): Promise<MessagesSummary> {
    return this.#json('GET', `/api/v1/messages${query(page)}`);
  }

  /** Messages matching a search in Mailpit's syntax (`to:a@b subject:"x" is:unread tag:t is:clicked …`); all for a blank one. */
  search(search: string, page: Page = {}): Promise<MessagesSummary> {
    // The search route wants a query, as Mailpit's does.
    if (!search.trim()) return this.list(page);
    return this.#json('GET', `/api/v1/search${query({ query: search, ...page })}`);
  }

  /** One message (`latest` allowed); reading it leaves its read state alone (see `setRead`). */
  get(id: string): Promise<Message> {
    return this.#json('GET', `/api/v1/message/${enc(id)}`);
  }

  /** The source as received, or with tracking injected (`tracked`). */
  async raw(id: string, version: 'original' | 'tracked' = 'original'): Promise<string> {
    const res = await this.#request('GET', `/api/v1/message/${enc(id)}/raw?version=${version}`);
    return res.text();
  }

  headers(id: string): Promise<MessageHeaders> {
    return this.#json('GET', `/api/v1/message/${enc(id)}/headers`);
  }

  /** Deletes the given messages, the ones matching `{ search }`, or every message (`'all'`). */
  async delete(which: string[] | { search: string } | 'all'): Promise<void> {
    if (which === 'all') await this.#request('DELETE', '/api/v1/messages', {});
    else if (Array.isArray(which)) {
      if (which.length) await this.#request('DELETE', '/api/v1/messages', { IDs: which });
    } else await this.#request('DELETE', `/api/v1/search${query({ query: which.search })}`);
  }

  /** Marks messages read or unread (`'all'`: every message). */
  async setRead(ids: string[] | 'all', read: boolean): Promise<void> {
    if (Array.isArray(ids) && !ids.length) return;
    await this.#request('PUT', '/api/v1/messages', ids === 'all' ? { Read: read } : { IDs: ids, Read: read });
  }

  /** The inboxes this client sees, with their counts (`GET /api/v1/inboxes`). */
  async inboxes(): Promise<InboxSummary[]> {
    return (await this.#json<{ Inboxes: InboxSummary[] }>('GET', '/api/v1/inboxes')).Inboxes;
  }

  /** Creates an inbox; nothing when it exists already. */
  async createInbox(name: string): Promise<void> {
    try {
      await this.#request('POST', '/api/v1/inboxes', { Name: name });
    } catch (err) {
      if (!(err instanceof MailbeaconError && err.status === 409)) throw err;
    }
  }

  /** Renames an inbox with its mails, events and outbox entries (a closed inbox keeps its name: 409). */
  async renameInbox(name: string, to: string): Promise<void> {
    await this.#request('PUT', `/api/v1/inboxes/${encodeURIComponent(name)}`, { Name: to });
  }

  /** Deletes every mail of an inbox, with their events and outbox entries; the inbox stays. */
  async emptyInbox(name: string): Promise<void> {
    await this.#request('DELETE', `/api/v1/inboxes/${encodeURIComponent(name)}/messages`);
  }

  /** Deletes an inbox with its mails, events, outbox entries and settings. */
  async deleteInbox(name: string): Promise<void> {
    await this.#request('DELETE', `/api/v1/inboxes/${encodeURIComponent(name)}`);
  }

  /**
   * Moves mails into another inbox, which must exist, with their events and outbox entries; answers how many moved
   * (mails this client cannot see are left alone).
   */
  async moveMessages(ids: string[], toInbox: string): Promise<number> {
    const path = `/api/v1/inboxes/${encodeURIComponent(toInbox)}/messages`;
    return (await this.#json<InboxMoveResult>('POST', path, { IDs: ids })).Moved;
  }

  /** An inbox's settings (null: the flag's value) and the server's flags they fall back to. */
  inboxSettings(name: string): Promise<InboxSettingsResponse> {
    return this.#json('GET', `/api/v1/inboxes/${encodeURIComponent(name)}/settings`);
  }

  /** Changes the settings given, leaves the others; answers with the inbox's settings as they now are. */
  setInboxSettings(name: string, change: InboxSettingsChange): Promise<InboxSettingsResponse> {
    return this.#json('PUT', `/api/v1/inboxes/${encodeURIComponent(name)}/settings`, change);
  }

  /** Every tag in use. */
  tags(): Promise<string[]> {
    return this.#json('GET', '/api/v1/tags');
  }

  /** Replaces the tags of the given messages. */
  async setTags(ids: string[], tags: string[]): Promise<void> {
    await this.#request('PUT', '/api/v1/tags', { IDs: ids, Tags: tags });
  }

  /**
   * One of Mailpit's checks of a message (HTML compatibility, links, SpamAssassin), in Mailpit's JSON shape;
   * a MailbeaconError 404 when this server does not offer it.
   */
  check(id: string, kind: 'html-check' | 'link-check' | 'sa-check'): Promise<unknown> {
    return this.#json('GET', `/api/v1/message/${enc(id)}/${kind}`);
  }

  // ---- tracking ----

  /** The tracking manifest: pixel, rewritten and skipped links, unsubscribe URL, with hit counts. */
  tracking(id: string): Promise<MessageTracking> {
    return this.#json('GET', `/api/v1/message/${enc(id)}/tracking`);
  }

  /**
   * Tracking events newest first: of one message (by kind), or of all (by kind, classification and `since`, an ISO
   * time, unix ms or ns).
   */
  events(filter: MessageEventsFilter | AllEventsFilter = {}): Promise<EventsResponse> {
    if ('message' in filter) {
      const { message, kind, start, limit } = filter;
      return this.#json('GET', `/api/v1/message/${enc(message)}/events${query({ kind, start, limit })}`);
    }
    return this.#json('GET', `/api/v1/events${query(filter)}`);
  }

  /**
   * The rates as the Events page shows them: mails opened, clicked and unsubscribed by people (recipients and
   * simulated recipients, or with `simulated: false` real recipients only), their denominators, and the hits
   * counted beside them (docs/TRACKING.md).
   */
  summary(options: SummaryOptions = {}): Promise<TrackingSummary> {
    const simulated = options.simulated === false ? 'no' : undefined;
    return this.#json('GET', `/api/v1/tracking/summary${query({ simulated, since: options.since })}`);
  }

  /** Resolves with the newest mail matching `to`, `subject` and `query`, already caught or arriving in time. */
  async waitForMail(options: WaitForMailOptions = {}): Promise<MessageSummary> {
    const terms = [
      options.to ? `to:${quoted(options.to)}` : '',
      options.subject ? `subject:${quoted(options.subject)}` : '',
      options.query ?? '',
    ].filter(Boolean);
    const search = terms.join(' ');
    const timeout = options.timeout ?? this.#timeout;
    const found = await this.#poll(timeout, async (sliceMs) => {
      const page = await (search ? this.search(search, { limit: 1 }) : this.list({ limit: 1 }));
      if (page.messages[0]) return page.messages[0];
      const arrived = await this.#wait({ kind: 'message', query: search }, sliceMs);
      return arrived as MessageSummary | undefined;
    });
    if (!found)
      throw new MailbeaconTimeoutError(`a mail matching ${search ? `"${search}"` : 'anything'}`, timeout);
    return found;
  }

  /** Resolves with the first tracking event matching the filter, already recorded or arriving in time. */
  async waitForEvent(options: WaitForEventOptions = {}): Promise<TrackingEvent> {
    const { message, kind, classification } = options;
    const since = options.since === undefined ? undefined : sinceNs(options.since);
    const matches = (e: TrackingEvent) =>
      (!message || e.message_id === message) &&
      (!kind || e.kind === kind) &&
      (!classification || e.classification === classification) &&
      (since === undefined || BigInt(e.ts) > since);
    const timeout = options.timeout ?? this.#timeout;
    const found = await this.#poll(timeout, async (sliceMs) => {
      // The events route answers at most 1,000 rows, the newest: enough to find a test's hits.
      const recorded = await this.events(
        message
          ? { message, kind, limit: 1000 }
          : {
              kind,
              classification,
              since: since === undefined ? undefined : (since + 1n).toString(),
              limit: 1000,
            },
      );
      const hit = recorded.events.filter(matches).at(-1);
      if (hit) return hit;
      const arrived = (await this.#wait({ kind: kind ?? 'event', message }, sliceMs)) as
        TrackingEvent | undefined;
      return arrived && matches(arrived) ? arrived : undefined;
    });
    if (!found) {
      const filter = [
        kind && `kind ${kind}`,
        classification && `classification ${classification}`,
        message && `message ${message}`,
      ].filter(Boolean);
      throw new MailbeaconTimeoutError(
        `a tracking event${filter.length ? ` (${filter.join(', ')})` : ''}`,
        timeout,
      );
    }
    return found;
  }

  /** Plays a recipient profile against a message (its opens, clicks, unsubscribe), recorded as real hits. */
  simulate(
    id: string,
    profile: SimulationProfile,
    options: { link?: number; compress?: number } = {},
  ): Promise<SimulationResult> {
    return this.#json('POST', `/api/v1/message/${enc(id)}/simulate`, { profile, ...options });
  }

  /**
   * Clicks a tracked link the way a recipient's browser does: requests the tracked URL and stops at the redirect
   * (nothing outside is fetched), so the tracking server records the click, as a simulated recipient's: the URL
   * carries the mark the API hands out for it (`preview-urls?as=simulated`).
   */
  async click(id: string, choice: LinkChoice): Promise<ClickResult> {
    const manifest = await this.tracking(id);
    let link = manifest.links.find((l) =>
      'index' in choice ? l.index === choice.index : 'url' in choice ? l.originalUrl === choice.url : false,
    );
    if ('text' in choice) {
      const html = (await this.get(id)).TrackedHTML;
      const wanted = choice.text.trim().toLowerCase();
      for (const m of html.matchAll(/<a\b[^>]*?\bhref\s*=\s*(["'])(.*?)\1[^>]*>([\s\S]*?)<\/a\s*>/gi)) {
        const text = decodeHTML(m[3]!.replace(/<[^>]*>/g, ' '))
          .replace(/\s+/g, ' ')
          .trim()
          .toLowerCase();
        const href = decodeHTML(m[2]!);
        if (text.includes(wanted)) {
          link = manifest.links.find((l) => l.trackedUrl === href);
          if (link) break;
        }
      }
    }
    if (!link) {
      const known = manifest.links.map((l) => `${l.index}: ${l.originalUrl}`).join(', ') || 'none';
      throw new MailbeaconError(
        404,
        `no tracked link ${JSON.stringify(choice)} (links: ${known})`,
        'CLICK',
        id,
      );
    }
    const marked = await this.#json<{ urls: Record<string, string> }>(
      'GET',
      `/api/v1/message/${enc(id)}/preview-urls?as=simulated`,
    );
    const res = await fetch(marked.urls[link.trackedUrl] ?? link.trackedUrl, {
      redirect: 'manual',
      headers: {
        'User-Agent': BROWSER_UA,
        Accept: 'text/html,application/xhtml+xml',
        // A person's click, not a scanner's on arrival, even when the test clicks right after the mail came in.
        'X-Mailbeacon-Imitate-Age': String(CLICK_AGE_S),
      },
    });
    await res.body?.cancel();
    if (res.status >= 400) {
      throw new MailbeaconError(res.status, res.statusText, 'GET', link.trackedUrl);
    }
    return { trackedUrl: link.trackedUrl, location: res.headers.get('location') ?? '', status: res.status };
  }

  /** The RFC 8058 one-click unsubscribe: a POST to the mail's List-Unsubscribe URL, as a mailbox provider sends it. */
  async unsubscribe(id: string): Promise<{ url: string; status: number }> {
    const manifest = await this.tracking(id);
    let url = manifest.unsubscribe.headersAdded ? manifest.unsubscribe.url : '';
    if (!url) url = (await this.get(id)).ListUnsubscribe.Links.find((l) => /^https?:/i.test(l)) ?? '';
    if (!url)
      throw new MailbeaconError(404, 'the mail has no http(s) List-Unsubscribe URL', 'UNSUBSCRIBE', id);
    const res = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    const text = await res.text();
    if (res.status >= 400) throw new MailbeaconError(res.status, text.trim() || res.statusText, 'POST', url);
    return { url, status: res.status };
  }

  /** Relays a caught mail to real recipients through the configured upstream (`--relay`). */
  async release(id: string, to: string[]): Promise<void> {
    await this.#request('POST', `/api/v1/message/${enc(id)}/release`, { To: to });
  }

  /**
   * The hub's updates as they happen (mails caught, read, deleted, relayed; opens, clicks, unsubscribes), its
   * subscription events and other publishers' updates on the selected topics. Ends when the signal aborts or the
   * loop breaks.
   */
  async *live(options: LiveOptions = {}): AsyncGenerator<LiveUpdate> {
    const topics = options.topics ?? ['*'];
    const { token } = await this.#json<{ token: string }>(
      'GET',
      `/api/v1/hub/token${query({ subscribe: topics })}`,
    );
    const abort = new AbortController();
    const onAbort = () => abort.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const url = `${this.url}/.well-known/mercure${query({ topic: topics })}`;
      const res = await fetch(url, {
        headers: { ...this.#headers, Authorization: `Bearer ${token}`, Accept: 'text/event-stream' },
        signal: abort.signal,
      });
      if (!res.ok || !res.body) throw new MailbeaconError(res.status, (await res.text()).trim(), 'GET', url);
      for await (const event of readEventStream(res.body)) yield toLiveUpdate(event);
    } catch (err) {
      if (!abort.signal.aborted) throw err;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      abort.abort();
    }
  }

  // ---- plumbing ----

  /** Repeats `attempt` with long-poll slices until it yields something or the time is up. */
  async #poll<R>(
    timeoutMs: number,
    attempt: (sliceMs: number) => Promise<R | undefined>,
  ): Promise<R | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      const found = await attempt(Math.min(left, WAIT_SLICE_MS));
      if (found !== undefined) return found;
    }
  }

  /** One long poll; undefined when nothing arrived within `ms`. */
  async #wait(params: { kind: string; query?: string; message?: string }, ms: number): Promise<unknown> {
    const path = `/api/v1/wait${query({ ...params, timeout: (ms / 1000).toFixed(3) })}`;
    const res = await fetch(this.url + path, { headers: this.#headers });
    if (res.status === 408) {
      await res.body?.cancel();
      return undefined;
    }
    if (!res.ok) throw await errorOf(res, 'GET', this.url + path);
    return res.json();
  }

  async #request(method: string, path: string, body?: unknown): Promise<Response> {
    const url = this.url + path;
    const res = await fetch(url, {
      method,
      headers: {
        ...this.#headers,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw await errorOf(res, method, url);
    return res;
  }

  async #json<R>(method: string, path: string, body?: unknown): Promise<R> {
    return (await (await this.#request(method, path, body)).json()) as R;
  }
}

async function errorOf(res: Response, method: string, url: string): Promise<MailbeaconError> {
  const text = (await res.text()).trim();
  let message = text || res.statusText;
  try {
    const parsed = JSON.parse(text) as { Error?: unknown; error?: unknown; message?: unknown };
    const field = [parsed.Error, parsed.error, parsed.message].find((v) => typeof v === 'string');
    if (field !== undefined) message = field as string;
  } catch {
    // plain text: the message as is
  }
  return new MailbeaconError(res.status, message, method, url);
}

const enc = encodeURIComponent;

/** `?a=1&b=x&b=y`, leaving out undefined and empty values. */
function query(params: object): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const v of [value].flat()) if (v !== undefined && v !== '') search.append(key, String(v));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

function sinceNs(value: string | Date | number): bigint {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (Number.isNaN(ms)) throw new TypeError(`since: not a time: ${String(value)}`);
  return BigInt(Math.round(ms)) * 1_000_000n;
}
