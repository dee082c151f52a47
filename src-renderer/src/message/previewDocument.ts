// Builds the srcdoc of the preview iframe. The iframe is sandboxed without allow-scripts; the CSP inside the
// document is a second wall in case a sandbox flag is ever added, and <base target="_blank"> makes every link
// open in a new window (through the tracked redirect) instead of replacing the preview.
import type { Attachment } from '../../../src-main/api/types';

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
 * The policy must come before anything it governs. Put right after the doctype (before it would switch the page to
 * quirks mode), the parser places it first in <head> whether or not the mail has one.
 */
export function buildPreviewDocument(
  html: string,
  inline: Attachment[],
  partUrl: (partId: string) => string,
): string {
  const body = rewriteCidUrls(html, inline, partUrl);
  const doctype = /^\s*<!doctype[^>]*>/i.exec(body);
  if (doctype) return doctype[0] + HEAD_ADDITIONS + body.slice(doctype[0].length);
  return HEAD_ADDITIONS + body;
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
