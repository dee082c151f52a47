// What the tracking tests check on HTML, shared by the injector test and the end-to-end corpus test.
import { DomUtils, parseDocument } from 'htmlparser2';

/** Template syntax that is never a destination (see src-main/tracking/inject/links.ts). */
export const PLACEHOLDER = /\{\{|\{%|\*\|[^|]*\|\*|%%?[A-Za-z_][\w.:-]{2,}%%?/;

export interface Href {
  url: string;
  optOut: boolean;
}

/** Every `<a>`/`<area>` href as a browser's parser sees it, in document order. */
export function hrefs(html: string): Href[] {
  const doc = parseDocument(html);
  return DomUtils.findAll(
    (el) => (el.name === 'a' || el.name === 'area') && el.attribs.href !== undefined,
    doc.children,
  ).map((el) => ({
    url: el.attribs.href!.trim(),
    optOut: Object.keys(el.attribs).some((a) => a === 'data-mb-no-track' || a === 'clicktracking'),
  }));
}

/** True for the links injection must rewrite. */
export function mustTrack(link: Href): boolean {
  return /^https?:\/\//i.test(link.url) && !PLACEHOLDER.test(link.url) && !link.optOut;
}

/** The text a reader sees (style, script and title excluded), whitespace collapsed. */
export function visibleText(html: string): string {
  const doc = parseDocument(html);
  const visible = DomUtils.filter((n) => n.type === 'text', doc.children, true).filter((n) => {
    const parent = DomUtils.getParent(n) as { name?: string } | null;
    return !parent || !['style', 'script', 'title'].includes(parent.name ?? '');
  });
  return visible
    .map((n) => DomUtils.textContent(n))
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
}

/** How many tracking pixels of `base` the HTML holds. */
export function pixelCount(html: string, base: string): number {
  return html.split(`src="${base}/o?t=`).length - 1;
}
