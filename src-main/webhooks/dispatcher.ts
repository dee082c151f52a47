import { toWireSummary } from '../wire/messages.js';
import type { MessageListing } from '../model/message.js';
import type { RelayEntry } from '../model/relay.js';
import type { TrackingEvent } from '../model/tracking.js';
import type { WebhookDelivery } from '../model/webhook.js';
import type { EventBus } from '../events/bus.js';
import type { Clock, Logger } from '../logger.js';
import type { InboxSettingsSource } from '../model/inbox-settings.js';
import { RefusedRequestError, type GuardedFetch } from '../net/guarded-fetch.js';
import type { DeliveryRow, NewDelivery, WebhookDeliveries } from '../store/contract.js';
import { EventFilter, RELAY_EVENT } from './event-types.js';
import { newWebhookId, secretKey, signWebhook } from './signature.js';

/** A receiver that has not answered after this long counts as a failed attempt (retried by the schedule). */
export const REQUEST_TIMEOUT_MS = 10_000;
/** A claimed delivery is not picked up again for this long: the request timeout plus room for recording the outcome. */
const LEASE_MS = REQUEST_TIMEOUT_MS + 5_000;
/** Requests in flight at once, over all endpoints; enough for a burst without opening a socket per event. */
const MAX_IN_FLIGHT = 8;
/** How much of a failing receiver's answer an attempt keeps. */
const ERROR_BODY_CHARS = 200;
const MAX_TIMER_MS = 2 ** 31 - 1;
/** The log keeps this many of the newest deliveries; older delivered and dead ones are deleted every PRUNE_EVERY. */
export const RETAIN_DELIVERIES = 10_000;
const PRUNE_EVERY = 500;

export interface WebhookDispatcherOptions {
  /** The delivery log's rows (see WebhookDeliveries in store/contract.ts). */
  deliveries: WebhookDeliveries;
  bus: EventBus;
  logger: Logger;
  clock: Clock;
  urls: string[];
  /** whsec_…, or how to get it when first needed (no --webhook: only an inbox without a secret of its own needs it). */
  secret: string | (() => string);
  /** `--webhook-events` patterns (exact, `relay.*`, `*`). */
  events: string[];
  /** Delays (ms) before each retry; after the last, a delivery is dead. */
  retries: number[];
  /** How many of the newest deliveries are kept (RETAIN_DELIVERIES). */
  retainDeliveries?: number;
  /** Each inbox's own webhook URL and secret, read when an event happens and when it is signed. */
  inboxSettings?: InboxSettingsSource;
  /**
   * How an inbox's own URL is requested: an inbox's settings can be changed by whoever opens it, so its URL is held
   * to the rules of requests made because of what a user wrote (no internal address without the flag).
   */
  guard?: GuardedFetch;
}

/** A refused delivery request, with the HTTP status the API answers with. */
export class WebhookRequestError extends Error {
  constructor(
    message: string,
    readonly statusCode: 404 | 409,
  ) {
    super(message);
    this.name = 'WebhookRequestError';
  }
}

/**
 * Sends sandbox events to webhook endpoints through an outbox: each (endpoint, event) is a row written when the event
 * happens, then POSTed as `{type, timestamp, data}` and signed per Standard Webhooks (webhook-id, webhook-timestamp,
 * webhook-signature). 2xx = delivered; 410 = the endpoint is gone, dead at once; anything else (or no answer within
 * the timeout) is retried by the schedule and dead-lettered after the last retry. Delivery is at least once: a
 * receiver dedupes by webhook-id, which stays the same on every attempt.
 */
export class WebhookDispatcher {
  readonly #options: WebhookDispatcherOptions;
  readonly #deliveries: WebhookDeliveries;
  readonly #filter: EventFilter;
  #key?: Buffer;
  readonly #log: Logger;
  readonly #inFlight = new Map<number, Promise<void>>();
  #abort = new AbortController();
  #timer?: NodeJS.Timeout;
  #immediate?: NodeJS.Immediate;
  #running = false;
  #finishedSincePrune = 0;
  /** A pass of #pump is claiming (it waits for the store); a wake meanwhile runs one more pass after it. */
  #pumping = false;
  #pumpAgain = false;
  readonly #listeners = {
    created: (message: MessageListing) =>
      this.#publish('message.received', message.inbox, () => toWireSummary(message)),
    tracking: (event: TrackingEvent) => this.#publish(event.kind, event.inbox, () => event),
    relay: (entry: RelayEntry) => {
      const type = RELAY_EVENT[entry.status];
      if (type) this.#publish(type, entry.inbox, () => entry);
    },
  };

  constructor(options: WebhookDispatcherOptions) {
    this.#options = options;
    // Configuration errors first, before anything touches the database.
    this.#filter = new EventFilter(options.events);
    if (typeof options.secret === 'string') this.#key = secretKey(options.secret);
    this.#deliveries = options.deliveries;
    this.#log = options.logger;
  }

  get config(): { urls: string[]; events: string[] } {
    return { urls: this.#options.urls, events: this.#filter.patterns };
  }

  list(limit?: number): Promise<WebhookDelivery[]> {
    return this.#deliveries.list(limit);
  }

  /** Sends a delivery again now (a failed, dead or even delivered one), with the same webhook-id and body. */
  async retry(id: number): Promise<WebhookDelivery> {
    const notFound = () => new WebhookRequestError('webhook delivery not found', 404);
    if (!(await this.#deliveries.row(id))) throw notFound();
    if (this.#inFlight.has(id))
      throw new WebhookRequestError(`[webhooks] delivery ${id} is being sent right now`, 409);
    if (!(await this.#deliveries.replay(id, this.#options.clock.now()))) throw notFound();
    this.#wakeSoon();
    const delivery = await this.#deliveries.delivery(id);
    if (!delivery) throw notFound();
    return delivery;
  }

  /** Subscribes to the bus and sends what is due, including what a previous run left. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#abort = new AbortController();
    this.#deliveries
      .prune(this.#options.retainDeliveries ?? RETAIN_DELIVERIES)
      .catch((err: Error) => this.#log.error(`could not prune webhook deliveries: ${err.message}`));
    const { bus } = this.#options;
    bus.on('message.created', this.#listeners.created);
    bus.on('tracking.event', this.#listeners.tracking);
    bus.on('relay.status', this.#listeners.relay);
    this.#pump();
  }

  /**
   * Unsubscribes and cancels the requests in flight; their rows stay due and are sent after the next start (so a
   * receiver may see such an event twice, with the same webhook-id).
   */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    const { bus } = this.#options;
    bus.off('message.created', this.#listeners.created);
    bus.off('tracking.event', this.#listeners.tracking);
    bus.off('relay.status', this.#listeners.relay);
    clearTimeout(this.#timer);
    if (this.#immediate) clearImmediate(this.#immediate);
    this.#timer = this.#immediate = undefined;
    this.#abort.abort();
    await Promise.allSettled([...this.#inFlight.values()]);
  }

  /**
   * One row per endpoint for an event of `inbox`: every --webhook URL (as --webhook-events lets through) and the
   * inbox's own URL (every event of it). The payload is built only when someone receives it.
   */
  #publish(type: string, inbox: string, data: () => unknown): void {
    if (!this.#running) return;
    const { urls, clock, inboxSettings } = this.#options;
    const global = this.#filter.accepts(type) ? urls : [];
    const own = inboxSettings?.get(inbox).webhook.url ?? null;
    if (!global.length && own === null) return;
    const nowMs = clock.now();
    const webhookId = newWebhookId();
    const body = JSON.stringify({ type, timestamp: new Date(nowMs).toISOString(), data: data() });
    const rows: NewDelivery[] = global.map((url) => ({ webhookId, url, eventType: type, body, nowMs }));
    if (own !== null) rows.push({ webhookId, url: own, inbox, eventType: type, body, nowMs });
    this.#deliveries.enqueue(rows).then(
      () => this.#wakeSoon(),
      (err: Error) => this.#log.error(`could not queue the ${type} webhook: ${err.message}`),
    );
  }

  /** The server's key (--webhook-secret or the data directory's), loaded when first needed. */
  #serverKey(): Buffer {
    const { secret } = this.#options;
    this.#key ??= secretKey(typeof secret === 'string' ? secret : secret());
    return this.#key;
  }

  /** The key a row is signed with: its inbox's secret when it has one (read now: a new secret signs retries too). */
  #keyOf(row: DeliveryRow): Buffer {
    const own = row.inbox === null ? null : this.#options.inboxSettings?.get(row.inbox).webhook.secret;
    return own ? secretKey(own) : this.#serverKey();
  }

  /** POSTs a row: an inbox's URL through the guard, a --webhook URL (the operator's own) directly. */
  async #post(row: DeliveryRow, headers: Record<string, string>): Promise<{ status: number; text: string }> {
    const signal = AbortSignal.any([this.#abort.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]);
    const { guard } = this.#options;
    if (row.inbox !== null && guard) {
      const res = await guard.request(new URL(row.url), {
        method: 'POST',
        body: row.body,
        headers,
        signal,
        maxBodyBytes: ERROR_BODY_CHARS,
      });
      return { status: res.status, text: res.body.toString('utf8') };
    }
    const res = await fetch(row.url, { method: 'POST', headers, body: row.body, redirect: 'manual', signal });
    return { status: res.status, text: await res.text().catch(() => '') };
  }

  #wakeSoon(): void {
    if (this.#immediate || !this.#running) return;
    this.#immediate = setImmediate(() => {
      this.#immediate = undefined;
      this.#pump();
    });
    this.#immediate.unref();
  }

  /** One pass at a time, so that the passes never claim more than MAX_IN_FLIGHT between them. */
  #pump(): void {
    if (!this.#running) return;
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    this.#pumpOnce()
      .catch((err: Error) => this.#log.error(`could not claim webhook deliveries: ${err.message}`))
      .finally(() => {
        this.#pumping = false;
        if (!this.#pumpAgain) return;
        this.#pumpAgain = false;
        this.#pump();
      });
  }

  async #pumpOnce(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const { clock } = this.#options;
    const free = MAX_IN_FLIGHT - this.#inFlight.size;
    if (free > 0) {
      for (const row of await this.#deliveries.claimDue(clock.now(), LEASE_MS, free)) {
        const send = this.#send(row).finally(() => {
          this.#inFlight.delete(row.id);
          this.#pump();
        });
        this.#inFlight.set(row.id, send);
      }
    }
    if (this.#inFlight.size >= MAX_IN_FLIGHT) return;
    const next = await this.#deliveries.nextDueMs();
    if (next === null || !this.#running) return;
    this.#timer = setTimeout(() => this.#pump(), Math.min(Math.max(0, next - clock.now()), MAX_TIMER_MS));
    this.#timer.unref();
  }

  async #send(row: DeliveryRow): Promise<void> {
    const { clock, retries } = this.#options;
    const timestamp = Math.floor(clock.now() / 1000);
    let status: number | null = null;
    let error = '';
    try {
      const res = await this.#post(row, {
        'content-type': 'application/json',
        'user-agent': 'Mailbeacon-Webhooks',
        'webhook-id': row.webhook_id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signWebhook(this.#keyOf(row), row.webhook_id, timestamp, row.body),
      });
      status = res.status;
      if (status < 200 || status >= 300) error = res.text.slice(0, ERROR_BODY_CHARS);
    } catch (err) {
      if (!this.#running) return; // stopped: the lease runs out and the next start sends it
      const cause = (err as Error & { cause?: { code?: string } }).cause;
      error =
        (err as Error).name === 'TimeoutError'
          ? `no answer within ${REQUEST_TIMEOUT_MS} ms`
          : err instanceof RefusedRequestError
            ? err.message
            : (cause?.code ?? (err as Error).message);
    }
    const attempt = { at: new Date(clock.now()).toISOString(), status, error };
    const delay = retries[row.attempt_count];
    let outcome: WebhookDelivery['status'];
    if (status !== null && status >= 200 && status < 300) outcome = 'delivered';
    else if (status === 410 || delay === undefined) outcome = 'dead';
    else outcome = 'failed';
    if (outcome === 'dead') {
      this.#log.warn(`delivery ${row.id} of ${row.event_type} to ${row.url} is dead: ${status ?? error}`);
    }
    try {
      await this.#deliveries.finish(
        row.id,
        attempt,
        outcome,
        outcome === 'failed' ? clock.now() + delay! : null,
      );
      if (++this.#finishedSincePrune >= PRUNE_EVERY) {
        this.#finishedSincePrune = 0;
        await this.#deliveries.prune(this.#options.retainDeliveries ?? RETAIN_DELIVERIES);
      }
    } catch (err) {
      this.#log.error(`could not record webhook delivery ${row.id}: ${(err as Error).message}`);
    }
  }
}
