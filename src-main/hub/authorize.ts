import type { IncomingMessage } from 'node:http';
import { HUB_PATH } from './discovery.js';
import { TokenError, verifyToken, type VerifiedToken } from './jwt.js';

/** The cookie browsers present; the name the protocol recommends. */
export const AUTH_COOKIE = 'mercureAuthorization';

/** A request the hub refuses for lack of rights, with its HTTP status (401 no usable token, 403 not granted). */
export class AuthorizationError extends Error {
  constructor(
    message: string,
    readonly status: 401 | 403,
  ) {
    super(message);
    this.name = 'AuthorizationError';
  }
}

export interface AuthorizeOptions {
  key: string;
  nowMs: number;
  /** Origins (besides the hub's own) whose pages may use the cookie. '*' allows any. */
  allowedOrigins: readonly string[];
  /** The hub's public base, e.g. http://127.0.0.1:8025, whose origin is always allowed. */
  publicUrl: string;
}

type Source = { token: string; via: 'header' | 'query' | 'cookie' };

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Precedence fixed by the protocol: the Authorization header, else the query parameter, else the cookie. */
function findToken(req: IncomingMessage, query: URLSearchParams): Source | undefined {
  const header = req.headers.authorization;
  // Only a Bearer header carries a JWT. Another scheme belongs to someone else: with --ui-auth the browser
  // sends `Basic …` on every request, and the page's cookie must still be used.
  if (header !== undefined && /^Bearer(\s|$)/i.test(header)) {
    const match = /^Bearer +(\S+)\s*$/i.exec(header);
    if (!match) throw new AuthorizationError('[hub] the Authorization header must be "Bearer <JWT>"', 401);
    return { token: match[1]!, via: 'header' };
  }
  const fromQuery = query.get('authorization');
  if (fromQuery !== null) return { token: fromQuery, via: 'query' };
  const fromCookie = readCookie(req.headers.cookie, AUTH_COOKIE);
  if (fromCookie !== undefined && fromCookie !== '') return { token: fromCookie, via: 'cookie' };
  return undefined;
}

function originOf(value: string): string | undefined {
  try {
    const origin = new URL(value).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

/**
 * A cookie travels with any request the browser makes, so a page on another site could publish (or read
 * subscription lists) with the user's rights. The Origin, or the Referer's origin, must be the hub's own or an
 * allowed one. A GET without either is let through: browsers omit Origin on same-origin EventSource requests,
 * and the cookie's SameSite=Strict keeps it off cross-site ones. Any other method without them is refused.
 */
function checkCookieOrigin(req: IncomingMessage, options: AuthorizeOptions): void {
  const origin =
    (typeof req.headers.origin === 'string' ? originOf(req.headers.origin) : undefined) ??
    (typeof req.headers.referer === 'string' ? originOf(req.headers.referer) : undefined);
  if (origin === undefined) {
    if (req.method === 'GET') return;
    throw new AuthorizationError(
      '[hub] a cookie-authorized request must carry an Origin or Referer header',
      403,
    );
  }
  const own = new Set<string>();
  const fromPublic = originOf(options.publicUrl);
  if (fromPublic) own.add(fromPublic);
  if (req.headers.host) own.add(`http://${req.headers.host}`);
  if (own.has(origin) || options.allowedOrigins.includes('*') || options.allowedOrigins.includes(origin))
    return;
  throw new AuthorizationError(`[hub] origin ${origin} is not allowed to use the ${AUTH_COOKIE} cookie`, 403);
}

/**
 * The verified token of a request, or undefined when it presents none. A token that is present but unusable
 * is a 401 even where anonymous access is allowed: a client that thinks it is authorized should learn it is not.
 */
export async function authorizeRequest(
  req: IncomingMessage,
  query: URLSearchParams,
  options: AuthorizeOptions,
): Promise<VerifiedToken | undefined> {
  const source = findToken(req, query);
  if (!source) return undefined;
  if (source.via === 'cookie') checkCookieOrigin(req, options);
  try {
    return { ...(await verifyToken(source.token, options.key, options.nowMs)), raw: source.token };
  } catch (err) {
    if (err instanceof TokenError) throw new AuthorizationError(err.message, 401);
    throw err;
  }
}

/** The Path attribute of the auth cookie: the hub's URL, so the JWT is sent nowhere else. */
export const AUTH_COOKIE_PATH = HUB_PATH;
