// Most mails an application sends are one HTML part, or a text and an HTML part as multipart/alternative, in UTF-8.
// For those, this reads what listing and search need (the header fields, the text and the HTML) straight from the
// bytes, as mailparser would read them: the same header parser (mailsplit's), the same decoders (libmime,
// nodemailer's addressparser; for quoted-printable the injector's own, which deletes transport padding and soft line
// breaks as libqp does) and the same rules, in a few dozen microseconds instead of mailparser's streams.
// Every other mail, and anything this reader is not sure of, goes to mailparser: the caller gets `undefined`.
// test/ingest/simple-mail.test.ts holds both readers to the same answer over the whole corpus.
import { Headers } from '@zone-eu/mailsplit';
import libmime from 'libmime';
import addressparser from 'nodemailer/lib/addressparser/index.js';
import type { Address } from '../api/types.js';
import {
  headerValue,
  leafParts,
  parseContentType,
  type HeaderBlock,
  type LeafPart,
  type MimeTree,
} from '../mime/mime.js';
import { decodedBody } from '../mime/transfer.js';

/** What parseMail needs of a mail, as mailparser gives it (see parse.ts). */
export interface MailContent {
  messageId: string | undefined;
  subject: string | undefined;
  from: Address[];
  to: Address[];
  cc: Address[];
  bcc: Address[];
  replyTo: Address[];
  date: Date | undefined;
  text: string;
  html: string;
}

/** Parameter values with neither comments (no parentheses) nor escapes: a quoted string, or a bare token. */
const QUOTED_VALUE = String.raw`"[\x20\x21\x23-\x27\x2a-\x5b\x5d-\x7e]*"`;
const TOKEN_VALUE = String.raw`[\x21\x23-\x27\x2a\x2b\x2d-\x39\x3d\x3f-\x5a\x5e-\x7e]+`;
/** Content types and parameters this reader takes as mailparser would: no comments, no RFC 2231, no odd quoting. */
const PARAMETER = String.raw`\s*;\s*[a-z][a-z0-9-]*=(?:${QUOTED_VALUE}|${TOKEN_VALUE})`;
const PLAIN_CONTENT_TYPE = new RegExp(
  String.raw`^(?:text/plain|text/html|multipart/alternative)(?:${PARAMETER})*\s*;?$`,
  'i',
);
const SIMPLE_CHARSET = /^(?:utf-?8|us-ascii|ascii)$/i;
const SIMPLE_ENCODING = new Set(['7bit', '8bit', 'binary', 'quoted-printable', 'base64']);
/** Headers that change how mailparser reads a part; a part carrying any of them more than once is not simple. */
const STRUCTURE_HEADERS = ['content-type', 'content-transfer-encoding', 'content-disposition'];
/** Base64 as encoders write it: other characters or padding inside are decoded as only mailparser's stream does. */
const CLEAN_BASE64 = /^(?:[A-Za-z0-9+/]*\r?\n)*[A-Za-z0-9+/]*(?:={0,2})(?:\r?\n)*$/;
const ENCODED_WORD = /=\?[^?]+\?[BbQq]\?[^?]*\?=/;

function count(block: HeaderBlock, name: string): number {
  let n = 0;
  for (const field of block.fields) if (field.name === name) n++;
  return n;
}

/** A part whose structure headers are each given once at most and in a form both readers agree on. */
function plainStructure(block: HeaderBlock): boolean {
  for (const name of STRUCTURE_HEADERS) if (count(block, name) > 1) return false;
  const type = headerValue(block, 'content-type');
  return type === undefined || PLAIN_CONTENT_TYPE.test(type);
}

/** A text part mailparser shows as text or HTML as it is: no attachment, no charset conversion, not flowed. */
function plainTextLeaf(raw: Buffer, leaf: LeafPart): boolean {
  const { type, params } = leaf.contentType;
  return (
    (type === 'text/plain' || type === 'text/html') &&
    leaf.hasBody &&
    plainStructure(leaf.headers) &&
    count(leaf.headers, 'content-disposition') === 0 &&
    (params.charset === undefined || SIMPLE_CHARSET.test(params.charset)) &&
    params.format === undefined &&
    // mailsplit splits a part on a boundary parameter whatever its type says
    params.boundary === undefined &&
    SIMPLE_ENCODING.has(leaf.encoding) &&
    (leaf.encoding !== 'base64' || CLEAN_BASE64.test(raw.toString('latin1', leaf.bodyStart, leaf.bodyEnd)))
  );
}

/**
 * Whether every line that starts with the boundary is a delimiter and nothing else (RFC 2046 §5.1.1 allows only
 * blanks after it). mailsplit does not take `--b` followed by other characters for a delimiter, the injector's splitter
 * does; such a mail is left to mailparser.
 */
function plainDelimiters(raw: Buffer, from: number, boundary: string): boolean {
  if (!boundary) return false;
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  for (let at = raw.indexOf(delimiter, from); at >= 0; at = raw.indexOf(delimiter, at + 1)) {
    if (at > from && raw[at - 1] !== 0x0a) continue;
    let i = at + delimiter.length;
    if (raw[i] === 0x2d && raw[i + 1] === 0x2d) i += 2;
    while (raw[i] === 0x20 || raw[i] === 0x09) i++;
    if (i < raw.length && raw[i] !== 0x0d && raw[i] !== 0x0a) return false;
  }
  return true;
}

/** The leaves of a simple mail: one text part, or a multipart/alternative of a text/plain and a text/html part. */
function simpleLeaves(raw: Buffer, top: HeaderBlock, leaves: LeafPart[]): LeafPart[] | undefined {
  if (
    !plainStructure(top) ||
    leaves.length === 0 ||
    leaves.length > 2 ||
    !leaves.every((leaf) => plainTextLeaf(raw, leaf))
  )
    return;
  const rootType = headerValue(top, 'content-type') ?? 'text/plain';
  const multipart = /^multipart\//i.test(rootType);
  if (!multipart) return leaves.length === 1 && leaves[0]!.partId === '1' ? leaves : undefined;
  if (leaves.some((leaf) => leaf.partId.includes('.'))) return; // nested multiparts
  if (!plainDelimiters(raw, top.end, parseContentType(rootType).params.boundary ?? '')) return;
  if (leaves.length === 2 && leaves[0]!.contentType.type === leaves[1]!.contentType.type) return;
  return leaves;
}

function decodeContent(raw: Buffer, leaf: LeafPart): string {
  return decodedBody(raw, leaf).toString('utf8').replace(/\r?\n/g, '\n');
}

interface ParsedAddress {
  name?: string;
  address?: string;
  group?: ParsedAddress[];
}

/** Adds the addresses to `out`, names decoded as mailparser decodes them; false for what only mailparser handles. */
function decodeAddresses(list: ParsedAddress[], out: Address[]): boolean {
  for (const entry of list) {
    let name = (entry.name ?? '').trim();
    if (name) {
      try {
        name = libmime.decodeWords(name);
      } catch {
        // kept as it is, as mailparser keeps it
      }
    }
    const address = entry.address ?? '';
    if (ENCODED_WORD.test(address) || /@xn--/.test(address)) return false;
    if (Array.isArray(entry.group)) {
      if (!decodeAddresses(entry.group, out)) return false;
    } else {
      out.push({ Name: name, Address: address });
    }
  }
  return true;
}

/** The decoded value of a header line, as mailparser's processHeaders starts from it. */
function lineValue(line: string): string {
  const value = (libmime.decodeHeader(line).value ?? '').trim();
  return Buffer.from(value, 'binary').toString();
}

function decodeWordsOr(value: string): string {
  try {
    return libmime.decodeWords(value);
  } catch {
    return value;
  }
}

/**
 * The fields of the mail's own header block, with `text` and `html` still empty; undefined where only mailparser
 * would read them right.
 */
function readFields(raw: Buffer, top: HeaderBlock): MailContent | undefined {
  const lines = new Headers(raw.subarray(0, top.end)).getList();
  const fields: MailContent = {
    messageId: undefined,
    subject: undefined,
    from: [],
    to: [],
    cc: [],
    bcc: [],
    replyTo: [],
    date: undefined,
    text: '',
    html: '',
  };
  const seen = new Set<string>();
  for (const { key, line } of lines) {
    // The first of a repeated single-value header counts, as in mailparser; address lists add up.
    const first = !seen.has(key);
    seen.add(key);
    switch (key) {
      case 'subject':
        if (first) fields.subject = decodeWordsOr(lineValue(line)) || undefined;
        break;
      case 'message-id': {
        if (!first) break;
        const value = decodeWordsOr(lineValue(line));
        fields.messageId = value
          ? `${value.startsWith('<') ? '' : '<'}${value}${value.endsWith('>') ? '' : '>'}`
          : undefined;
        break;
      }
      case 'date': {
        if (!first) break;
        const date = new Date(lineValue(line));
        fields.date = Number.isNaN(date.getTime()) ? new Date() : date;
        break;
      }
      case 'from':
      case 'reply-to': {
        const list: Address[] = [];
        if (!decodeAddresses(addressparser(lineValue(line)) as ParsedAddress[], list)) return;
        if (first) fields[key === 'from' ? 'from' : 'replyTo'] = list;
        break;
      }
      case 'to':
      case 'cc':
      case 'bcc':
        if (!decodeAddresses(addressparser(lineValue(line)) as ParsedAddress[], fields[key])) return;
        break;
    }
  }
  return fields;
}

/**
 * The content of a simple mail (see the top of this file) read without mailparser; undefined for every other mail,
 * which mailparser then reads. `tree` is the mail's `leafParts` when the caller has split it already. Never throws.
 */
export function readSimpleMail(raw: Buffer, tree?: MimeTree): MailContent | undefined {
  try {
    // Bare LF line endings and headers without a body take mailparser's own ways of recovering.
    if (!raw.includes('\r\n')) return;
    const { top, leaves } = tree ?? leafParts(raw);
    if (top.end >= raw.length) return;
    const simple = simpleLeaves(raw, top, leaves);
    if (!simple) return;
    const fields = readFields(raw, top);
    if (!fields) return;
    // (filled in rather than spread into a new object: Node 20's V8 builds `{ ...fields, text, html }` on a slow
    // path, and what it builds survives into the old generation)
    for (const leaf of simple) {
      if (leaf.contentType.type === 'text/html') fields.html = decodeContent(raw, leaf);
      else fields.text = decodeContent(raw, leaf);
    }
    return fields;
  } catch {
    return undefined;
  }
}
