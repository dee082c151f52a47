// Just enough of RFC 2045/2046 to find the leaf parts of a raw mail by byte offset, so that a part can be replaced
// and every other byte of the mail copied as it was. Parsing for display is mailparser's job, not this file's.

/** Deeper nesting than any real mail; hostile input could otherwise recurse without end. */
const MAX_DEPTH = 32;
/** Enough parts for any real mail; a bomb of empty parts stops here. */
const MAX_PARTS = 2_000;

export class MimeError extends Error {}

export interface HeaderField {
  /** Lower-case name. */
  name: string;
  /** Unfolded value, trimmed. */
  value: string;
}

export interface HeaderBlock {
  fields: HeaderField[];
  /** Offset just past the last header line (where a new header line may be inserted). */
  end: number;
  /** Line ending the block uses, so inserted lines match. */
  eol: '\r\n' | '\n';
}

export interface ContentType {
  type: string;
  params: Record<string, string>;
}

export interface LeafPart {
  /** Mailpit-style part number: "1", "2.1", … */
  partId: string;
  contentType: ContentType;
  /** The part's own header lines. */
  headers: HeaderBlock;
  /** Lower-case Content-Transfer-Encoding ('7bit' when absent). */
  encoding: string;
  disposition: string;
  /** The body bytes (between the blank line after the headers and the next boundary line). */
  bodyStart: number;
  bodyEnd: number;
  /** False when the part has no empty line after its headers (so no body to edit). */
  hasBody: boolean;
  eol: '\r\n' | '\n';
}

/** Parses the header lines starting at `start`, stopping at the first empty line. */
export function parseHeaders(raw: Buffer, start: number, end: number): HeaderBlock {
  const fields: HeaderField[] = [];
  let eol: '\r\n' | '\n' = '\r\n';
  let pos = start;
  let sawEol = false;
  while (pos < end) {
    const nl = raw.indexOf(0x0a, pos);
    const lineEnd = nl < 0 || nl >= end ? end : nl;
    const contentEnd = lineEnd > pos && raw[lineEnd - 1] === 0x0d ? lineEnd - 1 : lineEnd;
    if (!sawEol && nl >= 0 && nl < end) {
      eol = contentEnd === lineEnd ? '\n' : '\r\n';
      sawEol = true;
    }
    if (contentEnd === pos) return { fields, end: pos, eol };
    const line = raw.toString('latin1', pos, contentEnd);
    if ((line[0] === ' ' || line[0] === '\t') && fields.length > 0) {
      fields[fields.length - 1]!.value += ` ${line.trim()}`;
    } else {
      const colon = line.indexOf(':');
      if (colon > 0)
        fields.push({ name: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1).trim() });
    }
    pos = lineEnd + 1;
  }
  return { fields, end: Math.min(pos, end), eol };
}

export function headerValue(block: HeaderBlock, name: string): string | undefined {
  return block.fields.find((f) => f.name === name)?.value;
}

/** `text/html; charset="utf-8"` → { type: 'text/html', params: { charset: 'utf-8' } } (parameter names lower-cased). */
export function parseContentType(value: string | undefined): ContentType {
  if (!value) return { type: 'text/plain', params: {} };
  const params: Record<string, string> = {};
  const re = /;\s*([^=\s;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))/g;
  const semi = value.indexOf(';');
  const type = (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase();
  let m: RegExpExecArray | null;
  while ((m = re.exec(value)) !== null) {
    params[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
  }
  return { type: type || 'text/plain', params };
}

/** Where the headers of the entity at `start` end and its body begins. */
function splitEntity(
  raw: Buffer,
  start: number,
  end: number,
): { headers: HeaderBlock; bodyStart: number; hasBody: boolean } {
  const headers = parseHeaders(raw, start, end);
  // No empty line before the end: the entity is all headers, and anything added would land among them.
  if (headers.end >= end) return { headers, bodyStart: end, hasBody: false };
  let bodyStart = headers.end;
  if (raw[bodyStart] === 0x0d) bodyStart++;
  if (raw[bodyStart] === 0x0a) bodyStart++;
  return { headers, bodyStart: Math.min(bodyStart, end), hasBody: true };
}

/** A mail's own header block and its leaf parts, in document order. */
export interface MimeTree {
  top: HeaderBlock;
  leaves: LeafPart[];
}

/** The leaf parts of the mail, in document order. Throws MimeError for structures it cannot follow. */
export function leafParts(raw: Buffer): MimeTree {
  const leaves: LeafPart[] = [];
  const { headers: top } = splitEntity(raw, 0, raw.length);
  walk(raw, 0, raw.length, '', 0, leaves);
  return { top, leaves };
}

function walk(
  raw: Buffer,
  start: number,
  end: number,
  partId: string,
  depth: number,
  leaves: LeafPart[],
): void {
  if (depth > MAX_DEPTH) throw new MimeError('the MIME tree is nested too deeply');
  if (leaves.length > MAX_PARTS) throw new MimeError('the mail has too many parts');
  const { headers, bodyStart, hasBody } = splitEntity(raw, start, end);
  const contentType = parseContentType(headerValue(headers, 'content-type'));
  const boundary = contentType.params.boundary;
  if (contentType.type.startsWith('multipart/')) {
    if (!boundary) throw new MimeError(`a ${contentType.type} part has no boundary`);
    const children = splitMultipart(raw, bodyStart, end, boundary);
    children.forEach(([s, e], i) =>
      walk(raw, s, e, partId ? `${partId}.${i + 1}` : String(i + 1), depth + 1, leaves),
    );
    return;
  }
  leaves.push({
    partId: partId || '1',
    contentType,
    headers,
    encoding: (headerValue(headers, 'content-transfer-encoding') ?? '7bit').toLowerCase(),
    disposition: (headerValue(headers, 'content-disposition') ?? '').split(';')[0]!.trim().toLowerCase(),
    bodyStart,
    bodyEnd: end,
    hasBody,
    eol: headers.eol,
  });
}

/**
 * Byte ranges of the parts between `--boundary` lines. A part ends before the line break that precedes the next
 * delimiter (RFC 2046 §5.1.1: that line break belongs to the delimiter).
 */
function splitMultipart(raw: Buffer, start: number, end: number, boundary: string): [number, number][] {
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const parts: [number, number][] = [];
  let partStart = -1;
  let pos = start;
  while (pos < end) {
    const found = raw.indexOf(delimiter, pos);
    if (found < 0 || found >= end) break;
    const atLineStart = found === start || raw[found - 1] === 0x0a;
    if (!atLineStart) {
      pos = found + delimiter.length;
      continue;
    }
    const after = found + delimiter.length;
    const closing = raw[after] === 0x2d && raw[after + 1] === 0x2d;
    if (partStart >= 0) {
      let partEnd = found;
      if (raw[partEnd - 1] === 0x0a) partEnd--;
      if (raw[partEnd - 1] === 0x0d) partEnd--;
      parts.push([partStart, Math.max(partEnd, partStart)]);
    }
    const nl = raw.indexOf(0x0a, after);
    if (closing) return parts;
    if (nl < 0 || nl >= end) break;
    partStart = nl + 1;
    pos = partStart;
  }
  // No closing delimiter: the last part runs to the end, as mail clients read it.
  if (partStart >= 0 && partStart < end) parts.push([partStart, end]);
  return parts;
}
