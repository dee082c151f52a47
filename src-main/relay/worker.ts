import type { Database } from 'better-sqlite3';
import type { RelayEntry, RelayStatus } from '../api/types.js';
import type { EventBus } from '../events/bus.js';
import type { CommitHook } from '../ingest/ingest.js';
import type { Clock, Logger } from '../logger.js';
import type { MessageStore } from '../store/messages.js';
import { prependHeader, removeHeader } from './headers.js';
import { RelayOutbox, type OutboxRow } from './outbox.js';
import { autoRecipients, releaseRecipients, type RecipientRules } from './recipients.js';
import {
  POOL_CONNECTIONS,
  closeTransport,
  createUpstreamTransport,
  describeError,
  isPermanent,
  maskUrl,
  type RelayTransport,
  type SendError,
  type UpstreamOptions,
} from './transport.js';

/** The per-mail opt-out of tracking (DESIGN.md §4); it is meant for Mailbeacon only, so it never leaves. */
export const TRACK_HEADER = 'X-Mailbeacon-Track';
/**
 * Carries the outbox row's id, the same on every attempt for one relay request: if the process dies after the
 * upstream accepted a mail but before the outcome was committed, the resend after restart carries the same id (and
 * the mail its own Message-ID), so the receiving side can recognise the duplicate.
 */
export const RELAY_ID_HEADER = 'X-Mailbeacon-Relay-Id';

/** A bare address as an SMTP envelope takes it: no display name, no angle brackets, no whitespace. */
const ADDRESS = /^[^\s<>@]+@[^\s<>@]+$/;

/**
 * The outbox keeps this many of the newest entries; older sent and dead ones are deleted (as mails are pruned by
 * --max-messages), checked every PRUNE_EVERY finished attempts.
 */
export const RETAIN_ENTRIES = 10_000;
const PRUNE_EVERY = 500;

/** How long stop() lets sends in flight finish before it closes their connections (a stalled upstream must not hold up quitting). */
export const STOP_GRACE_MS = 5_000;

/** Timers longer than this overflow setTimeout (it fires at once); a long wait is re-armed in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface RelayConfig {
  /** The upstream URL; its password is masked wherever the configuration is shown. */
  url: string;
  tlsInsecure: boolean;
  rules: RecipientRules;
  /** Envelope sender override (--relay-from); the original envelope sender otherwise. */
  from?: string;
  /** Send the mail as received instead of the tracked version. */
  original: boolean;
  /** Delays (ms) before each retry; after the last, a mail is dead. */
  retries: number[];
  dkim?: UpstreamOptions['dkim'];
}

/** The configuration as `GET /api/v1/relay` shows it. */
export interface RelayConfigView {
  enabled: true;
  url: string;
  all: boolean;
  matching: string | null;
  allow: string | null;
  block: string | null;
  to: string | null;
  from: string | null;
  original: boolean;
  retries: number[];
  dkim: { domain: string; selector: string } | null;
}

export interface RelayWorkerOptions {
  db: Database;
  store: MessageStore;
  bus: EventBus;
  logger: Logger;
  clock: Clock;
  config: RelayConfig;
  /** STOP_GRACE_MS unless given. */
  stopGraceMs?: number;
  /** How many of the newest outbox entries are kept (RETAIN_ENTRIES). */
  retainEntries?: number;
  /** For tests that need a transport of their own; built from `config` otherwise. */
  transport?: RelayTransport;
}

/** What one attempt came to, recorded by #settle. */
interface Outcome {
  attempt: { ok: boolean; reply: string };
  status: RelayStatus;
  next: number | null;
}

/** A refused relay request, carrying the HTTP status the API answers with. */
export class RelayRequestError extends Error {
  constructor(
    message: string,
    readonly statusCode: 400 | 404 | 409,
  ) {
    super(message);
    this.name = 'RelayRequestError';
  }
}

/**
 * Forwards caught mail to a real upstream through the outbox. Rows are written by the ingest commit hook (so an
 * acknowledged mail that matches a rule is never lost) or by `release()`; this worker sends due rows over a pooled
 * SMTP transport, records every attempt, retries temporary failures by the schedule and dead-letters the rest.
 *
 * Never twice for one request: a row is marked 'sending' and committed before its SMTP transaction starts, so no
 * second pass picks it up; it leaves 'sending' only with the attempt's outcome, committed in one transaction. A row is
 * tried again only after a failure the upstream reported (or a connection that failed), never after a 250. The one
 * window left is a crash between the upstream's 250 and that commit: after a restart such a row is sent again, with
 * the same Message-ID and X-Mailbeacon-Relay-Id, so a receiver can drop the duplicate.
 */
export class RelayWorker {
  readonly #options: RelayWorkerOptions;
  readonly #outbox: RelayOutbox;
  readonly #log: Logger;
  /** Sends under way, by outbox id. */
  readonly #inFlight = new Map<number, Promise<void>>();
  /** Rows written pending inside a mail's transaction, announced once it has committed. */
  #created: number[] = [];
  /** Rows written already claimed ('sending') inside a mail's transaction, sent once it has committed. */
  #reserved: number[] = [];
  #transport?: RelayTransport;
  #timer?: NodeJS.Timeout;
  #immediate?: NodeJS.Immediate;
  #running = false;
  #finishedSincePrune = 0;

  constructor(options: RelayWorkerOptions) {
    this.#options = options;
    this.#outbox = new RelayOutbox(options.db);
    this.#log = options.logger;
  }

  get outbox(): RelayOutbox {
    return this.#outbox;
  }

  get config(): RelayConfigView {
    const { config } = this.#options;
    const { rules } = config;
    return {
      enabled: true,
      url: maskUrl(config.url),
      all: rules.all,
      matching: rules.matching?.source ?? null,
      allow: rules.allow?.source ?? null,
      block: rules.block?.source ?? null,
      to: rules.to ?? null,
      from: config.from ?? null,
      original: config.original,
      retries: config.retries,
      dkim: config.dkim ? { domain: config.dkim.domain, selector: config.dkim.selector } : null,
    };
  }

  /** Registers the commit hook that writes an outbox row, in the mail's own transaction, when a rule matches. */
  attach(ingest: { addCommitHook(hook: CommitHook): void }): void {
    const { rules } = this.#options.config;
    if (!rules.all && !rules.matching) return;
    ingest.addCommitHook(({ message }) => {
      const envelope = message.envelopeTo.length ? message.envelopeTo : message.to.map((a) => a.Address);
      const recipients = autoRecipients(rules, envelope);
      if (!recipients.length) return;
      // With a connection free the row is claimed right here, in the mail's transaction (one commit instead of two).
      const claim = this.#running && this.#inFlight.size + this.#reserved.length < POOL_CONNECTIONS;
      const entry = {
        messageId: message.id,
        subject: message.subject,
        envelopeFrom: message.envelopeFrom,
        recipients,
        reason: 'rule' as const,
        nowMs: message.createdMs,
      };
      const id = this.#outbox.enqueue(entry, claim ? 'sending' : 'pending');
      // The hook runs inside the transaction; the send may only start once it has committed. A stopped worker
      // leaves the row for start().
      if (!this.#running) return;
      (claim ? this.#reserved : this.#created).push(id);
      this.#wakeSoon();
    });
  }

  /** Mailpit's release: relays a stored mail to `to` through the same outbox. */
  release(messageId: string, to: string[]): RelayEntry {
    const { store, config, clock } = this.#options;
    const message = store.get(messageId);
    if (!message) throw new RelayRequestError('message not found', 404);
    if (!to.length) throw new RelayRequestError('[relay] no recipients given (To is empty)', 400);
    const bad = to.find((address) => !ADDRESS.test(address.trim()));
    if (bad !== undefined)
      throw new RelayRequestError(`[relay] not an email address: ${JSON.stringify(bad)}`, 400);
    const recipients = releaseRecipients(config.rules, to);
    if (!recipients.length) {
      throw new RelayRequestError(
        '[relay] none of the recipients may be relayed (--relay-allow / --relay-block)',
        400,
      );
    }
    const id = this.#outbox.enqueue({
      messageId,
      subject: message.subject,
      envelopeFrom: message.envelope_from,
      recipients,
      reason: 'release',
      nowMs: clock.now(),
    });
    const entry = this.#announce(id)!;
    this.#wakeSoon();
    return entry;
  }

  /** Sends a failed or dead entry again now, with a fresh retry schedule. */
  retry(id: number): RelayEntry {
    const row = this.#outbox.row(id);
    if (!row) throw new RelayRequestError('relay entry not found', 404);
    if (!this.#outbox.retry(id, this.#options.clock.now())) {
      throw new RelayRequestError(
        `[relay] entry ${id} is ${row.status}; only failed or dead entries are retried`,
        409,
      );
    }
    const entry = this.#announce(id)!;
    this.#wakeSoon();
    return entry;
  }

  list(limit?: number): RelayEntry[] {
    return this.#outbox.list(limit);
  }

  /** Resumes the outbox: rows a stopped process left in 'sending' go back to pending, then due rows are sent. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#transport ??= this.#options.transport ?? createUpstreamTransport(this.#options.config);
    this.#outbox.prune(this.#options.retainEntries ?? RETAIN_ENTRIES);
    const resumed = this.#outbox.resumeInterrupted(this.#options.clock.now());
    if (resumed.length) {
      this.#log.warn(
        `${resumed.length} mail(s) were being relayed when Mailbeacon stopped; sending them again`,
      );
      for (const id of resumed) this.#announce(id);
    }
    this.#pump();
  }

  /** Stops taking new work, waits for the sends in flight to finish and closes the upstream connections. */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    if (this.#immediate) clearImmediate(this.#immediate);
    this.#timer = this.#immediate = undefined;
    this.#created = [];
    this.#reserved = []; // committed as 'sending': start() resumes them
    const settled = Promise.allSettled([...this.#inFlight.values()]);
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([
      settled,
      new Promise((resolve) => (grace = setTimeout(resolve, this.#options.stopGraceMs ?? STOP_GRACE_MS))),
    ]);
    clearTimeout(grace);
    // Force-closing the pool fails whatever is still in flight; #settle leaves those rows in 'sending' for start().
    if (this.#transport) closeTransport(this.#transport, true);
    this.#transport = undefined;
    await settled;
  }

  #wakeSoon(): void {
    if (this.#immediate || !this.#running) return;
    this.#immediate = setImmediate(() => {
      this.#immediate = undefined;
      // Stopped: the rows are safe in the outbox; start() picks them up (the database may be closed by now).
      if (!this.#running) return;
      const created = this.#created;
      const reserved = new Set(this.#reserved);
      this.#created = [];
      this.#reserved = [];
      for (const id of created) this.#announce(id);
      // A mail whose savepoint was rolled back took its row along (and its id may have been used again since):
      // only a row that is still 'sending' and not already under way is sent.
      const rows = [...reserved]
        .map((id) => this.#outbox.row(id))
        .filter((row): row is OutboxRow => row?.status === 'sending' && !this.#inFlight.has(row.id));
      this.#launch(rows);
      this.#pump();
    });
    this.#immediate.unref();
  }

  /** Starts sends for due rows up to the pool size, then sleeps until the next row is due. */
  #pump(): void {
    if (!this.#running) return;
    const free = POOL_CONNECTIONS - this.#inFlight.size;
    const claimed = free > 0 ? this.#outbox.claimDue(this.#options.clock.now(), free) : [];
    this.#launch(claimed);
  }

  #launch(claimed: OutboxRow[]): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const row of claimed) {
      this.#announce(row.id);
      const send: Promise<void> = this.#send(row).then((outcome) => {
        this.#inFlight.delete(row.id);
        this.#settle(row, outcome);
      });
      this.#inFlight.set(row.id, send);
    }
    if (!this.#running || this.#inFlight.size >= POOL_CONNECTIONS) return; // a finished send claims the next
    const { clock } = this.#options;
    const next = this.#outbox.nextDueMs();
    if (next === null) return;
    const wait = Math.min(Math.max(0, next - clock.now()), MAX_TIMER_MS);
    this.#timer = setTimeout(() => this.#pump(), wait);
    this.#timer.unref();
  }

  /** Records the attempt and, in the same transaction, claims the next due rows for the freed connection. */
  #settle(row: OutboxRow, outcome: Outcome): void {
    const { clock } = this.#options;
    // A send that failed while stopping most likely failed because we closed its connection: that says nothing
    // about the upstream, so it costs no retry; the row stays 'sending' and the next start() sends it again.
    if (!this.#running && !outcome.attempt.ok) return;
    let claimed: OutboxRow[] = [];
    try {
      const free = this.#running ? POOL_CONNECTIONS - this.#inFlight.size : 0;
      claimed = this.#outbox.finish(row.id, clock.now(), outcome.attempt, outcome.status, outcome.next, free);
      this.#announce(row.id);
      if (++this.#finishedSincePrune >= PRUNE_EVERY) {
        this.#finishedSincePrune = 0;
        this.#outbox.prune(this.#options.retainEntries ?? RETAIN_ENTRIES);
      }
    } catch (err) {
      // The database is gone (closed under a running send): the row stays 'sending' and start() resumes it.
      this.#log.error(`could not record the relay attempt for entry ${row.id}: ${(err as Error).message}`);
      return;
    }
    this.#launch(claimed);
  }

  /** One SMTP transaction for an outbox row; never throws, the outcome says what happened. */
  async #send(row: OutboxRow): Promise<Outcome> {
    const { store, config, clock } = this.#options;
    const stored = store.raw(row.message_id);
    if (!stored) {
      return {
        attempt: { ok: false, reply: 'the mail was deleted before it could be relayed' },
        status: 'dead',
        next: null,
      };
    }
    const source = config.original ? stored.raw : (stored.tracked ?? stored.raw);
    const raw = prependHeader(removeHeader(source, TRACK_HEADER), RELAY_ID_HEADER, row.relay_id);
    const recipients = JSON.parse(row.recipients_json) as string[];
    try {
      const info = await this.#transport!.sendMail({
        envelope: { from: config.from ?? row.envelope_from, to: recipients },
        raw,
      });
      const rejected = (info.rejected ?? []).map(String);
      const reply = (info.response ?? '250') + (rejected.length ? ` (rejected: ${rejected.join(', ')})` : '');
      return { attempt: { ok: true, reply }, status: 'sent', next: null };
    } catch (err) {
      const error = err as SendError;
      const reply = describeError(error);
      const delay = config.retries[row.attempt_count];
      if (isPermanent(error) || delay === undefined) {
        this.#log.warn(`mail ${row.message_id} (relay entry ${row.id}) is dead: ${reply}`);
        return { attempt: { ok: false, reply }, status: 'dead', next: null };
      }
      return { attempt: { ok: false, reply }, status: 'failed', next: clock.now() + delay };
    }
  }

  #announce(id: number): RelayEntry | undefined {
    const entry = this.#outbox.entry(id);
    if (entry) this.#options.bus.emit('relay.status', entry);
    return entry;
  }
}
