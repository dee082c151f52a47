import type { Classification, TokenKind } from '../model/tracking.js';
import { AddressSet } from '../net/addresses.js';

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

/** Yahoo's image cache and other webmail proxies name themselves. */
const OTHER_PROXY_UA = /YahooMailProxy|Yahoo! Slurp|Outlook-iOS-Android.*Proxy|OutlookImageProxy/i;

/**
 * Apple Mail Privacy Protection prefetches every image of a mail through Apple's relays when the mail arrives, with
 * a bare `Mozilla/5.0` user agent and no platform details; a person's Mail.app sends a full user agent.
 */
const APPLE_PROXY_UA = /^Mozilla\/5\.0$/;

/** Security scanners and link-preview fetchers that announce themselves in the user agent. */
const SCANNER_UA =
  /Barracuda|Mimecast|Proofpoint|urldefense|SafeLinks|Safe Links|Microsoft Office Protocol Discovery|BingPreview|Symantec|TrendMicro|Trend Micro|Forcepoint|Zscaler|Sophos|FireEye|Cisco.*ESA|\bbot\b|crawler|spider|HeadlessChrome/i;

/** Apple's own block; Mail Privacy Protection's image fetches leave from Apple's egress. */
export const APPLE_RANGES = new AddressSet(['17.0.0.0/8']);
/** Google's image proxy (googleusercontent / ggpht fetchers). */
export const GOOGLE_PROXY_RANGES = new AddressSet(['66.102.0.0/20', '66.249.80.0/20']);
/** Yahoo Mail's image proxy. */
export const YAHOO_RANGES = new AddressSet(['98.136.0.0/14', '74.6.0.0/16']);
/**
 * Exchange Online Protection: Outlook.com fetches images through it (a proxy open), and Defender Safe Links
 * detonates links from it (a scanner click).
 */
export const MICROSOFT_RANGES = new AddressSet([
  '40.92.0.0/15',
  '40.107.0.0/16',
  '52.100.0.0/14',
  '104.47.0.0/17',
]);
/** Mail security gateways that pre-fetch links (and sometimes images): Mimecast, Proofpoint, Barracuda. */
export const GATEWAY_RANGES = new AddressSet([
  // Mimecast
  '205.139.110.0/24',
  '207.211.30.0/24',
  '216.205.24.0/24',
  '170.10.128.0/24',
  '91.220.42.0/24',
  // Proofpoint (pphosted)
  '148.163.128.0/19',
  '67.231.144.0/20',
  // Barracuda Email Security Service
  '64.235.144.0/20',
  '209.222.80.0/21',
]);

export interface HitFacts {
  kind: TokenKind;
  method: string;
  ua: string;
  /** The client's address (after trusted proxies; for a sandbox hit, the address it imitates). */
  ip: string;
  /** The token's `exp` has passed. */
  expired: boolean;
  /** When the mail was caught (ms), if known; clicks shortly after are scanners. */
  deliveredAtMs?: number;
  nowMs: number;
}

/**
 * Who most likely made a hit, in order of certainty (docs/TRACKING.md has this as a table): an expired token says
 * nothing about a person; a HEAD request, a scanner's user agent or a security gateway's address is a machine; a
 * click within seconds of delivery or from Microsoft's filtering network is a scanner; an image fetched by a mail
 * provider's proxy is a machine open; everything else is counted as a person.
 */
export function classifyHit(hit: HitFacts): Classification {
  if (hit.expired) return 'expired';
  if (hit.method === 'HEAD') return 'scanner';
  if (SCANNER_UA.test(hit.ua)) return 'scanner';
  if (GATEWAY_RANGES.has(hit.ip)) return 'scanner';
  if (hit.kind !== 'open') {
    if (MICROSOFT_RANGES.has(hit.ip)) return 'scanner';
    if (
      hit.kind === 'click' &&
      hit.deliveredAtMs !== undefined &&
      hit.nowMs - hit.deliveredAtMs >= 0 &&
      hit.nowMs - hit.deliveredAtMs < SCANNER_CLICK_WINDOW_MS
    ) {
      return 'scanner';
    }
    return 'human';
  }
  const ua = hit.ua.trim();
  if (GOOGLE_PROXY_UA.test(ua) || OTHER_PROXY_UA.test(ua) || APPLE_PROXY_UA.test(ua)) return 'proxy';
  if (
    APPLE_RANGES.has(hit.ip) ||
    GOOGLE_PROXY_RANGES.has(hit.ip) ||
    YAHOO_RANGES.has(hit.ip) ||
    MICROSOFT_RANGES.has(hit.ip)
  ) {
    return 'proxy';
  }
  return 'human';
}

/** The one client key behind "unique": IP and user agent, or Apple's proxy as one client whatever relay it used. */
export const APPLE_PROXY_CLIENT = 'apple-proxy';

export function clientKey(classification: Classification, ip: string, ua: string): string {
  if (classification === 'proxy' && (APPLE_RANGES.has(ip) || APPLE_PROXY_UA.test(ua.trim())))
    return APPLE_PROXY_CLIENT;
  return `${ip} ${ua}`;
}
