import { decodeHTML } from 'entities';

/** What an element does to the visible text: nothing (absent), end a line, hide its content, or open/close the head. */
const BREAKS = 1;
const HIDES = 2;
const HEAD = 3;
const BODY = 4;

/** Elements whose content is text up to their end tag, never markup; of these only a textarea's is visible. */
const RAW_TEXT = new Map<string, RegExp>([
  ['script', /<\/script(?=[\s/>])/gi],
  ['style', /<\/style(?=[\s/>])/gi],
  ['title', /<\/title(?=[\s/>])/gi],
  ['textarea', /<\/textarea(?=[\s/>])/gi],
]);

const ROLES = new Map<string, number>([
  // content that is not text a reader sees (besides the raw-text elements above)
  ['template', HIDES],
  ['noscript', HIDES],
  ['head', HEAD],
  ['body', BODY],
  // elements that end a line of text
  ...[
    'address',
    'article',
    'aside',
    'blockquote',
    'br',
    'dd',
    'div',
    'dl',
    'dt',
    'footer',
    'form',
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'header',
    'hr',
    'li',
    'main',
    'nav',
    'ol',
    'p',
    'pre',
    'section',
    'table',
    'td',
    'th',
    'tr',
    'ul',
  ].map((name): [string, number] => [name, BREAKS]),
]);

const isNameStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
const isNameChar = (c: number) =>
  isNameStart(c) || (c >= 48 && c <= 57) || c === 45 /* - */ || c === 58 /* : */ || c === 95; /* _ */
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13 || c === 12;

/** Index just past the `>` that ends the tag whose attributes start at `from`; quoted attribute values may hold `>`. */
function endOfTag(html: string, from: number): number {
  let afterEquals = false;
  for (let i = from; i < html.length; i++) {
    const c = html.charCodeAt(i);
    if (c === 62 /* > */) return i + 1;
    if (c === 61 /* = */) afterEquals = true;
    else if ((c === 34 /* " */ || c === 39) /* ' */ && afterEquals) {
      const close = html.indexOf(html[i]!, i + 1);
      if (close < 0) return html.length;
      i = close;
      afterEquals = false;
    } else if (!isSpace(c)) afterEquals = false;
  }
  return html.length;
}

/**
 * The visible text of an HTML body, for search and the snippet when a mail has no text part: text outside hidden
 * elements, entities decoded, a line break at every block element. One forward scan over the string with `indexOf`,
 * no tokens or attribute objects, and it never throws on broken markup. Hand-written rather than html-to-text (which
 * mailparser brings): with options that give the same words, html-to-text costs ingest several times this on every
 * HTML-only mail, as it builds a DOM and lays out blocks that search and the snippet do not need.
 */
export function htmlToText(html: string): string {
  let out = '';
  let hidden = 0;
  let inHead = false;
  const text = (from: number, to: number) => {
    if (hidden || inHead || to <= from) return;
    const chunk = html.slice(from, to);
    out += chunk.includes('&') ? decodeHTML(chunk) : chunk;
  };

  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt < 0) break;
    const next = html.charCodeAt(lt + 1);
    if (next === 33 /* ! */ || next === 63 /* ? */) {
      text(i, lt);
      if (html.startsWith('<!--', lt)) {
        const end = html.indexOf('-->', lt + 4);
        i = end < 0 ? html.length : end + 3;
      } else {
        const end = html.indexOf('>', lt + 2);
        i = end < 0 ? html.length : end + 1;
      }
      continue;
    }
    const closing = next === 47; /* / */
    let nameEnd = lt + (closing ? 2 : 1);
    if (!isNameStart(html.charCodeAt(nameEnd))) {
      // Not a tag (`a < b`, `</ >`): the `<` is text.
      text(i, lt + 1);
      i = lt + 1;
      continue;
    }
    text(i, lt);
    const nameStart = nameEnd;
    let upper = false;
    for (let c = html.charCodeAt(nameEnd); isNameChar(c); c = html.charCodeAt(++nameEnd))
      upper ||= c >= 65 && c <= 90;
    // (most mails write their tags in lower case, and lower-casing every name was a tenth of the scan)
    const name = upper ? html.slice(nameStart, nameEnd).toLowerCase() : html.slice(nameStart, nameEnd);
    i = endOfTag(html, nameEnd);

    const role = ROLES.get(name);
    if (closing) {
      if (role === HEAD) inHead = false;
      else if (role === HIDES) hidden = Math.max(0, hidden - 1);
      else if (role === BREAKS) out += '\n';
      continue;
    }
    if (role === BREAKS) out += '\n';
    else if (role === HIDES) hidden++;
    else if (role === HEAD) inHead = true;
    else if (role === BODY) inHead = false;
    else {
      const rawEnd = RAW_TEXT.get(name);
      if (rawEnd) {
        const end = rawTextEnd(html, rawEnd, i);
        if (name === 'textarea') text(i, end);
        i = endOfTag(html, end);
      }
    }
  }
  text(i, html.length);
  return tidy(out);
}

/**
 * Spaces, tabs, no-break spaces and carriage returns run together into one space, and line breaks into one or two
 * (a paragraph), with no space beside them and none at either end: one pass, where three regular expressions took
 * as long as the scan itself.
 */
function tidy(text: string): string {
  let out = '';
  let newlines = 0;
  let space = false;
  let run = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 32 || c === 9 || c === 13 || c === 0xa0) {
      if (run >= 0) {
        out += text.slice(run, i);
        run = -1;
      }
      if (c === 10) newlines++;
      else space = true;
    } else if (run < 0) {
      if (out) out += newlines >= 2 ? '\n\n' : newlines ? '\n' : space ? ' ' : '';
      newlines = 0;
      space = false;
      run = i;
    }
  }
  if (run >= 0) out += text.slice(run);
  return out.trim();
}

/** Where the end tag matched by `end` starts at or after `from`; the end of the string when there is none. */
function rawTextEnd(html: string, end: RegExp, from: number): number {
  end.lastIndex = from;
  const match = end.exec(html);
  return match ? match.index : html.length;
}
