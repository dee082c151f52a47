// The streamed POP3 encoding: whatever the chunk size, the chunks joined are the wire text of RFC 1939 §3, built here
// line by line the plain way, and no chunk is larger than asked.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WireSize, encodeMultiline, octets } from '../../src-main/pop3/wire.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'eml');

/** The reference: split on LF, drop a CR before it, double a leading dot, CRLF after each line, then ".CRLF". */
function reference(mail: Buffer, maxBodyLines = Infinity): Buffer {
  const text = mail.toString('latin1');
  const lines = text === '' ? [] : text.split('\n');
  if (text.endsWith('\n')) lines.pop();
  const out: string[] = [];
  let inBody = false;
  let body = 0;
  for (const raw of lines) {
    if (inBody && body >= maxBodyLines) break;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    out.push(`${line.startsWith('.') ? '.' : ''}${line}\r\n`);
    if (inBody) body++;
    else if (line === '') inBody = true;
  }
  return Buffer.from(`${out.join('')}.\r\n`, 'latin1');
}

/** The chunks of an encoding, in order. */
async function collect(chunks: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
}

const joined = async (mail: Buffer, lines: number, size: number) => {
  const chunks = await collect(encodeMultiline(mail, lines, size));
  expect(Math.max(0, ...chunks.map((c) => c.length))).toBeLessThanOrEqual(size);
  return Buffer.concat(chunks);
};

const samples: [string, Buffer][] = [
  ['empty', Buffer.alloc(0)],
  ['dots', Buffer.from('Subject: x\r\n\r\n.\r\n..\r\n.a\r\nb\r\n.')],
  ['bare LF', Buffer.from('A: 1\n\nline\n.dot\nlast')],
  ['long line', Buffer.from(`S: y\r\n\r\n${'x'.repeat(20_000)}\r\n.${'y'.repeat(7_000)}\r\n`)],
  ['short lines', Buffer.from(`S: z\r\n\r\n${'.a\r\nbc\r\n'.repeat(5_000)}`)],
  ['lone CRs', Buffer.from('A: 1\r\n\r\na\rb\r\r\n.\r\r\nend\r')],
  ['CRLF, dots', Buffer.from('.A: 1\r\n\r\n.\r\n..\r\nx.\r\n.\r\n.end\r')],
];

/** The mail cut into pieces of `size` bytes, as the store hands out a large mail's slices. */
function* piecesOf(mail: Buffer, size: number): Generator<Buffer> {
  for (let at = 0; at < mail.length; at += size) yield mail.subarray(at, at + size);
}

describe('encodeMultiline', () => {
  it.each(samples)('%s: equals the line-by-line encoding at every chunk size', async (_name, mail) => {
    for (const size of [1, 2, 3, 7, 64, 4096, 65_536]) {
      expect((await joined(mail, Infinity, size)).equals(reference(mail))).toBe(true);
      expect((await joined(mail, 2, size)).equals(reference(mail, 2))).toBe(true);
    }
  });

  it.each(samples)('%s: equals it when read in pieces, whatever falls on a boundary', async (_name, mail) => {
    for (const size of [1, 2, 3, 5, 7, 64, 4096]) {
      const whole = async (lines: number) =>
        Buffer.concat(await collect(encodeMultiline(piecesOf(mail, size), lines, 1000)));
      expect((await whole(Infinity)).equals(reference(mail)), `pieces of ${size}`).toBe(true);
      expect((await whole(2)).equals(reference(mail, 2)), `pieces of ${size}, TOP 2`).toBe(true);
      const counted = new WireSize();
      for (const piece of piecesOf(mail, size)) counted.add(piece);
      expect(counted.total).toBe(octets(mail));
      if (counted.crlf) {
        const asIs = Buffer.concat(
          await collect(encodeMultiline(piecesOf(mail, size), Infinity, 1000, true)),
        );
        expect(asIs.equals(reference(mail)), `pieces of ${size}, CRLF as it is`).toBe(true);
      }
    }
  });

  it('reads no piece after the last line TOP sends', async () => {
    let read = 0;
    const pieces = (function* () {
      for (const piece of piecesOf(Buffer.from(`S: 1\r\n\r\n${'line\r\n'.repeat(100)}`), 6)) {
        read++;
        yield piece;
      }
    })();
    const text = Buffer.concat(await collect(encodeMultiline(pieces, 1))).toString();
    expect(text).toBe('S: 1\r\n\r\nline\r\n.\r\n');
    expect(read).toBeLessThan(6);
  });

  it('encodes every corpus mail as the reference does', async () => {
    const files = readdirSync(FIXTURES, { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.eml'),
    );
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const mail = readFileSync(join(FIXTURES, file));
      expect((await joined(mail, Infinity, 1000)).equals(reference(mail)), file).toBe(true);
      expect((await joined(mail, 0, 1000)).equals(reference(mail, 0)), file).toBe(true);
      const size = new WireSize();
      size.add(mail);
      if (size.crlf) {
        const asIs = Buffer.concat(await collect(encodeMultiline(piecesOf(mail, 777), Infinity, 1000, true)));
        expect(asIs.equals(reference(mail)), `${file}, CRLF as it is`).toBe(true);
      }
    }
  });

  it('holds one chunk at a time: a 10 MB mail of short lines comes out in 64 KB pieces', async () => {
    const mail = Buffer.from(`Subject: big\r\n\r\n${'.short\r\n'.repeat(1_300_000)}`);
    let pieces = 0;
    let total = 0;
    let largest = 0;
    for await (const chunk of encodeMultiline(mail)) {
      pieces++;
      total += chunk.length;
      largest = Math.max(largest, chunk.length);
    }
    expect(largest).toBe(64 * 1024);
    // Every body line starts with a dot and gets a second one; then the terminator.
    expect(total).toBe(mail.length + 1_300_000 + 3);
    expect(pieces).toBe(Math.ceil(total / (64 * 1024)));
  });
});
