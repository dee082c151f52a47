import { sortableId } from '../ids.js';
import type { EventBus } from '../events/bus.js';
import type { Clock } from '../logger.js';
import type { QueuedWrite } from '../store/sqlite/commit-queue.js';
import {
  cleanTags,
  SLICED_MAIL_BYTES,
  summaryOfNew,
  type MessageStore,
  type NewMessage,
} from '../store/sqlite/messages.js';
import { addressText, type SearchEntry } from '../store/search-index.js';
import { searchBody } from './parse.js';
import type { MailToPrepare, PreparedMail } from './prepare.js';

/** A mail as the SMTP catcher (or `POST /api/v1/send`) hands it over. */
export interface CaughtMail {
  raw: Buffer;
  envelopeFrom: string;
  envelopeTo: string[];
  username: string;
  remoteIp: string;
}

/** What a commit hook sees: the stored mail, inside the transaction that stores it. */
export interface StoredMail {
  seq: number;
  id: string;
  message: NewMessage;
}

export type CommitHook = (mail: StoredMail) => void;

export interface IngestOptions {
  store: MessageStore;
  bus: EventBus;
  clock: Clock;
  maxMessages: number;
  /** Parses the mail and puts tracking into it (see prepare.ts), on this thread or on a worker's. */
  prepare: (mail: MailToPrepare) => Promise<PreparedMail>;
  /** The tags of a new mail (X-Tags, plus-addresses, AUTH user, rules; see tags.ts); default: its X-Tags. */
  tags?: (message: NewMessage) => string[];
}

/**
 * 22 characters, like Mailpit's ids. They sort by time, so the unique index over them grows at its end: with random
 * ids every stored mail was a write on a random page of it.
 */
export const newMessageId = (): string => sortableId();

/** A mail waiting for the commit that stores it. */
interface PendingMail {
  message: NewMessage;
  hooks: ((seq: number) => void)[];
  resolve: (seq: number) => void;
  reject: (err: Error) => void;
}

/** Turns a caught mail into a stored one: parse, inject tracking, store in one transaction, then tell the bus. */
export class Ingest {
  readonly #options: IngestOptions;
  readonly #hooks: CommitHook[] = [];
  readonly #pending: PendingMail[] = [];
  #accepted = 0;
  #acceptedBytes = 0;

  constructor(options: IngestOptions) {
    this.#options = options;
  }

  /** Registers work that must commit atomically with every mail (the relay's outbox row). */
  addCommitHook(hook: CommitHook): void {
    this.#hooks.push(hook);
  }

  get stats(): { accepted: number; acceptedBytes: number } {
    return { accepted: this.#accepted, acceptedBytes: this.#acceptedBytes };
  }

  /** Stores the mail and resolves with its id once the transaction has committed. */
  async accept(mail: CaughtMail): Promise<string> {
    const { bus, clock, prepare, store } = this.#options;
    const id = newMessageId();
    const { fields, tracked, trackedPatch, manifest, manifestJson } = await prepare({
      raw: mail.raw,
      id,
      envelopeFrom: mail.envelopeFrom,
      envelopeTo: mail.envelopeTo,
    });

    const message: NewMessage = {
      id,
      createdMs: clock.now(),
      ...fields,
      username: mail.username,
      envelopeFrom: mail.envelopeFrom,
      envelopeTo: mail.envelopeTo,
      remoteIp: mail.remoteIp,
      manifest,
      raw: mail.raw,
      tracked,
      trackedPatch,
    };
    message.tags = this.#options.tags ? this.#options.tags(message) : cleanTags(message.tags ?? []);
    const hooks = this.#hooks.map((hook) => (seq: number) => hook({ seq, id, message }));
    // A large mail's bytes go first, a slice per commit: written in the mail's own commit they held the event loop
    // (and every API answer) for seconds. The mail exists, and is acknowledged, only once its row commits.
    if (mail.raw.length >= SLICED_MAIL_BYTES) {
      message.sliced = true;
      try {
        await store.writeSlices(id, {
          raw: mail.raw,
          tracked: trackedPatch ? null : tracked,
          patch: trackedPatch,
          manifest: manifestJson ?? (manifest ? Buffer.from(JSON.stringify(manifest)) : null),
        });
        await this.#commit(message, hooks);
      } catch (err) {
        store.dropSlices(id);
        throw err;
      }
    } else {
      await this.#commit(message, hooks);
    }
    this.#accepted++;
    this.#acceptedBytes += mail.raw.length;

    bus.emit('message.created', summaryOfNew(message));
    return id;
  }

  /**
   * Group commit: mails that finish parsing in the same turn of the event loop, or the next, are written in one
   * transaction (shared with the other writers of those turns, see CommitQueue), so ten busy connections cost one
   * WAL write instead of ten. Each still gets its own answer, once the transaction has committed.
   */
  #commit(message: NewMessage, hooks: ((seq: number) => void)[]): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ message, hooks, resolve, reject });
      if (this.#pending.length === 1) this.#options.store.commits.enqueue(this.#write());
    });
  }

  /** Writes the mails pending now; answers them when the shared transaction is done. */
  #write(): QueuedWrite {
    const { store, maxMessages } = this.#options;
    let batch: PendingMail[] = [];
    let results: (number | Error)[] = [];
    return {
      write: () => {
        batch = this.#pending.splice(0);
        results = store.insertBatch(batch, maxMessages);
      },
      done: (err) => {
        if (err) {
          // Nothing of the batch is stored (its savepoint or the commit failed); the mails left waiting are too.
          if (!batch.length) batch = this.#pending.splice(0);
          for (const item of batch) item.reject(err);
          try {
            store.recount(); // a failed commit after a stored batch left the running count too high
          } catch {
            // the database is closed
          }
          return;
        }
        const entries: SearchEntry[] = [];
        batch.forEach((item, i) => {
          const result = results[i]!;
          if (result instanceof Error) return item.reject(result);
          const m = item.message;
          entries.push({
            seq: result,
            subject: m.subject,
            addresses: addressText([m.from, ...m.to, ...m.cc, ...m.bcc, ...m.replyTo], m.envelopeTo),
            body: searchBody(m),
          });
          item.resolve(result);
        });
        // Into the full-text index behind the commit (see store/search-index.ts), with the text read already.
        store.handToSearch(entries);
      },
    };
  }
}
