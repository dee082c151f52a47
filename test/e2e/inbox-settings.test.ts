// The per-inbox settings form in Chromium: reached from the switcher, saved with PUT, still there after a reload,
// a bad value shown at its field, and each field beside the server's flag it falls back to.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboxSettingsResponse } from '../../src-main/wire/types.js';
import { ensureRendererBuilt, launchChromium } from './harness.js';
import { getJson, smtpTransport, startSandbox, type TestSandbox } from '../helpers/sandbox.js';

let t: TestSandbox;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  await ensureRendererBuilt();
  t = await startSandbox({ hubAnonymous: true, maxMessages: 10000 });
  await smtpTransport(t, { auth: { user: 'shop', pass: 'x' } }).sendMail({
    from: 'app@shop.test',
    to: 'ann@example.test',
    subject: 'Welcome',
    text: 'hi',
  });
  browser = await launchChromium();
  page = await browser.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe('the inbox settings form', () => {
  it('saves a change that is still there after a reload', async () => {
    await page.goto(`${t.http}/inbox/shop/#/`);
    await page.getByTestId('inbox-switcher').getByRole('link', { name: 'Inbox settings' }).click();
    const form = page.getByTestId('inbox-settings-page');
    await form.getByLabel('Keep at most').waitFor();
    await form.getByText('default: 10000 (--max-messages)').waitFor();

    await form.getByLabel('Keep at most').fill('500');
    await form.getByLabel('Track opens and clicks').selectOption('off');
    await form.getByLabel('URL').fill('https://example.org/hooks/shop');
    await form.getByRole('button', { name: 'Generate' }).click();
    await form.getByRole('button', { name: 'Add rule' }).click();
    await form.getByLabel('Tag of rule 1').fill('welcome');
    await form.getByLabel('Query of rule 1').fill('subject:welcome');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();

    const stored = await getJson<InboxSettingsResponse>(`${t.http}/api/v1/inboxes/shop/settings`);
    expect(stored.Settings).toMatchObject({
      MaxMessages: 500,
      Tracking: false,
      Webhook: { URL: 'https://example.org/hooks/shop' },
      TagRules: [{ Tag: 'welcome', Query: 'subject:welcome' }],
    });
    expect(stored.Settings.Webhook.Secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);

    await page.reload();
    await expect(form.getByLabel('Keep at most').inputValue()).resolves.toBe('500');
    await expect(form.getByLabel('Track opens and clicks').inputValue()).resolves.toBe('off');
    await expect(form.getByLabel('Query of rule 1').inputValue()).resolves.toBe('subject:welcome');
    await expect(form.getByLabel('Secret').inputValue()).resolves.toBe(stored.Settings.Webhook.Secret);
  });

  it('shows a 400 at the field it is about, and keeps what was stored', async () => {
    await page.goto(`${t.http}/inbox/shop/#/inbox-settings`);
    const form = page.getByTestId('inbox-settings-page');
    await form.getByLabel('Delete mail older than').fill('7 weeks');
    await form.getByLabel('Recipients matching').fill('(');
    await form.getByRole('button', { name: 'Save' }).click();
    const ageRow = form.locator('.setting-row', { has: page.getByLabel('Delete mail older than') });
    await ageRow.getByRole('alert').waitFor();
    const matchRow = form.locator('.setting-row', { has: page.getByLabel('Recipients matching') });
    await expect(matchRow.getByRole('alert').textContent()).resolves.toMatch(/bad regular expression/);
    const stored = await getJson<InboxSettingsResponse>(`${t.http}/api/v1/inboxes/shop/settings`);
    expect(stored.Settings.MaxAge).toBeNull();
    expect(stored.Settings.MaxMessages).toBe(500);
  });
});
