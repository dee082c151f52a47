import type { RelayAttempt, RelayEntry, RelayStatus } from '../model/relay.js';

// The relay outbox's rows as every engine hands them over, and their mapping to the model's entry.

/** An outbox row as the worker needs it to send. */
export interface OutboxRow {
  id: number;
  message_id: string;
  /** The inbox of the mail (the table's trigger keeps it equal to the mail's). */
  inbox: string;
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
  /** The mail's inbox. */
  inbox: string;
  subject: string;
  envelopeFrom: string;
  recipients: string[];
  reason: RelayEntry['reason'];
  nowMs: number;
}

/** What one attempt came to, as the outbox records it. */
export interface AttemptOutcome {
  id: number;
  /** When the attempt ended (ms). */
  atMs: number;
  attempt: { ok: boolean; reply: string };
  status: RelayStatus;
  /** When the next attempt is due (ms), for a failed one. */
  next: number | null;
}

/** An outbox row as the API shows it, given its attempts (oldest first). */
export function entryOf(row: OutboxRow, attempts: RelayAttempt[]): RelayEntry {
  const waiting = row.status === 'pending' || row.status === 'failed';
  return {
    id: row.id,
    messageId: row.message_id,
    inbox: row.inbox,
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
