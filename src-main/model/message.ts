// The domain's mail: what the store keeps and returns, and what the bus carries when a mail arrives.
// Addresses keep Mailpit's field names because they are stored as JSON in that form (messages.*_json).

export interface Address {
  Name: string;
  Address: string;
}

/** Opens, clicks and unsubscribe counted under one scope (model/counting.ts), machine hits beside them. */
export interface HitCounts {
  opens: number;
  uniqueOpens: number;
  clicks: number;
  uniqueClicks: number;
  unsubscribed: boolean;
  /** Machine hits of the same sources: mail providers' image proxies and link scanners. */
  machine: { opens: number; clicks: number };
}

/**
 * A mail's tracking counts, as model/counting.ts defines them. The top-level figures count people's hits
 * (classification `human`) from recipients and simulated recipients; `recipients` the same from real recipients
 * only; machine hits are counted beside them, never mixed in; the user's own preview hits apart. "Unique" is
 * distinct (token, client), a client being IP + user agent, or Apple's proxy as one client.
 */
export interface TrackingCounts extends HitCounts {
  /** The same figures from real recipients only (the "real recipients only" switch). */
  recipients: HitCounts;
  /** The user's own hits in Mailbeacon's preview: listed, never counted. */
  preview: { opens: number; clicks: number; unsubscribed: boolean };
}

/** The counts of a mail nothing has been recorded for. */
export function emptyCounts(): TrackingCounts {
  const hits = (): HitCounts => ({
    opens: 0,
    uniqueOpens: 0,
    clicks: 0,
    uniqueClicks: 0,
    unsubscribed: false,
    machine: { opens: 0, clicks: 0 },
  });
  return { ...hits(), recipients: hits(), preview: { opens: 0, clicks: 0, unsubscribed: false } };
}

/** A stored mail as listed: its envelope fields, state and tracking counts (wire/messages.ts maps it). */
export interface MessageListing {
  id: string;
  messageId: string;
  read: boolean;
  from: Address | null;
  to: Address[];
  cc: Address[];
  bcc: Address[];
  replyTo: Address[];
  subject: string;
  createdMs: number;
  username: string;
  /** The inbox it belongs to (model/inbox.ts). */
  inbox: string;
  tags: string[];
  size: number;
  /** Parts that are not inline. */
  attachments: number;
  snippet: string;
  tracking: TrackingCounts;
}

/** A stored part of a mail, as its attachment list shows it. */
export interface AttachmentInfo {
  partId: string;
  fileName: string;
  contentType: string;
  contentId: string;
  size: number;
  md5: string;
  sha1: string;
  sha256: string;
}
