import { describe, expect, it } from 'vitest';
import {
  MAX_MINT_TO_STORE_MS,
  SCANNER_CLICK_WINDOW_MS,
  classifyHit,
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
