import type { ServerResponse } from 'node:http';

/**
 * Which `Host` headers a listener answers. A page on any site can make the browser resolve its own name to
 * 127.0.0.1 (DNS rebinding) and then read our answers as same-origin; the `Host` header still carries the
 * attacker's name, so only names we know to be ours are answered.
 */
export interface HostRules {
  /** Extra names (`name` for any port, `name:port` for one) from `--allowed-hosts`. */
  allowedHosts: readonly string[];
  /** Public URLs that point at this listener (a tunnel's `--tracking-url`): their host is ours too. */
  publicUrls: readonly string[];
  /** Answer every host (a listener published on the internet on purpose). */
  anyHost?: boolean;
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The flag that widens the rule, named in every refusal so the user knows what to change. */
export const ALLOWED_HOSTS_FLAG = '--allowed-hosts';

/** `Host` split into a lower-case name (IPv6 in brackets) and its port (undefined when absent). */
export function splitHost(value: string): { name: string; port: number | undefined } | undefined {
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(value.trim());
  if (!m) return undefined;
  const name = m[1]!.toLowerCase().replace(/\.$/, '');
  return { name, port: m[2] === undefined ? undefined : Number(m[2]) };
}

/** True for URLs whose host is a loopback name or address (nothing outside this machine can use them). */
export function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname.toLowerCase();
    return LOOPBACK_NAMES.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host) || host.endsWith('.localhost');
  } catch {
    return false;
  }
}

/** The default port of a URL's scheme when it names none. */
function portOf(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/** Decides whether a `Host` header names this listener; bound to the listener's address once it listens. */
export class HostPolicy {
  readonly #rules: HostRules;
  /** name → ports allowed for it (undefined = any port). */
  #exact = new Map<string, Set<number> | undefined>();

  constructor(rules: HostRules) {
    this.#rules = rules;
  }

  /** Called after listen: loopback names with the real port, and the bound address itself when it is not a wildcard. */
  bind(address: string, port: number): void {
    const exact = new Map<string, Set<number> | undefined>();
    const add = (name: string, p: number | undefined) => {
      if (exact.has(name) && exact.get(name) === undefined) return;
      if (p === undefined) exact.set(name, undefined);
      else exact.set(name, new Set([...(exact.get(name) ?? []), p]));
    };
    for (const name of LOOPBACK_NAMES) add(name, port);
    if (address !== '0.0.0.0' && address !== '::')
      add(address.includes(':') ? `[${address}]` : address, port);
    for (const entry of this.#rules.allowedHosts) {
      const host = splitHost(entry);
      if (host) add(host.name, host.port);
    }
    for (const url of this.#rules.publicUrls) {
      try {
        const parsed = new URL(url);
        add(parsed.hostname.toLowerCase(), portOf(parsed));
      } catch {
        // not a URL: settings are validated before they get here
      }
    }
    this.#exact = exact;
  }

  allows(hostHeader: string | undefined): boolean {
    if (this.#rules.anyHost) return true;
    if (hostHeader === undefined) return false;
    const host = splitHost(hostHeader);
    if (!host) return false;
    if (!this.#exact.has(host.name)) return false;
    const ports = this.#exact.get(host.name);
    // A Host without a port means the scheme's default one; only a proxy in front of us sends that.
    return ports === undefined || ports.has(host.port ?? 80);
  }
}

/** The answer to a request for a name that is not ours: 421, one line saying how to allow it. */
export function refuseHost(res: ServerResponse, host: string | undefined): void {
  const body = `Misdirected request: host "${(host ?? '').slice(0, 100)}" is not served here; allow it with ${ALLOWED_HOSTS_FLAG}\n`;
  res.writeHead(421, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    Connection: 'close',
  });
  res.end(body);
}
