// The one outbound fetch for what a mail names, against real HTTP servers on 127.0.0.1: every spelling of an
// internal address is refused before a byte is sent, the opt-in opens them, and Mailbeacon's own listeners stay
// closed whatever the setting, on the first hop and on every redirect.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLinks } from '../../src-main/checks/link-check.js';
import { GuardedFetch, RefusedRequestError, isInternalAddress } from '../../src-main/net/guarded-fetch.js';

let site: Server;
let own: Server;
let port = 0;
let ownPort = 0;
const requests: string[] = [];

beforeAll(async () => {
  site = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (req.url === '/to-own') return res.writeHead(302, { Location: `http://127.0.0.1:${ownPort}/x` }).end();
    if (req.url === '/to-own-mapped')
      return res.writeHead(302, { Location: `http://[::ffff:127.0.0.1]:${ownPort}/x` }).end();
    res.writeHead(200).end('ok');
  });
  own = createServer((req, res) => {
    requests.push(`OWN ${req.method} ${req.url}`);
    res.writeHead(200).end();
  });
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => own.listen(0, '127.0.0.1', r));
  port = (site.address() as AddressInfo).port;
  ownPort = (own.address() as AddressInfo).port;
});
afterAll(async () => {
  for (const s of [site, own]) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

const spellings = () => [
  `http://127.0.0.1:${port}/plain`,
  `http://localhost:${port}/name`,
  `http://127.0.0.1.:${port}/dot`,
  `http://LocalHost:${port}/case`,
  `http://2130706433:${port}/decimal`,
  `http://0177.0.0.1:${port}/octal`,
  `http://0x7f.1:${port}/hex`,
  `http://127.1:${port}/short`,
  `http://[::ffff:127.0.0.1]:${port}/mapped`,
];

describe('guarded fetch', () => {
  it('refuses loopback in every spelling before sending anything', async () => {
    const guard = new GuardedFetch({ allowInternal: () => false, ownListeners: () => [] });
    requests.length = 0;
    for (const url of spellings()) {
      const err = await guard.request(new URL(url), { method: 'HEAD' }).catch((e: unknown) => e);
      expect(err, url).toBeInstanceOf(RefusedRequestError);
      expect((err as RefusedRequestError).reason, url).toMatch(
        /internal address.*--allow-internal-http-requests/,
      );
    }
    expect(requests).toEqual([]);
  });

  it('classifies private, shared, link-local, unique-local, multicast and embedded IPv4 as internal', () => {
    for (const a of [
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '100.64.0.1',
      '169.254.169.254',
      '0.0.0.0',
      '224.0.0.1',
      '::1',
      '::',
      'fc00::1',
      'fd12:3456::1',
      'fe80::1',
      'ff02::1',
      '::ffff:10.0.0.1',
      '::127.0.0.1',
      '64:ff9b::7f00:1',
      '2002:7f00:1::1',
    ])
      expect(isInternalAddress(a), a).toBe(true);
    for (const a of ['93.184.216.34', '2606:4700::1111']) expect(isInternalAddress(a), a).toBe(false);
  });

  it('lets the opt-in reach internal addresses, but never our own listeners', async () => {
    const guard = new GuardedFetch({
      allowInternal: () => true,
      ownListeners: () => [`http://127.0.0.1:${ownPort}`],
    });
    requests.length = 0;
    for (const url of spellings())
      expect((await guard.request(new URL(url), { method: 'HEAD' })).status, url).toBe(200);
    expect(requests).toHaveLength(spellings().length);

    requests.length = 0;
    for (const url of [
      `http://127.0.0.1:${ownPort}/`,
      `http://localhost:${ownPort}/`,
      `http://127.0.0.2:${ownPort}/`,
      `http://[::ffff:127.0.0.1]:${ownPort}/`,
    ]) {
      const err = await guard.request(new URL(url)).catch((e: unknown) => e);
      expect((err as RefusedRequestError).reason, url).toMatch(/is Mailbeacon itself/);
    }
    expect(requests).toEqual([]);
  });

  it("checks every redirect's target again: a hop into our own listener is refused, not followed", async () => {
    const guard = new GuardedFetch({
      allowInternal: () => true,
      ownListeners: () => [`127.0.0.1:${ownPort}`],
    });
    requests.length = 0;
    const check = await checkLinks(
      [`http://127.0.0.1:${port}/to-own`, `http://127.0.0.1:${port}/to-own-mapped`],
      {
        follow: true,
        fetch: guard,
      },
    );
    expect(check.Links.map((l) => [l.StatusCode, l.Status.replace(/:.*/, '')])).toEqual([
      [0, 'refused'],
      [0, 'refused'],
    ]);
    expect(check.Errors, 'a refusal is not an error of the target').toBe(0);
    expect(requests.filter((r) => r.startsWith('OWN'))).toEqual([]);
  });
});
