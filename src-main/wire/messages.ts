import type { AttachmentInfo, MessageListing } from '../model/message.js';
import type { Attachment, MessageSummary } from './types.js';

/** A stored mail's list row in Mailpit's shape (`GET /api/v1/messages`, the hub's and webhooks' new-mail payload). */
export function toWireSummary(m: MessageListing): MessageSummary {
  return {
    ID: m.id,
    MessageID: m.messageId,
    Read: m.read,
    From: m.from,
    To: m.to,
    Cc: m.cc,
    Bcc: m.bcc,
    ReplyTo: m.replyTo,
    Subject: m.subject,
    Created: new Date(m.createdMs).toISOString(),
    Username: m.username,
    Tags: m.tags,
    Size: m.size,
    Attachments: m.attachments,
    Snippet: m.snippet,
    Tracking: m.tracking,
  };
}

/** A stored part in Mailpit's Attachment shape. */
export function toWireAttachment(a: AttachmentInfo): Attachment {
  return {
    PartID: a.partId,
    FileName: a.fileName,
    ContentType: a.contentType,
    ContentID: a.contentId,
    Size: a.size,
    Checksums: { MD5: a.md5, SHA1: a.sha1, SHA256: a.sha256 },
  };
}
