import type { InboxScope } from '../model/inbox.js';
import type { ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';
import type { ReplayCursor } from './history.js';
import type { Update } from './update.js';

/** Updates read from the history per step of a replay: small reads, so the database is never held long. */
const REPLAY_BATCH = 100;

/** setTimeout's longest delay (about 24.8 days); a later `exp` is reached by re-arming. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** How long a closing stream may take to flush what is buffered before its socket is cut. */
const END_GRACE_MS = 1_000;

/** An SSE comment: keeps proxies and idle timers from cutting the stream, and is ignored by clients. */
export const COMMENT = ':\n\n';

export interface SubscriberOptions {
  /** `urn:uuid:…`, the subscriber's identity in subscription events. */
  id: string;
  res: ServerResponse;
  /** The `topic` selectors of the request. */
  topics: string[];
  /** The `mercure.subscribe` selectors of its JWT: which private updates it may receive. */
  allowed: string[];
  /** The inboxes the subscribing request may see (undefined: every inbox, as without inboxes). */
  scope?: InboxScope;
  /** The `mercure.payload` of its JWT, published in subscription events. */
  payload: unknown;
  /** Expiry of its JWT in Unix ms; the stream is closed then. */
  expiresAtMs?: number;
  nowMs: number;
  /** Bytes that may wait in this subscriber's socket buffer before it counts as stuck. */
  queueLimit: number;
  logger: Logger;
  onClose: (subscriber: Subscriber) => void;
}

/**
 * One open event stream. Node buffers what the socket has not taken yet (`writableLength`); instead of a queue
 * of our own, that buffer is the queue, and it is bounded: a subscriber that lets it grow past the limit is
 * dropped, so a stuck client costs at most `queueLimit` bytes and never delays anyone else.
 */
export class Subscriber {
  readonly id: string;
  readonly topics: string[];
  readonly allowed: string[];
  readonly scope: InboxScope | undefined;
  readonly payload: unknown;
  private readonly res: ServerResponse;
  private readonly queueLimit: number;
  private limit: number;
  private readonly logger: Logger;
  private expiry: NodeJS.Timeout | undefined;
  private closed = false;
  /** While the history is being replayed, live frames wait here (bounded by the queue limit) to keep order. */
  private pending: (string | Buffer)[] | undefined;
  private pendingBytes = 0;

  constructor(options: SubscriberOptions) {
    this.id = options.id;
    this.res = options.res;
    this.topics = options.topics;
    this.allowed = options.allowed;
    this.scope = options.scope;
    this.payload = options.payload;
    this.queueLimit = options.queueLimit;
    this.limit = options.queueLimit;
    this.logger = options.logger;
    this.res.on('close', () => {
      if (this.closed) return;
      this.closed = true;
      clearTimeout(this.expiry);
      options.onClose(this);
    });
    if (options.expiresAtMs !== undefined) this.armExpiry(options.expiresAtMs, options.nowMs);
  }

  get isOpen(): boolean {
    return !this.closed && !this.res.writableEnded;
  }

  /**
   * Replays the history from `cursor`, batch by batch, waiting for the socket to drain whenever more than
   * the queue limit is buffered, so a long history never sits in memory at once. Live updates dispatched
   * meanwhile are held back and written after it. Resolves when the subscriber is live (or gone).
   */
  async replay(cursor: ReplayCursor, frameOf: (update: Update) => string | undefined): Promise<void> {
    this.pending = [];
    try {
      while (this.isOpen) {
        const batch = cursor.read(REPLAY_BATCH);
        if (batch.length === 0) break;
        for (const update of batch) {
          const frame = frameOf(update);
          if (frame !== undefined) this.res.write(frame);
        }
        // Only wait when a 'drain' is due: with a limit below the stream's high-water mark none would come.
        if (this.res.writableLength > this.queueLimit && this.res.writableNeedDrain) await this.drained();
      }
    } catch (err) {
      this.logger.warn(`subscriber ${this.id}: replay failed, closing its stream: ${(err as Error).message}`);
      this.destroy();
      return;
    }
    const held = this.pending;
    this.pending = undefined;
    this.pendingBytes = 0;
    if (!this.isOpen) return;
    for (const frame of held) this.res.write(frame);
    // What is still buffered was allowed in by the replay: the limit applies again once it has drained.
    if (this.res.writableLength > this.queueLimit && this.res.writableNeedDrain) {
      this.limit = this.queueLimit + this.res.writableLength;
      this.res.once('drain', () => (this.limit = this.queueLimit));
    }
  }

  /** Queues one frame; returns false (and drops the subscriber) when its buffer is already over the limit. */
  send(frame: string | Buffer): boolean {
    // An ended stream (expired token) stays registered until its socket closes: nothing may be written to it.
    if (!this.isOpen) return false;
    if (this.pending) {
      this.pendingBytes += typeof frame === 'string' ? Buffer.byteLength(frame) : frame.length;
      if (this.pendingBytes > this.queueLimit) {
        this.logger.warn(
          `subscriber ${this.id} dropped: more than ${this.queueLimit} bytes of updates arrived during its replay`,
        );
        this.destroy();
        return false;
      }
      this.pending.push(frame);
      return true;
    }
    if (this.res.writableLength > this.limit) {
      this.logger.warn(
        `subscriber ${this.id} dropped: ${this.res.writableLength} bytes unread (limit ${this.limit}); it will have to reconnect`,
      );
      this.destroy();
      return false;
    }
    this.res.write(frame);
    return true;
  }

  /** Ends the stream cleanly (hub shutdown, token expiry); one that cannot flush in time is cut instead. */
  end(): void {
    if (!this.isOpen) return;
    this.res.end();
    if (this.res.writableLength > 0) setTimeout(() => this.destroy(), END_GRACE_MS).unref();
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  private destroy(): void {
    // Cutting the socket frees its buffer now; ending would wait for a reader that is not reading.
    this.res.destroy();
  }

  private armExpiry(atMs: number, nowMs: number): void {
    const delay = atMs - nowMs;
    if (delay > MAX_TIMER_MS) {
      this.expiry = setTimeout(() => this.armExpiry(atMs, nowMs + MAX_TIMER_MS), MAX_TIMER_MS);
    } else {
      this.expiry = setTimeout(
        () => {
          this.logger.info(`subscriber ${this.id}: JWT expired, closing its stream`);
          this.end();
        },
        Math.max(delay, 0),
      );
    }
    this.expiry.unref();
  }
}
