import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** AES-256-GCM needs exactly this many key bytes; HMAC keys are generated at the same size. */
export const KEY_BYTES = 32;

/** Name of the generated key inside the data directory. */
export const KEY_FILE_NAME = 'tracking.key';

/** A key as a user or another service may hold it: 64 hex characters, base64 (standard or url-safe), or raw bytes. */
export type KeyInput = string | Buffer | Uint8Array;

export class KeyError extends Error {
  constructor(message: string) {
    super(`[tracking] ${message}`);
    this.name = 'KeyError';
  }
}

const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const BASE64_KEY = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** Turns hex, base64 or raw bytes into the 32 key bytes; anything else is a KeyError naming what was wrong. */
export function parseKey(input: KeyInput): Buffer {
  if (typeof input !== 'string') {
    const bytes = Buffer.from(input);
    if (bytes.length !== KEY_BYTES)
      throw new KeyError(`a raw key must be ${KEY_BYTES} bytes, not ${bytes.length}`);
    return bytes;
  }
  const text = input.trim();
  if (HEX_KEY.test(text)) return Buffer.from(text, 'hex');
  if (BASE64_KEY.test(text)) {
    const bytes = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (bytes.length === KEY_BYTES) return bytes;
    throw new KeyError(`a base64 key must decode to ${KEY_BYTES} bytes, not ${bytes.length}`);
  }
  throw new KeyError(`a key must be 64 hex characters or base64 of ${KEY_BYTES} bytes`);
}

export function generateKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/** A short, stable, non-secret name for a key, shown in /api/v1/info so two processes can tell they share it. */
export function keyFingerprint(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/**
 * The key in `<dataDir>/tracking.key`, generated (hex, mode 0600) on first start so that links in stored mail keep
 * working across restarts. A throw-away run (`:memory:`) gets a random key that lives as long as the process.
 */
export function loadOrCreateKeyFile(dataDir: string): Buffer {
  if (dataDir === ':memory:') return generateKey();
  const path = join(dataDir, KEY_FILE_NAME);
  try {
    return parseKey(readFileSync(path, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      if (err instanceof KeyError) throw new KeyError(`${path}: ${err.message.replace('[tracking] ', '')}`);
      throw err;
    }
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = generateKey();
  try {
    // 'wx': if another process created the file in the meantime, its key wins and we read it below.
    writeFileSync(path, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return parseKey(readFileSync(path, 'utf8'));
  }
}
