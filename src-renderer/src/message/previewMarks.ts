// The preview's tracking URLs: marked by the server so that its hits are recorded as `sandbox`, and the pixel shown
// once per mail and app session, so re-rendering the preview or coming back to its tab records nothing new.

/** A transparent 1×1 GIF standing in for the pixel once it has been fetched in this session. */
export const BLANK_PIXEL = 'data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7';

export interface PreviewUrls {
  pixel: string | null;
  /** Tracked URL as in the mail → the same URL with the sandbox mark. */
  urls: Record<string, string>;
}

const viewed = new Set<string>();

/** True the first time a mail's preview asks in this session; false ever after. */
export function claimFirstView(id: string): boolean {
  if (viewed.has(id)) return false;
  viewed.add(id);
  return true;
}

const attr = (url: string) => url.replace(/&/g, '&amp;');

/**
 * The tracked HTML with every tracking URL marked; the pixel marked only on the first view, else blank. Longer URLs
 * go first, so a URL that is a prefix of another is not replaced inside it.
 */
export function markPreviewHtml(html: string, marks: PreviewUrls, withPixel: boolean): string {
  let out = html;
  const entries = Object.entries(marks.urls).sort((a, b) => b[0].length - a[0].length);
  for (const [tracked, marked] of entries) {
    const replacement = tracked === marks.pixel && !withPixel ? BLANK_PIXEL : attr(marked);
    out = out.split(tracked).join(replacement);
  }
  return out;
}
