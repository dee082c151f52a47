import { randomUUID } from 'node:crypto';

/**
 * A UUIDv7 (RFC 9562 §5.7): 48 bits of Unix milliseconds, then random bits. Ids minted one after the other sort
 * together, so a unique index over them grows at its end instead of taking a write on a random page for each row.
 */
export function uuid7(nowMs = Date.now()): string {
  const time = Math.max(0, Math.floor(nowMs)).toString(16).padStart(12, '0').slice(-12);
  const random = randomUUID(); // xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx: keep its variant and random bits
  return `${time.slice(0, 8)}-${time.slice(8)}-7${random.slice(15)}`;
}
