// Whether a mail about to be stored matches a parsed query, in memory (tag rules on ingest), as the stored search
// would find it.

import type { Address, MessageListing } from '../model/message.js';
import type { AddressField, Filter } from './query.js';

/** An address as address filters match it, in the index and in memory: a substring of `name <address>`. */
export const addressKey = (a: Address): string => `${a.Name} <${a.Address}>`.toLowerCase();

/** A mail about to be stored, as tag rules see it. */
export interface MailCandidate extends Pick<
  MessageListing,
  | 'from'
  | 'to'
  | 'cc'
  | 'bcc'
  | 'replyTo'
  | 'subject'
  | 'messageId'
  | 'tags'
  | 'size'
  | 'attachments'
  | 'createdMs'
> {
  /** Inline parts. */
  inline: number;
  /** The text a plain word is looked for in: subject, addresses and body. */
  text: string;
  /** The inbox it is going to, once known (`inbox:` never matches before). */
  inbox?: string;
}

const has = (haystack: string, needle: string) => haystack.toLowerCase().includes(needle.toLowerCase());
const hasAddress = (list: (Address | null)[], needle: string) =>
  list.some((a) => !!a && addressKey(a).includes(needle.toLowerCase()));

/**
 * Whether a mail not yet stored matches filters (tag rules on ingest). Words and fields match as substrings, as in
 * the index; a new mail is unread and has no tracking events or relay yet.
 */
export function matchesMail(filters: Filter[], mail: MailCandidate): boolean {
  return filters.every((f) => {
    let hit: boolean;
    switch (f.kind) {
      case 'text':
        hit = has(mail.text, f.value);
        break;
      case 'address': {
        const lists: Record<AddressField, (Address | null)[]> = {
          from: [mail.from],
          to: mail.to,
          cc: mail.cc,
          bcc: mail.bcc,
          'reply-to': mail.replyTo,
          addressed: [mail.from, ...mail.to, ...mail.cc, ...mail.bcc, ...mail.replyTo],
        };
        hit = hasAddress(lists[f.field], f.value);
        break;
      }
      case 'subject':
        hit = has(mail.subject, f.value);
        break;
      case 'message-id':
        hit = has(mail.messageId, f.value);
        break;
      case 'tag':
        hit = mail.tags.some((t) => t.toLowerCase() === f.value.toLowerCase());
        break;
      case 'inbox':
        hit = mail.inbox === f.value;
        break;
      case 'is':
        hit = f.value === 'unread' || (f.value === 'tagged' && mail.tags.length > 0);
        break;
      case 'has':
        hit = f.value === 'attachment' ? mail.attachments > 0 : mail.inline > 0;
        break;
      case 'size':
        hit = f.op === 'larger' ? mail.size >= f.bytes : mail.size < f.bytes;
        break;
      case 'date':
        hit = f.op === 'before' ? mail.createdMs < f.ms : mail.createdMs >= f.ms;
        break;
      case 'source':
        return true; // only scopes tracking filters, which a new mail matches none of
    }
    return hit !== f.negated;
  });
}
