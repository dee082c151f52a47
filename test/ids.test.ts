// Ids minted by Mailbeacon (mail ids, hub update ids, relay ids) sort by the time they were minted.
import { describe, expect, it } from 'vitest';
import { sortableId, uuid7 } from '../src-main/ids.js';

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);

describe('time-ordered ids', () => {
  it('uuid7: RFC 9562 version 7, variant 10, the time in its first 48 bits', () => {
    const id = uuid7(T0);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(T0);
    expect(new Set(Array.from({ length: 1000 }, () => uuid7(T0))).size).toBe(1000);
  });

  it('sortableId: 22 base64url characters that sort as their time, and decode back to it', () => {
    const ALPHABET = '-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz';
    const timeOf = (id: string) => {
      let bits = 0n;
      for (const c of id) bits = (bits << 6n) | BigInt(ALPHABET.indexOf(c));
      return Number((bits >> 4n) >> 80n); // 132 bits written, the last 4 padding; the time is the first 48
    };
    let previous = '';
    for (let t = T0; t < T0 + 100_000; t += 997) {
      const id = sortableId(t);
      expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(timeOf(id)).toBe(t);
      expect(id > previous).toBe(true);
      previous = id;
    }
    expect(new Set(Array.from({ length: 1000 }, () => sortableId(T0))).size).toBe(1000);
  });
});
