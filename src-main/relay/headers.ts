/**
 * Header edits on raw mail bytes. The relay must not rebuild a mail from its parsed form (that would change bytes the
 * tracked version promises to keep), so these work on the header block only and leave the body untouched.
 */

/** Where the header block ends: the index of the empty line's first byte, or the mail's length when there is none. */
function headerEnd(raw: Buffer): { end: number; newline: string } {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  if (crlf !== -1 && (lf === -1 || crlf < lf)) return { end: crlf + 2, newline: '\r\n' };
  if (lf !== -1) return { end: lf + 1, newline: '\n' };
  return { end: raw.length, newline: raw.includes('\r\n') ? '\r\n' : '\n' };
}

/** Removes every field called `name` (case-insensitive), folded continuation lines included. */
export function removeHeader(raw: Buffer, name: string): Buffer {
  const { end } = headerEnd(raw);
  // latin1 maps each byte to one char, so offsets and bytes survive the round trip whatever the header charset.
  const head = raw.subarray(0, end).toString('latin1');
  const lines = head.split(/(?<=\n)/);
  const wanted = name.toLowerCase();
  let dropping = false;
  let changed = false;
  const kept: string[] = [];
  for (const line of lines) {
    const continuation = line.startsWith(' ') || line.startsWith('\t');
    if (!continuation) {
      const colon = line.indexOf(':');
      dropping = colon > 0 && line.slice(0, colon).trim().toLowerCase() === wanted;
    }
    if (dropping) changed = true;
    else kept.push(line);
  }
  if (!changed) return raw;
  return Buffer.concat([Buffer.from(kept.join(''), 'latin1'), raw.subarray(end)]);
}

/** Puts `name: value` on top of the header block, where trace fields go (RFC 5322 §3.6.7). */
export function prependHeader(raw: Buffer, name: string, value: string): Buffer {
  if (/[\r\n]/.test(name + value)) throw new Error('[relay] header name or value contains a line break');
  const { newline } = headerEnd(raw);
  return Buffer.concat([Buffer.from(`${name}: ${value}${newline}`, 'latin1'), raw]);
}
