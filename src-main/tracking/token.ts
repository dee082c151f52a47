import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  randomFillSync,
  randomUUID,
  timingSafeEqual,
} from 'node:crypto';
import type { TokenKind } from '../model/tracking.js';
import { parseKey, type KeyInput } from './keys.js';

export type TokenMode = 'plain' | 'sealed' | 'signed';
export const TOKEN_KINDS: readonly TokenKind[] = ['open', 'click', 'unsub'];

/** What a token carries, in the seed's field order. `ts` is unix nanoseconds and does not fit a JS number. */
export interface TokenPayload {
  id: string;
  kind: TokenKind;
  url?: string;
  metadata: Record<string, string>;
  ts: bigint;
  /** Unix seconds after which a hit counts as `expired` (the link still works). */
  exp?: number;
}

export type TokenErrorReason = 'malformed' | 'bad-signature' | 'wrong-kind' | 'bad-url' | 'no-key';

/** The only error decode() ever throws, whatever the input. */
export class TokenError extends Error {
  constructor(
    readonly reason: TokenErrorReason,
    message: string,
  ) {
    super(`[tracking] ${message}`);
    this.name = 'TokenError';
  }
}

export interface DecodedToken {
  payload: TokenPayload;
  /** The format the token was in; a plain token is forgeable, so its click URL needs the allowlist. */
  mode: TokenMode;
}

export interface MintInput {
  kind: TokenKind;
  url?: string;
  metadata?: Record<string, string>;
  /** Unix seconds. */
  exp?: number;
  /** Defaults to a fresh UUID v4. */
  id?: string;
  /** Defaults to the codec's clock. */
  ts?: bigint;
}

export interface TokenCodecOptions {
  mode: TokenMode;
  /** The key ring: the first key mints, every key is tried when decoding (rotation without breaking old links). */
  keys: KeyInput[];
  /** Unix nanoseconds; injected so tests can fix time. */
  nowNs?: () => bigint;
}

/** Longer than any token we mint with a long URL; refusing early keeps hostile input cheap. */
export const MAX_TOKEN_LENGTH = 8192;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * Nonces come from a pool filled 4 KB at a time: one call to the system's generator per 341 tokens instead of one
 * per token, which was a quarter of the cost of injecting a mail. Each nonce is still 96 random bits.
 */
const NONCE_POOL_BYTES = 4096 - (4096 % NONCE_BYTES);
const noncePool = Buffer.alloc(NONCE_POOL_BYTES);
let noncePos = NONCE_POOL_BYTES;

/** A fresh nonce; the bytes stay valid until the next call (callers copy them at once). */
function nextNonce(): Buffer {
  if (noncePos >= NONCE_POOL_BYTES) {
    randomFillSync(noncePool);
    noncePos = 0;
  }
  const nonce = noncePool.subarray(noncePos, noncePos + NONCE_BYTES);
  noncePos += NONCE_BYTES;
  return nonce;
}

const defaultNowNs = (): bigint => BigInt(Date.now()) * 1_000_000n;

/**
 * Stateless tracking tokens (docs/TRACKING.md, "Tokens"): plain base64url JSON, sealed with AES-256-GCM, or signed with
 * HMAC-SHA256, byte-compatible with other services holding the same key.
 */
export class TokenCodec {
  readonly mode: TokenMode;
  private readonly keys: Buffer[];
  private readonly nowNs: () => bigint;

  constructor(options: TokenCodecOptions) {
    this.mode = options.mode;
    this.keys = options.keys.map(parseKey);
    this.nowNs = options.nowNs ?? defaultNowNs;
    if (options.mode !== 'plain' && this.keys.length === 0) {
      throw new TokenError('no-key', `${options.mode} tokens need at least one key`);
    }
  }

  /** The key new tokens are minted with (undefined for a keyless plain codec). */
  get mintingKey(): Buffer | undefined {
    return this.keys[0];
  }

  mint(input: MintInput): { token: string; payload: TokenPayload } {
    const id = input.id ?? randomUUID();
    const metadata = input.metadata ?? {};
    const ts = input.ts ?? this.nowNs();
    // (the seed's field order, written out rather than spread: see the note in inject/html.ts)
    const payload: TokenPayload =
      input.url !== undefined
        ? { id, kind: input.kind, url: input.url, metadata, ts }
        : { id, kind: input.kind, metadata, ts };
    if (input.exp !== undefined) payload.exp = input.exp;
    return { token: this.encode(payload), payload };
  }

  encode(payload: TokenPayload): string {
    const json = serializePayload(payload);
    switch (this.mode) {
      case 'plain':
        return b64url(Buffer.from(json, 'utf8'));
      case 'signed': {
        const body = b64url(Buffer.from(json, 'utf8'));
        return `${body}.${b64url(hmac(this.keys[0]!, body))}`;
      }
      case 'sealed': {
        const nonce = nextNonce();
        const cipher = createCipheriv('aes-256-gcm', this.keys[0]!, nonce);
        const sealed = Buffer.concat([
          nonce,
          cipher.update(json, 'utf8'),
          cipher.final(),
          cipher.getAuthTag(),
        ]);
        return b64url(sealed);
      }
    }
  }

  /**
   * Decodes and authenticates a token. Sealed and signed tokens are accepted in any mode (both need the key);
   * plain tokens only when the codec itself is plain. `expectKind` rejects, say, an open token at /c.
   */
  decode(token: unknown, expectKind?: TokenKind | TokenKind[]): DecodedToken {
    try {
      const decoded = this.decodeUnchecked(token);
      const { kind } = decoded.payload;
      const accepted =
        expectKind === undefined ||
        (typeof expectKind === 'string' ? kind === expectKind : expectKind.includes(kind));
      if (!accepted) {
        throw new TokenError('wrong-kind', `a ${decoded.payload.kind} token is not accepted here`);
      }
      return decoded;
    } catch (err) {
      if (err instanceof TokenError) throw err;
      throw new TokenError('malformed', 'the token could not be read');
    }
  }

  private decodeUnchecked(token: unknown): DecodedToken {
    if (typeof token !== 'string' || token.length === 0) throw new TokenError('malformed', 'no token');
    if (token.length > MAX_TOKEN_LENGTH) throw new TokenError('malformed', 'the token is too long');
    const dot = token.indexOf('.');
    if (dot >= 0) return { payload: this.decodeSigned(token, dot), mode: 'signed' };
    const bytes = fromB64(token);
    if (this.mode === 'plain') {
      try {
        return { payload: parsePayload(bytes.toString('utf8')), mode: 'plain' };
      } catch (err) {
        // Links minted before a switch to plain mode were sealed; keep serving them when the key is still here.
        if (this.keys.length === 0) throw err;
      }
    }
    return { payload: this.decodeSealed(bytes), mode: 'sealed' };
  }

  private decodeSigned(token: string, dot: number): TokenPayload {
    const body = token.slice(0, dot);
    const signature = fromB64(token.slice(dot + 1));
    if (this.keys.length === 0) throw new TokenError('no-key', 'signed tokens need a key');
    const valid = this.keys.some((key) => {
      const expected = hmac(key, body);
      return signature.length === expected.length && timingSafeEqual(signature, expected);
    });
    if (!valid) throw new TokenError('bad-signature', 'the token signature does not match any key');
    return parsePayload(fromB64(body).toString('utf8'));
  }

  private decodeSealed(bytes: Buffer): TokenPayload {
    if (bytes.length < NONCE_BYTES + TAG_BYTES + 2)
      throw new TokenError('malformed', 'the token is too short');
    const nonce = bytes.subarray(0, NONCE_BYTES);
    const tag = bytes.subarray(bytes.length - TAG_BYTES);
    const ciphertext = bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES);
    for (const key of this.keys) {
      let plaintext: Buffer;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, nonce);
        decipher.setAuthTag(tag);
        plaintext = decipher.update(ciphertext);
        // GCM is a stream mode: final() only checks the tag and never returns bytes
        decipher.final();
      } catch {
        continue; // not this key (or tampered): try the next one
      }
      return parsePayload(plaintext.toString('utf8'));
    }
    throw new TokenError('bad-signature', 'the token was not sealed with any known key');
  }
}

/** True when the token carries an `exp` (unix seconds) that lies before `nowMs`. */
export function isExpired(payload: TokenPayload, nowMs: number): boolean {
  return payload.exp !== undefined && payload.exp * 1000 < nowMs;
}

/** JSON in the seed's field order with `ts` written as bare digits, so no reader rounds it. */
export function serializePayload(p: TokenPayload): string {
  let json = `{"id":${JSON.stringify(p.id)},"kind":${JSON.stringify(p.kind)}`;
  if (p.url !== undefined) json += `,"url":${JSON.stringify(p.url)}`;
  json += `,"metadata":${JSON.stringify(p.metadata)},"ts":${p.ts.toString()}`;
  if (p.exp !== undefined) json += `,"exp":${Math.trunc(p.exp)}`;
  return `${json}}`;
}

/** Parses and validates a payload; `ts` is read from its digits, never through a JS number. */
export function parsePayload(json: string): TokenPayload {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new TokenError('malformed', 'the token payload is not JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new TokenError('malformed', 'the token payload is not an object');
  }
  const o = raw as Record<string, unknown>;
  if (typeof o.id !== 'string' || o.id.length === 0 || o.id.length > 200) {
    throw new TokenError('malformed', 'the token has no id');
  }
  if (typeof o.kind !== 'string' || !TOKEN_KINDS.includes(o.kind as TokenKind)) {
    throw new TokenError('malformed', 'the token has no valid kind');
  }
  if (o.url !== undefined && typeof o.url !== 'string')
    throw new TokenError('malformed', 'the token url is not text');
  const metadata = readMetadata(o.metadata);
  const ts = readTs(json, o.ts);
  if (o.exp !== undefined && (typeof o.exp !== 'number' || !Number.isFinite(o.exp))) {
    throw new TokenError('malformed', 'the token exp is not a number');
  }
  const payload: TokenPayload =
    typeof o.url === 'string'
      ? { id: o.id, kind: o.kind as TokenKind, url: o.url, metadata, ts }
      : { id: o.id, kind: o.kind as TokenKind, metadata, ts };
  if (typeof o.exp === 'number') payload.exp = o.exp;
  return payload;
}

/** Metadata values are text; anything else a foreign minter put there is kept as its JSON. */
function readMetadata(raw: unknown): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new TokenError('malformed', 'the token metadata is not an object');
  }
  const parsed = raw as Record<string, unknown>;
  let allText = true;
  for (const k in parsed) {
    if (typeof parsed[k] !== 'string') {
      allText = false;
      break;
    }
  }
  // The object is JSON.parse's own, fresh for this token: when it already holds only text it can be kept.
  if (allText) return parsed as Record<string, string>;
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) {
    metadata[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return metadata;
}

const TS_DIGITS = /^-?\d{1,30}$/;

function readTs(json: string, parsed: unknown): bigint {
  if (typeof parsed === 'string' && TS_DIGITS.test(parsed)) return BigInt(parsed);
  if (typeof parsed !== 'number') throw new TokenError('malformed', 'the token has no ts');
  const fast = fastTs(json);
  if (fast !== undefined) return fast;
  const digits = topLevelNumberSource(json, 'ts');
  if (digits === undefined || !TS_DIGITS.test(digits)) {
    throw new TokenError('malformed', 'the token ts is not an integer');
  }
  return BigInt(digits);
}

/**
 * `"ts":<digits>` when it occurs exactly once, which is every token this codec writes; else undefined. Read char
 * by char: this runs for every hit.
 */
function fastTs(json: string): bigint | undefined {
  const at = json.lastIndexOf('"ts":');
  if (at < 0 || json.indexOf('"ts":') !== at) return undefined;
  const start = at + 5;
  let end = json.charCodeAt(start) === 0x2d ? start + 1 : start; // '-'
  const firstDigit = end;
  for (let c = json.charCodeAt(end); c >= 0x30 && c <= 0x39; c = json.charCodeAt(++end));
  const next = json.charCodeAt(end);
  // a member ends at ',' or '}' (or whitespace); a '.' or an exponent is not an integer
  if (end === firstDigit || end - firstDigit > 30 || !(next === 0x2c || next === 0x7d || next <= 0x20)) {
    return undefined;
  }
  return BigInt(json.slice(start, end));
}

/**
 * The source text of a number member of the outermost JSON object. JSON.parse has already validated the
 * document, so this only needs to skip strings and nested values correctly.
 */
function topLevelNumberSource(json: string, key: string): string | undefined {
  let depth = 0;
  let lastString: string | undefined;
  let lastStringDepth = -1;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '"') {
      let j = i + 1;
      while (j < json.length && json[j] !== '"') j += json[j] === '\\' ? 2 : 1;
      lastString = json.slice(i, j + 1);
      lastStringDepth = depth;
      i = j;
    } else if (c === '{' || c === '[') {
      depth++;
      lastString = undefined;
    } else if (c === '}' || c === ']') {
      depth--;
      lastString = undefined;
    } else if (c === ':') {
      if (
        depth === 1 &&
        lastStringDepth === 1 &&
        lastString !== undefined &&
        JSON.parse(lastString) === key
      ) {
        const m = /^\s*(-?[0-9][0-9.eE+-]*)/.exec(json.slice(i + 1, i + 64));
        return m?.[1];
      }
    } else if (c === ',') {
      lastString = undefined;
    }
  }
  return undefined;
}

function hmac(key: Buffer, body: string): Buffer {
  return createHmac('sha256', key).update(body).digest();
}

export function b64url(bytes: Buffer): string {
  return bytes.toString('base64url');
}

/** Accepts base64url and standard base64, padded or not; anything else is malformed (Buffer.from would skip it). */
function fromB64(text: string): Buffer {
  if (!BASE64.test(text)) throw new TokenError('malformed', 'the token is not base64');
  // Node's base64 decoder reads the url-safe alphabet too, so no translation is needed.
  return Buffer.from(text, 'base64');
}
