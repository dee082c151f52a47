import { SignJWT, jwtVerify, errors } from 'jose';

/** The `mercure` claim of a hub JWT. */
export interface MercureClaims {
  publish?: string[];
  subscribe?: string[];
  payload?: unknown;
}

export interface VerifiedToken {
  mercure: MercureClaims;
  /** Expiry in Unix seconds, when the token has one. */
  exp?: number;
  /** The JWT as presented, which identifies its holder for the per-client limits. */
  raw?: string;
}

/** A token that cannot be used: missing, malformed, badly signed or expired. Always answered with 401. */
export class TokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenError';
  }
}

/** Mercure tokens are HS256 only; accepting any other algorithm would let a token choose how it is checked. */
const ALGORITHM = 'HS256';

/** HS256 keys are used as their UTF-8 bytes, as the reference hub does, so tokens minted by either work here. */
export const keyBytes = (key: string): Uint8Array => new TextEncoder().encode(key);

export async function mintToken(key: string, mercure: MercureClaims, ttlSeconds?: number): Promise<string> {
  const jwt = new SignJWT({ mercure }).setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' }).setIssuedAt();
  if (ttlSeconds !== undefined && ttlSeconds > 0) jwt.setExpirationTime(`${Math.floor(ttlSeconds)}s`);
  return jwt.sign(keyBytes(key));
}

const selectorList = (value: unknown, name: string): string[] | undefined => {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((s) => typeof s === 'string')) {
    throw new TokenError(`[hub] the "mercure.${name}" claim must be an array of strings`);
  }
  return value as string[];
};

/** Verifies signature and expiry and returns the Mercure claims; every failure is a TokenError. */
export async function verifyToken(token: string, key: string, nowMs: number): Promise<VerifiedToken> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, keyBytes(key), {
      algorithms: [ALGORITHM],
      currentDate: new Date(nowMs),
    }));
  } catch (err) {
    if (err instanceof errors.JWTExpired) throw new TokenError('[hub] the JWT has expired');
    if (err instanceof errors.JOSEError || err instanceof TypeError) {
      throw new TokenError(`[hub] invalid JWT: ${err.message}`);
    }
    throw err;
  }
  const raw = payload.mercure;
  if (raw !== undefined && (raw === null || typeof raw !== 'object' || Array.isArray(raw))) {
    throw new TokenError('[hub] the "mercure" claim must be an object');
  }
  const claim = (raw ?? {}) as Record<string, unknown>;
  const mercure: MercureClaims = {};
  const publish = selectorList(claim.publish, 'publish');
  const subscribe = selectorList(claim.subscribe, 'subscribe');
  if (publish) mercure.publish = publish;
  if (subscribe) mercure.subscribe = subscribe;
  if (claim.payload !== undefined) mercure.payload = claim.payload;
  const verified: VerifiedToken = { mercure };
  if (typeof payload.exp === 'number') verified.exp = payload.exp;
  return verified;
}
