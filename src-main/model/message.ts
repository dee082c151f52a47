// The domain's mail: what the store keeps and returns, and what the bus carries when a mail arrives.
// Addresses keep Mailpit's field names because they are stored as JSON in that form (messages.*_json).

export interface Address {
  Name: string;
  Address: string;
}

/**
 * A mail's tracking counts. The top-level figures count a recipient's people only (classification `human`, source
 * `recipient`); machine hits (proxy, scanner) and Mailbeacon's own hits (sandbox) are counted beside them, never
 * mixed in. "Unique" is distinct (token, client), a client being IP + user agent, or Apple's proxy as one client.
 */
export interface TrackingCounts {
  opens: number;
  uniqueOpens: number;
  clicks: number;
  uniqueClicks: number;
  unsubscribed: boolean;
  /** A recipient's machine hits: mail providers' image proxies and link scanners. */
  machine: { opens: number; clicks: number };
  /** Hits from Mailbeacon itself: the preview and simulations. */
  sandbox: { opens: number; clicks: number; unsubscribed: boolean };
}

/** A stored mail as listed: its envelope fields, state and tracking counts (api/wire/messages.ts maps it). */
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
