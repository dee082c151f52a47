import { describe, expect, it } from 'vitest';
import {
  MAX_MINT_TO_STORE_MS,
  SCANNER_CLICK_WINDOW_MS,
  APPLE_PROXY_CLIENT,
  classifyHit,
  clientKey,
  mayBeNearDelivery,
  type HitFacts,
} from '../../src-main/tracking/classify.js';

const NOW = 1_800_000_000_000;
const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36';
const hit = (facts: Partial<HitFacts>): HitFacts => ({
  kind: 'open',
  method: 'GET',
  ua: CHROME,
  ip: '203.0.113.9',
  expired: false,
  nowMs: NOW,
  ...facts,
});

describe('classifyHit', () => {
  it('counts a browser as a person', () => {
    expect(classifyHit(hit({}))).toBe('human');
    expect(classifyHit(hit({ kind: 'click', deliveredAtMs: NOW - 60_000 }))).toBe('human');
  });

  it('knows mail providers’ image proxies', () => {
    expect(
      classifyHit(
        hit({
          ua: 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)',
        }),
      ),
    ).toBe('proxy');
    expect(classifyHit(hit({ ua: 'Mozilla/5.0' }))).toBe('proxy'); // Apple Mail Privacy Protection
    expect(
      classifyHit(hit({ ua: 'YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html' })),
    ).toBe('proxy');
    // a proxy only fetches images: the same user agent on a click is not a proxy open
    expect(classifyHit(hit({ kind: 'click', ua: 'Mozilla/5.0' }))).toBe('human');
  });

  it('treats HEAD requests, scanner user agents and clicks right after delivery as scanners', () => {
    expect(classifyHit(hit({ kind: 'click', method: 'HEAD' }))).toBe('scanner');
    expect(classifyHit(hit({ kind: 'click', ua: 'Mozilla/5.0 (compatible; Barracuda Sentinel)' }))).toBe(
      'scanner',
    );
    expect(classifyHit(hit({ kind: 'click', ua: 'Microsoft Office Protocol Discovery' }))).toBe('scanner');
    expect(classifyHit(hit({ kind: 'click', deliveredAtMs: NOW - SCANNER_CLICK_WINDOW_MS + 1 }))).toBe(
      'scanner',
    );
    expect(classifyHit(hit({ kind: 'click', deliveredAtMs: NOW - SCANNER_CLICK_WINDOW_MS }))).toBe('human');
    // the delivery window is about clicks; a pixel loading right away is an open
    expect(classifyHit(hit({ deliveredAtMs: NOW - 100 }))).toBe('human');
  });

  it('puts expiry first: an expired token says nothing about who clicked', () => {
    expect(classifyHit(hit({ expired: true, method: 'HEAD' }))).toBe('expired');
  });

  it('needs the delivery time only for tokens minted within the window and the time to store a mail', () => {
    const ns = (ms: number) => BigInt(ms) * 1_000_000n;
    expect(mayBeNearDelivery(ns(NOW), NOW)).toBe(true);
    expect(mayBeNearDelivery(ns(NOW + 5_000), NOW)).toBe(true); // minted "in the future": a clock apart
    expect(mayBeNearDelivery(ns(NOW - SCANNER_CLICK_WINDOW_MS - MAX_MINT_TO_STORE_MS), NOW)).toBe(true);
    expect(mayBeNearDelivery(ns(NOW - SCANNER_CLICK_WINDOW_MS - MAX_MINT_TO_STORE_MS - 1), NOW)).toBe(false);
  });
});

/** Real user agents and addresses, as each client sends them; the table in docs/TRACKING.md row by row. */
describe('classifyHit against real clients and networks', () => {
  const LATER = NOW - 10 * 60_000; // a mail delivered ten minutes ago

  it.each([
    // people: desktop and mobile mail clients, and browsers following a link
    [
      'Outlook for Windows',
      'open',
      'Mozilla/4.0 (compatible; ms-office; MSOffice 16)',
      '198.51.100.23',
      'human',
    ],
    [
      'Apple Mail on macOS, MPP off',
      'open',
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)',
      '198.51.100.24',
      'human',
    ],
    [
      'iOS Mail, MPP off',
      'open',
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
      '198.51.100.25',
      'human',
    ],
    [
      'Thunderbird',
      'open',
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:115.0) Gecko/20100101 Thunderbird/115.9.0',
      '2001:db8:1::5',
      'human',
    ],
    [
      'Gmail app on Android (images through the proxy, not the app)',
      'click',
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36',
      '198.51.100.26',
      'human',
    ],
    ['Chrome on Windows', 'click', CHROME, '198.51.100.27', 'human'],
    // mail providers' image proxies
    ['Apple MPP: bare user agent, Apple address', 'open', 'Mozilla/5.0', '17.58.63.10', 'proxy'],
    ['Apple MPP: bare user agent, Private Relay egress', 'open', 'Mozilla/5.0', '172.225.46.70', 'proxy'],
    [
      'Apple MPP: a relay sending a full user agent from Apple',
      'open',
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)',
      '17.120.1.2',
      'proxy',
    ],
    [
      'Gmail GoogleImageProxy',
      'open',
      'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)',
      '66.249.84.10',
      'proxy',
    ],
    ['Google proxy address without its user agent', 'open', CHROME, '66.102.8.3', 'proxy'],
    [
      'Yahoo Mail proxy',
      'open',
      'YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html',
      '98.137.1.1',
      'proxy',
    ],
    ['Outlook.com image proxy (Exchange Online)', 'open', CHROME, '40.107.22.10', 'proxy'],
    // link scanners
    ['Defender Safe Links detonation', 'click', CHROME, '40.107.22.10', 'scanner'],
    ['Mimecast URL protect', 'click', CHROME, '205.139.110.61', 'scanner'],
    ['Proofpoint URL defense', 'click', CHROME, '148.163.150.20', 'scanner'],
    ['Barracuda link protection', 'click', CHROME, '209.222.82.50', 'scanner'],
    ['a gateway fetching the pixel', 'open', CHROME, '67.231.149.1', 'scanner'],
    [
      'a scanner naming itself',
      'click',
      'Mozilla/5.0 (compatible; Barracuda Sentinel)',
      '198.51.100.9',
      'scanner',
    ],
  ] as const)('%s → %s', (_name, kind, ua, ip, expected) => {
    // Private Relay egress is not Apple's own range: the bare user agent is what gives MPP away there.
    expect(classifyHit(hit({ kind, ua, ip, deliveredAtMs: LATER }))).toBe(expected);
  });

  it('calls a HEAD or a datacenter GET within seconds of delivery a scanner, the same a minute later a person', () => {
    expect(
      classifyHit(hit({ kind: 'click', method: 'HEAD', ip: '198.51.100.1', deliveredAtMs: LATER })),
    ).toBe('scanner');
    expect(classifyHit(hit({ kind: 'click', ip: '198.51.100.1', deliveredAtMs: NOW - 800 }))).toBe('scanner');
    expect(classifyHit(hit({ kind: 'click', ip: '198.51.100.1', deliveredAtMs: NOW - 60_000 }))).toBe(
      'human',
    );
  });

  it('counts Apple’s proxy as one client for "unique", everyone else by address and user agent', () => {
    expect(clientKey('proxy', '17.58.63.10', 'Mozilla/5.0')).toBe(APPLE_PROXY_CLIENT);
    expect(clientKey('proxy', '172.225.46.70', 'Mozilla/5.0')).toBe(APPLE_PROXY_CLIENT);
    expect(clientKey('human', '198.51.100.1', CHROME)).toBe(`198.51.100.1 ${CHROME}`);
    expect(clientKey('human', '198.51.100.1', CHROME)).not.toBe(clientKey('human', '198.51.100.2', CHROME));
  });
});
