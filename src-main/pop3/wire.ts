const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;

/** Bytes of wire text gathered before they go to the socket: large enough for few writes, small beside any mail. */
export const WIRE_CHUNK = 64 * 1024;

/**
 * The mail as POP3 carries it (RFC 1939 §3): every line ended by CRLF (a bare LF becomes CRLF; a mail stored with
 * CRLF, as SMTP delivers it, passes unchanged), a leading "." doubled, and the ".CRLF" terminator. `maxBodyLines`
 * cuts the body after that many lines (TOP); the header and the blank line after it are always sent.
 *
 * Yields the wire text in chunks of about `chunkSize` bytes, each a fresh copy, so the sender can wait for the
 * socket between chunks: what is held at once is one chunk, whatever the size of the mail or of its lines.
 */
export function* encodeMultiline(
  mail: Buffer,
  maxBodyLines = Infinity,
  chunkSize = WIRE_CHUNK,
): Generator<Buffer, void, undefined> {
  let chunk = Buffer.allocUnsafe(chunkSize);
  let used = 0;
  // Full chunks are handed out from this one loop (no generator per line: a mail may have a million lines).
  let inBody = false;
  let bodyLines = 0;
  let start = 0;
  let done = false;
  while (!done) {
    let from: number;
    let to: number;
    let stuffed: boolean;
    let source: Buffer;
    if (start < mail.length && !(inBody && bodyLines >= maxBodyLines)) {
      const lf = mail.indexOf(LF, start);
      const end = lf === -1 ? mail.length : lf;
      const contentEnd = end > start && mail[end - 1] === CR ? end - 1 : end;
      source = mail;
      from = start;
      to = contentEnd;
      stuffed = mail[start] === DOT;
      if (inBody) bodyLines++;
      else if (contentEnd === start) inBody = true;
      start = end + 1;
    } else {
      // The terminator: an empty line, dot-stuffed.
      source = mail;
      from = 0;
      to = 0;
      stuffed = true;
      done = true;
    }
    if (stuffed) {
      if (used === chunkSize) {
        yield chunk;
        chunk = Buffer.allocUnsafe(chunkSize);
        used = 0;
      }
      chunk[used++] = DOT;
    }
    while (from < to) {
      if (used === chunkSize) {
        yield chunk;
        chunk = Buffer.allocUnsafe(chunkSize);
        used = 0;
      }
      const n = Math.min(to - from, chunkSize - used);
      source.copy(chunk, used, from, from + n);
      used += n;
      from += n;
    }
    for (const byte of LINE_END) {
      if (used === chunkSize) {
        yield chunk;
        chunk = Buffer.allocUnsafe(chunkSize);
        used = 0;
      }
      chunk[used++] = byte;
    }
  }
  if (used > 0) yield chunk.subarray(0, used);
}

const LINE_END = [CR, LF];

/** The size of the mail with every line ended by CRLF, before dot-stuffing: what LIST and STAT report. */
export function octets(mail: Buffer): number {
  let size = mail.length;
  // A byte loop: a mail of short lines would make a native indexOf call per line, many times slower.
  let previous = -1;
  for (let i = 0; i < mail.length; i++) {
    const byte = mail[i]!;
    if (byte === LF && previous !== CR) size++;
    previous = byte;
  }
  // A last line without its line end gets one on the wire.
  if (mail.length > 0 && mail[mail.length - 1] !== LF) size += 2;
  return size;
}
