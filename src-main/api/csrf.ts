import type { IncomingMessage } from 'node:http';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** `application/json` and `application/*+json`: a page can send these to another site only after a CORS preflight we never grant. */
function isJson(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

/** `host:port` of an Origin or Referer value, or undefined for `null` and anything unreadable. */
function hostOf(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.origin === 'null' ? undefined : url.host;
  } catch {
    return undefined;
  }
}

/**
 * Whether a request carries none of what a browser adds to every request a page makes (Origin, Referer, Fetch
 * Metadata): it comes from a program (curl, a test suite), which no page can drive.
 */
export function fromProgram(req: IncomingMessage): boolean {
  const h = req.headers;
  return h.origin === undefined && h.referer === undefined && h['sec-fetch-site'] === undefined;
}

/**
 * Why a state-changing request is refused as cross-site, or undefined when it may go on. A page on another site
 * can make the browser send a "simple" request (form post, `fetch` in `no-cors` mode) with the user's cookies and
 * Basic credentials, but cannot give it a JSON content type nor a foreign Origin. So a POST, PUT, PATCH or DELETE
 * goes on when its body is JSON, or its Origin (else Referer) names a host this listener answers. Browsers send
 * Origin with every such request, so one that carries neither Origin, Referer nor a Fetch-Metadata header comes
 * from a program (curl, a test suite written for Mailpit), which no page can drive.
 */
export function crossSiteRefusal(
  req: IncomingMessage,
  isOwnHost: (host: string) => boolean,
): string | undefined {
  if (SAFE_METHODS.has(req.method ?? 'GET')) return undefined;
  if (isJson(req.headers['content-type'])) return undefined;
  const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
  const referer = typeof req.headers.referer === 'string' ? req.headers.referer : undefined;
  if (origin === undefined && referer === undefined) {
    // The browser's own word (Fetch Metadata) is enough when it says same-origin; no word at all is no browser.
    const site = req.headers['sec-fetch-site'];
    if (site === undefined || site === 'same-origin') return undefined;
  } else {
    const host = hostOf((origin ?? referer)!);
    if (host !== undefined && isOwnHost(host)) return undefined;
  }
  return `cross-site ${req.method} refused: send Content-Type: application/json, or the request from this app's own origin (${origin ? `Origin ${origin.slice(0, 100)}` : 'no Origin'} is not one; see --allowed-hosts)`;
}
