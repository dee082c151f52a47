import type { TokenKind } from '../model/tracking.js';

/** The tracking server's path for each kind of token (docs/TRACKING.md, "Tokens"). */
export const TRACKING_PATHS: Record<TokenKind, string> = { open: '/o', click: '/c', unsub: '/u' };

/** `http://127.0.0.1:8026` + click + token → `http://127.0.0.1:8026/c?t=…` (a trailing slash on the base is fine). */
export function trackingUrl(base: string, kind: TokenKind, token: string): string {
  return `${base.replace(/\/+$/, '')}${TRACKING_PATHS[kind]}?t=${token}`;
}
