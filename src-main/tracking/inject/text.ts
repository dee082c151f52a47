import type { SkippedLink, TrackedLink } from '../../model/tracking.js';
import { UNSUBSCRIBE_PLACEHOLDER, decideLink } from './links.js';

/** A bare http(s) URL in running text; closing punctuation after it belongs to the sentence. */
const TEXT_URL = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?)\]}>'"]+$/;

export interface TextRewriteContext {
  partId: string;
  trackingBase: string;
  decodeText: (latin1: string) => string;
  mintClick: (url: string) => { index: number; url: string; tokenId: string };
  unsubscribeUrl: string;
}

/**
 * `--track-text`: rewrites bare http(s) URLs in a text/plain part (latin1 string of its bytes, like the HTML).
 * Unsubscribe placeholders are filled here too, since a text part is where a reader of a plain mail finds them.
 */
export function rewriteText(
  text: string,
  ctx: TextRewriteContext,
  trackLinks: boolean,
): { text: string; links: TrackedLink[]; skipped: SkippedLink[]; placeholdersFilled: number } {
  const links: TrackedLink[] = [];
  const skipped: SkippedLink[] = [];
  let placeholdersFilled = 0;
  let out = text;
  if (trackLinks) {
    out = text.replace(TEXT_URL, (match: string, offset: number) => {
      const url = match.replace(TRAILING_PUNCTUATION, '');
      const rest = match.slice(url.length);
      const decoded = ctx.decodeText(url);
      const line = text.slice(0, offset).split('\n').length;
      const decision = decideLink(decoded, ctx.trackingBase);
      if (!decision.track) {
        skipped.push({ offset, line, url: decoded, reason: decision.reason, partId: ctx.partId });
        return match;
      }
      const minted = ctx.mintClick(decoded);
      links.push({
        index: minted.index,
        offset,
        line,
        tag: 'a',
        originalUrl: decoded,
        trackedUrl: minted.url,
        tokenId: minted.tokenId,
        inMsoComment: false,
        partId: ctx.partId,
      });
      return minted.url + rest;
    });
  }
  out = out.replace(UNSUBSCRIBE_PLACEHOLDER, () => {
    placeholdersFilled++;
    return ctx.unsubscribeUrl;
  });
  return { text: out, links, skipped, placeholdersFilled };
}
