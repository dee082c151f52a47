// Which hrefs are tracked, and why the others are left alone (docs/TRACKING.md, "What injection changes").
import { pointsAt } from '../host-match.js';

/** Attributes by which a sender opts a single link out of click tracking (names as the big senders spell them). */
export const OPT_OUT_ATTRIBUTES = new Set([
  'data-mb-no-track',
  'clicktracking', // SendGrid: clicktracking=off
  'ses:no-track', // Amazon SES
  'data-pm-no-track', // Postmark
  'data-mautic-disable-tracking', // Mautic
]);

/** Template syntax a sending app forgot to render, or left for the provider to fill: never a real destination. */
const PLACEHOLDER = /\{\{|\{%|\*\|[^|]*\|\*|%%?[A-Za-z_][\w.:-]{2,}%%?|\[\[[^\]]*\]\]/;

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

/** The reason given for a link to our own tracking listener; the preview marks these as its own too. */
export const ALREADY_TRACKING = 'already a tracking link';

export type LinkDecision = { track: true } | { track: false; reason: string };

/** Decides for one decoded, trimmed href value. `trackingBase` has no trailing slash. */
export function decideLink(url: string, trackingBase: string): LinkDecision {
  if (url === '') return { track: false, reason: 'empty href' };
  if (PLACEHOLDER.test(url)) return { track: false, reason: 'template placeholder' };
  if (url.startsWith('#')) return { track: false, reason: 'anchor' };
  if (url.startsWith('//')) return { track: false, reason: 'protocol-relative URL' };
  const scheme = SCHEME.exec(url)?.[1]?.toLowerCase();
  if (!scheme) return { track: false, reason: 'relative URL' };
  if (scheme !== 'http' && scheme !== 'https') return { track: false, reason: `${scheme}: link` };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { track: false, reason: 'not a valid URL' };
  }
  // However the mail spells our host (localhost for 127.0.0.1, a trailing dot, capitals): a redirect to it
  // would record a hit of its own.
  if (pointsAt(parsed, [trackingBase])) return { track: false, reason: ALREADY_TRACKING };
  return { track: true };
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Character references as they occur in hrefs (`&amp;` above all); anything else is kept as written. */
export function decodeAttributeEntities(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(/&(#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z]{2,6});?/g, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[ref.toLowerCase()] ?? whole;
  });
}

/** For writing a URL into a double-quoted attribute. */
export function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Unsubscribe placeholders filled with the tracked unsubscribe URL, in the spellings of common senders:
 * `{{unsubscribe_url}}`, `{{ unsubscribe }}`, `{{{unsubscribe}}}`, `{{pm:unsubscribe}}` (Postmark),
 * `%unsubscribe_url%` / `%tag_unsubscribe_url%` / `%mailing_list_unsubscribe_url%` (Mailgun), `*|UNSUB|*`
 * (Mailchimp), `[unsubscribe_url]` and `<%asm_group_unsubscribe_raw_url%>` (SendGrid).
 */
export const UNSUBSCRIBE_PLACEHOLDER =
  /\{\{\{?\s*(?:unsubscribe_url|unsubscribe_link|unsubscribe|pm:unsubscribe)\s*\}?\}\}|%(?:unsubscribe_url|tag_unsubscribe_url|mailing_list_unsubscribe_url)%|\*\|UNSUB\|\*|\[unsubscribe_url\]|<%asm_group_unsubscribe_raw_url%>|&lt;%asm_group_unsubscribe_raw_url%&gt;/gi;
