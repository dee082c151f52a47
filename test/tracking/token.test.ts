import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  TokenCodec,
  TokenError,
  generateKey,
  isExpired,
  keyFingerprint,
  loadOrCreateKeyFile,
  mintUrl,
  parseKey,
  serializePayload,
  type TokenMode,
} from '../../src-main/tracking/index.js';

const MODES: TokenMode[] = ['plain', 'sealed', 'signed'];
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const BIG_TS = 1730000000123456789n; // beyond 2^53: a JS number would round it

function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TokenError);
    return (err as TokenError).reason;
  }
  return 'no error';
}

describe('TokenCodec', () => {
  for (const mode of MODES) {
    it(`round-trips every field in ${mode} mode without losing ts precision`, () => {
      const codec = new TokenCodec({ mode, keys: [generateKey()] });
      const { token, payload } = codec.mint({
        kind: 'click',
        url: 'https://example.com/a?b=1&c=ü',
        metadata: { message_id: 'm1', recipient: 'a@example.com', link: '3' },
        ts: BIG_TS,
        exp: 1767225600,
      });
      expect(token).toMatch(/^[A-Za-z0-9_.-]+$/);
      const decoded = codec.decode(token, 'click');
      expect(decoded.mode).toBe(mode);
      expect(decoded.payload).toEqual(payload);
      expect(decoded.payload.ts).toBe(BIG_TS);
    });
  }

  it('writes ts as bare digits in the seed format', () => {
    const json = serializePayload({ id: 'x', kind: 'open', metadata: {}, ts: BIG_TS });
    expect(json).toBe('{"id":"x","kind":"open","metadata":{},"ts":1730000000123456789}');
    const plain = new TokenCodec({ mode: 'plain', keys: [] });
    const token = Buffer.from(json).toString('base64url');
    expect(plain.decode(token).payload.ts).toBe(BIG_TS);
    // standard base64 with padding is accepted too
    expect(plain.decode(Buffer.from(json).toString('base64')).payload.ts).toBe(BIG_TS);
  });

  it('reads ts from the top level even when metadata holds a look-alike', () => {
    const json = '{"id":"x","kind":"open","metadata":{"ts":"1","n":"\\"ts\\":5"},"ts":1730000000123456789}';
    const plain = new TokenCodec({ mode: 'plain', keys: [] });
    expect(plain.decode(Buffer.from(json).toString('base64url')).payload.ts).toBe(BIG_TS);
  });

  it('takes ts only as an integer, with or without spaces around it', () => {
    const plain = new TokenCodec({ mode: 'plain', keys: [] });
    const decode = (ts: string) =>
      plain.decode(Buffer.from(`{"id":"x","kind":"open","metadata":{},"ts":${ts}}`).toString('base64url'));
    expect(decode(' 1730000000123456789 ').payload.ts).toBe(BIG_TS);
    expect(decode('-5').payload.ts).toBe(-5n);
    for (const bad of ['1.5', '1e3', '17300000001234567890123456789012', '"soon"']) {
      expect(reason(() => decode(bad))).toBe('malformed');
    }
  });

  it('rotates keys: the first key mints, older keys still decode', () => {
    const oldKey = generateKey();
    const newKey = generateKey();
    for (const mode of ['sealed', 'signed'] as const) {
      const before = new TokenCodec({ mode, keys: [oldKey] }).mint({ kind: 'open' }).token;
      const ring = new TokenCodec({ mode, keys: [newKey, oldKey] });
      expect(ring.decode(before, 'open').payload.kind).toBe('open');
      const after = ring.mint({ kind: 'open' }).token;
      expect(new TokenCodec({ mode, keys: [newKey] }).decode(after).payload.kind).toBe('open');
      expect(reason(() => new TokenCodec({ mode, keys: [oldKey] }).decode(after))).toBe('bad-signature');
    }
  });

  it('accepts keys as hex, base64, base64url and raw bytes', () => {
    const key = generateKey();
    for (const form of [key.toString('hex'), key.toString('base64'), key.toString('base64url'), key]) {
      expect(parseKey(form).equals(key)).toBe(true);
    }
    expect(() => parseKey('short')).toThrow(/32 bytes/);
    expect(() => parseKey('zz')).toThrow();
    expect(keyFingerprint(key)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('marks expired tokens without refusing them', () => {
    const codec = new TokenCodec({ mode: 'sealed', keys: [generateKey()] });
    const { token } = codec.mint({ kind: 'click', url: 'https://example.com/', exp: 1_000 });
    const { payload } = codec.decode(token, 'click');
    expect(isExpired(payload, Date.now())).toBe(true);
    expect(isExpired({ ...payload, exp: undefined }, Date.now())).toBe(false);
  });

  it('refuses a token of the wrong kind', () => {
    const codec = new TokenCodec({ mode: 'sealed', keys: [generateKey()] });
    const open = codec.mint({ kind: 'open' }).token;
    expect(reason(() => codec.decode(open, 'click'))).toBe('wrong-kind');
    expect(reason(() => codec.decode(open, ['click', 'unsub']))).toBe('wrong-kind');
  });

  it('rejects tampering in authenticated modes with a TokenError only', () => {
    for (const mode of ['sealed', 'signed'] as const) {
      const codec = new TokenCodec({ mode, keys: [generateKey()] });
      const { token } = codec.mint({ kind: 'click', url: 'https://example.com/' });
      for (let i = 0; i < token.length; i++) {
        if (token[i] === '.') continue;
        // flip the highest of the six bits, which is never a padding bit
        const flipped = token.slice(0, i) + B64URL[B64URL.indexOf(token[i]!) ^ 32] + token.slice(i + 1);
        expect(reason(() => codec.decode(flipped))).not.toBe('no error');
      }
      for (const cut of [1, 5, 20, token.length - 1]) {
        expect(reason(() => codec.decode(token.slice(0, cut)))).not.toBe('no error');
      }
      const other = new TokenCodec({ mode, keys: [generateKey()] });
      expect(reason(() => other.decode(token))).toBe('bad-signature');
      // a forged plain token is not accepted by an authenticated codec
      const forged = Buffer.from(
        serializePayload({ id: 'x', kind: 'click', url: 'https://evil.example/', metadata: {}, ts: 1n }),
      ).toString('base64url');
      expect(reason(() => codec.decode(forged))).not.toBe('no error');
    }
  });

  it('never throws anything but TokenError for random input', () => {
    const codecs = MODES.map((mode) => new TokenCodec({ mode, keys: [generateKey()] }));
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    const alphabet = 'ABCabc019-_.+/=%{}"\u0000\u00ff\u2603';
    for (let n = 0; n < 2000; n++) {
      const len = rand() % 120;
      let s = '';
      for (let i = 0; i < len; i++) s += alphabet[rand() % alphabet.length];
      for (const codec of codecs) {
        try {
          codec.decode(s);
        } catch (err) {
          expect(err).toBeInstanceOf(TokenError);
        }
      }
    }
    for (const input of [undefined, null, 42, {}, [], 'x'.repeat(100_000)]) {
      expect(reason(() => codecs[1]!.decode(input))).toBe('malformed');
    }
  });

  it('mints a URL another service can hand to the tracking server', () => {
    const codec = new TokenCodec({ mode: 'signed', keys: [generateKey()] });
    const url = new URL(mintUrl('http://127.0.0.1:8026/', 'click', codec, { url: 'https://example.com/x' }));
    expect(url.pathname).toBe('/c');
    expect(codec.decode(url.searchParams.get('t'), 'click').payload.url).toBe('https://example.com/x');
  });
});

describe('loadOrCreateKeyFile', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('generates a 0600 hex key on first start and reads the same key later', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mb-key-'));
    dirs.push(dir);
    const first = loadOrCreateKeyFile(join(dir, 'data'));
    const file = join(dir, 'data', 'tracking.key');
    expect(readFileSync(file, 'utf8').trim()).toBe(first.toString('hex'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadOrCreateKeyFile(join(dir, 'data')).equals(first)).toBe(true);
  });

  it('keeps a random in-memory key for :memory:', () => {
    const a = loadOrCreateKeyFile(':memory:');
    expect(a.length).toBe(32);
    expect(loadOrCreateKeyFile(':memory:').equals(a)).toBe(false);
  });
});
