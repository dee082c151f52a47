import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Hub } from '../../src-main/hub/hub.js';
import { WAIT_MS, startHub, type TestHub } from './helpers.js';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// The page opens a native EventSource on the same origin and keeps what it receives for the test to read.
const PAGE = `<!doctype html><meta charset="utf-8"><title>hub</title><script>
  window.received = []; window.errors = 0; window.opened = false;
  const params = new URLSearchParams(location.search);
  const url = new URL('/.well-known/mercure', params.get('hub') || location.href);
  for (const t of params.getAll('topic')) url.searchParams.append('topic', t);
  if (params.get('lastEventID')) url.searchParams.set('lastEventID', params.get('lastEventID'));
  const es = new EventSource(url, { withCredentials: params.has('credentials') });
  es.onopen = () => { window.opened = true; };
  es.onerror = () => { window.errors++; if (!window.opened) es.close(); };
  es.onmessage = (e) => window.received.push({ id: e.lastEventId, data: e.data });
  es.addEventListener('custom', (e) => window.received.push({ id: e.lastEventId, type: 'custom', data: e.data }));
</script>`;

/** Serves the page; the `/` route hands out the subscriber cookie the way the app's HTTP server will. */
function pageRoute(req: IncomingMessage, res: ServerResponse, hub: Hub): void {
  const path = (req.url ?? '/').split('?')[0];
  const send = (cookie?: string) => {
    const headers: Record<string, string> = { 'Content-Type': 'text/html; charset=utf-8' };
    if (cookie) headers['Set-Cookie'] = cookie;
    res.writeHead(200, headers).end(PAGE);
  };
  if (path === '/') hub.subscriberCookie().then(send, () => res.writeHead(500).end());
  else if (path === '/no-cookie') send();
  else res.writeHead(404).end();
}

let browser: Browser;
let h: TestHub | undefined;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await h?.close();
  h = undefined;
});

type Got = { id: string; type?: string; data: string };

async function openPage(path: string, base = h!.base): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}${path}`);
  return page;
}

// Expressions as strings: they run in the page, whose globals this (Node-typed) file does not know.
const received = (page: Page) => page.evaluate<Got[]>('window.received');

async function until(page: Page, expression: string): Promise<void> {
  await page.waitForFunction(expression, undefined, { timeout: WAIT_MS, polling: 20 });
}

describe("Chromium's native EventSource", () => {
  it('receives public and private updates with the HttpOnly cookie, multi-line data intact', async () => {
    h = await startHub({ anonymous: false }, pageRoute);
    const page = await openPage('/?topic=urn:mailbeacon:messages&topic=' + encodeURIComponent('books/{id}'));
    await until(page, 'window.opened');
    // The cookie is HttpOnly: the page's scripts cannot read the JWT.
    expect(await page.evaluate<string>('document.cookie')).toBe('');

    const multi = 'line one\n\nline three\n';
    h.hub.publish({ topics: ['urn:mailbeacon:messages'], data: '{"type":"created"}', private: true });
    h.hub.publish({ topics: ['books/7'], data: multi, id: 'urn:example:7' });
    h.hub.publish({ topics: ['other'], data: 'not subscribed' });
    h.hub.publish({ topics: ['books/8'], data: 'typed', type: 'custom' });
    await until(page, 'window.received.length >= 3');
    const got = await received(page);
    expect(got[0]!.data).toBe('{"type":"created"}');
    expect(got[1]).toEqual({ id: 'urn:example:7', data: multi });
    expect(got[2]).toMatchObject({ type: 'custom', data: 'typed' });
    expect(got).toHaveLength(3);
    await page.context().close();
  });

  it('is refused without the cookie when anonymous subscribers are off', async () => {
    h = await startHub({ anonymous: false }, pageRoute);
    const page = await openPage('/no-cookie?topic=foo');
    await until(page, 'window.errors > 0');
    expect(await page.evaluate<boolean>('window.opened')).toBe(false);
    await page.context().close();
  });

  it('replays history from the lastEventID query parameter', async () => {
    h = await startHub({ anonymous: false }, pageRoute);
    const first = h.hub.publish({ topics: ['t'], data: 'before' });
    h.hub.publish({ topics: ['t'], data: 'missed 1' });
    h.hub.publish({ topics: ['t'], data: 'missed 2', private: true });
    const page = await openPage(`/?topic=t&lastEventID=${encodeURIComponent(first)}`);
    await until(page, 'window.received.length >= 2');
    h.hub.publish({ topics: ['t'], data: 'live' });
    await until(page, 'window.received.length >= 3');
    expect((await received(page)).map((r) => r.data)).toEqual(['missed 1', 'missed 2', 'live']);
    await page.context().close();
  });
});

describe('cross-origin pages', () => {
  let pageServer: Server | undefined;
  afterEach(async () => {
    pageServer?.closeAllConnections();
    await new Promise((r) => pageServer?.close(r) ?? r(null));
    pageServer = undefined;
  });

  /** A page on another origin (another port) that subscribes to the hub with credentials. */
  async function foreignPage(): Promise<string> {
    pageServer = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end(PAGE));
    await new Promise<void>((r) => pageServer!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}`;
  }

  it('may subscribe when its origin is in corsOrigins, and not otherwise', async () => {
    const origin = await foreignPage();
    h = await startHub({ anonymous: true, corsOrigins: [origin] });
    const allowed = await openPage(`/?topic=t&credentials&hub=${encodeURIComponent(h.base)}`, origin);
    await until(allowed, 'window.opened');
    h.hub.publish({ topics: ['t'], data: 'across origins' });
    await until(allowed, 'window.received.length >= 1');
    expect((await received(allowed)).map((r) => r.data)).toEqual(['across origins']);
    await allowed.context().close();
    await h.close();

    h = await startHub({ anonymous: true, corsOrigins: ['http://elsewhere.example'] });
    const refused = await openPage(`/?topic=t&credentials&hub=${encodeURIComponent(h.base)}`, origin);
    await until(refused, 'window.errors > 0');
    expect(await refused.evaluate<boolean>('window.opened')).toBe(false);
    await refused.context().close();
  });
});
