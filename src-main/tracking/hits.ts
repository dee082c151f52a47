import type { TrackingEvent, TrackingSource } from '../model/tracking.js';
import type { EventBus } from '../events/bus.js';
import type { Logger } from '../logger.js';
import type { EventStore, NewTrackingEvent, QueuedWrite } from '../store/contract.js';
import { classifyHit, clientKey, mayBeNearDelivery } from './classify.js';
import { isExpired, type TokenPayload } from './token.js';

/**
 * A hit the tracking server accepted, as it saw it: the token's payload and the request's facts. Plain data, so
 * that a server on another thread can hand it over as it is.
 */
export interface Hit {
  payload: TokenPayload;
  method: string;
  ua: string;
  remoteIp: string;
  /** When the hit arrived, in unix nanoseconds. */
  ts: bigint;
  /** `preview` or `simulated` for Mailbeacon's own hits (a marked URL), else `recipient`. */
  source: TrackingSource;
  /** A simulation's imitated time since delivery, in ms, classified instead of the real one. */
  ageMs?: number;
}

/** Where the tracking server sends its hits: `done` runs once they are stored, or storing them failed. */
export interface HitSink {
  store(hits: Hit[], done: (err?: Error) => void): void;
}

export interface HitRecorderOptions {
  events: EventStore;
  bus: EventBus;
  logger: Logger;
  /** When the mail was caught (ms), for the "click within 2 s of delivery" scanner rule. */
  deliveredAt: (messageId: string) => Promise<number | undefined>;
}

/**
 * Hits waiting for the shared commit are committed at once past this many, so one transaction stays short and the
 * answers do not wait for a batch that keeps growing.
 */
const MAX_PENDING_HITS = 512;

const NOT_LOOKED_UP = Promise.resolve(undefined);

/** Hits handed over together, as events to store, and who to tell once they are stored. */
interface Handed {
  events: NewTrackingEvent[];
  done: (err?: Error) => void;
}

/**
 * The store's side of tracking hits, on the thread that owns the database: classifies each hit, writes it as an
 * event in the database's shared commit (see CommitQueue), and tells the bus of the events once they are durable.
 * A one-click unsubscribe already recorded for its link is not stored twice (RFC 8058 POSTs may be repeated).
 */
export class HitRecorder implements HitSink {
  readonly #options: HitRecorderOptions;
  #handed: Handed[] = [];
  #pendingHits = 0;
  /** Hands whose classification waits for a delivery time from the store. */
  readonly #lookingUp = new Set<Promise<void>>();
  /** The hands of the shared commit being written, and their events as stored. */
  #writing: Handed[] = [];
  #stored: TrackingEvent[] = [];
  readonly #write: QueuedWrite = {
    write: () => this.#writeHits(),
    done: (err) => this.#afterCommit(err),
  };

  constructor(options: HitRecorderOptions) {
    this.#options = options;
  }

  /**
   * Classifies the hits and queues them for the database's next shared commit. Only a recent click waits for a
   * look-up first (its mail's delivery time); every other hit is queued at once.
   */
  store(hits: Hit[], done: (err?: Error) => void): void {
    const lookups = hits.map((hit) => this.#deliveredAt(hit));
    if (lookups.every((lookup) => lookup === undefined)) {
      this.#queue({ events: hits.map((hit) => this.#eventOf(hit, undefined)), done });
      return;
    }
    const queued = Promise.all(lookups.map((lookup) => lookup ?? NOT_LOOKED_UP)).then((times) => {
      this.#lookingUp.delete(queued);
      this.#queue({ events: hits.map((hit, i) => this.#eventOf(hit, times[i])), done });
    });
    this.#lookingUp.add(queued);
  }

  #queue(hand: Handed): void {
    this.#handed.push(hand);
    this.#pendingHits += hand.events.length;
    if (this.#handed.length === 1) this.#options.events.commits.enqueue(this.#write);
    if (this.#pendingHits >= MAX_PENDING_HITS) this.#options.events.commits.flush();
  }

  /** Commits what is queued now, once the hits waiting for a look-up are queued too (shutdown). */
  async flush(): Promise<void> {
    while (this.#lookingUp.size > 0) await Promise.all(this.#lookingUp);
    this.#options.events.commits.flush();
  }

  /** Inside the shared transaction; a repeated one-click unsubscribe is left out there (see RecordOptions). */
  #writeHits(): void {
    this.#writing = this.#takeHanded();
    const events = this.#writing.flatMap((hand) => hand.events);
    this.#stored = this.#options.events.recordMany(events, { unsubscribeOnce: true });
  }

  /** After the shared transaction: answers every hand (those never written too) and tells the bus. */
  #afterCommit(err: Error | undefined): void {
    const handed = this.#writing.length > 0 ? this.#writing : this.#takeHanded();
    const stored = err ? [] : this.#stored;
    this.#writing = [];
    this.#stored = [];
    if (err) {
      // The reader's pixel or link must still work when the store cannot take the events.
      const count = handed.reduce((n, h) => n + h.events.length, 0);
      this.#options.logger.error(`could not record ${count} tracking event(s): ${err.message}`);
    }
    for (const { done } of handed) {
      try {
        done(err);
      } catch (failure) {
        this.#options.logger.error(`answering tracking hits failed: ${(failure as Error).message}`);
      }
    }
    for (const event of stored) {
      try {
        this.#options.bus.emit('tracking.event', event);
      } catch (failure) {
        this.#options.logger.error(`a tracking.event listener failed: ${(failure as Error).message}`);
      }
    }
  }

  #takeHanded(): Handed[] {
    const handed = this.#handed;
    this.#handed = [];
    this.#pendingHits = 0;
    return handed;
  }

  #eventOf(hit: Hit, deliveredAtMs: number | undefined): NewTrackingEvent {
    const { payload, method, ua } = hit;
    const messageId = payload.metadata.message_id ?? '';
    const nowMs = Number(hit.ts / 1_000_000n);
    const classification = classifyHit({
      kind: payload.kind,
      method,
      ua,
      ip: hit.remoteIp,
      expired: isExpired(payload, nowMs),
      deliveredAtMs: hit.ageMs !== undefined ? nowMs - hit.ageMs : deliveredAtMs,
      nowMs,
    });
    return {
      kind: payload.kind,
      url: payload.url ?? '',
      metadata: payload.metadata,
      remote_ip: hit.remoteIp,
      ua,
      ts: hit.ts,
      token_id: payload.id,
      message_id: messageId,
      classification,
      method,
      source: hit.source,
      client: clientKey(classification, hit.remoteIp, ua),
    };
  }

  /**
   * When the hit's mail was caught, for a hit whose classification needs it, else undefined. Only a click's timing
   * says anything (an open right after delivery is often a person), and only if its token is recent, so most hits
   * skip the look-up. Unknown (not a failure) if the look-up fails, since the hit must still be answered.
   */
  #deliveredAt(hit: Hit): Promise<number | undefined> | undefined {
    const { payload } = hit;
    const messageId = payload.metadata.message_id ?? '';
    const nowMs = Number(hit.ts / 1_000_000n);
    if (hit.ageMs !== undefined || payload.kind !== 'click' || !messageId) return undefined;
    if (!mayBeNearDelivery(payload.ts, nowMs)) return undefined;
    return this.#options.deliveredAt(messageId).catch(() => undefined);
  }
}
