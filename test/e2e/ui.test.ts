// The UI in Debian's Chromium against a real `mailbeacon serve`: mail and tracking events arrive live, the preview
// fires the pixel and sends clicks through the tracked redirect, search, delete and release work. Screenshots of
// each main screen are kept in test-artifacts/.
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EventsResponse, MessagesSummary } from '../../src-main/wire/types';
import {
  artifactPath,
  ensureRendererBuilt,
  launchChromium,
  startLanding,
  startServe,
  startUpstream,
  until,
  type Serve,
  type Upstream,
} from './harness';

/** Long enough for a live update to cross SMTP → store → hub → browser on a loaded CI machine. */
const LIVE_MS = 15_000;

let serve: Serve;
let upstream: Upstream;
let landing: Awaited<ReturnType<typeof startLanding>>;
let browser: Browser;
const contexts: BrowserContext[] = [];
const consoleErrors: string[] = [];

beforeAll(async () => {
  await ensureRendererBuilt();
  upstream = await startUpstream();
  landing = await startLanding();
  serve = await startServe(['--relay', `smtp://127.0.0.1:${upstream.port}`]);
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  await upstream?.close();
  await landing?.close();
});

afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
});

async function openApp(path = '/', colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme });
  contexts.push(context);
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`${page.url()}: ${e.message}`));
  // Console lines name no URL for failed loads; record which request failed so a failure says what to fix.
  page.on('response', (r) => {
    if (r.status() >= 400) consoleErrors.push(`${r.request().method()} ${r.url()} → ${r.status()}`);
  });
  await page.goto(`${serve.http}/#${path}`);
  return page;
}

async function waitLive(page: Page): Promise<void> {
  await page.getByTestId('live-indicator').filter({ hasText: 'live' }).waitFor({ timeout: LIVE_MS });
}

function transport() {
  return nodemailer.createTransport({
    host: serve.smtpHost,
    port: serve.smtpPort,
    secure: false,
  });
}

async function sendMail(subject: string, extra: { to?: string } = {}): Promise<string> {
  await transport().sendMail({
    from: '"Acme Shop" <shop@acme.test>',
    to: extra.to ?? 'ann@example.org',
    subject,
    text: `Hi Ann, this is ${subject}. Start here: ${landing.url}/start`,
    html:
      `<!doctype html><html><body><h1>${subject}</h1>` +
      // target="_self" would load the site inside the preview; the UI must open it in a new window anyway
      `<p>Hi Ann, thanks for signing up. <a href="${landing.url}/start?from=mail" target="_self">Get started</a></p>` +
      '<p><a href="mailto:help@acme.test">help@acme.test</a></p></body></html>',
  });
  return until(`mail "${subject}" in the store`, async () => {
    const res = await api<MessagesSummary>(`search?query=${encodeURIComponent(`subject:"${subject}"`)}`);
    return res.messages[0]?.ID;
  });
}

async function api<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`${serve.http}/api/v1/${path}`, init);
  if (!res.ok)
    throw new Error(`${init?.method ?? 'GET'} /api/v1/${path} → ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

function row(page: Page, subject: string) {
  return page.getByTestId('message-row').filter({ hasText: subject });
}

const unique = (what: string) => `${what} ${randomUUID().slice(0, 8)}`;

describe('UI end to end', () => {
  it('shows a mail sent over SMTP live, without a reload', async () => {
    const page = await openApp();
    await waitLive(page);
    const subject = unique('Welcome to Acme');
    await sendMail(subject);
    await row(page, subject).waitFor({ timeout: LIVE_MS });
    await page.screenshot({ path: artifactPath('inbox.png') });
  });

  it('records an open when the preview loads, and shows it live in the Events tab', async () => {
    const subject = unique('Open me');
    const id = await sendMail(subject);
    // One window watches the mail's Events tab; another opens its preview, as a second reader would.
    const watcher = await openApp(`/message/${id}?tab=events`);
    await waitLive(watcher);
    await watcher.getByTestId('no-events').waitFor();

    const reader = await openApp(`/message/${id}`);
    await reader.getByTestId('preview-frame').waitFor();
    const opened = watcher.getByTestId('event-row').and(watcher.locator('[data-kind=open]'));
    await opened.first().waitFor({ timeout: LIVE_MS });
    await reader.screenshot({ path: artifactPath('message-preview.png') });
    await watcher.screenshot({ path: artifactPath('message-events.png') });
  });

  it('sends a click in the preview through the tracked redirect into a new window, and shows it live', async () => {
    const subject = unique('Click me');
    const id = await sendMail(subject);
    const watcher = await openApp(`/message/${id}?tab=events`);
    await waitLive(watcher);
    await watcher.getByTestId('no-events').waitFor();

    const reader = await openApp(`/message/${id}`);
    const link = reader
      .frameLocator('[data-testid=preview-frame]')
      .getByRole('link', { name: 'Get started' });
    const href = await link.getAttribute('href');
    expect(href, 'the preview shows the tracked link').toContain('/c?t=');
    const [popup] = await Promise.all([reader.waitForEvent('popup'), link.click()]);
    await popup.waitForLoadState();
    expect(popup.url()).toBe(`${landing.url}/start?from=mail`);
    expect(reader.url(), 'the app itself did not navigate').toContain(`/message/${id}`);

    await watcher
      .getByTestId('event-row')
      .and(watcher.locator('[data-kind=click]'))
      .first()
      .waitFor({ timeout: LIVE_MS });
    await watcher.getByRole('tab', { name: 'Tracking' }).click();
    await watcher.getByTestId('manifest').waitFor();
    await watcher.getByTestId('html-diff').scrollIntoViewIfNeeded();
    await watcher.screenshot({ path: artifactPath('message-tracking.png'), fullPage: true });
  });

  it('shows a one-click unsubscribe (RFC 8058 POST) live in the list and the timeline', async () => {
    const subject = unique('Newsletter');
    const id = await sendMail(subject);
    const page = await openApp(`/message/${id}?tab=events`);
    await waitLive(page);
    await page.getByTestId('no-events').waitFor();

    const headers = await api<Record<string, string[]>>(`message/${id}/headers?version=tracked`).catch(() =>
      api<Record<string, string[]>>(`message/${id}/headers`),
    );
    const raw = await (await fetch(`${serve.http}/api/v1/message/${id}/raw?version=tracked`)).text();
    const listUnsub = headers['List-Unsubscribe']?.[0] ?? /^List-Unsubscribe:\s*(.+)$/im.exec(raw)?.[1] ?? '';
    const url = /<(https?:[^>]+)>/.exec(listUnsub)?.[1];
    expect(url, `List-Unsubscribe in the tracked mail: "${listUnsub}"`).toBeTruthy();
    const res = await fetch(url!, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(res.status).toBeLessThan(300);

    await page
      .getByTestId('event-row')
      .and(page.locator('[data-kind=unsub]'))
      .first()
      .waitFor({ timeout: LIVE_MS });
    await row(page, subject).getByText('unsubscribed').waitFor({ timeout: LIVE_MS });
    const events = await api<EventsResponse>(`message/${id}/events`);
    expect(events.events.some((e) => e.kind === 'unsub')).toBe(true);
  });

  it('searches with Mailpit syntax and with the chips', async () => {
    const tag = randomUUID().slice(0, 8);
    await sendMail(`Invoice ${tag} paid`);
    await sendMail(`Receipt ${tag} sent`);
    const page = await openApp();
    await page.getByLabel('Search').fill(`subject:"Invoice ${tag}"`);
    await page.getByLabel('Search').press('Enter');
    await until('one result', async () =>
      (await page.getByTestId('message-row').count()) === 1 ? true : undefined,
    );
    await row(page, `Invoice ${tag} paid`).waitFor();
    expect(await page.getByTestId('list-count').textContent()).toContain('1 found');

    // a chip adds its term to what was typed; the URL keeps the query
    await page.getByRole('group', { name: 'Filters' }).getByRole('button', { name: 'Unread' }).click();
    await until('the chip in the query', async () =>
      (await page.getByLabel('Search').inputValue()).endsWith('is:unread') ? true : undefined,
    );
    expect(decodeURIComponent(page.url())).toContain('is:unread');
    await page.getByLabel('Search').fill(tag);
    await page.getByLabel('Search').press('Enter');
    await until('two results', async () =>
      (await page.getByTestId('message-row').count()) === 2 ? true : undefined,
    );
    await page.screenshot({ path: artifactPath('inbox-search.png') });
  });

  it('deletes a mail after confirmation, from the keyboard', async () => {
    const subject = unique('Delete me');
    const id = await sendMail(subject);
    const page = await openApp(`/message/${id}`);
    await waitLive(page);
    await page.getByTestId('message-view').waitFor();
    await page.locator('body').press('Delete');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await page.screenshot({ path: artifactPath('inbox-delete-confirm.png') });
    // The dialog focuses its confirm button, so Enter deletes.
    await page.keyboard.press('Enter');
    await row(page, subject).waitFor({ state: 'detached', timeout: LIVE_MS });
    const res = await fetch(`${serve.http}/api/v1/message/${id}`);
    expect(res.status).toBe(404);
  });

  it('marks a mail unread and read again, in the list and on the server', async () => {
    const subject = unique('Read state');
    const id = await sendMail(subject);
    const page = await openApp(`/message/${id}`);
    await page.getByTestId('message-view').waitFor();
    const readState = async () =>
      (await api<MessagesSummary>(`search?query=${encodeURIComponent(`subject:"${subject}"`)}`)).messages[0]
        ?.Read;
    // opening it marks it read: the UI sends PUT /api/v1/messages (the GET itself changes nothing)
    await until('read after opening', async () => ((await readState()) === true ? true : undefined));
    await page.getByTestId('message-view').getByRole('button', { name: 'Unread' }).click();
    await row(page, subject).getByTitle('Unread').waitFor({ timeout: LIVE_MS });
    expect(await readState()).toBe(false);
    await page.locator('body').press('u');
    await row(page, subject).getByTitle('Unread').waitFor({ state: 'detached', timeout: LIVE_MS });
  });

  it('shows inline images in the preview and lists attachments for download', async () => {
    const subject = unique('With pictures');
    // a 1×1 PNG, small enough to inline here
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
      'base64',
    );
    await transport().sendMail({
      from: 'shop@acme.test',
      to: 'ann@example.org',
      subject,
      html: '<p>Logo: <img id="logo" src="cid:logo@acme" alt="logo"></p>',
      attachments: [
        { filename: 'logo.png', content: png, cid: 'logo@acme' },
        { filename: 'invoice.txt', content: 'invoice 42' },
      ],
    });
    const id = await until(
      'the mail',
      async () =>
        (await api<MessagesSummary>(`search?query=${encodeURIComponent(`subject:"${subject}"`)}`)).messages[0]
          ?.ID,
    );
    const page = await openApp(`/message/${id}`);
    const logo = page.frameLocator('[data-testid=preview-frame]').locator('#logo');
    await until('the inline image to load', async () =>
      (await logo.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)) > 0
        ? true
        : undefined,
    );
    expect(await logo.getAttribute('src')).toContain(`/api/v1/message/${id}/part/`);

    await page.getByRole('tab', { name: /Attachments/ }).click();
    const download = page
      .getByRole('row')
      .filter({ hasText: 'invoice.txt' })
      .getByRole('link', { name: 'Download' });
    const res = await fetch(new URL((await download.getAttribute('href'))!, serve.http));
    expect(await res.text()).toBe('invoice 42');
    await page.screenshot({ path: artifactPath('message-attachments.png') });
  });

  it('releases a mail to the relay after asking for recipients', async () => {
    const subject = unique('Release me');
    const id = await sendMail(subject);
    const page = await openApp(`/message/${id}`);
    await page.getByTestId('message-view').waitFor();
    await page.getByRole('button', { name: 'Release', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Recipients').fill('bob@example.net');
    await dialog.getByRole('button', { name: /^Release to/ }).click();
    await dialog.waitFor({ state: 'detached' });
    const got = await until('the upstream to receive the mail', () =>
      upstream.received.find((m) => m.raw.includes(subject)),
    );
    expect(got.to).toEqual(['bob@example.net']);

    await page.getByRole('tab', { name: 'Relay' }).click();
    await page.getByTestId('relay-entries').getByText('sent').waitFor({ timeout: LIVE_MS });
    // Forwarding the tracked mail breaks the sender's DKIM signature; the tab says so and how to re-sign.
    expect(await page.getByTestId('dkim-note').textContent()).toContain('--relay-dkim-domain');
    await page.goto(`${serve.http}/#/relay`);
    await page.getByTestId('relay-entries').waitFor();
    await page.screenshot({ path: artifactPath('relay.png') });
  });

  it('renders the Events, Settings pages and the dark theme', async () => {
    const id = await sendMail(unique('Dashboard'));
    await fetch(`${serve.http}/api/v1/message/${id}`); // something to chart is welcome but not required
    const page = await openApp('/events');
    await page.getByTestId('events-page').waitFor();
    await page
      .locator('.recharts-responsive-container')
      .first()
      .waitFor()
      .catch(() => undefined);
    await page.screenshot({ path: artifactPath('events.png'), fullPage: true });

    await page.goto(`${serve.http}/#/settings`);
    const snippet = page.getByTestId('snippet');
    await snippet.waitFor();
    expect(await snippet.textContent()).toContain(String(serve.smtpPort));
    await page.getByRole('tab', { name: 'Django' }).click();
    expect(await snippet.textContent()).toContain(`EMAIL_PORT = ${serve.smtpPort}`);
    await page.screenshot({ path: artifactPath('settings.png'), fullPage: true });

    const dark = await openApp('/', 'dark');
    await dark.getByTestId('message-row').first().waitFor();
    const bg = await dark
      .locator('body')
      .evaluate((body) => body.ownerDocument.defaultView!.getComputedStyle(body).backgroundColor);
    expect(bg).not.toBe('rgb(246, 247, 249)');
    await dark.screenshot({ path: artifactPath('inbox-dark.png') });
  });

  it('opens mails with j/k, moves with the arrows, opens with Enter and lists the shortcuts under ?', async () => {
    const tag = randomUUID().slice(0, 8);
    await sendMail(`Keys ${tag} one`);
    await sendMail(`Keys ${tag} two`);
    const page = await openApp(`/?q=${encodeURIComponent(tag)}`);
    await until('two rows', async () =>
      (await page.getByTestId('message-row').count()) === 2 ? true : undefined,
    );
    await page.locator('body').press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await page.screenshot({ path: artifactPath('shortcuts.png') });
    await page.locator('body').press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    const heading = (which: string) =>
      page.getByTestId('message-view').getByRole('heading', { name: `Keys ${tag} ${which}` });
    // Newest first: j opens the first row (the second mail sent), j the next, k the first again.
    await page.locator('body').press('j');
    await heading('two').waitFor();
    await page.locator('body').press('j');
    await heading('one').waitFor();
    await page.locator('body').press('k');
    await heading('two').waitFor();
    // The arrows only move the highlight; Enter opens it.
    await page.locator('body').press('ArrowDown');
    await page.getByTestId('message-row').nth(1).and(page.locator('.row-cursor')).waitFor();
    await heading('two').waitFor();
    await page.locator('body').press('Enter');
    await heading('one').waitFor();
    // u toggles the open mail's read state.
    const openRow = row(page, `Keys ${tag} one`);
    await until('the open mail read', async () =>
      (await openRow.getAttribute('class'))?.includes('row-read') ? true : undefined,
    );
    await page.locator('body').press('u');
    await until('the open mail unread', async () =>
      (await openRow.getAttribute('class'))?.includes('row-unread') ? true : undefined,
    );
    await page.locator('body').press('/');
    await until('the search box to have focus', async () =>
      (await page.getByLabel('Search').evaluate((el) => el.ownerDocument.activeElement === el))
        ? true
        : undefined,
    );
  });

  it.each([800, 1024, 1280, 1920])(
    'at %i px shows the subject, every tab and the preview inside the window, without page scroll',
    async (width) => {
      const subject = unique(`A subject long enough to need room at ${width} px wide`);
      const id = await sendMail(subject, { to: 'Ann Example <ann@example.org>' });
      const context = await browser.newContext({ viewport: { width, height: 800 } });
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (e) => consoleErrors.push(`${page.url()}: ${e.message}`));
      await page.goto(`${serve.http}/#/message/${id}`);
      const view = page.getByTestId('message-view');
      await view.waitFor();

      const inside = async (what: string, locator: ReturnType<Page['locator']>) => {
        const box = await locator.boundingBox();
        expect(box, what).not.toBeNull();
        expect(box!.x, what).toBeGreaterThanOrEqual(0);
        expect(box!.y, what).toBeGreaterThanOrEqual(0);
        expect(box!.x + box!.width, what).toBeLessThanOrEqual(width + 0.5);
        expect(box!.y + box!.height, what).toBeLessThanOrEqual(800 + 0.5);
        return box!;
      };
      const noPageScroll = async () =>
        expect(
          (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number,
        ).toBeLessThanOrEqual(0);

      const heading = view.getByRole('heading', { name: subject });
      const headingBox = await inside('subject', heading);
      // A one-word-per-line subject would be far taller than two lines.
      expect(headingBox.height).toBeLessThan(80);
      expect((await inside('message view', view)).width).toBeGreaterThanOrEqual(480);
      await noPageScroll();

      // Tabs that do not fit are in the More menu; each one, on the bar or picked there, opens on the bar.
      const bar = view.getByTestId('message-tabs');
      const more = bar.getByRole('button', { name: 'More' });
      const names = await bar.getByRole('tab').allTextContents();
      if (await more.count()) {
        await more.click();
        names.push(...(await page.getByRole('menu').getByRole('menuitem').allTextContents()));
        await page.keyboard.press('Escape');
      }
      expect(names.length).toBeGreaterThanOrEqual(9);
      for (const name of [...names].reverse()) {
        const tab = bar.getByRole('tab', { name, exact: true });
        if (!(await tab.count())) {
          await more.click();
          await page.getByRole('menuitem', { name, exact: true }).click();
        } else await tab.click();
        await until(`tab ${name} selected`, async () =>
          (await tab.getAttribute('aria-selected')) === 'true' ? true : undefined,
        );
        await inside(`tab ${name}`, tab);
      }
      // The last click was on the first tab, the preview.
      await inside('preview', page.getByTestId('preview-frame'));
      await noPageScroll();
      await page.screenshot({ path: artifactPath(`message-${width}.png`) });

      if (width < 1000) {
        // Stacked: the list is behind the mail, and Back brings it.
        await view.getByRole('button', { name: 'Back' }).click();
        await inside('list row', row(page, subject));
        await noPageScroll();
      } else {
        await inside('list row', row(page, subject));
      }
      for (const name of ['Events', 'Relay', 'Settings']) {
        await inside(`${name} in the navigation`, page.getByRole('navigation').getByRole('link', { name }));
      }
    },
  );

  it('shows browser notifications once turned on in Settings: new mail, then its first open', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    contexts.push(context);
    await context.grantPermissions(['notifications'], { origin: serve.http });
    // Records the titles the page shows, on top of the browser's real Notification.
    await context.addInitScript(`
      window.__shown = [];
      const Real = window.Notification;
      window.Notification = class extends Real {
        constructor(title, options) { super(title, options); window.__shown.push(title); }
      };
    `);
    const page = await context.newPage();
    page.on('pageerror', (e) => consoleErrors.push(`${page.url()}: ${e.message}`));
    await page.goto(`${serve.http}/#/settings`);
    await waitLive(page);
    const toggle = page.getByTestId('notifications-toggle');
    expect(await toggle.isChecked()).toBe(false);
    await toggle.click();
    await until('the toggle on', async () => ((await toggle.isChecked()) ? true : undefined));
    const shown = async (title: string) =>
      ((await page.evaluate('window.__shown')) as string[]).some((t) => t.includes(title)) ? true : undefined;

    const id = await sendMail(unique('Notify me'));
    await until('a new-mail notification', () => shown('New mail from Acme Shop'), LIVE_MS);
    // A person's mail client loads the pixel (headless Chromium's own loads count as a scanner, not a first open).
    const { TrackedHTML } = await api<{ TrackedHTML: string }>(`message/${id}`);
    const pixel = [...TrackedHTML.matchAll(/<img[^>]+src="([^"]+)"/g)]
      .map((m) => m[1].replace(/&amp;/g, '&'))
      .find((src) => src.startsWith(serve.tracking));
    expect(pixel, TrackedHTML).toBeDefined();
    await fetch(pixel!, {
      headers: {
        'User-Agent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko)',
      },
    });
    await until('a first-open notification', () => shown('opened a mail'), LIVE_MS);
  });

  it('logged no errors to the browser console on any of these screens', () => {
    expect(consoleErrors).toEqual([]);
  });
});

describe('UI on an empty sandbox', () => {
  let empty: Serve;
  beforeAll(async () => {
    await ensureRendererBuilt();
    empty = await startServe();
  }, 240_000);
  afterAll(async () => {
    await empty?.stop();
  });

  it('says where to send mail, with the real SMTP address, and sends a sample mail', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${empty.http}/`);
    const hint = page.getByTestId('empty-inbox');
    await hint.filter({ hasText: `Point your app's SMTP at ${empty.smtpHost}:${empty.smtpPort}` }).waitFor();
    expect(await hint.textContent()).not.toContain(':1025');
    await page.screenshot({ path: artifactPath('inbox-empty.png') });
    await waitLive(page);
    await hint.getByRole('button', { name: 'Send a sample mail' }).click();
    await page.getByTestId('message-row').first().waitFor({ timeout: LIVE_MS });
  });

  it('says so, with a retry button, when the live link goes down', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${empty.http}/`);
    await waitLive(page);
    await empty.stop();
    const banner = page.getByRole('status').filter({ hasText: 'Live updates paused: reconnecting…' });
    await banner.waitFor({ timeout: 30_000 });
    await page.getByTestId('live-indicator').filter({ hasText: 'offline' }).waitFor();
    await banner.getByRole('button', { name: 'Retry now' }).waitFor();
    await page.screenshot({ path: artifactPath('live-down.png') });
  });
});
