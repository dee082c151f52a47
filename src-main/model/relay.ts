// The relay outbox as the services and the store use it.

export type RelayStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'dead';

export interface RelayAttempt {
  at: string;
  ok: boolean;
  reply: string;
}

export interface RelayEntry {
  id: number;
  messageId: string;
  /** The inbox of the mail it relays. */
  inbox: string;
  subject: string;
  recipients: string[];
  status: RelayStatus;
  reason: 'rule' | 'release';
  attempts: RelayAttempt[];
  nextAttemptAt: string | null;
  createdAt: string;
}
