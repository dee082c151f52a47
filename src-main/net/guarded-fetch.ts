import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { networkInterfaces } from 'node:os';
import ipaddr from 'ipaddr.js';

/**
 * The one way Mailbeacon makes a request because of what a mail says (link check, and anything later that loads
 * a mail's remote content). A mail is written by whoever sends it, so each request is checked on the address it
 * actually connects to, hop by hop: a name that resolves to 127.0.0.1, a redirect into the LAN or a decimal
 * spelling of loopback are refused alike.
 */
export interface GuardedFetchOptions {
  /**
   * Allow loopback, private, link-local and unique-local addresses (`--allow-internal-http-requests`): developers
   * check links to their app on localhost. Read per request, so a switch in the app applies at once.
   */
  allowInternal: () => boolean;
  /** Mailbeacon's own listeners (`host:port`, `http://host:port`): never requested, whatever the setting. */
  ownListeners: () => readonly string[];
}

export interface GuardedRequest {
  method?: 'GET' | 'HEAD' | 'POST';
  /** The body of a POST. */
  body?: string;
  signal?: AbortSignal;
  /** Body bytes read at most; the rest is not read and the connection is dropped. */
  maxBodyBytes?: number;
  headers?: Record<string, string>;
}

export interface GuardedResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The first `maxBodyBytes` of the body (empty for HEAD or without the option). */
  body: Buffer;
  /** The address connected to. */
  address: string;
}

/** A request the guard did not make; `reason` says which rule refused it, for the user. */
export class RefusedRequestError extends Error {
  readonly code = 'EREFUSED_BY_POLICY';
  constructor(readonly reason: string) {
    super(`refused: ${reason}`);
    this.name = 'RefusedRequestError';
  }
}

/** The flag that opens internal addresses, named in every refusal it would change. */
export const ALLOW_INTERNAL_FLAG = '--allow-internal-http-requests';

/** Response headers read at most: a header flood is a broken server, not a status. */
const MAX_HEADER_SIZE = 32 * 1024;

type Range = ReturnType<ipaddr.IPv4['range']> | ReturnType<ipaddr.IPv6['range']>;

/**
 * ipaddr.js's range of an address, IPv4-mapped (`::ffff:127.0.0.1`) taken as the IPv4 it carries, and the
 * deprecated IPv4-compatible `::/96` (`::127.0.0.1`, which ipaddr.js calls unicast) refused as such.
 */
export function addressRange(address: string): Range | 'ipv4Compatible' | 'invalid' {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.process(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  } catch {
    return 'invalid';
  }
  if (parsed.kind() === 'ipv6') {
    const parts = (parsed as ipaddr.IPv6).parts;
    if (
      parts.slice(0, 6).every((p) => p === 0) &&
      parsed.range() !== 'unspecified' &&
      parsed.range() !== 'loopback'
    )
      return 'ipv4Compatible';
  }
  return parsed.range();
}

/** Public unicast only: everything else (loopback, private, CGNAT, link-local, ULA, multicast, 6to4…) is internal. */
export function isInternalAddress(address: string): boolean {
  return addressRange(address) !== 'unicast';
}

/** The canonical form of an address (IPv4-mapped IPv6 as IPv4), or undefined for anything that is not one. */
function canonical(address: string): string | undefined {
  try {
    return ipaddr.process(address.replace(/^\[|\]$/g, '').replace(/%.*$/, '')).toString();
  } catch {
    return undefined;
  }
}

/** Addresses of this machine: a listener on 0.0.0.0 answers on every one of them. */
function localAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) {
    for (const i of list ?? []) {
      const c = canonical(i.address);
      if (c) out.add(c);
    }
  }
  return out;
}

/** `host:port` or a URL → [host, port]. */
function splitListener(value: string): { host: string; port: number } | undefined {
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `tcp://${value}`);
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    return { host: url.hostname, port };
  } catch {
    return undefined;
  }
}

export class GuardedFetch {
  readonly #options: GuardedFetchOptions;

  constructor(options: GuardedFetchOptions) {
    this.#options = options;
  }

  /** Why a connection to `address:port` is refused, or undefined when it may be made. */
  refusal(address: string, port: number): string | undefined {
    const range = addressRange(address);
    if (range === 'invalid') return `${address} is not an address`;
    const ip = canonical(address)!;
    if (this.#isOwnListener(ip, port)) return `${formatAddress(ip)}:${port} is Mailbeacon itself`;
    if (range === 'unicast') return undefined;
    // Never useful, whatever the setting: no server is at these.
    if (range === 'multicast' || range === 'broadcast' || range === 'unspecified' || range === 'reserved')
      return `${formatAddress(ip)} is a ${range} address`;
    if (this.#options.allowInternal()) return undefined;
    return `${formatAddress(ip)} is an internal address (${range}); start with ${ALLOW_INTERNAL_FLAG} to check internal links`;
  }

  #isOwnListener(ip: string, port: number): boolean {
    let locals: Set<string> | undefined;
    for (const listener of this.#options.ownListeners()) {
      const own = splitListener(listener);
      if (!own || own.port !== port) continue;
      const host = canonical(own.host);
      // A wildcard listener answers on loopback and on every address of the machine.
      if (host === undefined || host === '0.0.0.0' || host === '::') {
        if (addressRange(ip) === 'loopback' || addressRange(ip) === 'unspecified') return true;
        locals ??= localAddresses();
        if (locals.has(ip)) return true;
        continue;
      }
      if (host === ip) return true;
      // A listener on one loopback address is reached through the others (127.0.0.1 vs 127.0.0.2, ::1).
      if (addressRange(host) === 'loopback' && addressRange(ip) === 'loopback') return true;
    }
    return false;
  }

  /** Resolves the name as the system does and keeps only the addresses the rules allow. */
  readonly #lookup: (port: number) => LookupFunction = (port) => (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 4);
      let refused = '';
      const allowed = addresses.filter((a) => {
        const why = this.refusal(a.address, port);
        if (why) refused ||= why;
        return !why;
      });
      if (allowed.length === 0) return callback(new RefusedRequestError(refused || 'no address'), '', 4);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed);
      callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };

  /**
   * One request, without following redirects (the caller follows them and each hop comes back here). Throws
   * RefusedRequestError for an address the rules refuse, the network's error otherwise.
   */
  async request(target: URL, options: GuardedRequest = {}): Promise<GuardedResponse> {
    if (target.protocol !== 'http:' && target.protocol !== 'https:')
      throw new RefusedRequestError(`${target.protocol} is not http(s)`);
    if (target.username || target.password) throw new RefusedRequestError('a URL with credentials');
    const port = Number(target.port || (target.protocol === 'https:' ? 443 : 80));
    const hostname = target.hostname.replace(/^\[|\]$/g, '');
    // Node does not look literal addresses up, so the lookup hook never sees them: they are checked here.
    if (isIP(hostname)) {
      const why = this.refusal(hostname, port);
      if (why) throw new RefusedRequestError(why);
    }
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<GuardedResponse>((resolve, reject) => {
      const req = send(target, {
        method: options.method ?? 'GET',
        lookup: this.#lookup(port),
        signal: options.signal,
        headers: { 'User-Agent': 'Mailbeacon link check', ...options.headers },
        maxHeaderSize: MAX_HEADER_SIZE,
        agent: false,
      });
      req.on('error', (err) => reject(unwrap(err)));
      req.on('socket', (socket) => {
        socket.on('connect', () => {
          // A second look at the socket's peer: whatever path led here, this is the address actually reached.
          const peer = socket.remoteAddress;
          const why = peer === undefined ? 'no peer address' : this.refusal(peer, port);
          if (why) req.destroy(new RefusedRequestError(why));
        });
      });
      req.on('response', (res) => {
        const address = res.socket.remoteAddress ?? '';
        const chunks: Buffer[] = [];
        let size = 0;
        const limit = options.maxBodyBytes ?? 0;
        const done = () => {
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
            address,
          });
          res.destroy();
        };
        if (limit === 0 || options.method === 'HEAD') return done();
        res.on('data', (chunk: Buffer) => {
          const room = limit - size;
          if (room > 0) chunks.push(chunk.subarray(0, room));
          size += chunk.length;
          if (size >= limit) done();
        });
        res.on('end', done);
        res.on('error', (err) => reject(unwrap(err)));
      });
      req.end(options.body);
    });
  }
}

/** The refusal when it is the cause of a network error, so callers tell it apart from the target's failures. */
function unwrap(err: Error): Error {
  const cause = (err as Error & { cause?: unknown }).cause;
  return cause instanceof RefusedRequestError ? cause : err;
}

function formatAddress(ip: string): string {
  return ip.includes(':') ? `[${ip}]` : ip;
}
