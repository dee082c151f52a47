import { createHmac, randomBytes } from 'node:crypto';

/** Standard Webhooks secrets are `whsec_` followed by the base64 of the HMAC key. */
const SECRET_PREFIX = 'whsec_';
/** 24 random bytes: Standard Webhooks asks for a key of 24 to 64 bytes. */
const GENERATED_KEY_BYTES = 24;

/** The HMAC key inside a `whsec_…` secret. */
export function secretKey(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error('[webhooks] the secret must start with whsec_');
  const key = Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
  if (!key.length) throw new Error('[webhooks] the secret has no key after whsec_');
  return key;
}

export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(GENERATED_KEY_BYTES).toString('base64');
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, the value of the webhook-signature header. */
export function signWebhook(key: Buffer, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
}

/** A fresh webhook-id: the same for every attempt of one event, so receivers can drop duplicates. */
export function newWebhookId(): string {
  return `msg_${randomBytes(16).toString('base64url')}`;
}
