import type { Settings } from '../config/schema.js';
import { keyFingerprint, loadOrCreateKeyFile, parseKey } from './keys.js';
import { TokenCodec } from './token.js';

export type TrackingKeySettings = Pick<Settings, 'trackingKey' | 'tokenMode' | 'dataDir'>;

/**
 * The key ring from the settings: `--tracking-key` values in order (the first mints), or else the key generated
 * into the data directory. Bad keys are reported as `[tracking] …` errors.
 */
export function trackingKeys(settings: TrackingKeySettings): Buffer[] {
  if (settings.trackingKey.length > 0) return settings.trackingKey.map(parseKey);
  return [loadOrCreateKeyFile(settings.dataDir)];
}

/** The codec a sandbox (or the CLI) uses, its key ring, and the fingerprint of its minting key for /api/v1/info. */
export function codecFromSettings(settings: TrackingKeySettings): {
  codec: TokenCodec;
  keys: Buffer[];
  fingerprint: string;
} {
  const keys = trackingKeys(settings);
  return {
    codec: new TokenCodec({ mode: settings.tokenMode, keys }),
    keys,
    fingerprint: keyFingerprint(keys[0]!),
  };
}

/** `http://127.0.0.1:8026` from `--tracking-url`, or from the tracking listener's address once it is known. */
export function trackingBaseUrl(trackingUrl: string | undefined, host: string, port: number): string {
  if (trackingUrl) return trackingUrl.replace(/\/+$/, '');
  // A wildcard listener is reachable on loopback; links need an address a mail client can fetch.
  const h =
    host === '::'
      ? '[::1]'
      : host.includes(':')
        ? `[${host}]`
        : host === '0.0.0.0' || host === ''
          ? '127.0.0.1'
          : host;
  return `http://${h}:${port}`;
}
