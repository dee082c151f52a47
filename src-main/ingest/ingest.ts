import { sortableId } from '../ids.js';
import { DEFAULT_INBOX } from '../model/inbox.js';
import type { InboxSettingsSource } from '../model/inbox-settings.js';
import { INBOX_OFF, untrackedManifest } from '../tracking/inject/injector.js';
import { inboxTagger } from './tags.js';
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
  /** The inboxes' settings (inboxes/settings.ts): their tracking, tag rules and bound, read per mail. */
  inboxes?: InboxSettingsSource;
  /** Whether mail is tracked when its inbox does not say (false with `--no-track`). */
  trackByDefault?: boolean;
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
  readonly #inboxTags = inboxTagger();
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
    const { bus, clock, prepare, store, inboxes } = this.#options;
    const id = newMessageId();
    const toPrepare = { raw: mail.raw, id, envelopeFrom: mail.envelopeFrom, envelopeTo: mail.envelopeTo };
    // An inbox known before the mail is read (its login, its listener) decides its tracking on the worker already.
    const track = mail.inbox === undefined ? undefined : (inboxes?.get(mail.inbox).tracking ?? undefined);
    const { fields, tracked, trackedPatch, manifest, ...prepared } = await prepare({ ...toPrepare, track });
    let manifestJson = prepared.manifestJson;

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
    const own = inboxes?.get(message.inbox);
    if (own && mail.inbox === undefined && own.tracking !== null) {
      // Routed by the rules once read: the inbox's Tracking setting applies now.
      const byDefault = this.#options.trackByDefault ?? true;
      if (own.tracking === false && byDefault) {
        const untracked = untrackedManifest(INBOX_OFF);
        message.tracked = null;
        message.trackedPatch = null;
        // (a mail stored in slices carries its manifest as JSON bytes, see PreparedMail)
        if (manifestJson) manifestJson = Buffer.from(JSON.stringify(untracked));
        else message.manifest = untracked;
      } else if (own.tracking && !byDefault) {
        const again = await prepare({ ...toPrepare, track: true });
        message.tracked = again.tracked;
        message.trackedPatch = again.trackedPatch;
        message.manifest = again.manifest;
        manifestJson = again.manifestJson;
      }
    }
    if (own?.tagRules.length) message.tags = this.#inboxTags(message, own.tagRules);
    if (own?.maxMessages) message.inboxMaxMessages = own.maxMessages;
    await store.write(message, manifestJson);
    this.#accepted++;
    this.#acceptedBytes += mail.raw.length;

    bus.emit('message.created', summaryOfNew(message));
    if (message.inboxMaxMessages) {
      const pruned = await store.takeInboxPruned();
      if (pruned.length) bus.emit('message.deleted', pruned);
    }
    return id;
  }
}
