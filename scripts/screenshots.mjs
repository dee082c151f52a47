#!/usr/bin/env node
// `npm run screenshots`: the README's pictures, taken from the real UI so they stay true. Starts `mailbeacon serve`
// on free ports with an empty data dir, sends the sample mail (`mailbeacon send`) to a few recipients, and photographs
// the inbox, the tracking inspector, the Events page and Settings at 800, 1024 and 1440 px, light and dark, with
// Chromium (/usr/bin/chromium or $CHROMIUM). Usage: node scripts/screenshots.mjs [--out docs/screenshots]
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { out: { type: 'string', default: 'docs/screenshots' } } });
const OUT = resolve(ROOT, values.out);
const WIDTHS = [800, 1024, 1440];
const THEMES = ['light', 'dark'];
const RECIPIENTS = [
  'Ann Example <ann@example.org>',
  'Bob Builder <bob@example.net>',
  'Chloe <chloe@example.com>',
];
/** serve prints its JSON line once every listener is up (after building the UI on a fresh checkout). */
const START_TIMEOUT_MS = 180_000;

function startServe(dataDir) {
  const child = spawn(
    process.execPath,
    [
      'bin/mailbeacon.js',
      'serve',
      '--json',
      '--data-dir',
      dataDir,
      '--smtp',
      '127.0.0.1:0',
      '--http',
      '127.0.0.1:0',
      '--tracking',
      '127.0.0.1:0',
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolveStart, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error('serve did not start')), START_TIMEOUT_MS);
    child.stdout.on('data', (d) => {
      output += d;
      const line = output.split('\n').find((l) => l.startsWith('{'));
      if (!line) return;
      clearTimeout(timer);
      const { smtp, http } = JSON.parse(line);
      resolveStart({ child, smtp, http: /^https?:/.test(http) ? http.replace(/\/$/, '') : `http://${http}` });
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'mailbeacon-screenshots-'));
  const { child, smtp, http } = await startServe(dataDir);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  try {
    for (const to of RECIPIENTS)
      execFileSync(process.execPath, ['bin/mailbeacon.js', 'send', '--smtp', smtp, '--to', to], {
        cwd: ROOT,
      });
    const list = await (await fetch(`${http}/api/v1/messages`)).json();
    const id = list.messages[0].ID;
    // A recipient's journey and a link scanner, so the tracking inspector and the Events page have something to show.
    for (const profile of ['inbox-journey', 'safe-links', 'human-click'])
      await fetch(`${http}/api/v1/message/${id}/simulate`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ profile, compress: 100000 }),
      });
    for (const width of WIDTHS) {
      for (const theme of THEMES) {
        const context = await browser.newContext({
          viewport: { width, height: width < 1000 ? 760 : 900 },
          colorScheme: theme,
        });
        const page = await context.newPage();
        await page.goto(`${http}/#/message/${id}`);
        await page.getByTestId('message-view').waitFor();
        // The preview frame loads the pixel: the open shows up on the tracking tab.
        await page.locator('iframe').first().waitFor();
        await page.waitForTimeout(1000); // images and the pixel's open settle
        await page.screenshot({ path: join(OUT, `inbox-${width}-${theme}.png`) });
        await page.goto(`${http}/#/message/${id}?tab=tracking`);
        await page.getByTestId('message-view').waitFor();
        await page.waitForTimeout(1000); // images and the pixel's open settle
        await page.screenshot({ path: join(OUT, `tracking-${width}-${theme}.png`) });
        await page.goto(`${http}/#/events?kind=&classification=&source=&range=all`);
        await page.getByTestId('events-page').waitFor();
        await page.waitForTimeout(1000); // the charts draw after their data
        await page.screenshot({ path: join(OUT, `events-${width}-${theme}.png`) });
        await page.goto(`${http}/#/settings`);
        await page.getByTestId('effective-config').scrollIntoViewIfNeeded();
        await page.waitForTimeout(500);
        await page.screenshot({ path: join(OUT, `settings-${width}-${theme}.png`) });
        await context.close();
      }
    }
    process.stdout.write(`screenshots in ${OUT}\n`);
  } finally {
    await browser.close();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
