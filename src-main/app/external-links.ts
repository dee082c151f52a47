import { isIP } from 'node:net';
import type { Dialog, Shell } from 'electron';
import type { Logger } from '../logger.js';
import type { TokenCodec } from '../tracking/token.js';
import { trackingUrl } from '../tracking/urls.js';
import { isWebUrl } from './navigation.js';

/**
 * What becomes of a link the user follows out of the app: `open` in the system browser, `ask` first (it points at
 * this machine or the local network, where a link in a caught mail could reach a router's admin page or a dev
 * server's unprotected endpoint), or `refuse` (not a web URL at all).
 */
export type LinkAction = 'open' | 'ask' | 'refuse';

export interface LinkDecision {
  action: LinkAction;
  /** The address the browser ends up at: for a click-tracking link of this app, the link it redirects to. */
  destination: string;
}

export interface LinkPolicy {
  /**
   * The destination of a click-tracking link minted by this app (its `/c?t=…`), or null for any other URL. Such a
   * link is judged by where it redirects, not by the tracking listener's own loopback address.
   */
  trackedDestination?: (url: string) => string | null;
}

/** Dotted-quad IPv4 as a 32-bit number; the WHATWG URL parser has already normalized `0x7f.1` and the like. */
function ipv4Number(address: string): number {
  return address.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

const IPV4_PRIVATE: [base: string, bits: number][] = [
  ['0.0.0.0', 8], // "this network": 0.0.0.0 reaches the local machine
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT, the provider's side of the local network
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
];

function isPrivateIpv4(address: string): boolean {
  const n = ipv4Number(address);
  return IPV4_PRIVATE.some(([base, bits]) => {
    const size = 2 ** (32 - bits);
    return Math.floor(n / size) === Math.floor(ipv4Number(base) / size);
  });
}

/** The eight 16-bit groups of an IPv6 address (`::` expanded, an embedded dotted quad folded in). */
function ipv6Groups(address: string): number[] {
  let text = address;
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad) {
    const n = ipv4Number(quad[1]!);
    text = `${text.slice(0, quad.index)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (s: string) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const front = parse(head);
  const back = tail === undefined ? [] : parse(tail);
  return [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
}

function isPrivateIpv6(address: string): boolean {
  const g = ipv6Groups(address);
  if (g.slice(0, 7).every((x) => x === 0) && g[7]! <= 1) return true; // ::1 loopback, :: unspecified
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
    // ::ffff:a.b.c.d, an IPv4 address written as IPv6
    return isPrivateIpv4(`${g[6]! >> 8}.${g[6]! & 0xff}.${g[7]! >> 8}.${g[7]! & 0xff}`);
  }
  return (g[0]! & 0xfe00) === 0xfc00 || (g[0]! & 0xffc0) === 0xfe80; // fc00::/7 unique local, fe80::/10 link-local
}

/**
 * Whether a URL's host is this machine or the local network: loopback, private and link-local addresses (IPv4 and
 * IPv6), `localhost` and its subdomains, and `.local` (mDNS) names. Other names are not resolved: what they point at
 * can change between this check and the browser's request, so only what the URL itself says is judged.
 */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  const family = isIP(host);
  if (family === 4) return isPrivateIpv4(host);
  if (family === 6) return isPrivateIpv6(host);
  return host === 'localhost' || host.endsWith('.localhost') || host === 'local' || host.endsWith('.local');
}

/** Decides what happens to a link followed out of the app; a pure function of the URL (and the token decoder). */
export function decideExternalLink(url: string, policy: LinkPolicy = {}): LinkDecision {
  if (!isWebUrl(url)) return { action: 'refuse', destination: url };
  const tracked = policy.trackedDestination?.(url) ?? null;
  const destination = tracked !== null && isWebUrl(tracked) ? tracked : url;
  const action = isPrivateHost(new URL(destination).hostname) ? 'ask' : 'open';
  return { action, destination };
}

/**
 * Reads the destination out of this app's own click-tracking links (`<base>/c?t=…`, for each base the links are
 * minted with); any other URL, or a token the codec cannot open, gives null.
 */
export function trackedLinkDestination(
  codec: Pick<TokenCodec, 'decode'>,
  trackingBases: () => string[],
): (url: string) => string | null {
  return (url) => {
    if (!trackingBases().some((base) => url.startsWith(trackingUrl(base, 'click', '')))) return null;
    try {
      return codec.decode(new URL(url).searchParams.get('t'), 'click').payload.url ?? null;
    } catch {
      return null;
    }
  };
}

export interface ExternalOpenerOptions extends LinkPolicy {
  shell: Pick<Shell, 'openExternal'>;
  dialog: Pick<Dialog, 'showMessageBox'>;
  logger: Logger;
}

/**
 * `shell.openExternal` behind the decision: a link to a local address opens only after the user has seen it and
 * said yes. The URL handed to the browser is the one followed (a tracking link stays one, so the click counts).
 */
export function guardedOpenExternal(options: ExternalOpenerOptions): (url: string) => Promise<void> {
  return async (url) => {
    const { action, destination } = decideExternalLink(url, options);
    if (action === 'refuse') throw new Error('[app] only http(s) URLs open in the browser');
    if (action === 'ask') {
      const { response } = await options.dialog.showMessageBox({
        type: 'warning',
        message: 'Open a link to this computer or the local network?',
        detail:
          `${destination}\n\nA link in a caught mail can point at a service on your machine or network. ` +
          'Open it only if you expect it.',
        buttons: ['Open in Browser', 'Cancel'],
        defaultId: 1,
        cancelId: 1,
        noLink: true,
      });
      if (response !== 0) {
        options.logger.info(`did not open a link to the local address ${new URL(destination).host}`);
        return;
      }
    }
    await options.shell.openExternal(url);
  };
}
