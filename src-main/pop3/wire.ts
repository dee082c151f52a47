const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;
/** A line that starts with a dot, in a mail whose line ends are CRLF. */
const STUFFED = Buffer.from('\n.');

/** Bytes of wire text gathered before they go to the socket: large enough for few writes, small beside any mail. */
export const WIRE_CHUNK = 64 * 1024;

/**
 * The mail as POP3 carries it (RFC 1939 §3): every line ended by CRLF (a bare LF becomes CRLF; a mail stored with
 * CRLF, as SMTP delivers it, passes unchanged), a leading "." doubled, and the ".CRLF" terminator. `maxBodyLines`
 * cuts the body after that many lines (TOP); the header and the blank line after it are always sent.
 *
 * The mail comes whole or as pieces read one after the other from the store (a line, even its CRLF, may be split
 * between two pieces); pieces after a TOP's last line are not read. Yields the wire text in chunks of about
 * `chunkSize` bytes, each a fresh copy, so the sender can wait for the socket between chunks: what is held at once
 * is one piece and the chunks made from it, whatever the size of the mail or of its lines.
 */
export async function* encodeMultiline(
  mail: Buffer | Iterable<Buffer> | AsyncIterable<Buffer>,
  maxBodyLines = Infinity,
  chunkSize = WIRE_CHUNK,
  /** Every LF of the mail follows a CR (see WireSize.crlf): its bytes pass as they are, but for the dots. */
  crlf = false,
): AsyncGenerator<Buffer, void, undefined> {
  const ready: Buffer[] = [];
  let chunk = Buffer.allocUnsafe(chunkSize);
  let used = 0;
  const put = (source: Buffer, from: number, to: number) => {
    while (from < to) {
      if (used === chunkSize) {
        ready.push(chunk);
        chunk = Buffer.allocUnsafe(chunkSize);
        used = 0;
      }
      const n = Math.min(to - from, chunkSize - used);
      source.copy(chunk, used, from, from + n);
      used += n;
      from += n;
    }
  };
  const putByte = (byte: number) => {
    if (used === chunkSize) {
      ready.push(chunk);
      chunk = Buffer.allocUnsafe(chunkSize);
      used = 0;
    }
    chunk[used++] = byte;
  };
  // The line being encoded: whether its first byte is still to come, its length so far, and a CR that ended the
  // last piece (a line end if the next piece starts with LF, content otherwise).
  let atLineStart = true;
  let lineLength = 0;
  let pendingCr = false;
  // The CR that ends a mail sent as it is (crlf): its line end needs only the LF.
  let endsWithCr = false;
  let inBody = false;
  let bodyLines = 0;
  const endLine = () => {
    putByte(CR);
    putByte(LF);
    if (inBody) bodyLines++;
    else if (lineLength === 0) inBody = true;
    atLineStart = true;
    lineLength = 0;
  };
  const cut = () => inBody && bodyLines >= maxBodyLines;
  pieces: for await (const piece of Buffer.isBuffer(mail) ? [mail] : mail) {
    let start = 0;
    if (piece.length === 0) continue;
    if (maxBodyLines === Infinity && crlf) {
      // Nothing to change but a dot that starts a line: the bytes between are copied as they are.
      if (atLineStart && piece[0] === DOT) putByte(DOT);
      for (let dot = piece.indexOf(STUFFED); dot !== -1; dot = piece.indexOf(STUFFED, start)) {
        put(piece, start, dot + 2);
        putByte(DOT);
        start = dot + 2;
      }
      put(piece, start, piece.length);
      atLineStart = piece[piece.length - 1] === LF;
      endsWithCr = piece[piece.length - 1] === CR;
      while (ready.length) yield ready.shift()!;
      continue;
    }
    if (maxBodyLines === Infinity) {
      // The whole mail goes out (RETR): no lines to count, so the piece is encoded by two native replaces
      // instead of line by line (a mail of short lines has hundreds of thousands).
      let prefix = '';
      let text = piece.toString('latin1');
      if (pendingCr) {
        pendingCr = false;
        if (text[0] === '\n') {
          prefix = '\r\n';
          text = text.slice(1);
          atLineStart = true;
        } else prefix = '\r';
      }
      if (atLineStart && text[0] === '.') prefix += '.';
      if (text.length > 0) atLineStart = text.endsWith('\n');
      if (text.endsWith('\r')) {
        pendingCr = true;
        text = text.slice(0, -1);
      }
      const wire = Buffer.from(
        prefix + text.replace(/\r?\n/g, '\r\n').replace(/\r\n\./g, '\r\n..'),
        'latin1',
      );
      put(wire, 0, wire.length);
      while (ready.length) yield ready.shift()!;
      continue;
    }
    if (pendingCr) {
      pendingCr = false;
      if (piece[0] === LF) {
        endLine();
        start = 1;
      } else {
        putByte(CR);
        lineLength++;
      }
    }
    while (start < piece.length) {
      if (atLineStart) {
        if (cut()) break pieces;
        if (piece[start] === DOT) putByte(DOT);
        atLineStart = false;
      }
      const lf = piece.indexOf(LF, start);
      if (lf === -1) {
        // The line goes on in the next piece; a CR at the end waits to see what follows it.
        const end = piece[piece.length - 1] === CR ? piece.length - 1 : piece.length;
        pendingCr = end < piece.length;
        put(piece, start, end);
        lineLength += end - start;
        break;
      }
      const contentEnd = lf > start && piece[lf - 1] === CR ? lf - 1 : lf;
      put(piece, start, contentEnd);
      lineLength += contentEnd - start;
      endLine();
      start = lf + 1;
    }
    while (ready.length) yield ready.shift()!;
  }
  // A last line without its line end gets one (a CR there counts as its line end); then the terminator.
  if (endsWithCr) putByte(LF);
  else if (!atLineStart && !cut()) endLine();
  putByte(DOT);
  putByte(CR);
  putByte(LF);
  while (ready.length) yield ready.shift()!;
  if (used > 0) yield chunk.subarray(0, used);
}

/**
 * The size of a mail with every line ended by CRLF, before dot-stuffing (what LIST and STAT report), counted over
 * pieces of it read one after the other.
 */
export class WireSize {
  #size = 0;
  #previous = -1;
  #bareLf = false;

  add(piece: Buffer): void {
    let size = piece.length;
    // A byte loop: a mail of short lines would make a native indexOf call per line, many times slower.
    let previous = this.#previous;
    for (let i = 0; i < piece.length; i++) {
      const byte = piece[i]!;
      if (byte === LF && previous !== CR) size++;
      previous = byte;
    }
    this.#previous = previous;
    if (size > piece.length) this.#bareLf = true;
    this.#size += size;
  }

  /** Every LF so far follows a CR: the mail goes out as it is but for its dots (see encodeMultiline). */
  get crlf(): boolean {
    return !this.#bareLf;
  }

  get total(): number {
    // A last line without its line end gets one on the wire.
    return this.#previous !== -1 && this.#previous !== LF ? this.#size + 2 : this.#size;
  }
}

/** The size of the mail with every line ended by CRLF, before dot-stuffing: what LIST and STAT report. */
export function octets(mail: Buffer): number {
  const size = new WireSize();
  size.add(mail);
  return size.total;
}
