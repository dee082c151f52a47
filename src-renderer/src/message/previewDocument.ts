// Builds the srcdoc of the preview iframe. The iframe is sandboxed without allow-scripts; the CSP inside the
// document is a second wall in case a sandbox flag is ever added, and <base target="_blank"> makes every link
// open in a new window (through the tracked redirect) instead of replacing the preview.
import type { Attachment } from '../../../src-main/wire/types';

/**
 * No scripts, no forms, no frames, no connections; images, styles and fonts load because mail needs them and the
 * tracking pixel is an image.
 */
export const PREVIEW_CSP =
  "default-src 'none'; img-src http: https: data: blob:; style-src 'unsafe-inline' http: https:; " +
  "font-src http: https: data:; media-src http: https: data:; form-action 'none'; base-uri 'none'";

const HEAD_ADDITIONS =
  `<meta http-equiv="Content-Security-Policy" content="${PREVIEW_CSP}">` +
  '<meta name="referrer" content="no-referrer">' +
  '<base target="_blank">';

/** Inline images referenced as cid:… are served by the part route; the iframe needs absolute URLs. */
export function rewriteCidUrls(
  html: string,
  inline: Attachment[],
  partUrl: (partId: string) => string,
): string {
  if (inline.length === 0) return html;
  const byCid = new Map(
    inline.filter((a) => a.ContentID).map((a) => [a.ContentID.replace(/^<|>$/g, ''), a.PartID]),
  );
  return html.replace(/(["'(])cid:([^"')\s]+)/gi, (match, quote: string, cid: string) => {
    const partId = byCid.get(decodeURIComponent(cid));
    return partId ? `${quote}${partUrl(partId)}` : match;
  });
}

/**
 * The mail is parsed (inert: a parsed document loads nothing and runs nothing) so that every link opens in a new
 * window even when the mail says target="_self" or has a <base> of its own, and so that the policy lands first in
 * <head>, before anything it governs. The doctype is kept as written, so the mail renders in the mode it asked for.
 */
export function buildPreviewDocument(
  html: string,
  inline: Attachment[],
  partUrl: (partId: string) => string,
): string {
  const source = rewriteCidUrls(html, inline, partUrl);
  const doc = new DOMParser().parseFromString(source, 'text/html');
  for (const base of doc.querySelectorAll('base')) base.remove();
  for (const el of doc.querySelectorAll('a[target], area[target], form[target]'))
    el.removeAttribute('target');
  const head = doc.head ?? doc.documentElement.insertBefore(doc.createElement('head'), doc.body);
  const additions = doc.createElement('template');
  additions.innerHTML = HEAD_ADDITIONS;
  head.prepend(...Array.from(additions.content.childNodes));
  const doctype = /^\s*<!doctype[^>]*>/i.exec(source)?.[0].trim() ?? '';
  return doctype + doc.documentElement.outerHTML;
}

/** A plain-text mail shown in the same frame, escaped, so the preview tab is never empty. */
export function textAsDocument(text: string): string {
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return (
    HEAD_ADDITIONS +
    '<body style="margin:16px"><pre style="white-space:pre-wrap;font:13px/1.5 ui-monospace,monospace">' +
    escaped +
    '</pre></body>'
  );
}

export type DeviceWidth = 'desktop' | 'tablet' | 'mobile';

/** Widths of common devices in CSS pixels: a 768 px iPad portrait and a 375 px phone. */
export const DEVICE_WIDTHS: Record<DeviceWidth, number | null> = { desktop: null, tablet: 768, mobile: 375 };
