import type { EventBus } from '../events/bus.js';
import type { Clock, Logger } from '../logger.js';
import { inboxesExcept, oneInbox, type InboxScope } from '../model/inbox.js';
import type { InboxSettingsSource } from '../model/inbox-settings.js';
import type { MessageStore } from './contract.js';

export interface RetentionOptions {
  store: MessageStore;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  /** `--max-age` in ms; undefined keeps mails whatever their age. */
  maxAgeMs?: number;
  /** The inboxes' settings: an inbox with a MaxAge of its own is pruned by it instead of `--max-age`. */
  inboxes?: InboxSettingsSource;
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
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(options: RetentionOptions) {
    this.#options = options;
  }

  /** A short max age, the flag's or an inbox's, looks more often; read per pass, as an inbox's may change. */
  #intervalMs(): number {
    const ages = this.#ages().map(([, age]) => age);
    if (this.#options.maxAgeMs) ages.push(this.#options.maxAgeMs);
    if (!ages.length) return MAX_INTERVAL_MS;
    return Math.min(MAX_INTERVAL_MS, Math.max(MIN_INTERVAL_MS, Math.min(...ages) / 4));
  }

  /** The inboxes with a MaxAge of their own, and that age. */
  #ages(): [string, number][] {
    const out: [string, number][] = [];
    for (const [name, s] of this.#options.inboxes?.overriding() ?? [])
      if (s.maxAgeMs) out.push([name, s.maxAgeMs]);
    return out;
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
    }, this.#intervalMs());
    this.#timer.unref();
  }

  /**
   * One pass: every mail past its age (its inbox's MaxAge, else `--max-age`), batch by batch, then the relay entries
   * waiting to go.
   */
  async runOnce(): Promise<void> {
    const { store, bus, clock, logger, maxAgeMs } = this.#options;
    // Awaited batch by batch, yielding between them: a store's answer may come on a later turn.
    const prune = async (ageMs: number, scope: InboxScope | undefined) => {
      const cutoff = clock.now() - ageMs;
      for (;;) {
        if (this.#stopped) return;
        const ids = scope
          ? await store.pruneOlderThanIn(cutoff, BATCH, scope)
          : await store.pruneOlderThan(cutoff, BATCH);
        if (ids.length) bus.emit('message.deleted', ids);
        if (ids.length < BATCH) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    try {
      const own = this.#ages();
      for (const [inbox, age] of own) await prune(age, oneInbox(inbox));
      if (maxAgeMs) await prune(maxAgeMs, own.length ? inboxesExcept(own.map(([name]) => name)) : undefined);
      if (this.#stopped) return;
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
