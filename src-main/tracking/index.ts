// `mailbeacon/tracking`: mint and read tracking links in another Node service with the same key, so that
// Mailbeacon serves the links that service puts in its own mail (and the other way round).
import type { TokenKind } from '../model/tracking.js';
import type { KeyInput } from './keys.js';
import { TokenCodec, type TokenMode } from './token.js';
import { trackingUrl } from './urls.js';

export {
  KEY_BYTES,
  KEY_FILE_NAME,
  KeyError,
  generateKey,
  keyFingerprint,
  loadOrCreateKeyFile,
  parseKey,
} from './keys.js';
export type { KeyInput } from './keys.js';
export {
  MAX_TOKEN_LENGTH,
  TOKEN_KINDS,
  TokenCodec,
  TokenError,
  isExpired,
  parsePayload,
  serializePayload,
} from './token.js';
export type {
  DecodedToken,
  MintInput,
  TokenCodecOptions,
  TokenErrorReason,
  TokenMode,
  TokenPayload,
} from './token.js';
export { TRACKING_PATHS, trackingUrl } from './urls.js';

export interface MintUrlOptions {
  /** The destination of a click or unsubscribe link. */
  url?: string;
  metadata?: Record<string, string>;
  /** Unix seconds after which hits are recorded as `expired`. */
  exp?: number;
}

/**
 * One tracking link, e.g. `mintUrl('http://127.0.0.1:8026', 'click', codec, { url: 'https://example.com/' })`.
 * Pass a codec built once (`new TokenCodec({ mode: 'sealed', keys: [key] })`) rather than a key per call.
 */
export function mintUrl(
  base: string,
  kind: TokenKind,
  codec: TokenCodec,
  options: MintUrlOptions = {},
): string {
  const { token } = codec.mint({ kind, url: options.url, metadata: options.metadata, exp: options.exp });
  return trackingUrl(base, kind, token);
}

/** A codec from the same settings Mailbeacon takes (`--token-mode`, `--tracking-key`). */
export function createCodec(keys: KeyInput[], mode: TokenMode = 'sealed'): TokenCodec {
  return new TokenCodec({ mode, keys });
}
