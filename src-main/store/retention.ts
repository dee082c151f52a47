import type { EventBus } from '../events/bus.js';
import type { Clock, Logger } from '../logger.js';
import type { MessageStore } from './contract.js';

export interface RetentionOptions {
  store: MessageStore;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  /** `--max-age` in ms; undefined keeps mails whatever their age. */
  maxAgeMs?: number;
}

/** Mails deleted per transaction: small enough that a commit of new mails never waits long behind one. */
const BATCH = 500;
/** How often the pruner looks, at most (a short max age looks more often): one index look-up when nothing is due. */
const MAX_INTERVAL_MS = 5_000;
const MIN_INTERVAL_MS = 250;

/**
 * Background retention: deletes mails older than `--max-age` in small batches, yielding to the event loop between
 * them so ingest never waits for a large prune, and removes the finished relay entries of mails that `--max-messages`
 * pruned at ingest. Tracking events go with their mail in both paths (the store's delete trigger).
 */
export class Retention {
  readonly #options: RetentionOptions;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(options: RetentionOptions) {
    this.#options = options;
    const age = options.maxAgeMs;
    this.#intervalMs = age ? Math.min(MAX_INTERVAL_MS, Math.max(MIN_INTERVAL_MS, age / 4)) : MAX_INTERVAL_MS;
  }

  start(): void {
    this.#stopped = false;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.runOnce().finally(() => {
        this.#running = undefined;
        this.#schedule();
      });
    }, this.#intervalMs);
    this.#timer.unref();
  }

  /** One pass: every mail past the age, batch by batch, then the relay entries waiting to go. */
  async runOnce(): Promise<void> {
    const { store, bus, clock, logger, maxAgeMs } = this.#options;
    try {
      if (maxAgeMs) {
        const cutoff = clock.now() - maxAgeMs;
        for (;;) {
          if (this.#stopped) return;
          const ids = await store.pruneOlderThan(cutoff, BATCH);
          if (ids.length) bus.emit('message.deleted', ids);
          if (ids.length < BATCH) break;
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
      while (!this.#stopped && (await store.dropRelayEntries(BATCH)) > 0) {
        await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (err) {
      logger.warn(`pruning old mails failed: ${(err as Error).message}`);
    }
  }

  /** Stops the timer and waits for a pass under way (it stops between batches). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }
}
