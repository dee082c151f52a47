import type { OnHeadersReceivedListenerDetails, HeadersReceivedResponse, Session } from 'electron';

/**
 * The page's policy, the same as the renderer's own `<meta>` policy plus what only a header can say
 * (frame-ancestors). Captured mail is shown in srcdoc iframes that inherit it, so images and inline styles from
 * anywhere must load (that is what a mail client does) while scripts only ever come from the app itself.
 */
export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline' http: https:",
  "img-src 'self' data: blob: http: https:",
  "font-src 'self' data: http: https:",
  "connect-src 'self'",
  "frame-src 'self' about:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The dev server (electron-vite dev) injects an inline React-refresh preamble and talks HMR over a WebSocket;
 * this looser policy is used only for its origin, never for the app's own listener.
 */
export const DEV_CSP = APP_CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
  "connect-src 'self'",
  "connect-src 'self' ws: http://127.0.0.1:* http://localhost:*",
);

type HeadersListener = (
  details: OnHeadersReceivedListenerDetails,
  callback: (response: HeadersReceivedResponse) => void,
) => void;

export interface CspTarget {
  /** Origin (`http://127.0.0.1:8025`) whose responses get the policy. */
  origin: string;
  policy: string;
}

/**
 * Responses from a target origin get the target's policy on top of their own: a second policy is enforced
 * alongside the first (a browser allows only what every policy allows), so the server's policy can narrow the
 * app's but never widen it. All other origins pass untouched.
 */
export function cspHeadersListener(targets: CspTarget[]): HeadersListener {
  return (details, callback) => {
    const target = targets.find((t) => originOf(details.url) === t.origin);
    if (!target) {
      callback({});
      return;
    }
    const headers: Record<string, string[]> = {};
    const policies: string[] = [];
    for (const [name, value] of Object.entries(details.responseHeaders ?? {})) {
      if (name.toLowerCase() === 'content-security-policy') policies.push(...[value].flat());
      else headers[name] = value;
    }
    if (!policies.includes(target.policy)) policies.push(target.policy);
    callback({ responseHeaders: { ...headers, 'Content-Security-Policy': policies } });
  };
}

export function installContentSecurityPolicy(
  session: Pick<Session, 'webRequest'>,
  targets: CspTarget[],
): void {
  session.webRequest.onHeadersReceived(cspHeadersListener(targets));
}

export function originOf(url: string): string | null {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}
