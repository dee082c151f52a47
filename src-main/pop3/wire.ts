const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;
const CRLF = Buffer.from('\r\n');

/**
 * The mail as POP3 carries it (RFC 1939 §3): every line ended by CRLF (a bare LF becomes CRLF; a mail stored with
 * CRLF, as SMTP delivers it, passes unchanged), a leading "." doubled, and the ".CRLF" terminator. `maxBodyLines`
 * cuts the body after that many lines (TOP); the header and the blank line after it are always sent.
 */
export function encodeMultiline(mail: Buffer, maxBodyLines = Infinity): Buffer[] {
  const out: Buffer[] = [];
  let inBody = false;
  let bodyLines = 0;
  let start = 0;
  while (start < mail.length) {
    if (inBody && bodyLines >= maxBodyLines) break;
    const lf = mail.indexOf(LF, start);
    const end = lf === -1 ? mail.length : lf;
    const contentEnd = end > start && mail[end - 1] === CR ? end - 1 : end;
    if (mail[start] === DOT) out.push(Buffer.from('.'));
    out.push(mail.subarray(start, contentEnd), CRLF);
    if (inBody) bodyLines++;
    else if (contentEnd === start) inBody = true;
    start = end + 1;
  }
  out.push(Buffer.from('.\r\n'));
  return out;
}

/** The size of the mail with every line ended by CRLF, before dot-stuffing: what LIST and STAT report. */
export function octets(mail: Buffer): number {
  let size = mail.length;
  for (let i = mail.indexOf(LF); i !== -1; i = mail.indexOf(LF, i + 1))
    if (i === 0 || mail[i - 1] !== CR) size++;
  // A last line without its line end gets one on the wire.
  if (mail.length > 0 && mail[mail.length - 1] !== LF) size += 2;
  return size;
}
