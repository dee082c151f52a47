import type { Database, Statement } from 'better-sqlite3';
import type { RelayOutbox } from '../contract.js';
import { entryOf, type AttemptOutcome, type NewOutboxEntry, type OutboxRow } from '../outbox-rows.js';
import type { RelayAttempt, RelayEntry, RelayStatus } from '../../model/relay.js';
import { uuid7 } from '../../ids.js';

/** How many entries `GET /api/v1/relay` shows; older ones stay in the table. */
const LIST_LIMIT = 500;

/**
 * The relay's transactional outbox: one row per relay request (a rule match when a mail was caught, or a release),
 * and one attempt row per SMTP transaction tried for it. Every call is synchronous, so `enqueue` can run inside the
 * transaction that stores the mail.
 *
 * States: pending (never tried) → sending (an SMTP transaction is under way) → sent | failed (temporary failure, a
 * retry is scheduled at next_attempt_ms) | dead (permanent failure, or the retry schedule ran out).
 */
export class SqliteRelayOutbox implements RelayOutbox {
  readonly #insert: Statement;
  readonly #due: Statement;
  readonly #claim: Statement;
  readonly #nextDue: Statement;
  readonly #update: Statement;
  readonly #attempt: Statement;
  readonly #row: Statement;
  readonly #rows: Statement;
  readonly #attemptsOf: Statement;
  readonly #interrupted: Statement;
  readonly #retry: Statement;
  readonly #countBy: Statement;
  readonly #prune: Statement;
  readonly #claimTx: (nowMs: number, limit: number) => OutboxRow[];
  readonly #relayIdOf: Statement;
  readonly #finishTx: (outcomes: AttemptOutcome[], nowMs: number, claim: number) => OutboxRow[];

  constructor(db: Database) {
    this.#insert =
      db.prepare(`INSERT INTO relay_outbox (message_id, inbox, subject, envelope_from, recipients_json, reason,
      status, relay_id, next_attempt_ms, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#due =
      db.prepare(`SELECT * FROM relay_outbox WHERE status IN ('pending', 'failed') AND next_attempt_ms <= ?
      ORDER BY next_attempt_ms, id LIMIT ?`);
    this.#claim = db.prepare(
      `UPDATE relay_outbox SET status = 'sending', updated_ms = ? WHERE id = ? AND status IN ('pending', 'failed')`,
    );
    this.#nextDue = db
      .prepare(`SELECT min(next_attempt_ms) FROM relay_outbox WHERE status IN ('pending', 'failed')`)
      .pluck();
    this.#update = db.prepare(`UPDATE relay_outbox SET status = ?, attempt_count = attempt_count + 1,
      next_attempt_ms = ?, updated_ms = ? WHERE id = ?`);
    this.#attempt = db.prepare(
      'INSERT INTO relay_attempts (outbox_id, at_ms, ok, reply) VALUES (?, ?, ?, ?)',
    );
    this.#row = db.prepare('SELECT * FROM relay_outbox WHERE id = ?');
    this.#rows = db.prepare('SELECT * FROM relay_outbox ORDER BY id DESC LIMIT ?');
    this.#attemptsOf = db.prepare(
      'SELECT at_ms, ok, reply FROM relay_attempts WHERE outbox_id = ? ORDER BY id',
    );
    this.#interrupted = db.prepare(
      `UPDATE relay_outbox SET status = 'pending', next_attempt_ms = ?, updated_ms = ? WHERE status = 'sending' RETURNING id`,
    );
    this.#retry =
      db.prepare(`UPDATE relay_outbox SET status = 'pending', attempt_count = 0, next_attempt_ms = ?,
      updated_ms = ? WHERE id = ? AND status IN ('failed', 'dead')`);
    this.#relayIdOf = db.prepare('SELECT relay_id FROM relay_outbox WHERE id = ?').pluck();
    this.#countBy = db.prepare('SELECT status, count(*) AS n FROM relay_outbox GROUP BY status');
    // Finished entries (and their attempts, by cascade) older than the newest `keep` entries; waiting ones stay.
    this.#prune = db.prepare(`DELETE FROM relay_outbox WHERE status IN ('sent', 'dead')
      AND id <= (SELECT id FROM relay_outbox ORDER BY id DESC LIMIT 1 OFFSET ?)`);

    const claim = (nowMs: number, limit: number) => {
      const rows = this.#due.all(nowMs, limit) as OutboxRow[];
      for (const row of rows) {
        this.#claim.run(nowMs, row.id);
        row.status = 'sending';
      }
      return rows;
    };
    // BEGIN IMMEDIATE: a claim reads the due rows, then marks them; with a second process on the file, a deferred
    // transaction could not take the write lock after its read and would fail instead of waiting its turn.
    const claimTx = db.transaction(claim);
    this.#claimTx = (nowMs, limit) => claimTx.immediate(nowMs, limit);
    this.#finishTx = db.transaction((outcomes: AttemptOutcome[], nowMs: number, limit: number) => {
      for (const { id, atMs, attempt, status, next } of outcomes) {
        this.#attempt.run(id, atMs, attempt.ok ? 1 : 0, attempt.reply);
        this.#update.run(status, next, atMs, id);
      }
      return limit > 0 ? claim(nowMs, limit) : [];
    });
  }

  /**
   * Adds a relay request and returns its row; synchronous so that it can share the transaction that stores the mail.
   * `sending` claims it at once (for a worker with a free connection), saving a second transaction; it is committed
   * with the mail, so a crash before the send leaves it 'sending', which start() resumes like any interrupted send.
   */
  insert(entry: NewOutboxEntry, status: 'pending' | 'sending' = 'pending'): OutboxRow {
    const { messageId, inbox, subject, envelopeFrom, reason, nowMs } = entry;
    const recipients = JSON.stringify(entry.recipients);
    const relayId = uuid7(nowMs); // time-ordered: its unique index grows at its end
    const { lastInsertRowid } = this.#insert.run(
      messageId,
      inbox,
      subject,
      envelopeFrom,
      recipients,
      reason,
      status,
      relayId,
      nowMs,
      nowMs,
      nowMs,
    );
    return {
      id: Number(lastInsertRowid),
      message_id: messageId,
      inbox,
      subject,
      envelope_from: envelopeFrom,
      recipients_json: recipients,
      reason,
      status,
      relay_id: relayId,
      attempt_count: 0,
      next_attempt_ms: nowMs,
      created_ms: nowMs,
    };
  }

  /** insert(), returning the new row's id. */
  async enqueue(entry: NewOutboxEntry, status: 'pending' | 'sending' = 'pending'): Promise<number> {
    return this.insert(entry, status).id;
  }

  /**
   * Whether `row`, written inside a transaction that has ended since, is in the table: false when that transaction
   * (or the mail's savepoint) was rolled back, even if a later request has been given the same id.
   */
  async committed(row: OutboxRow): Promise<boolean> {
    return this.#relayIdOf.get(row.id) === row.relay_id;
  }

  /**
   * Marks up to `limit` due rows as sending and returns them. The change is committed before the caller opens an SMTP
   * transaction, so no other pass of the worker can pick the same row while it is being sent.
   */
  async claimDue(nowMs: number, limit: number): Promise<OutboxRow[]> {
    return this.#claimTx(nowMs, limit);
  }

  /** When the next pending or failed row is due (ms), or null when nothing waits. */
  async nextDueMs(): Promise<number | null> {
    return (this.#nextDue.get() as number | null) ?? null;
  }

  /**
   * Records attempts and the states they lead to and, in the same transaction (one commit for them all), claims up
   * to `claim` due rows, so that a draining backlog costs no second commit.
   */
  async finishAll(outcomes: AttemptOutcome[], nowMs: number, claim = 0): Promise<OutboxRow[]> {
    return this.#finishTx(outcomes, nowMs, claim);
  }

  /** Rows a previous process left in 'sending' (it stopped mid-transaction) go back to pending; returns their ids. */
  async resumeInterrupted(nowMs: number): Promise<number[]> {
    return (this.#interrupted.all(nowMs, nowMs) as { id: number }[]).map((r) => r.id);
  }

  /** A failed or dead row becomes pending again, due now, with a fresh retry schedule; false for any other state. */
  async retry(id: number, nowMs: number): Promise<boolean> {
    return this.#retry.run(nowMs, nowMs, id).changes === 1;
  }

  async row(id: number): Promise<OutboxRow | undefined> {
    return this.#row.get(id) as OutboxRow | undefined;
  }

  async entry(id: number): Promise<RelayEntry | undefined> {
    const row = this.#row.get(id) as OutboxRow | undefined;
    return row && entryOf(row, this.#attempts(id));
  }

  /** The attempts made for an entry, oldest first. */
  async attempts(id: number): Promise<RelayAttempt[]> {
    return this.#attempts(id);
  }

  #attempts(id: number): RelayAttempt[] {
    return (this.#attemptsOf.all(id) as { at_ms: number; ok: number; reply: string }[]).map((a) => ({
      at: new Date(a.at_ms).toISOString(),
      ok: a.ok === 1,
      reply: a.reply,
    }));
  }

  /** The newest entries first. */
  async list(limit = LIST_LIMIT): Promise<RelayEntry[]> {
    return (this.#rows.all(limit) as OutboxRow[]).map((row) => entryOf(row, this.#attempts(row.id)));
  }

  /** Deletes sent and dead entries older than the newest `keep` entries; returns how many went. */
  async prune(keep: number): Promise<number> {
    return this.#prune.run(keep).changes;
  }

  async counts(): Promise<Record<RelayStatus, number>> {
    const out: Record<RelayStatus, number> = { pending: 0, sending: 0, sent: 0, failed: 0, dead: 0 };
    for (const { status, n } of this.#countBy.all() as { status: RelayStatus; n: number }[]) out[status] = n;
    return out;
  }
}
