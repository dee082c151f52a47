// The preview and the Events page in Debian's Chromium against a real `mailbeacon serve`: the preview's hits are the
// user's own (source preview) and fire once per session; rate cards count people from recipients and simulated
// recipients by default, real recipients alone with the switch.
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EventsResponse, MessagesSummary, MessageTracking } from '../../src-main/wire/types';
import { artifactPath, ensureRendererBuilt, launchChromium, startServe, until, type Serve } from './harness';

let serve: Serve;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  await ensureRendererBuilt();
  serve = await startServe();
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
});

afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
});

async function openApp(path: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${serve.http}/#${path}`);
  return page;
}

async function api<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`${serve.http}/api/v1/${path}`, init);
  if (!res.ok)
    throw new Error(`${init?.method ?? 'GET'} /api/v1/${path} → ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function sendMail(subject: string): Promise<string> {
  const transport = nodemailer.createTransport({
    host: serve.smtpHost,
    port: serve.smtpPort,
    secure: false,
  });
  await transport.sendMail({
    from: '"Acme Shop" <shop@acme.test>',
    to: 'ann@example.org',
    subject,
    html: `<!doctype html><html><body><h1>${subject}</h1><p><a href="https://example.com/start">Get started</a></p></body></html>`,
  });
  transport.close();
  return until(`mail "${subject}"`, async () => {
    const res = await api<MessagesSummary>(`search?query=${encodeURIComponent(`subject:"${subject}"`)}`);
    return res.messages[0]?.ID;
  });
}

/** The preview frame once loaded: the server answers the pixel only once its hit is stored. */
async function loadedPreview(page: Page) {
  // The frame shows an empty page until the marked URLs have arrived; the mail's heading says they have.
  await page.frameLocator('[data-testid=preview-frame]').locator('h1').waitFor({ state: 'attached' });
  const handle = await page.getByTestId('preview-frame').elementHandle();
  const frame = await handle!.contentFrame();
  await frame!.waitForLoadState('load');
  return frame!;
}

const unique = (what: string) => `${what} ${randomUUID().slice(0, 6)}`;

describe('the preview is the sandbox', () => {
  it('records one sandbox open and no recipient open, also after re-rendering and switching tabs', async () => {
    const subject = unique('Preview');
    const id = await sendMail(subject);
    const page = await openApp(`/message/${id}`);
    const first = await loadedPreview(page);
    expect(await first.locator('img[width="1"]').getAttribute('src')).toMatch(/\/o\?t=[^&]+&mb=/);
    await until('the sandbox open', async () => {
      const r = await api<EventsResponse>(`message/${id}/events`);
      return r.total >= 1 ? r : undefined;
    });

    // Another tab and back remounts the preview; another width re-renders it.
    await page.getByRole('tab', { name: 'Tracking' }).click();
    await page.getByTestId('manifest').waitFor();
    await page.getByRole('tab', { name: 'Preview' }).click();
    const again = await loadedPreview(page);
    expect(await again.locator('img[width="1"]').getAttribute('src')).toMatch(/^data:image\/gif/);
    await page.getByRole('button', { name: /^mobile/ }).click();
    await loadedPreview(page);
    await page.screenshot({ path: artifactPath('preview-sandbox.png') });

    // A click in the preview is a sandbox click; once it is stored, so is anything the preview fetched before.
    const link = page.frameLocator('[data-testid=preview-frame]').getByRole('link', { name: 'Get started' });
    expect(await link.getAttribute('href')).toMatch(/\/c\?t=[^&]+&mb=/);
    const tracking = await api<MessageTracking>(`message/${id}/tracking`);
    const clickUrl = (await link.getAttribute('href'))!;
    expect(clickUrl.startsWith(tracking.links[0]!.trackedUrl)).toBe(true);
    await fetch(clickUrl, { redirect: 'manual' });

    const all = await until('the sandbox click', async () => {
      const r = await api<EventsResponse>(`message/${id}/events`);
      return r.events.some((e) => e.kind === 'click') ? r : undefined;
    });
    const opens = all.events.filter((e) => e.kind === 'open');
    expect(opens).toHaveLength(1);
    expect(opens[0]!.source).toBe('preview');
    expect(all.events.every((e) => e.source === 'preview')).toBe(true);
    const recipient = await api<EventsResponse>(`message/${id}/events?source=recipient`);
    expect(recipient.total).toBe(0);
  });
});

describe('the Events page', () => {
  it('counts people from recipients and simulated recipients by default, machine hits beside them, and real recipients alone with the switch', async () => {
    const human = unique('Human');
    const humanId = await sendMail(human);
    const machine = unique('Machine');
    const machineId = await sendMail(machine);
    // A recipient's person and a recipient's proxy, straight to the tracking URL as mail clients fetch it.
    const pixel = async (id: string, ua: string) => {
      const t = await api<MessageTracking>(`message/${id}/tracking`);
      await (await fetch(t.pixel!.url, { headers: { 'User-Agent': ua } })).arrayBuffer();
    };
    await pixel(
      humanId,
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)',
    );
    await pixel(machineId, 'Mozilla/5.0');
    // Simulations of people are still the sandbox's.
    for (const profile of ['human-open', 'apple-mpp', 'safe-links']) {
      await api(`message/${machineId}/simulate`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ profile }),
      });
    }

    const page = await openApp('/events');
    const openRate = page.getByTestId('open-rate');
    // By default a recipient's person and a simulated person both count, each labelled.
    await openRate.filter({ hasText: '2 opened · recipients + simulated' }).waitFor();
    expect(await openRate.textContent()).toContain('with a pixel');
    expect(await page.getByTestId('click-rate').textContent()).toContain('0 clicked');
    const beside = await page.getByTestId('beside').textContent();
    expect(beside).toMatch(/[3-9]\d* proxy\/scanner/);
    // The per-mail chart names the mail that had the events.
    await page
      .locator('.chart-panel')
      .filter({ hasText: human.slice(0, 12) })
      .waitFor();
    await page.locator('table[data-testid=all-events] th').filter({ hasText: 'Source' }).waitFor();
    await page.screenshot({ path: artifactPath('events-rates.png'), fullPage: true });

    // Real recipients only: the simulated person drops out and is named beside the figures.
    await page.getByTestId('scope-switch').getByRole('checkbox').check();
    await openRate.filter({ hasText: '1 opened · real recipients' }).waitFor();
    expect(await page.getByTestId('beside').textContent()).toMatch(/1 proxy\/scanner .* [1-9]\d* simulated/);
    await page.getByTestId('scope-switch').getByRole('checkbox').uncheck();
    await openRate.filter({ hasText: '2 opened' }).waitFor();
    // The list filters by source, `sandbox` in an old link meaning the preview.
    await page.getByLabel('Source').selectOption('simulated');
    await page.locator('[data-testid=event-row][data-role=counted]').first().waitFor();
  });
});
