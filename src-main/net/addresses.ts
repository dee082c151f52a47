import { BlockList, isIP } from 'node:net';

/**
 * A set of addresses and CIDR ranges (`10.0.0.0/8`, `::1`, `2001:db8::/32`), matched with Node's BlockList, which
 * also matches IPv4-mapped IPv6 peers (`::ffff:10.1.2.3`) against IPv4 ranges.
 */
export class AddressSet {
  readonly #list = new BlockList();
  readonly entries: readonly string[];

  /** Throws for an entry that is neither an address nor a CIDR range. */
  constructor(entries: readonly string[]) {
    this.entries = entries;
    for (const entry of entries) {
      const [address = '', prefix, extra] = entry.trim().split('/');
      const family = isIP(address);
      const bits = prefix === undefined ? undefined : Number(prefix);
      const max = family === 6 ? 128 : 32;
      if (
        family === 0 ||
        extra !== undefined ||
        (bits !== undefined && (!/^\d{1,3}$/.test(prefix!) || bits > max))
      ) {
        throw new Error(`"${entry}" is not an IP address or CIDR range (for example 10.0.0.0/8)`);
      }
      const type = family === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.#list.addAddress(address, type);
      else this.#list.addSubnet(address, bits, type);
    }
  }

  has(address: string): boolean {
    const bare = unmapped(address);
    const family = isIP(bare);
    if (family === 0) return false;
    return this.#list.check(bare, family === 6 ? 'ipv6' : 'ipv4');
  }
}

/** `::ffff:1.2.3.4` → `1.2.3.4`; other addresses as they are. */
export function unmapped(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/**
 * The client address of a request: the peer, or, when the peer is a trusted proxy, the client it names in
 * `Forwarded: for=…` (RFC 7239) or else `X-Forwarded-For`. Walks the chain from the nearest hop backwards and stops
 * at the first address that is not itself a trusted proxy, so a client cannot prepend a fake address of its own.
 */
export function clientAddress(
  peer: string,
  headers: { forwarded?: string | string[]; xForwardedFor?: string | string[] },
  trusted: AddressSet | undefined,
): string {
  let address = unmapped(peer);
  if (!trusted || !trusted.has(address)) return address;
  const chain = forwardedChain(headers.forwarded) ?? xffChain(headers.xForwardedFor);
  for (let i = chain.length - 1; i >= 0; i--) {
    const hop = chain[i]!;
    if (isIP(hop) === 0) break;
    address = unmapped(hop);
    if (!trusted.has(address)) break;
  }
  return address;
}

const MAX_HOPS = 32;

function joined(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join(',') : (value ?? '');
}

function xffChain(value: string | string[] | undefined): string[] {
  return joined(value)
    .split(',')
    .slice(-MAX_HOPS)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The `for=` of each element of a Forwarded header, or undefined when there is none. */
function forwardedChain(value: string | string[] | undefined): string[] | undefined {
  const text = joined(value);
  if (!text.trim()) return undefined;
  const out: string[] = [];
  for (const element of text.split(',').slice(-MAX_HOPS)) {
    const m = /(?:^|;)\s*for\s*=\s*("[^"]*"|[^;,\s]*)/i.exec(element);
    // An element without `for=` (or an obfuscated `_hidden` / `unknown`) ends what can be known.
    let node = m ? m[1]!.replace(/^"|"$/g, '') : '';
    const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(node);
    if (v6) node = v6[1]!;
    else if (/^[\d.]+:\d+$/.test(node)) node = node.slice(0, node.lastIndexOf(':'));
    out.push(node);
  }
  return out;
}
