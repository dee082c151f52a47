// Every page of the UI at every width from 800 to 2560 px, in both themes, with nothing outside its box: no sideways
// page scroll, no element past the window's edge or cut by a box that neither scrolls nor ends in an ellipsis.
// Mails with tags, attachments, long subjects and tracking events fill the pages so their widest content is shown.
import { writeFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessagesSummary } from '../../src-main/wire/types';
import {
  artifactPath,
  ensureRendererBuilt,
  launchChromium,
  startLanding,
  startServe,
  until,
  type Serve,
} from './harness';
import { outsideTheirBox } from './layout-check';

const WIDTHS = [800, 1024, 1280, 1920, 2560] as const;
const THEMES = ['light', 'dark'] as const;
const TABS = [
  'preview',
  'tracking',
  'events',
  'html',
  'text',
  'headers',
  'raw',
  'attachments',
  'relay',
  'checks',
] as const;

let serve: Serve;
let landing: Awaited<ReturnType<typeof startLanding>>;
let browser: Browser;
let mailId = '';

async function api<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`${serve.http}/api/v1/${path}`, init);
  if (!res.ok)
    throw new Error(`${init?.method ?? 'GET'} /api/v1/${path} → ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** A mail as wide as real ones get: several tags, many links, an attachment, a long subject and a long sender. */
async function seed(): Promise<void> {
  const transport = nodemailer.createTransport({
    host: serve.smtpHost,
    port: serve.smtpPort,
    secure: false,
    ignoreTLS: true,
  });
  const links = Array.from(
    { length: 6 },
    (_, i) =>
      `<p><a href="${landing.url}/campaign/spring-sale/landing-page-number-${i}?utm_source=newsletter&utm_medium=email&utm_campaign=spring">Link number ${i}</a></p>`,
  ).join('');
  for (const [i, tags] of [
    'Newsletter, Onboarding, Password reset',
    'Newsletter',
    'Transactional, Invoices',
  ].entries()) {
    await transport.sendMail({
      from: '"Acme Shop Customer Success Team" <customer-success-team@mail.acme-shop.example>',
      to: 'Ann Example-Longname <ann.example-longname@subdomain.example.org>',
      subject: `Your spring sale invitation with a subject long enough to wrap at narrow widths ${i}`,
      headers: { 'X-Tags': tags },
      text: `Hello Ann. ${landing.url}/start`,
      html: `<!doctype html><html><body><h1>Spring sale</h1>${links}</body></html>`,
      attachments: [
        { filename: 'a-rather-long-attachment-name-for-the-invoice.pdf', content: 'x'.repeat(2000) },
      ],
    });
  }
  const list = await until('three mails', async () => {
    const res = await api<MessagesSummary>('messages');
    return res.messages.length === 3 ? res : undefined;
  });
  mailId = list.messages[0].ID;
  for (const profile of ['inbox-journey', 'apple-mpp', 'safe-links', 'human-click'])
    await api(`message/${mailId}/simulate`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ profile, compress: 100_000 }),
    });
}

beforeAll(async () => {
  await ensureRendererBuilt();
  landing = await startLanding();
  serve = await startServe();
  browser = await launchChromium();
  await seed();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  await landing?.close();
});

/** Waits until no pane says Loading…, so the page is measured with its content. */
async function settled(page: Page): Promise<void> {
  await until('the page to load', async () =>
    (await page.getByText('Loading…', { exact: true }).count()) === 0 ? true : undefined,
  );
  // Fonts and the charts' resize observers settle after the data arrives.
  await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
}

const pages = (): { name: string; path: string; ready: string }[] => [
  { name: 'inbox', path: '/', ready: 'message-row' },
  { name: 'tags', path: `/?q=${encodeURIComponent('tag:Newsletter')}`, ready: 'message-row' },
  ...TABS.map((tab) => ({
    name: `message ${tab}`,
    path: `/message/${mailId}${tab === 'preview' ? '' : `?tab=${tab}`}`,
    ready: 'message-view',
  })),
  { name: 'events', path: '/events', ready: 'events-page' },
  // Every source and class, so the timeline's table has rows.
  { name: 'events-all', path: '/events?kind=&classification=&source=&range=all', ready: 'events-page' },
  { name: 'relay', path: '/relay', ready: 'relay-page' },
  { name: 'settings', path: '/settings', ready: 'settings-page' },
];

describe('the window from 800 to 2560 px', () => {
  for (const width of WIDTHS)
    for (const theme of THEMES)
      it(`at ${width} px in the ${theme} theme, every page keeps its content inside its box`, async () => {
        const context = await browser.newContext({
          viewport: { width, height: width < 1000 ? 760 : 900 },
          colorScheme: theme,
        });
        try {
          const page = await context.newPage();
          const found: string[] = [];
          for (const p of pages()) {
            await page.goto(`${serve.http}/#${p.path}`);
            await page.getByTestId(p.ready).first().waitFor();
            await settled(page);
            for (const problem of await outsideTheirBox(page)) found.push(`${p.name}: ${problem}`);
            if (width === 1024 || width === 800)
              await page.screenshot({
                path: artifactPath(`window-${width}-${theme}-${p.name.replace(' ', '-')}.png`),
              });
          }
          writeFileSync(artifactPath(`window-${width}-${theme}.txt`), found.join('\n'));
          expect(found).toEqual([]);
        } finally {
          await context.close();
        }
      });
});
