import { randomFillSync } from 'node:crypto';

/** Random bytes drawn 16 at a time from a pool refilled in one call, as randomUUID does. */
const pool = Buffer.alloc(16 * 256);
let poolAt = pool.length;

/** 16 fresh random bytes; valid until the next call. */
function randomBytes16(): Buffer {
  if (poolAt === pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const bytes = pool.subarray(poolAt, poolAt + 16);
  poolAt += 16;
  return bytes;
}

/** Two lowercase hex digits for every byte value. */
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/**
 * A UUIDv7 (RFC 9562 §5.7): 48 bits of Unix milliseconds, then random bits. Ids minted one after the other sort
 * together, so a unique index over them grows at its end instead of taking a write on a random page for each row.
 */
export function uuid7(nowMs = Date.now()): string {
  const b = randomBytes16();
  b.writeUIntBE(Math.max(0, Math.floor(nowMs)) % 2 ** 48, 0, 6);
  b[6] = 0x70 | (b[6]! & 0x0f); // version 7
  b[8] = 0x80 | (b[8]! & 0x3f); // variant 10
  const h = (i: number) => HEX[b[i]!]!;
  return (
    `${h(0)}${h(1)}${h(2)}${h(3)}-${h(4)}${h(5)}-${h(6)}${h(7)}-${h(8)}${h(9)}-` +
    `${h(10)}${h(11)}${h(12)}${h(13)}${h(14)}${h(15)}`
  );
}

/** base64url's 64 characters in ASCII order: a string of them sorts as the bits it encodes. */
const SORTED_ALPHABET = '-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz';

/**
 * A 22-character id in base64url's characters (as Mailpit's message ids look) for 48 bits of Unix milliseconds and
 * 80 random bits, written so that ids sort by time as strings: the same index locality as a UUIDv7, shorter.
 */
export function sortableId(nowMs = Date.now()): string {
  const bytes = randomBytes16();
  bytes.writeUIntBE(Math.max(0, Math.floor(nowMs)) % 2 ** 48, 0, 6);
  let out = '';
  // Six bits at a time, most significant first; the last character holds the final 2 bits.
  for (let bit = 0; bit < 128; bit += 6) {
    const byte = bit >> 3;
    const pair = (bytes[byte]! << 8) | (bytes[byte + 1] ?? 0);
    out += SORTED_ALPHABET[(pair >> (10 - (bit & 7))) & 63];
  }
  return out;
}
