import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSecret, secretKey } from './signature.js';

export const SECRET_FILE = 'webhook-secret';

/**
 * The signing secret: `--webhook-secret` when given, else the one generated into the data directory on first use
 * (owner-only, like the tracking key), so receivers keep verifying across restarts. A throw-away run keeps it in memory.
 */
export function loadOrCreateWebhookSecret(dataDir: string, configured?: string): string {
  if (configured) {
    secretKey(configured);
    return configured;
  }
  if (dataDir === ':memory:') return generateSecret();
  const file = join(dataDir, SECRET_FILE);
  if (existsSync(file)) {
    const secret = readFileSync(file, 'utf8').trim();
    try {
      secretKey(secret);
    } catch (err) {
      throw new Error(`${(err as Error).message} (in ${file}; delete the file to generate a new one)`);
    }
    return secret;
  }
  const secret = generateSecret();
  // 'wx' refuses to overwrite a file another process wrote in the meantime; 0600: the secret proves who sent a webhook.
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  return secret;
}
