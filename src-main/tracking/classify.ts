import type { Classification, TokenKind } from '../api/types.js';

/**
 * Clicks this soon after delivery come from link scanners (Safe Links, Mimecast, Proofpoint…), which fetch every
 * link of a mail within seconds of its arrival; no person reads and clicks that fast.
 */
export const SCANNER_CLICK_WINDOW_MS = 2_000;

/**
 * A mail's tokens are minted while it is being caught (parsed and injected), just before it is stored, so a mail is
 * stored well within this long after its tokens' `ts`. A click on a token minted longer ago than this plus the
 * scanner window cannot be one within the window, and needs no look-up of the mail's delivery time.
 */
export const MAX_MINT_TO_STORE_MS = 10_000;

/** Whether a click on a token minted at `tokenTsNs` could fall within the scanner window of its mail's delivery. */
export function mayBeNearDelivery(tokenTsNs: bigint, nowMs: number): boolean {
  return nowMs - Number(tokenTsNs / 1_000_000n) <= SCANNER_CLICK_WINDOW_MS + MAX_MINT_TO_STORE_MS;
}

/** Gmail fetches images through its proxy; the user agent says so (`…via ggpht.com GoogleImageProxy`). */
const GOOGLE_PROXY_UA = /GoogleImageProxy|via ggpht\.com/i;

/**
 * Apple Mail Privacy Protection prefetches every image of a mail through Apple's relays when the mail arrives,
 * with a bare `Mozilla/5.0` user agent and no platform details; a person's Mail.app sends a full user agent.
 * Yahoo's and other webmail image caches name themselves.
 */
const OTHER_PROXY_UA = /^Mozilla\/5\.0$|YahooMailProxy|Yahoo! Slurp|Outlook-iOS-Android.*Proxy/i;

/** Security scanners and link-preview fetchers that announce themselves in the user agent. */
const SCANNER_UA =
  /Barracuda|Mimecast|Proofpoint|urldefense|SafeLinks|Safe Links|Microsoft Office Protocol Discovery|BingPreview|Symantec|TrendMicro|Trend Micro|Forcepoint|Zscaler|Sophos|FireEye|Cisco.*ESA|\bbot\b|crawler|spider|HeadlessChrome/i;

export interface HitFacts {
  kind: TokenKind;
  method: string;
  ua: string;
  /** The token's `exp` has passed. */
  expired: boolean;
  /** When the mail was caught (ms), if known; clicks shortly after are scanners. */
  deliveredAtMs?: number;
  nowMs: number;
}

/**
 * Who most likely made a hit, in order of certainty: an expired token says nothing about a person; a HEAD request
 * or a scanner's user agent is a machine; a click within seconds of delivery is a scanner; an image fetched by a
 * mail provider's proxy is a machine open; everything else is counted as a person.
 */
export function classifyHit(hit: HitFacts): Classification {
  if (hit.expired) return 'expired';
  if (hit.method === 'HEAD') return 'scanner';
  if (SCANNER_UA.test(hit.ua)) return 'scanner';
  if (
    hit.kind === 'click' &&
    hit.deliveredAtMs !== undefined &&
    hit.nowMs - hit.deliveredAtMs >= 0 &&
    hit.nowMs - hit.deliveredAtMs < SCANNER_CLICK_WINDOW_MS
  ) {
    return 'scanner';
  }
  if (hit.kind === 'open' && (GOOGLE_PROXY_UA.test(hit.ua) || OTHER_PROXY_UA.test(hit.ua.trim())))
    return 'proxy';
  return 'human';
}
