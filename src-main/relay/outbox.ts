import { randomUUID } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import type { RelayAttempt, RelayEntry, RelayStatus } from '../api/types.js';

/** An outbox row as the worker needs it to send. */
export interface OutboxRow {
  id: number;
  message_id: string;
  subject: string;
  envelope_from: string;
  recipients_json: string;
  reason: RelayEntry['reason'];
  status: RelayStatus;
  relay_id: string;
  attempt_count: number;
  next_attempt_ms: number | null;
  created_ms: number;
}

export interface NewOutboxEntry {
  messageId: string;
  subject: string;
  envelopeFrom: string;
  recipients: string[];
  reason: RelayEntry['reason'];
  nowMs: number;
}

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
export class RelayOutbox {
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
  readonly #finishTx: (
    id: number,
    nowMs: number,
    ok: boolean,
    reply: string,
    status: RelayStatus,
    next: number | null,
    claim: number,
  ) => OutboxRow[];

  constructor(db: Database) {
    this.#insert =
      db.prepare(`INSERT INTO relay_outbox (message_id, subject, envelope_from, recipients_json, reason,
      status, relay_id, next_attempt_ms, created_ms, updated_ms)
      VALUES (@messageId, @subject, @envelopeFrom, @recipients, @reason, @status, @relayId, @nowMs, @nowMs, @nowMs)`);
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
    this.#claimTx = db.transaction(claim);
    this.#finishTx = db.transaction(
      (
        id: number,
        nowMs: number,
        ok: boolean,
        reply: string,
        status: RelayStatus,
        next: number | null,
        limit: number,
      ) => {
        this.#attempt.run(id, nowMs, ok ? 1 : 0, reply);
        this.#update.run(status, next, nowMs, id);
        return limit > 0 ? claim(nowMs, limit) : [];
      },
    );
  }

  /**
   * Adds a relay request; synchronous so that it can share the transaction that stores the mail. `sending` claims it
   * at once (for a worker with a free connection), saving a second transaction; it is committed with the mail, so a
   * crash before the send leaves it 'sending', which start() resumes like any interrupted send.
   */
  enqueue(entry: NewOutboxEntry, status: 'pending' | 'sending' = 'pending'): number {
    return Number(
      this.#insert.run({
        ...entry,
        status,
        recipients: JSON.stringify(entry.recipients),
        relayId: randomUUID(),
      }).lastInsertRowid,
    );
  }

  /**
   * Marks up to `limit` due rows as sending and returns them. The change is committed before the caller opens an SMTP
   * transaction, so no other pass of the worker can pick the same row while it is being sent.
   */
  claimDue(nowMs: number, limit: number): OutboxRow[] {
    return this.#claimTx(nowMs, limit);
  }

  /** When the next pending or failed row is due (ms), or null when nothing waits. */
  nextDueMs(): number | null {
    return (this.#nextDue.get() as number | null) ?? null;
  }

  /**
   * Records an attempt and the state it leads to and, in the same transaction, claims up to `claim` due rows (one
   * commit per mail instead of two while a backlog drains).
   */
  finish(
    id: number,
    nowMs: number,
    attempt: { ok: boolean; reply: string },
    status: RelayStatus,
    next: number | null,
    claim = 0,
  ): OutboxRow[] {
    return this.#finishTx(id, nowMs, attempt.ok, attempt.reply, status, next, claim);
  }

  /** Rows a previous process left in 'sending' (it stopped mid-transaction) go back to pending; returns their ids. */
  resumeInterrupted(nowMs: number): number[] {
    return (this.#interrupted.all(nowMs, nowMs) as { id: number }[]).map((r) => r.id);
  }

  /** A failed or dead row becomes pending again, due now, with a fresh retry schedule; false for any other state. */
  retry(id: number, nowMs: number): boolean {
    return this.#retry.run(nowMs, nowMs, id).changes === 1;
  }

  row(id: number): OutboxRow | undefined {
    return this.#row.get(id) as OutboxRow | undefined;
  }

  entry(id: number): RelayEntry | undefined {
    const row = this.row(id);
    return row && this.#toEntry(row);
  }

  /** The newest entries first. */
  list(limit = LIST_LIMIT): RelayEntry[] {
    return (this.#rows.all(limit) as OutboxRow[]).map((row) => this.#toEntry(row));
  }

  /** Deletes sent and dead entries older than the newest `keep` entries; returns how many went. */
  prune(keep: number): number {
    return this.#prune.run(keep).changes;
  }

  counts(): Record<RelayStatus, number> {
    const out: Record<RelayStatus, number> = { pending: 0, sending: 0, sent: 0, failed: 0, dead: 0 };
    for (const { status, n } of this.#countBy.all() as { status: RelayStatus; n: number }[]) out[status] = n;
    return out;
  }

  #toEntry(row: OutboxRow): RelayEntry {
    const attempts = (this.#attemptsOf.all(row.id) as { at_ms: number; ok: number; reply: string }[]).map(
      (a): RelayAttempt => ({ at: new Date(a.at_ms).toISOString(), ok: a.ok === 1, reply: a.reply }),
    );
    const waiting = row.status === 'pending' || row.status === 'failed';
    return {
      id: row.id,
      messageId: row.message_id,
      subject: row.subject,
      recipients: JSON.parse(row.recipients_json) as string[],
      status: row.status,
      reason: row.reason,
      attempts,
      nextAttemptAt:
        waiting && row.next_attempt_ms !== null ? new Date(row.next_attempt_ms).toISOString() : null,
      createdAt: new Date(row.created_ms).toISOString(),
    };
  }
}
