import type { RelayAttempt, RelayEntry, RelayStatus } from '../model/relay.js';
import type { EventBus } from '../events/bus.js';
import { DEFAULT_INBOX } from '../model/inbox.js';
import type { InboxSettingsSource } from '../model/inbox-settings.js';
import type { Clock, Logger } from '../logger.js';
import type { RelayConfigView } from '../wire/types.js';
import type { AttemptOutcome, CommitHook, MessageStore, OutboxRow, RelayOutbox } from '../store/contract.js';
import { prependHeader, removeHeader } from './headers.js';
import { entryOf } from '../store/outbox-rows.js';
import { autoRecipients, releaseRecipients, type RecipientRules } from './recipients.js';
import {
  POOL_CONNECTIONS,
  SmtpPoolUpstream,
  type Upstream,
  describeError,
  isPermanent,
  maskUrl,
  type SendError,
  type UpstreamOptions,
} from './upstream.js';

/** The per-mail opt-out of tracking (docs/TRACKING.md, "What injection changes"); it is meant for Mailbeacon only, so it never leaves. */
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

/**
 * How many relay requests the worker holds at once (claimed, on a connection or waiting for one): twice the pool, so
 * that a connection that finishes a mail finds the next one waiting instead of idling until outcomes are recorded.
 */
const IN_HAND = 2 * POOL_CONNECTIONS;
/**
 * Outcomes are recorded in one transaction (one commit, one round of status updates) once this many have come in, or
 * RECORD_DELAY_MS after the first of them, or as soon as no other send is under way. A crash inside that window
 * sends those mails again after the restart (with the same relay id), as a crash between a 250 and its commit does.
 */
const RECORD_BATCH = POOL_CONNECTIONS;
const RECORD_DELAY_MS = 20;

/**
 * How long a release waits for the upstream's answer, as Mailpit answers a release with it; an upstream slower than
 * this leaves the mail to the outbox. A connection opened for the release has RELEASE_SETUP_MS to connect and as
 * long to be greeted, so an upstream that cannot be reached fails within the wait.
 */
export const RELEASE_WAIT_MS = 6_000;
const RELEASE_SETUP_MS = 2_500;

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

export interface RelayWorkerOptions {
  store: MessageStore;
  /** The outbox's rows (see RelayOutbox in store/contract.ts). */
  outbox: RelayOutbox;
  bus: EventBus;
  logger: Logger;
  clock: Clock;
  config: RelayConfig;
  /** STOP_GRACE_MS unless given. */
  stopGraceMs?: number;
  /** How many of the newest outbox entries are kept (RETAIN_ENTRIES). */
  retainEntries?: number;
  /** The connections to the upstream (nodemailer's SMTPPool, SmtpPoolUpstream, unless given). */
  upstream?: (options: UpstreamOptions) => Upstream;
  /** Each inbox's relay rules (mode, matching, to), read when a mail is caught or released; the flags' without it. */
  inboxSettings?: InboxSettingsSource;
}

/** A relay request the worker has claimed: its row, and what sending it needs. */
interface Job {
  row: OutboxRow;
  /** The mail as caught, when it came with the claim (from the ingest hook); read from the store otherwise. */
  mail?: { raw: Buffer; tracked: Buffer | null };
  /** The attempts recorded before this one: none for a row the hook wrote; read when a claimed row is launched. */
  attempts?: RelayAttempt[];
}

/** What one attempt came to, waiting to be recorded. */
interface Outcome {
  atMs: number;
  attempt: { ok: boolean; reply: string };
  status: RelayStatus;
  next: number | null;
}

/**
 * What a release came to while its caller waited: `sent` (the upstream took it), `refused` (the upstream refused it or
 * could not be reached: the entry is dead, not retried, since the caller has the error) or `queued` (no answer within
 * the wait: the entry stays in the outbox and follows its retry schedule).
 */
export interface ReleaseResult {
  entry: RelayEntry;
  outcome: 'sent' | 'refused' | 'queued';
  /** The upstream's reply, or the error, for `sent` and `refused`. */
  reply?: string;
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
 * acknowledged mail that matches a rule is never lost) or by `release()`; this worker sends due rows over pooled SMTP
 * connections, records every attempt, retries temporary failures by the schedule and dead-letters the rest.
 *
 * Never twice for one request: a row is marked 'sending' and committed before its SMTP transaction starts, so no
 * second pass picks it up; it leaves 'sending' only with the attempt's outcome, committed in one transaction. A row is
 * tried again only after a failure the upstream reported (or a connection that failed), never after a 250. The one
 * window left is a crash between the upstream's 250 and that commit: after a restart such a row is sent again, with
 * the same Message-ID and X-Mailbeacon-Relay-Id, so a receiver can drop the duplicate.
 *
 * What a mail costs: the hook claims the row inside the mail's own transaction and hands over the caught bytes, so
 * the send needs no read and no claim of its own; outcomes are recorded a batch at a time (one commit for several
 * mails); status updates are built from what the worker holds instead of being read back.
 */
export class RelayWorker {
  readonly #options: RelayWorkerOptions;
  readonly #outbox: RelayOutbox;
  readonly #log: Logger;
  /** Sends under way (on a connection or waiting for one), by outbox id. */
  readonly #inFlight = new Map<number, Promise<void>>();
  /** Sends that have ended, waiting for their outcome to be recorded. */
  #finished: { job: Job; outcome: Outcome }[] = [];
  /** Rows written pending inside a mail's transaction, announced once it has committed. */
  #created: OutboxRow[] = [];
  /** Rows written already claimed ('sending') inside a mail's transaction, sent once it has committed. */
  #reserved: Job[] = [];
  /** Whether the table may hold rows that are (or will be) due; false once a claim came back short. */
  #mayBeDue = true;
  #pool?: Upstream;
  #timer?: NodeJS.Timeout;
  #immediate?: NodeJS.Immediate;
  #recordTimer?: NodeJS.Timeout;
  #recordImmediate?: NodeJS.Immediate;
  #running = false;
  #finishedSincePrune = 0;
  /**
   * The worker's passes over the outbox (claiming, recording, sending what a mail's transaction claimed) run one at
   * a time, as each waits for the store: what one counts in hand stays true until it has claimed.
   */
  #serial: Promise<void> = Promise.resolve();
  /** Releases whose caller waits for the first attempt's outcome, by outbox id. */
  readonly #waiters = new Map<number, (result: { ok: boolean; reply: string }) => void>();

  constructor(options: RelayWorkerOptions) {
    this.#options = options;
    this.#outbox = options.outbox;
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

  /**
   * The recipient rules for a mail of `inbox`: its own relay settings over the flags. `off` relays nothing of it,
   * `all` and `matching` replace --relay-all / --relay-matching, `to` replaces --relay-to; --relay-allow and
   * --relay-block always apply. Null: nothing of this inbox is relayed.
   */
  rulesFor(inbox: string): RecipientRules | null {
    const base = this.#options.config.rules;
    const own = this.#options.inboxSettings?.get(inbox).relay;
    if (!own) return base;
    const to = own.to ?? base.to;
    switch (own.mode) {
      case 'off':
        return null;
      case 'all':
        return { ...base, all: true, matching: undefined, to };
      case 'matching':
        return { ...base, all: false, matching: own.matching ? this.#regex(own.matching) : undefined, to };
      case 'default':
        return own.to ? { ...base, to } : base;
    }
  }

  /** An inbox's recipient pattern, compiled once per source as the flag's is (case-insensitive). */
  readonly #patterns = new Map<string, RegExp | undefined>();
  #regex(source: string): RegExp | undefined {
    if (!this.#patterns.has(source)) {
      let re: RegExp | undefined;
      try {
        re = new RegExp(source, 'i');
      } catch {
        re = undefined; // checked when saved; a stored one that no longer compiles matches nobody
      }
      if (this.#patterns.size >= 1_000) this.#patterns.clear();
      this.#patterns.set(source, re);
    }
    return this.#patterns.get(source);
  }

  /**
   * Registers the commit hook that writes an outbox row, in the mail's own transaction, when a rule matches. The
   * rules are decided per mail, by its inbox's settings at that moment.
   */
  attach(store: { addCommitHook(hook: CommitHook): void }): void {
    const { config, inboxSettings } = this.#options;
    // Without any inbox settings the flags alone decide, and without --relay-all/--relay-matching nothing goes.
    if (!inboxSettings && !config.rules.all && !config.rules.matching) return;
    store.addCommitHook(({ message }) => {
      const rules = this.rulesFor(message.inbox ?? DEFAULT_INBOX);
      if (!rules || (!rules.all && !rules.matching)) return;
      const envelope = message.envelopeTo.length ? message.envelopeTo : message.to.map((a) => a.Address);
      const recipients = autoRecipients(rules, envelope);
      if (!recipients.length) return;
      // With room in hand the row is claimed right here, in the mail's transaction (one commit instead of two).
      const claim = this.#running && this.#inHand() < IN_HAND;
      const entry = {
        messageId: message.id,
        inbox: message.inbox ?? DEFAULT_INBOX,
        subject: message.subject,
        envelopeFrom: message.envelopeFrom,
        recipients,
        reason: 'rule' as const,
        nowMs: message.createdMs,
      };
      const row = this.#outbox.insert(entry, claim ? 'sending' : 'pending');
      // The hook runs inside the transaction; the send may only start once it has committed. A stopped worker
      // leaves the row for start().
      if (!this.#running) return;
      if (claim)
        this.#reserved.push({ row, mail: { raw: message.raw, tracked: message.tracked }, attempts: [] });
      else {
        this.#created.push(row);
        this.#mayBeDue = true;
      }
      this.#wakeSoon();
    });
  }

  /** Mailpit's release: relays a stored mail to `to` through the same outbox. */
  async release(messageId: string, to: string[]): Promise<RelayEntry> {
    const { store, clock } = this.#options;
    const message = await store.get(messageId);
    if (!message) throw new RelayRequestError('message not found', 404);
    if (!to.length) throw new RelayRequestError('[relay] no recipients given (To is empty)', 400);
    const bad = to.find((address) => !ADDRESS.test(address.trim()));
    if (bad !== undefined)
      throw new RelayRequestError(`[relay] not an email address: ${JSON.stringify(bad)}`, 400);
    const rules = this.rulesFor(message.inbox);
    if (!rules) {
      throw new RelayRequestError(
        `[relay] inbox ${message.inbox} relays nothing (its relay mode is off)`,
        400,
      );
    }
    const recipients = releaseRecipients(rules, to);
    if (!recipients.length) {
      throw new RelayRequestError(
        '[relay] none of the recipients may be relayed (--relay-allow / --relay-block)',
        400,
      );
    }
    const id = await this.#outbox.enqueue({
      messageId,
      inbox: message.inbox,
      subject: message.subject,
      envelopeFrom: message.envelope_from,
      recipients,
      reason: 'release',
      nowMs: clock.now(),
    });
    const entry = (await this.#announce(id))!;
    this.#mayBeDue = true;
    this.#wakeSoon();
    return entry;
  }

  /**
   * Mailpit's release as Mailpit answers it: relays the mail and waits up to `waitMs` for the upstream's answer (see
   * ReleaseResult). Refusals of the request itself throw RelayRequestError, as `release` does.
   */
  async releaseAndWait(messageId: string, to: string[], waitMs = RELEASE_WAIT_MS): Promise<ReleaseResult> {
    const queued = await this.release(messageId, to);
    const answer = await new Promise<{ ok: boolean; reply: string } | undefined>((resolve) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(queued.id);
        resolve(undefined);
      }, waitMs);
      this.#waiters.set(queued.id, (result) => {
        clearTimeout(timer);
        resolve(result);
      });
    });
    const entry = (await this.#outbox.entry(queued.id)) ?? queued;
    if (!answer) return { entry, outcome: 'queued' };
    return { entry, outcome: answer.ok ? 'sent' : 'refused', reply: answer.reply };
  }

  /** Sends a failed or dead entry again now, with a fresh retry schedule. */
  async retry(id: number): Promise<RelayEntry> {
    const row = await this.#outbox.row(id);
    if (!row) throw new RelayRequestError('relay entry not found', 404);
    if (!(await this.#outbox.retry(id, this.#options.clock.now()))) {
      throw new RelayRequestError(
        `[relay] entry ${id} is ${row.status}; only failed or dead entries are retried`,
        409,
      );
    }
    const entry = (await this.#announce(id))!;
    this.#mayBeDue = true;
    this.#wakeSoon();
    return entry;
  }

  list(limit?: number): Promise<RelayEntry[]> {
    return this.#outbox.list(limit);
  }

  /** Resumes the outbox: rows a stopped process left in 'sending' go back to pending, then due rows are sent. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#pool ??=
      this.#options.upstream?.(this.#options.config) ?? new SmtpPoolUpstream(this.#options.config);
    void this.#serially(async () => {
      await this.#outbox.prune(this.#options.retainEntries ?? RETAIN_ENTRIES);
      const resumed = await this.#outbox.resumeInterrupted(this.#options.clock.now());
      if (resumed.length) {
        this.#log.warn(
          `${resumed.length} mail(s) were being relayed when Mailbeacon stopped; sending them again`,
        );
        for (const id of resumed) await this.#announce(id);
      }
      this.#mayBeDue = true;
      await this.#pumpNow();
    });
  }

  /** Runs a pass over the outbox after the ones before it (see #serial); a failure is logged. */
  #serially(pass: () => Promise<void>): Promise<void> {
    const run = this.#serial.then(pass).catch((err: Error) => {
      // The database is gone (closed under a running send): the rows stay in the outbox for start().
      this.#log.error(`relay outbox: ${err.message}`);
    });
    this.#serial = run;
    return run;
  }

  /** Stops taking new work, waits for the sends in flight to finish, records them and closes the connections. */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    clearTimeout(this.#recordTimer);
    if (this.#immediate) clearImmediate(this.#immediate);
    if (this.#recordImmediate) clearImmediate(this.#recordImmediate);
    this.#timer = this.#immediate = this.#recordTimer = this.#recordImmediate = undefined;
    this.#created = [];
    this.#reserved = []; // committed as 'sending': start() resumes them
    await this.#serial; // a pass under way launches nothing more once it sees the worker stopped
    const settled = Promise.allSettled([...this.#inFlight.values()]);
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([
      settled,
      new Promise((resolve) => (grace = setTimeout(resolve, this.#options.stopGraceMs ?? STOP_GRACE_MS))),
    ]);
    clearTimeout(grace);
    // Closing the pool by force fails whatever is still in flight; #ended leaves those rows in 'sending' for start().
    this.#pool?.close(true);
    this.#pool = undefined;
    await settled;
    await this.#serially(() => this.#record());
  }

  #inHand(): number {
    return this.#inFlight.size + this.#reserved.length;
  }

  #wakeSoon(): void {
    if (this.#immediate || !this.#running) return;
    this.#immediate = setImmediate(() => {
      this.#immediate = undefined;
      void this.#serially(async () => {
        // Stopped: the rows are safe in the outbox; start() picks them up (the database may be closed by now).
        if (!this.#running) return;
        const created = this.#created;
        const reserved = this.#reserved;
        this.#created = [];
        this.#reserved = [];
        // A mail whose savepoint was rolled back took its row along (and its id may have been used again since):
        // only rows that are in the table are announced and sent.
        const createdIn = await Promise.all(created.map((row) => this.#outbox.committed(row)));
        created.forEach((row, i) => createdIn[i] && this.#emit(entryOf(row, [])));
        const reservedIn = await Promise.all(reserved.map((job) => this.#outbox.committed(job.row)));
        if (!this.#running) return;
        this.#launch(reserved.filter((job, i) => reservedIn[i] && !this.#inFlight.has(job.row.id)));
        if (this.#mayBeDue) await this.#pumpNow();
      });
    });
    this.#immediate.unref();
  }

  /** Claims due rows up to what the worker may hold and sends them; otherwise sleeps until the next row is due. */
  async #pumpNow(): Promise<void> {
    if (!this.#running || !this.#mayBeDue) return;
    const free = IN_HAND - this.#inHand();
    if (free <= 0) return; // an outcome being recorded claims the next rows
    const claimed = await this.#outbox.claimDue(this.#options.clock.now(), free);
    if (!this.#running) return; // claimed rows stay 'sending': start() resumes them
    this.#launch(claimed.map((row) => ({ row })));
    if (claimed.length === free) return;
    this.#mayBeDue = false;
    await this.#sleepUntilDue();
  }

  /** Nothing is due now: wake when the earliest waiting row (a retry, usually) is. */
  async #sleepUntilDue(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const next = await this.#outbox.nextDueMs();
    if (next === null || !this.#running) return;
    const wait = Math.min(Math.max(0, next - this.#options.clock.now()), MAX_TIMER_MS);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#mayBeDue = true;
      void this.#serially(() => this.#pumpNow());
    }, wait);
    this.#timer.unref();
  }

  /** Starts the sends; each is in flight (counted in hand) from now on, a claimed row's attempts read first. */
  #launch(jobs: Job[]): void {
    for (const job of jobs) {
      const send: Promise<void> = this.#attemptsOf(job).then(async (attempts) => {
        job.attempts = attempts;
        this.#emit(entryOf(job.row, attempts));
        const outcome = await this.#send(job);
        this.#inFlight.delete(job.row.id);
        this.#ended(job, outcome);
      });
      this.#inFlight.set(job.row.id, send);
    }
  }

  /** Queues an outcome for recording: at once when it is the last send under way, else with others. */
  #ended(job: Job, outcome: Outcome): void {
    job.mail = undefined;
    // A send that failed while stopping most likely failed because we closed its connection: that says nothing
    // about the upstream, so it costs no retry; the row stays 'sending' and the next start() sends it again.
    if (!this.#running && !outcome.attempt.ok) return;
    this.#finished.push({ job, outcome });
    if (!this.#running) return; // stop() records it
    if (this.#finished.length >= RECORD_BATCH || this.#inFlight.size === 0) {
      this.#recordImmediate ??= setImmediate(() => void this.#serially(() => this.#record()));
    } else {
      this.#recordTimer ??= setTimeout(() => void this.#serially(() => this.#record()), RECORD_DELAY_MS);
    }
  }

  /** The attempts recorded before this send: none for a row the hook wrote, read for a claimed one. */
  async #attemptsOf(job: Job): Promise<RelayAttempt[]> {
    try {
      return job.attempts ?? (await this.#outbox.attempts(job.row.id));
    } catch {
      return []; // only the announcement shows them: the send goes on
    }
  }

  /**
   * Records the outcomes that came in, in one transaction that also claims due rows for the room they left; then
   * announces them and sends what was claimed.
   */
  async #record(): Promise<void> {
    clearTimeout(this.#recordTimer);
    if (this.#recordImmediate) clearImmediate(this.#recordImmediate);
    this.#recordTimer = this.#recordImmediate = undefined;
    const finished = this.#finished;
    if (!finished.length) return;
    this.#finished = [];
    const { clock, retainEntries } = this.#options;
    const free = this.#running && this.#mayBeDue ? Math.max(0, IN_HAND - this.#inHand()) : 0;
    const outcomes: AttemptOutcome[] = finished.map(({ job, outcome }) => ({ id: job.row.id, ...outcome }));
    let claimed: OutboxRow[];
    try {
      claimed = await this.#outbox.finishAll(outcomes, clock.now(), free);
    } catch (err) {
      // The database is gone (closed under a running send): the rows stay 'sending' and start() resumes them.
      this.#log.error(`could not record ${finished.length} relay attempt(s): ${(err as Error).message}`);
      return;
    }
    let retrying = false;
    for (const { job, outcome } of finished) {
      const { row } = job;
      row.status = outcome.status;
      row.next_attempt_ms = outcome.next;
      row.attempt_count++;
      const attempt = { at: new Date(outcome.atMs).toISOString(), ...outcome.attempt };
      this.#emit(entryOf(row, [...(job.attempts ?? []), attempt]));
      retrying ||= outcome.status === 'failed';
      const waiter = this.#waiters.get(row.id);
      this.#waiters.delete(row.id);
      waiter?.(outcome.attempt);
    }
    this.#finishedSincePrune += finished.length;
    if (this.#finishedSincePrune >= PRUNE_EVERY) {
      this.#finishedSincePrune = 0;
      await this.#outbox.prune(retainEntries ?? RETAIN_ENTRIES);
    }
    if (!this.#running) return;
    this.#launch(claimed.map((row) => ({ row })));
    if (free > 0 && claimed.length < free) this.#mayBeDue = false;
    // A retry was scheduled, or the due rows ran out: make sure a timer wakes the worker for the next one.
    if (retrying) this.#mayBeDue = true;
    if (this.#mayBeDue) await this.#pumpNow();
    else if (free > 0 && claimed.length < free) await this.#sleepUntilDue();
  }

  /** One SMTP transaction for an outbox row; never throws, the outcome says what happened. */
  async #send(job: Job): Promise<Outcome> {
    const { store, config, clock } = this.#options;
    const { row } = job;
    const mail = job.mail ?? (await store.raw(row.message_id));
    if (!mail) {
      return {
        atMs: clock.now(),
        attempt: { ok: false, reply: 'the mail was deleted before it could be relayed' },
        status: 'dead',
        next: null,
      };
    }
    const source = config.original ? mail.raw : (mail.tracked ?? mail.raw);
    const raw = prependHeader(removeHeader(source, TRACK_HEADER), RELAY_ID_HEADER, row.relay_id);
    const recipients = JSON.parse(row.recipients_json) as string[];
    // A release whose caller waits: a connection has to come up within the wait, and a failure is the answer.
    const waited = this.#waiters.has(row.id);
    try {
      const delivery = await this.#pool!.send(
        { from: config.from ?? row.envelope_from, to: recipients },
        raw,
        waited ? RELEASE_SETUP_MS : undefined,
      );
      const rejected = delivery.rejected;
      const reply =
        (delivery.response || '250') + (rejected.length ? ` (rejected: ${rejected.join(', ')})` : '');
      return { atMs: clock.now(), attempt: { ok: true, reply }, status: 'sent', next: null };
    } catch (err) {
      const error = err as SendError;
      const reply = describeError(error);
      const delay = config.retries[row.attempt_count];
      // (the caller of a release still waiting is told of the failure: a retry later would deliver behind its back)
      if (isPermanent(error) || delay === undefined || this.#waiters.has(row.id)) {
        this.#log.warn(`mail ${row.message_id} (relay entry ${row.id}) is dead: ${reply}`);
        return { atMs: clock.now(), attempt: { ok: false, reply }, status: 'dead', next: null };
      }
      const atMs = clock.now();
      return { atMs, attempt: { ok: false, reply }, status: 'failed', next: atMs + delay };
    }
  }

  /** Announces an entry as the table has it (for the rarer paths: release, retry, resume). */
  async #announce(id: number): Promise<RelayEntry | undefined> {
    const entry = await this.#outbox.entry(id);
    if (entry) this.#emit(entry);
    return entry;
  }

  #emit(entry: RelayEntry): void {
    this.#options.bus.emit('relay.status', entry);
  }
}
