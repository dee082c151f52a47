import ipaddr from 'ipaddr.js';

/**
 * Whether two URLs name the same listener, however the host is spelled: case and a trailing dot do not matter,
 * addresses compare by value (`::ffff:127.0.0.1` is `127.0.0.1`), and every loopback spelling (`localhost`,
 * `*.localhost`, `127.0.0.0/8`, `::1`) is one host, since a listener on loopback answers them all.
 */
export function sameListener(a: URL, b: URL): boolean {
  return portOf(a) === portOf(b) && hostKey(a.hostname) === hostKey(b.hostname);
}

/** True when `url` points at one of `bases` (the tracking listener's address and its public base). */
export function pointsAt(url: URL, bases: readonly string[]): boolean {
  for (const base of bases) {
    const parsed = parseBase(base);
    if (parsed && sameListener(url, parsed)) return true;
  }
  return false;
}

let lastBase = '';
let lastParsed: URL | undefined;
/** Bases repeat call after call (one per link of a mail): the last one is kept parsed. */
function parseBase(base: string): URL | undefined {
  if (base !== lastBase) {
    lastBase = base;
    try {
      lastParsed = base ? new URL(base) : undefined;
    } catch {
      lastParsed = undefined;
    }
  }
  return lastParsed;
}

function portOf(url: URL): string {
  return url.port || (url.protocol === 'https:' ? '443' : url.protocol === 'http:' ? '80' : '');
}

function hostKey(hostname: string): string {
  const name = hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.+$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return 'loopback';
  if (!ipaddr.isValid(name)) return name;
  const address = ipaddr.process(name);
  return address.range() === 'loopback' ? 'loopback' : address.toString();
}
