import { sortableId } from '../ids.js';
import { DEFAULT_INBOX } from '../model/inbox.js';
import type { EventBus } from '../events/bus.js';
import type { Clock } from '../logger.js';
import { cleanTags, summaryOfNew, type NewMessage } from '../store/message-rows.js';
import type { MessageStore } from '../store/contract.js';
import type { MailToPrepare, PreparedMail } from './prepare.js';

/** A mail as the SMTP catcher (or `POST /api/v1/send`) hands it over. */
export interface CaughtMail {
  raw: Buffer;
  envelopeFrom: string;
  envelopeTo: string[];
  username: string;
  remoteIp: string;
  /** The inbox its SMTP login or listener named; without one the rules choose (see `IngestOptions.inbox`). */
  inbox?: string;
}

export interface IngestOptions {
  store: MessageStore;
  bus: EventBus;
  clock: Clock;
  /** Parses the mail and puts tracking into it (see prepare.ts), on this thread or on a worker's. */
  prepare: (mail: MailToPrepare) => Promise<PreparedMail>;
  /** The tags of a new mail (X-Tags, plus-addresses, AUTH user, rules; see tags.ts); default: its X-Tags. */
  tags?: (message: NewMessage) => string[];
  /** The inbox of a mail that came without one (`--inbox` rules, inboxes/routing.ts); default: `default`. */
  inbox?: (message: NewMessage) => string;
}

/**
 * 22 characters, like Mailpit's ids. They sort by time, so the unique index over them grows at its end: with random
 * ids every stored mail was a write on a random page of it.
 */
export const newMessageId = (): string => sortableId();

/**
 * Turns a caught mail into a stored one: parse, inject tracking, tag, hand it to the store's `write` (which owns the
 * commit, see store/sqlite/mail-writer.ts), then tell the bus.
 */
export class Ingest {
  readonly #options: IngestOptions;
  #accepted = 0;
  #acceptedBytes = 0;

  constructor(options: IngestOptions) {
    this.#options = options;
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
    message.inbox = mail.inbox ?? this.#options.inbox?.(message) ?? DEFAULT_INBOX;
    await store.write(message, manifestJson);
    this.#accepted++;
    this.#acceptedBytes += mail.raw.length;

    bus.emit('message.created', summaryOfNew(message));
    return id;
  }
}
