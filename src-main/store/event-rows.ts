// The shapes of tracking events as the store takes and filters them, beside the interface (contract.ts) that any
// engine implements.
import type { CountScope } from '../model/counting.js';
import type { InboxScope } from '../model/inbox.js';
import type { Classification, TokenKind, TrackingSource } from '../model/tracking.js';

/** A hit as the tracking server saw it, before it has a row id. */
export interface NewTrackingEvent {
  kind: TokenKind;
  url: string;
  metadata: Record<string, string>;
  remote_ip: string;
  ua: string;
  /** Unix nanoseconds of the hit. */
  ts: bigint;
  token_id: string;
  message_id: string;
  classification: Classification;
  method: string;
  source: TrackingSource;
  /** Who the hit counts as for "unique" (see clientKey). */
  client: string;
}

/** How `EventStore.recordMany` writes a batch. */
export interface RecordOptions {
  /**
   * An unsubscribe whose token has one from the same source already (stored, or earlier in the batch) is left out:
   * a one-click unsubscribe (RFC 8058) may be POSTed again. Checked inside the write's transaction.
   */
  unsubscribeOnce?: boolean;
}

export interface EventQuery {
  kind?: TokenKind;
  /** Any of these (undefined: every one). */
  classifications?: Classification[];
  sources?: TrackingSource[];
  /** Only hits at or after this unix-nanosecond time. */
  since?: bigint;
  messageId?: string;
  limit?: number;
  offset?: number;
  /** The inboxes whose mails' hits are listed (default: all). */
  scope?: InboxScope;
}

/**
 * Which hits a rate, a chart or a link's figures count: by default those model/counting.ts counts under the scope;
 * given classifications or sources replace that definition (`expired` hits are never counted).
 */
export interface CountFilter {
  scope: CountScope;
  classifications?: Classification[];
  sources?: TrackingSource[];
  since?: bigint;
}
