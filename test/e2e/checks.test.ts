// The Checks tab and the attachment thumbnails in Debian's Chromium against a real `mailbeacon serve`.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queuedId } from '../helpers/sandbox.js';
import { artifactPath, ensureRendererBuilt, launchChromium, startServe, until, type Serve } from './harness';

let serve: Serve;
let browser: Browser;
let site: Server;
let siteUrl: string;
const consoleErrors: string[] = [];

beforeAll(async () => {
  await ensureRendererBuilt();
  site = createServer((req, res) => res.writeHead(req.url === '/ok' ? 200 : 404).end());
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  serve = await startServe();
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  site?.closeAllConnections();
  await new Promise((resolve) => site?.close(resolve));
});

async function send(mail: Record<string, unknown>): Promise<string> {
  const transport = nodemailer.createTransport({
    host: serve.smtpHost,
    port: serve.smtpPort,
  });
  try {
    return queuedId(
      (await transport.sendMail({ from: 'app@shop.test', to: 'ann@example.org', ...mail })).response,
    );
  } finally {
    transport.close();
  }
}

async function open(path: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  await page.goto(`${serve.http}/#${path}`);
  return page;
}

describe('Checks tab', () => {
  it('lists the HTML warnings with their lines and clients, filters by platform, and checks links on demand', async () => {
    const html = [
      '<html><body>',
      `<p><a href="${siteUrl}/ok">fine</a> <a href="${siteUrl}/gone">gone</a></p>`,
      '<video src="https://cdn.example/clip.mp4"></video>',
      '</body></html>',
    ].join('\r\n');
    const id = await send({ subject: 'Checks', html, text: 'x' });
    const page = await open(`/message/${id}?tab=checks`);

    const total = page.getByTestId('html-total');
    await until(
      'the HTML score',
      async () => ((await total.textContent()) ?? '').includes('supported') || undefined,
    );
    expect(await total.textContent()).toMatch(/\d+% supported/);
    const video = page.getByTestId('html-warning').filter({ hasText: '<video> element' });
    expect(await video.textContent()).toMatch(
      /line 3\s*<video src="https:\/\/cdn\.example\/clip\.mp4"><\/video>/,
    );
    expect(await video.textContent()).toMatch(/Outlook Windows/);

    // Filtered to one platform, only that platform's clients are listed.
    await page.getByLabel('Platform').selectOption('ios');
    expect(await video.textContent()).not.toMatch(/Outlook Windows/);
    expect(await video.textContent()).toMatch(/iOS/);

    // Without --spamassassin the spam section says how to enable it.
    await until(
      'the spam note',
      async () => (await page.getByText('--spamassassin HOST:PORT').count()) > 0 || undefined,
    );

    await page.getByRole('button', { name: 'Check links' }).click();
    const links = page.getByTestId('links-total');
    await until('the link check', async () => (await links.count()) > 0 || undefined, 30_000);
    expect(await links.textContent()).toMatch(/2 links, 1 error$/); // /gone 404s; a <video> source is no link
    await page.screenshot({ path: artifactPath('message-checks.png'), fullPage: true });
  });

  it('shows 180×120 thumbnails of image attachments', async () => {
    const png = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#22aa44' } })
      .png()
      .toBuffer();
    const id = await send({
      subject: 'Thumbs',
      text: 'x',
      attachments: [{ filename: 'photo.png', content: png }],
    });
    const page = await open(`/message/${id}?tab=attachments`);
    const thumb = page.locator('img.thumb');
    const width = await until('the thumbnail', async () => {
      const w = await thumb.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth);
      return w > 0 ? w : undefined;
    });
    expect(width).toBe(180);
    expect(await thumb.getAttribute('src')).toMatch(new RegExp(`/api/v1/message/${id}/part/[^/]+/thumb$`));
  });

  it('threw no errors in the page', () => {
    expect(consoleErrors).toEqual([]);
  });
});
