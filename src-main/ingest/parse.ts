import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject } from 'mailparser';
import libmime from 'libmime';
import type { Address } from '../model/message.js';
import { searchBody, type MessageFields, type StoredPart } from '../store/message-rows.js';
import { leafParts, type LeafPart, type MimeTree } from '../mime/mime.js';
import { htmlToText } from './html-text.js';
import { readSimpleMail, type MailContent } from './simple-mail.js';

/** What Mailbeacon reads out of a mail; the raw bytes are stored beside it untouched. */
export type ParsedFields = MessageFields;

/** Mailpit shows up to 250 characters of text as the snippet. */
const SNIPPET_LENGTH = 250;

function addresses(value: AddressObject | AddressObject[] | undefined): Address[] {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  const out: Address[] = [];
  const walk = (entries: { name?: string; address?: string; group?: unknown[] }[]) => {
    for (const e of entries) {
      if (Array.isArray(e.group)) walk(e.group as typeof entries);
      else out.push({ Name: e.name ?? '', Address: e.address ?? '' });
    }
  };
  for (const obj of list) walk(obj.value);
  return out;
}

/** The text with its whitespace run together into single spaces and trimmed, cut at 250 characters (`…` when cut). */
export function makeSnippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > SNIPPET_LENGTH ? `${flat.slice(0, SNIPPET_LENGTH)}…` : flat;
}

function decodeHeaderValue(value: string): string {
  try {
    return libmime.decodeWords(value);
  } catch {
    return value;
  }
}

/** Header lines as sent, unfolded but not decoded, straight from the raw header block. */
function headerLines(raw: Buffer): { name: string; value: string }[] {
  let end = raw.indexOf('\r\n\r\n');
  let sep = 4;
  const lf = raw.indexOf('\n\n');
  if (end < 0 || (lf >= 0 && lf < end)) {
    end = lf;
    sep = 2;
  }
  const block = raw.subarray(0, end < 0 ? raw.length : end + sep).toString('utf8');
  const out: { name: string; value: string }[] = [];
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim();
    if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name)) continue;
    out.push({ name, value: line.slice(i + 1).trim() });
  }
  return out;
}

/** Header lines as sent (unfolded, MIME words decoded), straight from the raw header block. */
export function readHeaders(raw: Buffer): { name: string; value: string }[] {
  return headerLines(raw).map(({ name, value }) => ({ name, value: decodeHeaderValue(value) }));
}

/** The first value of a header, MIME words decoded; '' when the mail has none. */
function header(headers: { name: string; value: string }[], name: string): string {
  const found = headers.find((h) => h.name.toLowerCase() === name);
  return found ? decodeHeaderValue(found.value) : '';
}

function hash(algo: string, content: Buffer): string {
  return createHash(algo).update(content).digest('hex');
}

const PARSER_OPTIONS = {
  keepCidLinks: true,
  // Text for HTML-only mails comes from htmlToText: mailparser's html-to-text is three quarters of its time.
  skipHtmlToText: true,
  skipTextToHtml: true,
  skipTextLinks: true,
  skipImageLinks: true,
} as const;

/** What a mail shows: its text/plain content, its HTML and its headers; '' for what it lacks or cannot be read. */
export interface MailBody {
  text: string;
  html: string;
  headers: { name: string; value: string }[];
}

/** Mails larger than this are read for display without the bodies of their attachments (see `withoutAttachments`). */
const LARGE_MAIL_BYTES = 256 * 1024;

/**
 * The mail with the bodies of its attachments and other parts that are not shown as text emptied: its text and HTML
 * come out of mailparser the same, without decoding megabytes of attachments (and a big mail is read twice for its
 * view: as received and as tracked). The raw mail itself when its structure cannot be followed.
 */
function withoutAttachments(raw: Buffer): Buffer {
  let leaves: LeafPart[];
  try {
    ({ leaves } = leafParts(raw));
  } catch {
    return raw;
  }
  const kept: Buffer[] = [];
  let pos = 0;
  for (const leaf of leaves) {
    const type = leaf.contentType.type;
    const shown = (type === 'text/html' || type === 'text/plain') && leaf.disposition !== 'attachment';
    if (shown || !leaf.hasBody || leaf.bodyEnd - leaf.bodyStart < 1024) continue;
    kept.push(raw.subarray(pos, leaf.bodyStart));
    pos = leaf.bodyEnd;
  }
  if (kept.length === 0) return raw;
  kept.push(raw.subarray(pos));
  return Buffer.concat(kept);
}

/** Reads the body of a stored mail for display (see MessageFields for what is kept at ingest). Never throws. */
export async function readBody(raw: Buffer): Promise<MailBody> {
  const headers = readHeaders(raw);
  try {
    const source = raw.length > LARGE_MAIL_BYTES ? withoutAttachments(raw) : raw;
    const parsed = await simpleParser(source, PARSER_OPTIONS);
    return { text: parsed.text ?? '', html: typeof parsed.html === 'string' ? parsed.html : '', headers };
  } catch {
    return { text: '', html: '', headers };
  }
}

/** mailparser's reading of a mail, as much of it as parseMail uses. */
export async function readWithMailparser(
  raw: Buffer,
): Promise<{ content: MailContent; parts: StoredPart[] }> {
  const parsed = await simpleParser(raw, PARSER_OPTIONS);
  const parts: StoredPart[] = parsed.attachments.map((a, i) => ({
    partId: (a as { partId?: string }).partId || String(i + 1),
    filename: a.filename ?? '',
    contentType: a.contentType ?? 'application/octet-stream',
    contentId: (a.contentId ?? '').replace(/^<|>$/g, ''),
    inline: a.contentDisposition === 'inline' && !!a.contentId,
    size: a.size ?? a.content.length,
    md5: hash('md5', a.content),
    sha1: hash('sha1', a.content),
    sha256: hash('sha256', a.content),
    content: a.content,
  }));
  const content: MailContent = {
    messageId: parsed.messageId,
    subject: parsed.subject,
    from: addresses(parsed.from),
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    bcc: addresses(parsed.bcc),
    replyTo: addresses(parsed.replyTo),
    date: parsed.date,
    text: parsed.text ?? '',
    html: typeof parsed.html === 'string' ? parsed.html : '',
  };
  return { content, parts };
}

/** How parseMail reads a mail. */
export interface ParseOptions {
  /** The mail's `leafParts`, when the caller has split it already. */
  tree?: MimeTree;
  /**
   * Whether simple mails are read without mailparser (`--simple-mail-reader`, default true). Only a speed switch:
   * false sends every mail through mailparser, the reference path the simple reader is held to.
   */
  simpleMailReader?: boolean;
}

/**
 * Parses a mail for listing and search. Never throws: what cannot be parsed becomes a warning, and the fields
 * fall back to what the raw header block says. Simple mails are read without mailparser (see simple-mail.ts)
 * unless `simpleMailReader` is false.
 */
export async function parseMail(raw: Buffer, options: ParseOptions = {}): Promise<ParsedFields> {
  const headers = headerLines(raw);
  const warnings: string[] = [];
  let content: MailContent | undefined =
    options.simpleMailReader === false ? undefined : readSimpleMail(raw, options.tree);
  let parts: StoredPart[] = [];
  if (!content) {
    try {
      ({ content, parts } = await readWithMailparser(raw));
    } catch (err) {
      warnings.push(`the MIME structure could not be parsed: ${(err as Error).message}`);
    }
  }
  if (!headers.length) warnings.push('the mail has no headers');
  else if (!raw.includes('\r\n')) warnings.push('the mail uses bare LF line endings');
  if (!header(headers, 'from')) warnings.push('the mail has no From header');

  const html = content?.html ?? '';
  // The mail's own text/plain content; search and the snippet fall back to the HTML's visible text.
  const text = content?.text ?? '';
  const searchText = text.trim() ? text : html ? htmlToText(html) : '';
  const date = content?.date?.getTime();
  return {
    messageId: (content?.messageId ?? header(headers, 'message-id')).replace(/^<|>$/g, ''),
    subject: content?.subject ?? header(headers, 'subject'),
    from: content?.from[0] ?? null,
    to: content?.to ?? [],
    cc: content?.cc ?? [],
    bcc: content?.bcc ?? [],
    replyTo: content?.replyTo ?? [],
    returnPath: header(headers, 'return-path').replace(/^<|>$/g, ''),
    dateMs: date !== undefined && Number.isFinite(date) ? date : null,
    snippet: makeSnippet(searchText),
    searchText,
    parts,
    warnings,
    // Mailpit's X-Tags header: comma-separated tags the sender gives the mail.
    tags: header(headers, 'x-tags')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
  };
}

/** The body text a stored mail is found by, for the full-text index (see store/search-index.ts). */
export async function readSearchText(raw: Buffer): Promise<string> {
  return searchBody(await parseMail(raw));
}
