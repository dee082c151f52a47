import { randomBytes } from 'node:crypto';
import type { TrackingManifest } from '../api/types.js';
import type { EventBus } from '../events/bus.js';
import type { Clock, Logger } from '../logger.js';
import { summaryOfNew, type MessageStore, type NewMessage } from '../store/messages.js';
import { parseMail } from './parse.js';

/** A mail as the SMTP catcher (or `POST /api/v1/send`) hands it over. */
export interface CaughtMail {
  raw: Buffer;
  envelopeFrom: string;
  envelopeTo: string[];
  username: string;
  remoteIp: string;
}

export interface InjectContext {
  messageId: string;
  sender: string;
  recipients: string[];
  subject: string;
}

/** Puts tracking into a mail (see src-main/tracking); ingest only needs this much of it. */
export interface TrackingInjectorLike {
  inject(
    raw: Buffer,
    ctx: InjectContext,
  ): Promise<{ raw: Buffer; manifest: TrackingManifest; trackedHtml: string }>;
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
  logger: Logger;
  clock: Clock;
  maxMessages: number;
  injector?: TrackingInjectorLike;
}

/** 16 random bytes, base64url: 22 characters, like Mailpit's ids. */
export const newMessageId = (): string => randomBytes(16).toString('base64url');

/** Turns a caught mail into a stored one: parse, inject tracking, store in one transaction, then tell the bus. */
export class Ingest {
  readonly #options: IngestOptions;
  readonly #hooks: CommitHook[] = [];
  readonly #pending: {
    message: NewMessage;
    hooks: ((seq: number) => void)[];
    resolve: (seq: number) => void;
    reject: (err: Error) => void;
  }[] = [];
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
    const { bus, logger, clock, injector } = this.#options;
    const id = newMessageId();
    const fields = await parseMail(mail.raw);

    let tracked: Buffer | null = null;
    let manifest: TrackingManifest | null = null;
    let trackedHtml = '';
    if (injector) {
      try {
        const result = await injector.inject(mail.raw, {
          messageId: id,
          sender: mail.envelopeFrom || fields.from?.Address || '',
          recipients: mail.envelopeTo.length ? mail.envelopeTo : fields.to.map((a) => a.Address),
          subject: fields.subject,
        });
        manifest = result.manifest;
        trackedHtml = result.trackedHtml;
        tracked = result.raw === mail.raw ? null : result.raw;
      } catch (err) {
        fields.warnings.push(`tracking was not injected: ${(err as Error).message}`);
        logger.warn(`mail ${id}: tracking was not injected: ${(err as Error).message}`);
      }
    }

    const message: NewMessage = {
      id,
      createdMs: clock.now(),
      ...fields,
      username: mail.username,
      trackedHtml,
      envelopeFrom: mail.envelopeFrom,
      envelopeTo: mail.envelopeTo,
      remoteIp: mail.remoteIp,
      manifest,
      raw: mail.raw,
      tracked,
    };
    const hooks = this.#hooks.map((hook) => (seq: number) => hook({ seq, id, message }));
    await this.#commit(message, hooks);
    this.#accepted++;
    this.#acceptedBytes += mail.raw.length;

    bus.emit('message.created', summaryOfNew(message));
    return id;
  }

  /**
   * Group commit: mails that finish parsing in the same turn of the event loop are written in one transaction,
   * so ten busy connections cost one WAL write instead of ten. Each still gets its own answer.
   */
  #commit(message: NewMessage, hooks: ((seq: number) => void)[]): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ message, hooks, resolve, reject });
      if (this.#pending.length === 1) setImmediate(() => this.#flush());
    });
  }

  #flush(): void {
    const batch = this.#pending.splice(0);
    let results: (number | Error)[];
    try {
      results = this.#options.store.insertBatch(batch, this.#options.maxMessages);
    } catch (err) {
      for (const item of batch) item.reject(err as Error);
      return;
    }
    batch.forEach((item, i) => {
      const result = results[i]!;
      if (result instanceof Error) item.reject(result);
      else item.resolve(result);
    });
  }
}
