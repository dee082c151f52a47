// The tag editor, the sidebar's tag filter and the chaos banner, in Chromium against an in-process sandbox.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureRendererBuilt, launchChromium } from './harness.js';
import { getJson, smtpTransport, startSandbox, type TestSandbox } from '../helpers/sandbox.js';

let t: TestSandbox;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  await ensureRendererBuilt();
  t = await startSandbox({ enableChaos: true, hubAnonymous: true });
  const send = (subject: string, headers: Record<string, string> = {}) =>
    smtpTransport(t).sendMail({ from: 'a@shop.test', to: 'b@example.test', subject, text: 'hi', headers });
  await send('Tagged already', { 'X-Tags': 'vip' });
  await send('Not tagged yet');
  browser = await launchChromium();
  page = await browser.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe('tags and chaos in the UI', () => {
  it('adds a tag in the message view, lists it in the sidebar with its count, and filters the inbox by it', async () => {
    await page.goto(`${t.http}/#/`);
    await page.getByTestId('message-row').filter({ hasText: 'Not tagged yet' }).click();
    const editor = page.getByTestId('tag-editor');
    await editor.getByLabel('Add a tag').fill('billing');
    await editor.getByLabel('Add a tag').press('Enter');
    await editor.getByText('billing').waitFor();

    const filter = page.getByTestId('tag-filter');
    await filter.getByRole('button', { name: /billing\s*1/ }).waitFor();
    await filter.getByRole('button', { name: /vip\s*1/ }).waitFor();
    const stored = await getJson<{ Tags: Record<string, number> }>(`${t.http}/api/v1/info`);
    expect(stored.Tags).toEqual({ billing: 1, vip: 1 });

    await filter.getByRole('button', { name: /vip/ }).click();
    await page.waitForFunction("decodeURIComponent(location.hash).includes('q=tag:vip')");
    await page
      .getByTestId('message-row')
      .filter({ hasText: 'Not tagged yet' })
      .waitFor({ state: 'detached' });
    // The list may be empty for a moment while the filtered page loads: wait for its row, then count.
    await page.getByTestId('message-row').filter({ hasText: 'Tagged already' }).waitFor();
    expect(await page.getByTestId('message-row').count()).toBe(1);
    await expect(page.getByTestId('message-row').textContent()).resolves.toContain('Tagged already');

    // Removing the tag from the open mail takes it out of the sidebar.
    await page.getByTestId('message-row').first().click();
    await page.getByTestId('tag-editor').getByLabel('Remove tag vip').click();
    await filter.getByRole('button', { name: /vip/ }).waitFor({ state: 'detached' });
  });

  it('shows a banner while a chaos trigger is on, and none once it is reset', async () => {
    await page.goto(`${t.http}/#/`);
    expect(await page.getByTestId('chaos-badge').count()).toBe(0);
    await fetch(`${t.http}/api/v1/chaos`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ Recipient: { ErrorCode: 451, Probability: 100 } }),
    });
    await page.reload();
    const badge = page.getByTestId('chaos-badge');
    await badge.waitFor({ timeout: 15_000 });
    expect(await badge.textContent()).toContain('RCPT TO 451 (100%)');
    await fetch(`${t.http}/api/v1/chaos`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    await badge.waitFor({ state: 'detached', timeout: 15_000 });
  });
});
