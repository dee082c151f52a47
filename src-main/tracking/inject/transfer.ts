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

export function decodeBody(body: Buffer, encoding: string): Buffer {
  if (encoding === 'base64')
    return Buffer.from(body.toString('latin1').replace(/[^A-Za-z0-9+/]/g, ''), 'base64');
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
  return body;
}

export function encodeBody(decoded: Buffer, shape: EncodedShape): Buffer {
  let text: string;
  if (shape.encoding === 'base64') {
    const b64 = decoded.toString('base64');
    const lines: string[] = [];
    for (let i = 0; i < b64.length; i += shape.lineLength) lines.push(b64.slice(i, i + shape.lineLength));
    text = lines.join(shape.eol);
  } else if (shape.encoding === 'quoted-printable') {
    text = encodeQuotedPrintable(decoded, shape.eol);
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

export function decodeQuotedPrintable(body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(body.length);
  let n = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== 0x3d) {
      out[n++] = c;
      continue;
    }
    // soft line break: '=' then optional whitespace then a line break
    let j = i + 1;
    while (body[j] === 0x20 || body[j] === 0x09) j++;
    if (body[j] === 0x0d && body[j + 1] === 0x0a) {
      i = j + 1;
      continue;
    }
    if (body[j] === 0x0a) {
      i = j;
      continue;
    }
    const hi = hexValue(body[i + 1] ?? -1);
    const lo = hexValue(body[i + 2] ?? -1);
    if (hi >= 0 && lo >= 0) {
      out[n++] = hi * 16 + lo;
      i += 2;
    } else {
      out[n++] = c; // a lone '=' is kept, as decoders do
    }
  }
  return out.subarray(0, n);
}

/** Quoted-printable with hard line breaks kept as `eol` and soft breaks (`=`) keeping lines within 76 characters. */
export function encodeQuotedPrintable(decoded: Buffer, eol: '\r\n' | '\n'): string {
  const out: string[] = [];
  let line = '';
  const push = (token: string) => {
    if (line.length + token.length > MAX_ENCODED_LINE - 1) {
      out.push(`${line}=`, eol);
      line = '';
    }
    line += token;
  };
  for (let i = 0; i < decoded.length; i++) {
    const c = decoded[i]!;
    if (c === 0x0d && decoded[i + 1] === 0x0a) continue; // the LF that follows ends the line
    if (c === 0x0a) {
      out.push(line, eol);
      line = '';
      continue;
    }
    const next = decoded[i + 1];
    const atLineEnd = next === undefined || next === 0x0a || (next === 0x0d && decoded[i + 2] === 0x0a);
    const literal = (c >= 0x21 && c <= 0x7e && c !== 0x3d) || ((c === 0x20 || c === 0x09) && !atLineEnd);
    push(literal ? String.fromCharCode(c) : `=${HEX[c >> 4]}${HEX[c & 15]}`);
  }
  out.push(line);
  return out.join('');
}
