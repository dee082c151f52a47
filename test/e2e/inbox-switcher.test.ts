// The inbox switcher and `/inbox/NAME/` in Chromium: each inbox's page shows its own mail, counts and SMTP user.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureRendererBuilt, launchChromium } from './harness.js';
import { sendAs, startSandbox, type TestSandbox } from '../helpers/sandbox.js';

let t: TestSandbox;
let browser: Browser;
let page: Page;

const send = (user: string | undefined, subject: string) => sendAs(t, user, subject);

beforeAll(async () => {
  await ensureRendererBuilt();
  t = await startSandbox({ hubAnonymous: true });
  await send('shop', 'Shop order 1');
  await send('shop', 'Shop order 2');
  await send('blog', 'Blog comment');
  await send(undefined, 'Plain mail');
  browser = await launchChromium();
  page = await browser.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

const rows = () => page.getByTestId('message-row');

describe('inboxes in the UI', () => {
  it('lists every inbox with its unread count and switches the page to one inbox', async () => {
    await page.goto(`${t.http}/#/`);
    const switcher = page.getByTestId('inbox-switcher');
    await switcher.getByRole('link', { name: /All inboxes\s*4/ }).waitFor();
    await switcher.getByRole('link', { name: /shop\s*2/ }).waitFor();
    await switcher.getByRole('link', { name: /blog\s*1/ }).waitFor();
    await switcher.getByRole('link', { name: /default\s*1/ }).waitFor();
    await rows().filter({ hasText: 'Blog comment' }).waitFor();
    expect(await rows().count()).toBe(4);

    await switcher.getByRole('link', { name: /shop/ }).click();
    await page.waitForURL(/\/inbox\/shop\//);
    await rows().filter({ hasText: 'Shop order 1' }).waitFor();
    await rows().filter({ hasText: 'Shop order 2' }).waitFor();
    expect(await rows().count()).toBe(2);
    const current = page.getByTestId('inbox-switcher').locator('[aria-current="page"]');
    await expect(current.textContent()).resolves.toMatch(/^shop/);
    // The sidebar names the SMTP user that sends into this inbox.
    await page.getByTitle('The SMTP user name that sends mail into this inbox').getByText('shop').waitFor();
  });

  it('opens /inbox/NAME/ on that inbox: its mail only, live updates of its own, and its SMTP snippet', async () => {
    await page.goto(`${t.http}/inbox/blog/#/`);
    await rows().filter({ hasText: 'Blog comment' }).waitFor();
    expect(await rows().count()).toBe(1);

    // A mail into another inbox does not appear here; one into this inbox does, live.
    await send('shop', 'Shop order 3');
    await send('blog', 'Blog reply');
    await rows().filter({ hasText: 'Blog reply' }).waitFor();
    expect(await rows().filter({ hasText: 'Shop order 3' }).count()).toBe(0);
    await page
      .getByTestId('inbox-switcher')
      .getByRole('link', { name: /shop\s*3/ })
      .waitFor();

    // Opening a mail reads it through the inbox's API.
    await rows().filter({ hasText: 'Blog reply' }).click();
    await page.waitForFunction(
      "location.pathname === '/inbox/blog/' && location.hash.startsWith('#/message/')",
    );

    await page.goto(`${t.http}/inbox/blog/#/settings`);
    const snippet = page.getByTestId('snippet');
    await snippet.waitFor();
    await expect(snippet.textContent()).resolves.toContain("user: 'blog'");
  });

  it('answers an unknown inbox with a 404', async () => {
    const res = await page.goto(`${t.http}/inbox/nosuch/`);
    expect(res?.status()).toBe(404);
  });
});
