import type { LeafPart } from './mime.js';
import type { Edit } from './patch.js';

// Content-Transfer-Encoding of a rewritten part, kept as it was: base64 with the original line length,
// quoted-printable with soft line breaks, anything else as raw bytes.

/** RFC 2045 §6.7/6.8: encoded lines are at most 76 characters. */
export const MAX_ENCODED_LINE = 76;

export interface EncodedShape {
  encoding: string;
  /** Line length of the original base64 body (kept so the part looks the same). */
  lineLength: number;
  eol: '\r\n' | '\n';
  /** Whether the original body ended with a line break. */
  trailingEol: boolean;
}

export function shapeOf(body: Buffer, encoding: string, fallbackEol: '\r\n' | '\n'): EncodedShape {
  const nl = body.indexOf(0x0a);
  const eol = nl > 0 && body[nl - 1] === 0x0d ? '\r\n' : nl >= 0 ? '\n' : fallbackEol;
  const firstLine = nl < 0 ? body.length : nl - (eol === '\r\n' ? 1 : 0);
  return {
    encoding,
    lineLength: encoding === 'base64' && nl >= 0 && firstLine > 0 ? firstLine : MAX_ENCODED_LINE,
    eol,
    trailingEol: body.length > 0 && body[body.length - 1] === 0x0a,
  };
}

const decodedBodies = new WeakMap<LeafPart, Buffer>();

/**
 * A leaf's body, decoded from its transfer encoding, once per split of the mail: ingest's reader and the injector
 * both read the HTML part of the same split (see ingest/prepare.ts). Never change the buffer it returns.
 */
export function decodedBody(raw: Buffer, leaf: LeafPart): Buffer {
  let decoded = decodedBodies.get(leaf);
  if (!decoded) {
    decoded = decodeBody(raw.subarray(leaf.bodyStart, leaf.bodyEnd), leaf.encoding);
    decodedBodies.set(leaf, decoded);
  }
  return decoded;
}

function decodeBody(body: Buffer, encoding: string): Buffer {
  if (encoding === 'base64')
    return Buffer.from(body.toString('latin1').replace(/[^A-Za-z0-9+/]/g, ''), 'base64');
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
  return body;
}

/**
 * The edits (offsets into `body`) that re-encode a quoted-printable body whose decoded content (latin1) went from
 * `source` to `output`, line by line: each line that did not change keeps its bytes as they were sent, and only the
 * changed ones are encoded again (a tracked mail changes a few lines of a long part, and the store keeps only
 * those: see patch.ts).
 * Null when the lines do not line up (an edit removed or added a line break, or the body encodes a line break as
 * `=0A`): then the whole body has to be encoded again.
 */
export function reencodeChangedLines(
  body: Buffer,
  source: string,
  output: string,
  eol: '\r\n' | '\n',
): Edit[] | null {
  const encoded = body.toString('latin1');
  const edits: Edit[] = [];
  let line = 0; // start of the current line in `encoded`, `source` and `output`
  let s = 0;
  let o = 0;
  for (;;) {
    const sEnd = source.indexOf('\n', s);
    const oEnd = output.indexOf('\n', o);
    if (sEnd < 0 !== oEnd < 0) return null;
    const last = sEnd < 0;
    const lineEnd = last ? encoded.length : hardLineEnd(encoded, line);
    // (the encoded body has fewer lines than its decoded content: a line break sent as `=0A`; or more)
    if (lineEnd < 0 || (last && hardLineEnd(encoded, line) >= 0)) return null;
    const before = last ? source.slice(s) : source.slice(s, sEnd);
    const after = last ? output.slice(o) : output.slice(o, oEnd);
    if (before !== after) {
      let bytes = encodeQuotedPrintableBytes(Buffer.from(last ? after : `${after}\n`, 'latin1'), eol);
      // A last line that ended in a soft break keeps one, so the decoded part ends as it did.
      if (last && encoded.charCodeAt(lineEnd - 1) === 0x0a)
        bytes = Buffer.concat([bytes, Buffer.from(`=${eol}`, 'latin1')]);
      addLineEdit(edits, line, lineEnd, bytes);
    }
    if (last) break;
    line = lineEnd;
    s = sEnd + 1;
    o = oEnd + 1;
  }
  return edits;
}

/**
 * The edits that turn a body sent as it is (7bit, 8bit, binary: its bytes are its content, latin1 here) from `source`
 * into `output`: the lines that changed, each run of them as one edit. Null when an edit added or removed a line.
 */
export function changedLines(source: string, output: string): Edit[] | null {
  const edits: Edit[] = [];
  let s = 0;
  let o = 0;
  for (;;) {
    const sEnd = source.indexOf('\n', s);
    const oEnd = output.indexOf('\n', o);
    if (sEnd < 0 !== oEnd < 0) return null;
    const last = sEnd < 0;
    const lineEnd = last ? source.length : sEnd + 1;
    const after = last ? output.slice(o) : output.slice(o, oEnd + 1);
    if (source.slice(s, lineEnd) !== after) addLineEdit(edits, s, lineEnd, Buffer.from(after, 'latin1'));
    if (last) return edits;
    s = sEnd + 1;
    o = oEnd + 1;
  }
}

/** Adds the edit of one changed line, joined to the edit before it when that one ends where this line starts. */
function addLineEdit(edits: Edit[], start: number, end: number, bytes: Buffer): void {
  const previous = edits.at(-1);
  if (previous && previous.end === start) {
    previous.bytes = Buffer.concat([previous.bytes, bytes]);
    previous.end = end;
  } else edits.push({ start, end, bytes });
}

/** Where the encoded line starting at `from` ends, after its hard line break (soft ones join lines); -1: none. */
function hardLineEnd(encoded: string, from: number): number {
  for (let lf = encoded.indexOf('\n', from); lf >= 0; lf = encoded.indexOf('\n', lf + 1)) {
    let end = lf > from && encoded.charCodeAt(lf - 1) === 0x0d ? lf - 1 : lf;
    while (end > from && (encoded.charCodeAt(end - 1) === 0x20 || encoded.charCodeAt(end - 1) === 0x09))
      end--;
    if (end === from || encoded.charCodeAt(end - 1) !== 0x3d) return lf + 1;
  }
  return -1;
}

export function encodeBody(decoded: Buffer, shape: EncodedShape): Buffer {
  let text: string;
  if (shape.encoding === 'quoted-printable') {
    const bytes = encodeQuotedPrintableBytes(decoded, shape.eol);
    const needsEol = shape.trailingEol && bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a;
    return needsEol ? Buffer.concat([bytes, Buffer.from(shape.eol, 'latin1')]) : bytes;
  }
  if (shape.encoding === 'base64') {
    const b64 = decoded.toString('base64');
    const lines: string[] = [];
    for (let i = 0; i < b64.length; i += shape.lineLength) lines.push(b64.slice(i, i + shape.lineLength));
    text = lines.join(shape.eol);
  } else {
    return decoded;
  }
  if (shape.trailingEol && text.length > 0 && !text.endsWith('\n')) text += shape.eol;
  return Buffer.from(text, 'latin1');
}

const HEX = '0123456789ABCDEF';

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/**
 * Quoted-printable to bytes. Transport padding (spaces and tabs before a line's end, which RFC 2045 tells decoders to
 * delete) is dropped, and `=` at a line's end (after any padding) or at the very end is a soft line break. Bytes
 * that are not valid escapes are kept as they are, a lone `=` included. One pass over the bytes: copying the runs
 * between escapes with `Buffer.copy` cost more in calls than it saved.
 */
export function decodeQuotedPrintable(body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(body.length);
  const length = body.length;
  let n = 0;
  let i = 0;
  while (i < length) {
    const c = body[i]!;
    if (c === 0x3d) {
      const hi = hexValue(body[i + 1] ?? -1);
      const lo = hi >= 0 ? hexValue(body[i + 2] ?? -1) : -1;
      if (lo >= 0) {
        out[n++] = hi * 16 + lo;
        i += 3;
        continue;
      }
      const after = endOfPadding(body, i + 1);
      if (after === length || body[after] === 0x0a) {
        i = after + 1; // soft line break
        continue;
      }
      if (body[after] === 0x0d && body[after + 1] === 0x0a) {
        i = after + 2;
        continue;
      }
      out[n++] = 0x3d;
      i++;
    } else if (c === 0x20 || c === 0x09) {
      const after = endOfPadding(body, i);
      const next = after < length ? body[after] : -1;
      if (next === -1 || next === 0x0a || next === 0x0d)
        i = after; // transport padding
      else while (i < after) out[n++] = body[i++]!;
    } else {
      out[n++] = c;
      i++;
    }
  }
  return out.subarray(0, n);
}

/** Index of the first byte at or after `from` that is neither a space nor a tab. */
function endOfPadding(body: Buffer, from: number): number {
  let i = from;
  while (i < body.length && (body[i] === 0x20 || body[i] === 0x09)) i++;
  return i;
}

const HEX_BYTES = Buffer.from(HEX, 'latin1');

/** Byte classes for the encoder: printable (copied), space or tab, line feed, carriage return, escaped. */
const LITERAL = 0;
const SPACE = 1;
const LF = 2;
const CR = 3;
const ESCAPE = 4;
const BYTE_CLASS = new Uint8Array(256).map((_, c) =>
  c === 0x0a
    ? LF
    : c === 0x0d
      ? CR
      : c === 0x20 || c === 0x09
        ? SPACE
        : c >= 0x21 && c <= 0x7e && c !== 0x3d
          ? LITERAL
          : ESCAPE,
);

/** Quoted-printable with hard line breaks kept as `eol` and soft breaks (`=`) keeping lines within 76 characters. */
export function encodeQuotedPrintable(decoded: Buffer, eol: '\r\n' | '\n'): string {
  return encodeQuotedPrintableBytes(decoded, eol).toString('latin1');
}

export function encodeQuotedPrintableBytes(decoded: Buffer, eol: '\r\n' | '\n'): Buffer {
  // Worst case: every byte escaped (3×) plus a soft break every 25 escapes.
  const out = Buffer.allocUnsafe(decoded.length * 3 + Math.ceil(decoded.length / 24) * 3 + 16);
  const crlf = eol === '\r\n';
  const last = MAX_ENCODED_LINE - 1;
  const length = decoded.length;
  let n = 0;
  let lineLength = 0;
  for (let i = 0; i < length; i++) {
    const c = decoded[i]!;
    let cls = BYTE_CLASS[c]!;
    if (cls === SPACE) {
      const next = decoded[i + 1];
      // whitespace before a line break (or the end) would be stripped in transit
      cls =
        next === undefined || next === 0x0a || (next === 0x0d && decoded[i + 2] === 0x0a) ? ESCAPE : LITERAL;
    }
    // Most bytes of a mail are copied as they are (the loop's fast path), with a soft break when the line is full.
    if (cls === LITERAL) {
      if (lineLength >= last) {
        out[n++] = 0x3d;
        if (crlf) out[n++] = 0x0d;
        out[n++] = 0x0a;
        lineLength = 0;
      }
      out[n++] = c;
      lineLength++;
      continue;
    }
    if (cls === CR) {
      if (decoded[i + 1] === 0x0a) continue; // the LF that follows ends the line
      cls = ESCAPE;
    }
    if (cls === LF) {
      if (crlf) out[n++] = 0x0d;
      out[n++] = 0x0a;
      lineLength = 0;
      continue;
    }
    if (lineLength + 3 > last) {
      out[n++] = 0x3d;
      if (crlf) out[n++] = 0x0d;
      out[n++] = 0x0a;
      lineLength = 0;
    }
    out[n++] = 0x3d;
    out[n++] = HEX_BYTES[c >> 4]!;
    out[n++] = HEX_BYTES[c & 15]!;
    lineLength += 3;
  }
  return out.subarray(0, n);
}
