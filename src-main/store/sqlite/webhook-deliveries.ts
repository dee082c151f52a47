import type { Database, Statement } from 'better-sqlite3';
import type { WebhookDeliveries } from '../contract.js';
import type { WebhookDelivery } from '../../model/webhook.js';
import type { DeliveryAttempt, DeliveryRow, NewDelivery } from '../delivery-rows.js';

export type { DeliveryAttempt, DeliveryRow, NewDelivery } from '../delivery-rows.js';

/** How many deliveries `GET /api/v1/webhooks/deliveries` shows; older ones stay in the table. */
const LIST_LIMIT = 500;

/**
 * The webhook outbox: one row per (endpoint, event), holding the exact body that is signed and sent. States: pending
 * (not yet tried) → delivered | failed (retry at next_attempt_ms) | dead (410, or the schedule ran out).
 *
 * A row being sent keeps its state but has its next_attempt_ms pushed past the request timeout (a lease): no other
 * pass picks it up meanwhile, and if the process dies mid-request the row is simply due again later.
 */
export class SqliteWebhookDeliveries implements WebhookDeliveries {
  readonly #insert: Statement;
  readonly #due: Statement;
  readonly #lease: Statement;
  readonly #nextDue: Statement;
  readonly #finish: Statement;
  readonly #row: Statement;
  readonly #rows: Statement;
  readonly #replay: Statement;
  readonly #prune: Statement;
  readonly #enqueueTx: (rows: NewDelivery[]) => number[];
  readonly #claimTx: (nowMs: number, leaseMs: number, limit: number) => DeliveryRow[];

  constructor(db: Database) {
    this.#insert =
      db.prepare(`INSERT INTO webhook_deliveries (webhook_id, url, inbox, event_type, body, next_attempt_ms,
      created_ms) VALUES (@webhookId, @url, @inbox, @eventType, @body, @nowMs, @nowMs)`);
    this.#due = db.prepare(`SELECT * FROM webhook_deliveries WHERE status IN ('pending', 'failed')
      AND next_attempt_ms <= ? ORDER BY next_attempt_ms, id LIMIT ?`);
    this.#lease = db.prepare('UPDATE webhook_deliveries SET next_attempt_ms = ? WHERE id = ?');
    this.#nextDue = db
      .prepare(`SELECT min(next_attempt_ms) FROM webhook_deliveries WHERE status IN ('pending', 'failed')`)
      .pluck();
    this.#finish = db.prepare(`UPDATE webhook_deliveries SET status = ?, next_attempt_ms = ?,
      attempt_count = attempt_count + 1, attempts_json = json_insert(attempts_json, '$[#]', json(?)) WHERE id = ?`);
    this.#row = db.prepare('SELECT * FROM webhook_deliveries WHERE id = ?');
    this.#rows = db.prepare('SELECT * FROM webhook_deliveries ORDER BY id DESC LIMIT ?');
    this.#replay = db.prepare(`UPDATE webhook_deliveries SET status = 'pending', attempt_count = 0,
      next_attempt_ms = ? WHERE id = ?`);
    // Finished deliveries older than the newest `keep`; waiting ones stay whatever their age.
    this.#prune = db.prepare(`DELETE FROM webhook_deliveries WHERE status IN ('delivered', 'dead')
      AND id <= (SELECT id FROM webhook_deliveries ORDER BY id DESC LIMIT 1 OFFSET ?)`);
    this.#enqueueTx = db.transaction((rows: NewDelivery[]) =>
      rows.map((row) => Number(this.#insert.run({ ...row, inbox: row.inbox ?? null }).lastInsertRowid)),
    );
    // BEGIN IMMEDIATE, as the relay outbox's claim: a second process on the file waits its turn.
    const claimTx = db.transaction((nowMs: number, leaseMs: number, limit: number) => {
      const rows = this.#due.all(nowMs, limit) as DeliveryRow[];
      for (const row of rows) this.#lease.run(nowMs + leaseMs, row.id);
      return rows;
    });
    this.#claimTx = (nowMs, leaseMs, limit) => claimTx.immediate(nowMs, leaseMs, limit);
  }

  /** One row per endpoint for one event, in one transaction. */
  async enqueue(rows: NewDelivery[]): Promise<number[]> {
    return this.#enqueueTx(rows);
  }

  /** Due rows, leased for `leaseMs` so that they are not picked up again while their request runs. */
  async claimDue(nowMs: number, leaseMs: number, limit: number): Promise<DeliveryRow[]> {
    return this.#claimTx(nowMs, leaseMs, limit);
  }

  async nextDueMs(): Promise<number | null> {
    return (this.#nextDue.get() as number | null) ?? null;
  }

  async finish(
    id: number,
    attempt: DeliveryAttempt,
    status: WebhookDelivery['status'],
    next: number | null,
  ): Promise<void> {
    this.#finish.run(status, next, JSON.stringify(attempt), id);
  }

  /** Sends a delivery again now, whatever its state, with a fresh retry schedule; false for an unknown id. */
  async replay(id: number, nowMs: number): Promise<boolean> {
    return this.#replay.run(nowMs, id).changes === 1;
  }

  /** Deletes delivered and dead rows older than the newest `keep`; returns how many went. */
  async prune(keep: number): Promise<number> {
    return this.#prune.run(keep).changes;
  }

  async row(id: number): Promise<DeliveryRow | undefined> {
    return this.#row.get(id) as DeliveryRow | undefined;
  }

  async delivery(id: number): Promise<WebhookDelivery | undefined> {
    const row = this.#row.get(id) as DeliveryRow | undefined;
    return row && toDelivery(row);
  }

  async list(limit = LIST_LIMIT): Promise<WebhookDelivery[]> {
    return (this.#rows.all(limit) as DeliveryRow[]).map(toDelivery);
  }
}

function toDelivery(row: DeliveryRow): WebhookDelivery {
  const waiting = row.status === 'pending' || row.status === 'failed';
  return {
    id: row.id,
    webhookId: row.webhook_id,
    url: row.url,
    inbox: row.inbox,
    eventType: row.event_type,
    status: row.status,
    attempts: JSON.parse(row.attempts_json) as DeliveryAttempt[],
    nextAttemptAt:
      waiting && row.next_attempt_ms !== null ? new Date(row.next_attempt_ms).toISOString() : null,
    createdAt: new Date(row.created_ms).toISOString(),
  };
}
