// Moving mail between inboxes in Chromium: "Move to…" in the message view and for the list's selection, the
// switcher's counts following, and an inbox page's empty state giving a snippet that logs in as that inbox.
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
  await send('shop', 'Welcome to Shop');
  await send('shop', 'Order 1');
  await send('shop', 'Order 2');
  await send('billing', 'Invoice 7');
  const created = await fetch(`${t.http}/api/v1/inboxes`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ Name: 'empty' }),
  });
  expect(created.status).toBe(201);
  browser = await launchChromium();
  page = await browser.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

const rows = () => page.getByTestId('message-row');
const switcherLink = (name: RegExp) => page.getByTestId('inbox-switcher').getByRole('link', { name });

describe('moving mail in the UI', () => {
  it('moves the open mail from its inbox page, and the switcher counts it in its new inbox', async () => {
    await page.goto(`${t.http}/inbox/shop/#/`);
    await switcherLink(/^shop\s*3$/).waitFor();
    await switcherLink(/^billing\s*1$/).waitFor();
    await rows().filter({ hasText: 'Welcome to Shop' }).click();
    await page.getByTestId('message-view').waitFor();
    // Opening it read it: shop shows 2 unread.
    await switcherLink(/^shop\s*2$/).waitFor();

    const menu = page.getByTestId('message-view').getByTestId('move-menu');
    await menu.getByRole('button', { name: /Move to/ }).click();
    const items = menu.getByRole('menuitem');
    // Every other inbox the caller sees, not the one this page shows.
    const names = await items.allTextContents();
    expect(names).toEqual(expect.arrayContaining(['billing', 'empty']));
    expect(names).not.toContain('shop');
    await menu.getByRole('menuitem', { name: 'billing' }).click();

    // The mail leaves this inbox's list and the open pane; the counts follow (billing: 2 mails, 1 unread).
    await page.waitForFunction("!location.hash.includes('/message/')");
    await expect
      .poll(() => rows().allTextContents())
      .not.toContainEqual(expect.stringContaining('Welcome to Shop'));
    expect(await rows().count()).toBe(2);
    await switcherLink(/^billing\s*1$/).waitFor();
    await expect(switcherLink(/^billing/).getAttribute('title')).resolves.toBe('billing: 1 unread of 2');
    await expect(switcherLink(/^shop/).getAttribute('title')).resolves.toBe('shop: 2 unread of 2');

    await page.goto(`${t.http}/inbox/billing/#/`);
    await rows().filter({ hasText: 'Welcome to Shop' }).waitFor();
    expect(await rows().count()).toBe(2);
  });

  it('moves the list selection from All inboxes, and the switcher counts the mails where they went', async () => {
    await page.goto(`${t.http}/#/`);
    await rows().filter({ hasText: 'Order 2' }).waitFor();
    for (const subject of ['Order 1', 'Order 2'])
      await rows().filter({ hasText: subject }).getByRole('checkbox').check();
    await page.getByTestId('list-count').filter({ hasText: '2 selected' }).waitFor();
    const menu = page.locator('.list-pane').getByTestId('move-menu');
    await menu.getByRole('button', { name: /^Move/ }).click();
    // Every inbox on the unscoped page, each a place to move to.
    await expect(menu.getByRole('menuitem').allTextContents()).resolves.toEqual(
      expect.arrayContaining(['billing', 'empty', 'shop']),
    );
    await menu.getByRole('menuitem', { name: 'empty' }).click();

    await switcherLink(/^empty\s*2$/).waitFor();
    await expect(switcherLink(/^shop/).getAttribute('title')).resolves.toBe('shop: 0 unread of 0');
    const inboxes = (await (await fetch(`${t.http}/api/v1/inboxes`)).json()) as {
      Inboxes: { Name: string; Total: number }[];
    };
    expect(Object.fromEntries(inboxes.Inboxes.map((i) => [i.Name, i.Total]))).toMatchObject({
      billing: 2,
      empty: 2,
      shop: 0,
    });
  });

  it('gives an empty inbox page a snippet that logs in as that inbox', async () => {
    await page.goto(`${t.http}/inbox/shop/#/`);
    const snippet = page.getByTestId('empty-snippet');
    await snippet.waitFor();
    await expect(snippet.textContent()).resolves.toContain("user: 'shop'");
  });
});
