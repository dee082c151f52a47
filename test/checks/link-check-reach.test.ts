// What link check may reach and who may start it, through real listeners: a Sandbox fed over SMTP, HTTP servers on
// 127.0.0.1 standing for the links' targets, and Chromium loading a page of another site that tries to start a check.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LinkCheckResponse } from '../../src-main/wire/types.js';
import { queuedId, smtpTransport, startSandbox, type TestSandbox } from '../helpers/sandbox.js';

let site: Server;
let base = '';
let port = 0;
const hits: string[] = [];

beforeAll(async () => {
  site = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.writeHead(200).end();
  });
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
  port = (site.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  site.closeAllConnections();
  await new Promise((r) => site.close(r));
});

async function send(t: TestSandbox, html: string, subject = 'Links'): Promise<string> {
  const transport = smtpTransport(t);
  try {
    const info = await transport.sendMail({ from: 'app@shop.test', to: 'ann@example.org', subject, html });
    return queuedId(info.response);
  } finally {
    transport.close();
  }
}

const linkCheck = async (t: TestSandbox, id: string, init: RequestInit = {}) => {
  const res = await fetch(`${t.http}/api/v1/message/${id}/link-check?follow=true`, {
    signal: AbortSignal.timeout(60_000),
    ...init,
  });
  return { status: res.status, body: (await res.json()) as LinkCheckResponse & { Error?: string } };
};

describe('link check by default', () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startSandbox();
  });
  afterAll(() => t.stop());

  it('refuses loopback in every spelling, reports it as refused and not as an error of the target', async () => {
    const urls = [
      `${base}/a`,
      `http://localhost:${port}/b`,
      `http://2130706433:${port}/c`,
      `http://0177.0.0.1:${port}/d`,
      `http://[::ffff:127.0.0.3]:${port}/e`,
    ];
    const id = await send(t, urls.map((u) => `<a href="${u}">x</a>`).join(' '));
    hits.length = 0;
    const { status, body } = await linkCheck(t, id);
    expect(status).toBe(200);
    expect(body.Links).toHaveLength(urls.length);
    for (const l of body.Links) {
      expect(l.StatusCode, l.URL).toBe(0);
      expect(l.Status, l.URL).toMatch(/^refused: .*internal address.*--allow-internal-http-requests/);
    }
    expect(body.Errors).toBe(0);
    expect(hits).toEqual([]);
  });
});

describe('link check with --allow-internal-http-requests', () => {
  let t: TestSandbox;
  let browser: Browser;
  let attacker: Server;
  let attackerUrl = '';
  beforeAll(async () => {
    t = await startSandbox({ allowInternalHttpRequests: true });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    attacker = createServer((req, res) => {
      const id = new URL(req.url ?? '/', 'http://x').searchParams.get('id') ?? 'latest';
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(
        `<!doctype html><img id="a" src="${t.http}/api/v1/message/${id}/link-check">` +
          `<img id="b" src="${t.http}/api/v1/message/${id}/link-check?follow=true">` +
          `<script>fetch("${t.http}/api/v1/message/${id}/html-check", {mode: "no-cors"}).finally(() => document.title = "done")</script>`,
      );
    });
    await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', r));
    attackerUrl = `http://localhost:${(attacker.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await browser?.close();
    attacker.closeAllConnections();
    await new Promise((r) => attacker.close(r));
    await t.stop();
  });

  it('never requests itself: a mail linking to its own link check is answered at once, without recursion', async () => {
    const api = new URL(t.http);
    const own = [
      `${t.http}/api/v1/message/latest/link-check`,
      `${t.http}/api/v1/message/latest/link-check?follow=true`,
      `http://localhost:${api.port}/api/v1/message/latest/link-check`,
      `http://[::ffff:127.0.0.1]:${api.port}/api/v1/message/latest/link-check`,
      `${t.tracking}/o?t=x`,
    ];
    const id = await send(
      t,
      own.map((u) => `<a href="${u}">check</a><img src="${u.replace(/&/g, '&amp;')}">`).join('\n'),
      'Self',
    );
    const { status, body } = await linkCheck(t, id);
    expect(status).toBe(200);
    for (const l of body.Links)
      expect(l.Status, l.URL).toMatch(/^(refused: .*is Mailbeacon itself|not checked)/);
    expect(body.Errors).toBe(0);
    expect((await fetch(`${t.http}/api/v1/info`)).status).toBe(200);
  });

  it("checks the developer's own localhost links", async () => {
    const id = await send(t, `<a href="http://localhost:${port}/dev">dev</a>`);
    hits.length = 0;
    const { body } = await linkCheck(t, id);
    expect(body.Links.map((l) => [l.StatusCode, l.Status])).toEqual([[200, 'OK']]);
    expect(hits).toEqual(['HEAD /dev']);
  });

  it("refuses a check started by another site's page (img, no-cors fetch) or with a foreign Origin", async () => {
    const id = await send(t, `<a href="${base}/from-page">x</a>`, 'Page');
    hits.length = 0;
    const page = await browser.newPage();
    await page.goto(`${attackerUrl}?id=${id}`);
    await page.waitForFunction(
      () => (globalThis as unknown as { document: { title: string } }).document.title === 'done',
      null,
      { timeout: 30_000 },
    );
    await page.close();
    expect(hits, 'the page started no check').toEqual([]);

    const foreign = await linkCheck(t, id, { headers: { Origin: 'http://evil.test' } });
    expect(foreign.status).toBe(403);
    expect(foreign.body.Error).toMatch(/cross-site/);
    const sameSite = await linkCheck(t, id, { headers: { 'Sec-Fetch-Site': 'same-site' } });
    expect(sameSite.status).toBe(403);
    expect(hits).toEqual([]);

    // The same check from a program (no browser headers) or the app's own page runs: the refusal above is the rule.
    const own = await linkCheck(t, id, { headers: { 'Sec-Fetch-Site': 'same-origin', Origin: t.http } });
    expect(own.status).toBe(200);
    expect(hits).toEqual(['HEAD /from-page']);
  });

  it('runs one check per mail at a time and keeps its result a while', async () => {
    const links = Array.from({ length: 5 }, (_, i) => `<a href="${base}/many/${i}">${i}</a>`).join(' ');
    const id = await send(t, links, 'Many');
    hits.length = 0;
    const answers = await Promise.all(Array.from({ length: 6 }, () => linkCheck(t, id)));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    expect(hits, 'each link requested once for six askers').toHaveLength(5);
    await linkCheck(t, id);
    expect(hits, 'a repeated check is served from the last result').toHaveLength(5);
  });

  it('switches internal requests off from the app for this run', async () => {
    const id = await send(t, `<a href="${base}/switch">x</a>`, 'Switch');
    const put = (allow: boolean) =>
      fetch(`${t.http}/api/v1/checks/settings`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ allowInternalHttpRequests: allow }),
      });
    expect((await put(false)).status).toBe(200);
    try {
      hits.length = 0;
      const { body } = await linkCheck(t, id);
      expect(body.Links[0]!.Status).toMatch(/^refused/);
      expect(hits).toEqual([]);
    } finally {
      await put(true);
    }
  });
});

describe('tracking links however the host is spelled', () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startSandbox({ allowInternalHttpRequests: true });
  });
  afterAll(() => t.stop());

  it('never records a recipient click from link check or from the preview', async () => {
    const first = await send(t, `<a href="${base}/shop">shop</a>`, 'First');
    const manifest = (await (await fetch(`${t.http}/api/v1/message/${first}/tracking`)).json()) as {
      links: { trackedUrl: string }[];
    };
    const tracked = new URL(manifest.links[0]!.trackedUrl);
    const spelled = [
      `http://localhost:${tracked.port}${tracked.pathname}${tracked.search}`,
      `http://LOCALHOST:${tracked.port}${tracked.pathname}${tracked.search}&x=1`,
      `http://127.0.0.1.:${tracked.port}${tracked.pathname}${tracked.search}&x=2`,
    ];
    const second = await send(
      t,
      spelled.map((u) => `<a href="${u.replace(/&/g, '&amp;')}">again</a>`).join(' '),
      'Second',
    );

    const { body } = await linkCheck(t, second);
    expect(body.Links.length).toBe(spelled.length);
    for (const l of body.Links) expect(l.Status, l.URL).toMatch(/^(not checked|refused)/);

    // The preview's marks cover the mail's own links to our listener, whatever their spelling.
    const marks = (await (await fetch(`${t.http}/api/v1/message/${second}/preview-urls`)).json()) as {
      urls: Record<string, string>;
    };
    for (const url of spelled) {
      const marked = Object.entries(marks.urls).find(([u]) => new URL(u).href === new URL(url).href)?.[1];
      expect(marked, url).toBeDefined();
      const res = await fetch(marked!.replace(/^http:\/\/[^/]+/, t.tracking), { redirect: 'manual' });
      expect(res.status).toBe(302);
    }
    const { events } = (await (await fetch(`${t.http}/api/v1/message/${first}/events`)).json()) as {
      events: { kind: string; source: string }[];
    };
    const list = events;
    const clicks = list.filter((e) => e.kind === 'click');
    expect(clicks.length).toBe(spelled.length);
    expect(clicks.every((e) => e.source !== 'recipient')).toBe(true);
  });
});
