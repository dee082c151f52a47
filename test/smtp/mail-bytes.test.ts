// MailBytes gathers a mail's SMTP chunks: small mails as chunks, large ones in shared memory, and always the same
// bytes in the same order, whichever way they were kept.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MailBytes, SHARED_FROM_BYTES } from '../../src-main/smtp/mail-bytes.js';

/** Pushes `total` random bytes in chunks of `size` (the last one shorter); returns what was pushed. */
function fill(bytes: MailBytes, total: number, size: number): Buffer {
  const source = randomBytes(total);
  for (let at = 0; at < total; at += size) bytes.push(source.subarray(at, at + size));
  return source;
}

describe('MailBytes', () => {
  it('joins a small mail from its chunks', () => {
    const bytes = new MailBytes(50 * 1024 * 1024);
    const source = fill(bytes, 20_000, 4_096);
    const raw = bytes.join();
    expect(raw.equals(source)).toBe(true);
    expect(raw.buffer).not.toBeInstanceOf(SharedArrayBuffer);
  });

  it('keeps a large mail in shared memory, byte for byte', () => {
    const bytes = new MailBytes(50 * 1024 * 1024);
    const source = fill(bytes, 3 * 1024 * 1024 + 17, 65_536);
    expect(bytes.length).toBe(source.length);
    const raw = bytes.join();
    expect(raw.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(raw.length).toBe(source.length);
    expect(raw.equals(source)).toBe(true);
  });

  it('keeps whatever outgrows its reservation as chunks (a limit of 0 reserves the most it may)', () => {
    const limit = SHARED_FROM_BYTES + 100_000;
    const bytes = new MailBytes(limit);
    const source = fill(bytes, limit + 300_000, 30_000);
    expect(bytes.join().equals(source)).toBe(true);

    const unlimited = new MailBytes(0);
    const more = fill(unlimited, 2 * SHARED_FROM_BYTES, 100_000);
    expect(unlimited.join().equals(more)).toBe(true);
  });

  it('takes a single chunk larger than the threshold', () => {
    const bytes = new MailBytes(10 * 1024 * 1024);
    const source = fill(bytes, 2 * SHARED_FROM_BYTES + 5, 2 * SHARED_FROM_BYTES + 5);
    const raw = bytes.join();
    expect(raw.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(raw.equals(source)).toBe(true);
  });
});
