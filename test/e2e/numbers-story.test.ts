// A new user's story in Debian's Chromium against a real `mailbeacon serve`: `mailbeacon send`, open the mail where
// it says, read it in the preview, click its link, then simulate each recipient profile. After every step, for each
// position of the "Real recipients only" switch, the message header's badges, the list's filter, the Events page's
// rate cards and charts, the search filters and the API's summary must all say the same.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CountScope,
  EventsResponse,
  HitCounts,
  MessageSummary,
  MessagesSummary,
  MessageTracking,
  TrackingSummary,
} from '../../src-main/wire/types';
import {
  artifactPath,
  ensureRendererBuilt,
  launchChromium,
  ROOT,
  startServe,
  until,
  type Serve,
} from './harness';

const run = promisify(execFile);

let serve: Serve;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  await ensureRendererBuilt();
  serve = await startServe();
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
}, 240_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await serve?.stop();
});

async function api<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`${serve.http}/api/v1/${path}`, init);
  if (!res.ok)
    throw new Error(`${init?.method ?? 'GET'} /api/v1/${path} → ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const countsIn = (m: MessageSummary, scope: CountScope): HitCounts =>
  scope === 'recipients' ? m.Tracking.recipients : m.Tracking;

/** What the API says under a scope: the summary, each mail's counts, and the search filters. */
async function apiFigures(scope: CountScope) {
  const summary = await api<TrackingSummary>(
    `tracking/summary${scope === 'recipients' ? '?simulated=no' : ''}`,
  );
  const { messages } = await api<MessagesSummary>('messages?limit=1000');
  const term = scope === 'recipients' ? ' source:recipient' : '';
  const searched = async (q: string) =>
    (await api<MessagesSummary>(`search?query=${encodeURIComponent(q + term)}&limit=1000`)).messages.length;
  const total = (pick: (c: HitCounts) => number) =>
    messages.reduce((n, m) => n + pick(countsIn(m, scope)), 0);
  const mailsWith = (pick: (c: HitCounts) => boolean) =>
    messages.filter((m) => pick(countsIn(m, scope))).length;
  return {
    summary,
    messages,
    opened: mailsWith((c) => c.opens > 0),
    clicked: mailsWith((c) => c.clicks > 0),
    unsubscribed: mailsWith((c) => c.unsubscribed),
    opens: total((c) => c.opens),
    clicks: total((c) => c.clicks),
    machine: total((c) => c.machine.opens + c.machine.clicks),
    search: {
      opened: await searched('is:opened'),
      clicked: await searched('is:clicked'),
      unsubscribed: await searched('is:unsubscribed'),
      machineOpened: await searched('is:machine-opened'),
    },
  };
}

async function setScope(page: Page, scope: CountScope): Promise<void> {
  const box = page.getByTestId('scope-switch').getByRole('checkbox');
  if ((await box.isChecked()) !== (scope === 'recipients')) await box.setChecked(scope === 'recipients');
}

const attr = async (page: Page, testId: string, name: string) =>
  Number(await page.getByTestId(testId).getAttribute(name));

/** Every figure for one scope, after one step of the story: the API's among themselves, then the UI's. */
async function agree(page: Page, id: string, step: string, scope: CountScope) {
  const f = await apiFigures(scope);
  const label = `${step}, ${scope}`;
  // The API: the summary, the mails' counts and the search filters.
  expect([f.summary.opened, f.summary.clicked, f.summary.unsubscribed], label).toEqual([
    f.opened,
    f.clicked,
    f.unsubscribed,
  ]);
  expect([f.search.opened, f.search.clicked, f.search.unsubscribed], label).toEqual([
    f.opened,
    f.clicked,
    f.unsubscribed,
  ]);
  expect(f.search.machineOpened, label).toBe(
    f.messages.filter((m) => countsIn(m, scope).machine.opens > 0).length,
  );
  expect(f.summary.machine, label).toBe(f.machine);

  // The Events page: rate cards and both charts.
  await page.goto(`${serve.http}/#/events`);
  await setScope(page, scope);
  // The cards load on their own: wait for each to reach the figure (or the 10 s bound) before comparing.
  for (const [card, count] of [
    ['open-rate', f.opened],
    ['click-rate', f.clicked],
    ['unsub-rate', f.unsubscribed],
  ] as const)
    await page
      .locator(`[data-testid=${card}][data-count="${count}"]`)
      .waitFor({ timeout: 10_000 })
      .catch(() => undefined);
  expect(await attr(page, 'open-rate', 'data-count'), label).toBe(f.opened);
  expect(await attr(page, 'click-rate', 'data-count'), label).toBe(f.clicked);
  expect(await attr(page, 'unsub-rate', 'data-count'), label).toBe(f.unsubscribed);
  expect(await page.getByTestId('open-rate').textContent(), label).toContain(
    `of ${f.summary.withPixel} mail${f.summary.withPixel === 1 ? '' : 's'} with a pixel`,
  );
  await page
    .locator(`[data-testid=chart-over-time][data-opens="${f.opens}"]`)
    .waitFor({ timeout: 10_000 })
    .catch(() => undefined);
  expect(await attr(page, 'chart-over-time', 'data-opens'), label).toBe(f.opens);
  expect(await attr(page, 'chart-over-time', 'data-clicks'), label).toBe(f.clicks);
  expect(await attr(page, 'chart-over-time', 'data-machine'), label).toBe(f.machine);
  expect(await attr(page, 'chart-per-mail', 'data-opens'), label).toBe(f.opens);
  expect(await attr(page, 'chart-per-mail', 'data-clicks'), label).toBe(f.clicks);
  if (f.opened + f.clicked + f.unsubscribed === 0) {
    const hint = await page.getByTestId('nothing-counted').textContent();
    expect(hint, label).toContain('Simulate');
    expect(hint, label).toContain('POP3');
    if (f.summary.preview > 0) expect(hint, label).toContain(`${f.summary.preview} preview hit`);
  } else {
    expect(await page.getByTestId('nothing-counted').count(), label).toBe(0);
  }

  // The message header's badges.
  const mail = f.messages.find((m) => m.ID === id)!;
  const counts = countsIn(mail, scope);
  await page.goto(`${serve.http}/#/message/${encodeURIComponent(id)}`);
  const header = page.locator('.message-tracking-line');
  await header.locator(`[data-testid=badge-opens][data-count="${counts.opens}"]`).waitFor();
  expect(Number(await header.getByTestId('badge-clicks').getAttribute('data-count')), label).toBe(
    counts.clicks,
  );
  // The list row's badges show what happened, with the same figures.
  const row = page.getByTestId('message-row').filter({ hasText: mail.Subject });
  // The list loads beside the message: wait for its row to show the figures before counting badges.
  if (counts.opens > 0)
    await row.locator(`[data-testid=badge-opens][data-count="${counts.opens}"]`).waitFor();
  else await row.waitFor();
  if (counts.clicks > 0)
    await row.locator(`[data-testid=badge-clicks][data-count="${counts.clicks}"]`).waitFor();
  expect(await row.getByTestId('badge-opens').count(), label).toBe(counts.opens > 0 ? 1 : 0);
  if (counts.opens > 0)
    expect(Number(await row.getByTestId('badge-opens').getAttribute('data-count')), label).toBe(counts.opens);
  expect(await row.getByTestId('badge-clicks').count(), label).toBe(counts.clicks > 0 ? 1 : 0);
  const opensText = (await header.getByTestId('badge-opens').textContent()) ?? '';
  expect(opensText, label).toContain(`opened ${counts.opens}×`);
  if (scope === 'with-simulated' && counts.opens > mail.Tracking.recipients.opens)
    expect(opensText, label).toContain('simulated');
  if (mail.Tracking.preview.opens > 0)
    expect(await header.getByTestId('badge-beside').textContent(), label).toContain(
      `${mail.Tracking.preview.opens + mail.Tracking.preview.clicks} your preview`,
    );

  // The inbox's Opened filter lists as many mails as are opened.
  await page.goto(`${serve.http}/#/?q=${encodeURIComponent('is:opened')}`);
  const rows = page.getByTestId('message-row');
  if (f.opened > 0) await rows.nth(f.opened - 1).waitFor();
  else await page.waitForTimeout(0);
  await until(`${f.opened} opened rows (${label})`, async () =>
    (await rows.count()) === f.opened ? true : undefined,
  );
}

describe('a new user’s story: every figure agrees, whoever made the hits', () => {
  it('send, preview, click, then each simulated profile, with and without simulated recipients', async () => {
    // `mailbeacon send` says where to look, as the UI's own route.
    const sent = await run(
      process.execPath,
      ['bin/mailbeacon.js', 'send', '--smtp', `${serve.smtpHost}:${serve.smtpPort}`, '--http', serve.http],
      { cwd: ROOT, env: { ...process.env, MAILBEACON_FROM_SOURCE: '1' } },
    );
    const where = /Open it: (\S+)/.exec(sent.stdout)?.[1];
    expect(where).toMatch(new RegExp(`^${serve.http.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/#/message/`));
    const id = decodeURIComponent(where!.split('/#/message/')[1]!);
    const page = await context.newPage();

    // Reading it in the preview: the user's own open, listed, not counted.
    await page.goto(where!);
    await page.frameLocator('[data-testid=preview-frame]').locator('h1').waitFor({ state: 'attached' });
    await until('the preview open', async () => {
      const r = await api<EventsResponse>(`message/${id}/events`);
      return r.events.some((e) => e.source === 'preview') ? true : undefined;
    });
    // Clicking its link in the preview.
    const link = page.frameLocator('[data-testid=preview-frame]').getByRole('link', { name: 'Get started' });
    const href = (await link.getAttribute('href'))!;
    expect(href).toMatch(/\/c\?t=[^&]+&mb=/);
    await (await fetch(href, { redirect: 'manual' })).arrayBuffer();
    await until('the preview click', async () => {
      const r = await api<EventsResponse>(`message/${id}/events?source=preview`);
      return r.events.some((e) => e.kind === 'click') ? true : undefined;
    });

    // Nothing is counted yet, and every view says so the same way; the events are listed, marked as the user's.
    for (const scope of ['with-simulated', 'recipients'] as const) await agree(page, id, 'preview', scope);
    await page.goto(`${serve.http}/#/events`);
    await page.locator('[data-testid=event-row][data-role=preview]').first().waitFor();
    expect(await page.getByTestId('events-empty').count()).toBe(0);
    await page.screenshot({ path: artifactPath('numbers-preview-only.png'), fullPage: true });

    const tracking = await api<MessageTracking>(`message/${id}/tracking`);
    expect(tracking.pixel).not.toBeNull();
    for (const profile of [
      'human-open',
      'apple-mpp',
      'gmail-proxy',
      'human-click',
      'safe-links',
      'unsubscribe-one-click',
    ]) {
      await api(`message/${id}/simulate`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ profile }),
      });
      for (const scope of ['with-simulated', 'recipients'] as const) await agree(page, id, profile, scope);
    }

    // The end of the story: a simulated person opened, clicked and unsubscribed; no real recipient did.
    const all = await apiFigures('with-simulated');
    expect([all.opened, all.clicked, all.unsubscribed]).toEqual([1, 1, 1]);
    expect(all.summary.bySource.simulated).toEqual({ opened: 1, clicked: 1, unsubscribed: 1 });
    const real = await apiFigures('recipients');
    expect([real.opened, real.clicked, real.unsubscribed, real.machine]).toEqual([0, 0, 0, 0]);
    await page.goto(`${serve.http}/#/events`);
    await setScope(page, 'with-simulated');
    await page.getByTestId('open-rate').filter({ hasText: '1 opened · simulated' }).waitFor();
    await page.screenshot({ path: artifactPath('numbers-simulated.png'), fullPage: true });
    await page.goto(`${serve.http}/#/message/${encodeURIComponent(id)}`);
    await page
      .locator('.message-tracking-line')
      .getByTestId('badge-opens')
      .filter({ hasText: 'opened 1× · simulated' })
      .waitFor();
  }, 300_000);
});
