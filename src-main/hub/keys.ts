import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Settings } from '../config/schema.js';

/** Where generated hub keys live, so that minted tokens (a test suite's, the UI's) survive a restart. */
export const HUB_KEYS_FILE = 'hub.json';

/** 32 random bytes: the HS256 key size that matches the hash output, the strength the algorithm can use. */
const GENERATED_KEY_BYTES = 32;

export interface HubKeys {
  publisherKey: string;
  subscriberKey: string;
}

type KeySettings = Pick<Settings, 'hubJwtKey' | 'hubPublisherKey' | 'hubSubscriberKey'>;

const generateKey = (): string => randomBytes(GENERATED_KEY_BYTES).toString('base64url');

function readKeysFile(file: string): Partial<HubKeys> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const why = err instanceof SyntaxError ? `it is not valid JSON (${err.message})` : (err as Error).message;
    throw new Error(
      `[hub] cannot read ${file}: ${why}; fix it, or delete it to generate new hub keys (tokens minted with the old ones stop working)`,
    );
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(
      `[hub] ${file} is not a JSON object with publisherKey and subscriberKey; fix it, or delete it to generate new hub keys`,
    );
  }
  const fields = parsed as Partial<Record<keyof HubKeys, unknown>>;
  const keys: Partial<HubKeys> = {};
  if (typeof fields.publisherKey === 'string' && fields.publisherKey) keys.publisherKey = fields.publisherKey;
  if (typeof fields.subscriberKey === 'string' && fields.subscriberKey)
    keys.subscriberKey = fields.subscriberKey;
  return keys;
}

/**
 * The hub's HS256 keys: `--hub-publisher-key` / `--hub-subscriber-key`, else `--hub-jwt-key` for both roles,
 * else random keys generated once into `<dataDir>/hub.json` (mode 0600). With `--data-dir :memory:` the random
 * keys live only as long as the process.
 */
export function loadOrCreateHubKeys(dataDir: string, settings: KeySettings): HubKeys {
  const configured = {
    publisherKey: settings.hubPublisherKey ?? settings.hubJwtKey,
    subscriberKey: settings.hubSubscriberKey ?? settings.hubJwtKey,
  };
  if (configured.publisherKey && configured.subscriberKey) {
    return { publisherKey: configured.publisherKey, subscriberKey: configured.subscriberKey };
  }
  if (dataDir === ':memory:') {
    return {
      publisherKey: configured.publisherKey ?? generateKey(),
      subscriberKey: configured.subscriberKey ?? generateKey(),
    };
  }
  const file = join(dataDir, HUB_KEYS_FILE);
  const stored = existsSync(file) ? readKeysFile(file) : {};
  const generated: HubKeys = {
    publisherKey: stored.publisherKey ?? generateKey(),
    subscriberKey: stored.subscriberKey ?? generateKey(),
  };
  if (stored.publisherKey !== generated.publisherKey || stored.subscriberKey !== generated.subscriberKey) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, `${JSON.stringify(generated, null, 2)}\n`, { mode: 0o600 });
    // The mode option applies only when the file is created; an older file with wider rights is tightened.
    chmodSync(file, 0o600);
  }
  return {
    publisherKey: configured.publisherKey ?? generated.publisherKey,
    subscriberKey: configured.subscriberKey ?? generated.subscriberKey,
  };
}
