import { QuoteType, Tokenizer, type TokenizerCallbacks } from 'htmlparser2';
import type { SkippedLink, TrackedLink } from '../../model/tracking.js';
import {
  OPT_OUT_ATTRIBUTES,
  UNSUBSCRIBE_PLACEHOLDER,
  decideLink,
  decodeAttributeEntities,
  escapeAttribute,
} from './links.js';

/**
 * What the HTML rewriter needs from the mail it works on. The HTML arrives as a latin1 string of the part's bytes,
 * so that every offset is a byte offset and untouched bytes survive whatever the charset.
 */
export interface HtmlRewriteContext {
  partId: string;
  /** Without a trailing slash. */
  trackingBase: string;
  /** Bytes (as latin1) of an attribute value → the text it stands for, in the part's charset. */
  decodeText: (latin1: string) => string;
  /** Mints the click token of the next rewritten link. */
  mintClick: (url: string) => { index: number; url: string; tokenId: string };
  /** The pixel's URL when this part gets it (only the first HTML part does). */
  pixel: { url: string; tokenId: string } | null;
  unsubscribeUrl: string;
}

export interface HtmlRewriteResult {
  /** The rewritten part, latin1 like its input. */
  html: string;
  links: TrackedLink[];
  skipped: SkippedLink[];
  pixel: { placement: 'before-body-end' | 'end-of-document'; offset: number; line: number } | null;
  placeholdersFilled: number;
}

interface Attribute {
  name: string;
  nameStart: number;
  valueStart: number;
  valueEnd: number;
  quote: QuoteType;
  end: number;
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** Matches the condition of a downlevel-hidden conditional comment that only Outlook (Word) renders. */
const MSO_CONDITIONAL = /^\[if\s[^\]]*\bmso\b/i;

function pixelTag(url: string): string {
  return `<img src="${escapeAttribute(url)}" width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px;max-width:1px;max-height:1px;overflow:hidden;">`;
}

/**
 * Rewrites links, adds the pixel and fills unsubscribe placeholders by editing byte ranges found by htmlparser2's
 * tokenizer; every byte outside those ranges is copied as it was.
 *
 * Links inside MSO conditional comments (`<!--[if mso]>…<![endif]-->`, where Outlook's VML buttons live) are
 * rewritten too, with their own tokens and `inMsoComment: true`: otherwise every click from desktop Outlook would
 * go untracked. Besides `<a>` and `<area>`, VML elements (`<v:roundrect href>`, …) count there.
 */
export function rewriteHtml(html: string, ctx: HtmlRewriteContext): HtmlRewriteResult {
  const edits: Edit[] = [];
  const links: TrackedLink[] = [];
  const skipped: SkippedLink[] = [];
  const lines = lineIndex(html);
  let bodyClose = -1;

  const handleTag = (tag: string, attributes: Attribute[], inMso: boolean) => {
    const optOut = attributes.filter((a) => OPT_OUT_ATTRIBUTES.has(a.name));
    const linkTag = tag === 'a' || tag === 'area' || (inMso && tag.startsWith('v:'));
    for (const attr of optOut) {
      // Strip the attribute with the whitespace before it, so the tag reads as if it had never been there.
      let start = attr.nameStart;
      while (start > 0 && /\s/.test(html[start - 1]!)) start--;
      edits.push({ start, end: attr.end, text: '' });
    }
    if (!linkTag) return;
    const href = attributes.find((a) => a.name === 'href');
    if (!href) return;
    const rawValue = href.valueStart < 0 ? '' : html.slice(href.valueStart, href.valueEnd);
    const url = decodeAttributeEntities(ctx.decodeText(rawValue)).trim();
    const offset = href.valueStart < 0 ? href.nameStart : href.valueStart;
    const line = lineOf(lines, offset);
    const { partId } = ctx;
    // (each entry written out: Node 20's V8 builds a literal that starts with a spread, `{ ...at, url }`, on a slow
    // path, and what it builds survives into the old generation)
    if (UNSUBSCRIBE_PLACEHOLDER.test(url)) {
      UNSUBSCRIBE_PLACEHOLDER.lastIndex = 0;
      return; // filled below, with every other occurrence of the placeholder
    }
    UNSUBSCRIBE_PLACEHOLDER.lastIndex = 0;
    if (optOut.length > 0) {
      skipped.push({ offset, line, partId, url, reason: `opt-out attribute ${optOut[0]!.name}` });
      return;
    }
    const decision = decideLink(url, ctx.trackingBase);
    if (!decision.track) {
      skipped.push({ offset, line, partId, url, reason: decision.reason });
      return;
    }
    const minted = ctx.mintClick(url);
    const value = escapeAttribute(minted.url);
    edits.push({
      start: href.valueStart,
      end: href.valueEnd,
      text: href.quote === QuoteType.Unquoted ? `"${value}"` : value,
    });
    links.push({
      index: minted.index,
      offset,
      line,
      partId,
      tag: tag === 'area' ? 'area' : 'a',
      originalUrl: url,
      trackedUrl: minted.url,
      tokenId: minted.tokenId,
      inMsoComment: inMso,
    });
  };

  tokenize(html, 0, html.length, false, handleTag, (start) => (bodyClose = start));

  let pixel: HtmlRewriteResult['pixel'] = null;
  if (ctx.pixel) {
    const offset = bodyClose >= 0 ? bodyClose : html.length;
    edits.push({ start: offset, end: offset, text: pixelTag(ctx.pixel.url) });
    pixel = {
      placement: bodyClose >= 0 ? 'before-body-end' : 'end-of-document',
      offset,
      line: lineOf(lines, offset),
    };
  }

  let placeholdersFilled = 0;
  const unsubscribe = escapeAttribute(ctx.unsubscribeUrl);
  for (const m of MAY_HAVE_PLACEHOLDER.test(html) ? html.matchAll(UNSUBSCRIBE_PLACEHOLDER) : []) {
    edits.push({ start: m.index, end: m.index + m[0].length, text: unsubscribe });
    placeholdersFilled++;
  }

  return { html: applyEdits(html, edits), links, skipped, pixel, placeholdersFilled };
}

/** Runs the tokenizer over html[start, end), reporting opening tags and (outside comments) `</body>`. */
function tokenize(
  html: string,
  start: number,
  end: number,
  inMso: boolean,
  onTag: (tag: string, attributes: Attribute[], inMso: boolean) => void,
  onBodyClose: (start: number) => void,
): void {
  const source = start === 0 && end === html.length ? html : html.slice(start, end);
  let tagStart = 0;
  let tagEnd = 0;
  let linkTag = false;
  let attributes: Attribute[] = [];
  let current: Attribute | null = null;
  const finishTag = () => {
    // A tag without the attributes that matter needs nothing, not even its name.
    if (attributes.length > 0) onTag(source.slice(tagStart, tagEnd).toLowerCase(), attributes, inMso);
    attributes = [];
  };
  const noop = () => {};
  const callbacks: TokenizerCallbacks = {
    onopentagname(s, e) {
      tagStart = s;
      tagEnd = e;
      linkTag = isLinkTagAt(source, s, e, inMso);
      attributes = [];
    },
    onattribname(s, e) {
      // Only an href of a link and the opt-out attributes matter; the others (style, class, width… most of a
      // mail's attributes) are not even read.
      if (!(linkTag && e - s === 4) && !OPT_OUT_LENGTHS.has(e - s)) return;
      const name = source.slice(s, e).toLowerCase();
      if (!(linkTag && name === 'href') && !OPT_OUT_ATTRIBUTES.has(name)) return;
      current = {
        name,
        nameStart: start + s,
        valueStart: -1,
        valueEnd: -1,
        quote: QuoteType.NoValue,
        end: start + e,
      };
    },
    onattribdata(s, e) {
      if (!current) return;
      if (current.valueStart < 0) current.valueStart = start + s;
      current.valueEnd = start + e;
    },
    onattribend(quote, e) {
      if (!current) return;
      current.quote = quote;
      current.end = start + e;
      attributes.push(current);
      current = null;
    },
    onopentagend: finishTag,
    onselfclosingtag: finishTag,
    onclosetag(s, e) {
      if (!inMso && e - s === 4 && source.slice(s, e).toLowerCase() === 'body') onBodyClose(start + s - 2);
    },
    oncomment(s, e, endOffset) {
      const content = source.slice(s, e - endOffset);
      if (MSO_CONDITIONAL.test(content)) tokenize(html, start + s, start + e - endOffset, true, onTag, noop);
    },
    onattribentity: noop,
    oncdata: noop,
    ondeclaration: noop,
    onend: noop,
    onprocessinginstruction: noop,
    ontext: noop,
    ontextentity: noop,
  };
  const tokenizer = new Tokenizer({ decodeEntities: false }, callbacks);
  tokenizer.write(source);
  tokenizer.end();
}

/**
 * Whether the tag named by source[s, e) has an href that is a link: `<a>`, `<area>`, and inside MSO comments the VML
 * shapes of Outlook's buttons. Read from the characters, since most tags are neither.
 */
function isLinkTagAt(source: string, s: number, e: number, inMso: boolean): boolean {
  const first = source.charCodeAt(s) | 0x20; // lower case
  if (e - s === 1) return first === 0x61; // a
  if (e - s === 4 && first === 0x61) return source.slice(s, e).toLowerCase() === 'area';
  return inMso && first === 0x76 && source.charCodeAt(s + 1) === 0x3a; // v:
}

/** Every unsubscribe placeholder has "unsub" in it: most mails are scanned for that alone. */
const MAY_HAVE_PLACEHOLDER = /unsub/i;

/** The lengths of the opt-out attribute names: any other attribute is skipped without reading its name. */
const OPT_OUT_LENGTHS = new Set([...OPT_OUT_ATTRIBUTES].map((name) => name.length));

function applyEdits(html: string, edits: Edit[]): string {
  if (edits.length === 0) return html;
  edits.sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let pos = 0;
  for (const edit of edits) {
    if (edit.start < pos) continue; // overlapping edits cannot happen by construction; never corrupt the part if they do
    out += html.slice(pos, edit.start) + edit.text;
    pos = edit.end;
  }
  return out + html.slice(pos);
}

function lineIndex(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** 1-based line of a byte offset. */
function lineOf(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}
