// HTML compatibility, link and thumbnail checks, through the `mailpit-api` client exactly as a Mailpit suite uses
// them, against a real Sandbox fed over SMTP and real HTTP servers on 127.0.0.1.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MailpitClient } from 'mailpit-api';
import { rawData } from 'caniemail';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLinks } from '../../src-main/checks/link-check.js';
import { GuardedFetch } from '../../src-main/net/guarded-fetch.js';
import { htmlCheckResponse, linkCheckResponse } from '../../src-main/wire/schemas.js';
import { queuedId, smtpTransport, startSandbox, type TestSandbox } from '../helpers/sandbox.js';

let t: TestSandbox;
let mailpit: MailpitClient;
const internalAllowed = new GuardedFetch({ allowInternal: () => true, ownListeners: () => [] });

beforeAll(async () => {
  // The test sites listen on 127.0.0.1, which link check requests only when allowed.
  t = await startSandbox({ allowInternalHttpRequests: true });
  mailpit = new MailpitClient(t.http);
});
afterAll(() => t.stop());

async function send(mail: Record<string, unknown>): Promise<string> {
  const transport = smtpTransport(t);
  try {
    const info = await transport.sendMail({ from: 'app@shop.test', to: 'ann@example.org', ...mail });
    return queuedId(info.response);
  } finally {
    transport.close();
  }
}

describe('html-check', () => {
  const html = [
    '<!doctype html>', // 1
    '<html><head><style>', // 2
    '.card { display: flex; }', // 3
    '</style></head>', // 4
    '<body>', // 5
    '<div class="card" style="border-radius: 8px">Hello</div>', // 6
    '<video src="https://cdn.example/clip.mp4"></video>', // 7
    '<p>Plain</p>', // 8
    '</body></html>', // 9
  ].join('\r\n');

  it("reports the features used, their lines and every tested client's support, in Mailpit's shape", async () => {
    const id = await send({ subject: 'Features', html, text: 'Hello' });
    const check = await mailpit.htmlCheck(id);
    // The response is exactly its wire schema: parsing throws on a missing field and strips one it does not know.
    expect(htmlCheckResponse.parse(check)).toEqual(check);

    const bySlug = new Map(check.Warnings.map((w) => [w.Slug, w]));
    const video = bySlug.get('html-video');
    const flex = bySlug.get('css-display-flex');
    expect(video, 'the <video> element is reported').toBeDefined();
    expect(flex, 'display:flex is reported').toBeDefined();
    expect((video as unknown as { Lines: number[] }).Lines).toEqual([7]);
    expect((flex as unknown as { Lines: number[] }).Lines).toEqual([3]);
    expect(bySlug.has('html-p'), 'a fully supported element is no warning').toBe(false);

    // Every client version caniemail.com tested for the feature, with Mailpit's yes/no/partial.
    const raw = rawData.data.find((f) => f.slug === 'html-video')!;
    const stats = raw.stats as unknown as Record<string, Record<string, Record<string, string>>>;
    const versions = Object.values(stats).flatMap((p) => Object.values(p).flatMap((v) => Object.keys(v)));
    expect(video!.Results).toHaveLength(versions.length);
    expect(new Set(video!.Results.map((r) => r.Support))).toEqual(new Set(['yes', 'no', 'partial']));
    expect(video!.Results.find((r) => r.Family === 'apple-mail' && r.Platform === 'macos')?.Name).toMatch(
      /^Apple Mail macOS \(/,
    );
    const share = (s: string) =>
      (video!.Results.filter((r) => r.Support === s).length / versions.length) * 100;
    expect(video!.Score.Unsupported).toBeCloseTo(share('no'), 1);
    expect(video!.Score.Supported).toBeCloseTo(share('yes'), 1);
    expect(video!.Score.Found).toBe(1);
    expect(video!.URL).toBe('https://www.caniemail.com/features/html-video/');
    expect(video!.Category).toBe('html');

    expect(check.Platforms.ios).toContain('Apple Mail');
    expect(check.Platforms.windows).toContain('Outlook');
    expect(check.Total.Nodes).toBeGreaterThanOrEqual(4);
    expect(check.Total.Tests).toBeGreaterThan(100);
    expect(check.Total.Unsupported).toBeGreaterThan(0);
    expect(check.Total.Supported + check.Total.Partial + check.Total.Unsupported).toBeCloseTo(100, 1);
  });

  it('says so when the mail has no HTML, and 404s an unknown mail', async () => {
    const id = await send({ subject: 'Text only', text: 'No HTML here' });
    const res = await fetch(`${t.http}/api/v1/message/${id}/html-check`);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/does not contain HTML/);
    expect((await fetch(`${t.http}/api/v1/message/nope/html-check`)).status).toBe(404);
  });
});

describe('link-check', () => {
  let site: Server;
  let base: string;
  let refused: string;
  const requests: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;

  beforeAll(async () => {
    site = createServer((req: IncomingMessage, res) => {
      requests.push(`${req.method} ${req.url}`);
      if (req.url?.startsWith('/held/')) {
        // Held a moment so that requests overlap and the concurrency limit shows.
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        setTimeout(() => {
          inFlight--;
          res.writeHead(200).end();
        }, 50);
        return;
      }
      const go = (status: number, headers: Record<string, string> = {}) =>
        res.writeHead(status, headers).end();
      switch (req.url) {
        case '/ok':
        case '/logo.png':
          return go(200);
        case '/hop1':
          return go(301, { Location: '/hop2' });
        case '/hop2':
          return go(302, { Location: `${base}/ok` });
        case '/missing':
          return go(404);
        case '/broken':
          return go(500);
        case '/no-head':
          return go(req.method === 'HEAD' ? 405 : 200);
        case '/loop':
          return go(301, { Location: '/loop' });
        case '/slow':
          return; // never answers
        default:
          return go(404);
      }
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    refused = `http://127.0.0.1:${(probe.address() as AddressInfo).port}/gone`;
    await new Promise((resolve) => probe.close(resolve));
  });
  afterAll(async () => {
    site.closeAllConnections();
    await new Promise((resolve) => site.close(resolve));
  });

  it('checks every link and image of the original mail, never the tracked redirects, and records no click', async () => {
    const ownLink = `${t.tracking}/c?t=not-a-token`;
    const html = `<html><body>
      <a href="${base}/ok">ok</a> <a href="${base}/hop1">moved</a> <a href="${base}/missing">missing</a>
      <a href="${base}/broken">broken</a> <a href="${base}/no-head">no head</a> <a href="${refused}">refused</a>
      <a href="mailto:ann@example.org">mail</a> <a href="${ownLink}">ours</a>
      <img src="${base}/logo.png" alt=""></body></html>`;
    const id = await send({ subject: 'Links', html, text: `See <${base}/ok>` });
    const tracked = await (await fetch(`${t.http}/api/v1/message/${id}/raw?version=tracked`)).text();
    expect(tracked, 'the mail was tracked').toContain('/c?t=');
    requests.length = 0;

    const check = await mailpit.linkCheck(id, false);
    expect(linkCheckResponse.parse(check)).toEqual(check);
    const status = Object.fromEntries(check.Links.map((l) => [l.URL, [l.StatusCode, l.Status]]));
    expect(status).toEqual({
      [`${base}/ok`]: [200, 'OK'],
      [`${base}/hop1`]: [301, 'Moved Permanently'],
      [`${base}/missing`]: [404, 'Not Found'],
      [`${base}/broken`]: [500, 'Internal Server Error'],
      [`${base}/no-head`]: [200, 'OK'],
      [refused]: [0, 'connection refused'],
      [ownLink]: [0, 'not checked: a Mailbeacon tracking link'],
      [`${base}/logo.png`]: [200, 'OK'],
    });
    expect(check.Errors).toBe(3); // 404, 500, refused
    expect(requests.every((r) => !r.includes('/c?t='))).toBe(true);
    expect(requests).toContain('HEAD /hop1');
    expect(requests).not.toContain('HEAD /hop2');

    const followed = await mailpit.linkCheck(id, true);
    expect(followed.Links.find((l) => l.URL === `${base}/hop1`)).toEqual({
      URL: `${base}/hop1`,
      StatusCode: 200,
      Status: 'OK',
    });
    expect(requests).toContain('HEAD /hop2');

    const events = (await (await fetch(`${t.http}/api/v1/message/${id}/events`)).json()) as unknown;
    expect(JSON.stringify(events)).not.toMatch(/"click"/);
  });

  it('bounds each request in time and redirect loops in hops, at most N at a time', async () => {
    const started = requests.length;
    const slow = await checkLinks([`${base}/slow`, `${base}/ok`], {
      follow: true,
      timeoutMs: 500,
      fetch: internalAllowed,
    });
    expect(slow.Links.map((l) => [l.StatusCode, l.Status])).toEqual([
      [0, 'timeout'],
      [200, 'OK'],
    ]);
    expect(slow.Errors).toBe(1);
    const loop = await checkLinks([`${base}/loop`], { follow: true, fetch: internalAllowed });
    expect(loop.Links.map((l) => [l.StatusCode, l.Status])).toEqual([[0, 'too many redirects']]);
    expect(loop.Errors).toBe(1);
    expect(requests.slice(started).filter((r) => r === 'HEAD /loop')).toHaveLength(11);

    const held = Array.from({ length: 8 }, (_, i) => `${base}/held/${i}`);
    const many = await checkLinks(held, { follow: false, concurrency: 3, fetch: internalAllowed });
    expect(many.Links.map((l) => l.StatusCode)).toEqual(held.map(() => 200));
    expect(maxInFlight).toBeGreaterThan(1);
    expect(maxInFlight).toBeLessThanOrEqual(3);
  });

  it('refuses a bad follow value and 404s an unknown mail', async () => {
    const id = await send({ subject: 'x', html: '<p>x</p>' });
    expect((await fetch(`${t.http}/api/v1/message/${id}/link-check?follow=maybe`)).status).toBe(400);
    expect((await fetch(`${t.http}/api/v1/message/nope/link-check`)).status).toBe(404);
  });
});

describe('attachment thumbnails', () => {
  it('crops large images to 180×120, pads small ones, and gives a blank one for other parts', async () => {
    const red = await sharp({ create: { width: 600, height: 300, channels: 3, background: '#ff0000' } })
      .png()
      .toBuffer();
    const small = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#0000ff' } })
      .png()
      .toBuffer();
    const id = await send({
      subject: 'Pictures',
      text: 'see attached',
      attachments: [
        { filename: 'red.png', content: red, contentType: 'image/png' },
        { filename: 'small.png', content: small, contentType: 'image/png' },
        {
          filename: 'notes.pdf',
          content: Buffer.from('%PDF-1.4 not an image'),
          contentType: 'application/pdf',
        },
        { filename: 'broken.jpg', content: Buffer.from('not really a jpeg'), contentType: 'image/jpeg' },
      ],
    });
    const message = await mailpit.getMessageSummary(id);
    const part = (name: string) => message.Attachments.find((a) => a.FileName === name)!.PartID;
    const thumb = async (name: string) => {
      const blob = await mailpit.getAttachmentThumbnail(id, part(name));
      const jpeg = Buffer.from(await blob.arrayBuffer());
      const meta = await sharp(jpeg).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 180, 120]);
      const { data } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
      const pixel = (x: number, y: number) => [...data.subarray((y * 180 + x) * 3, (y * 180 + x) * 3 + 3)];
      return pixel;
    };
    const near = (actual: number[], expected: number[]) =>
      actual.every((v, i) => Math.abs(v - expected[i]!) < 24);

    const redPixel = await thumb('red.png');
    expect(near(redPixel(0, 0), [255, 0, 0]) && near(redPixel(179, 119), [255, 0, 0])).toBe(true);
    const smallPixel = await thumb('small.png');
    expect(near(smallPixel(90, 60), [0, 0, 255]), 'centred').toBe(true);
    expect(near(smallPixel(2, 2), [255, 255, 255]), 'padded with white').toBe(true);
    for (const name of ['notes.pdf', 'broken.jpg']) {
      const blank = await thumb(name);
      expect(near(blank(90, 60), [255, 255, 255]) && near(blank(0, 0), [255, 255, 255])).toBe(true);
    }

    const res = await fetch(`${t.http}/api/v1/message/${id}/part/99/thumb`);
    expect(res.status).toBe(404);
  });
});
