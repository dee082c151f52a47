// With @playwright/test, the fixture file is two lines:
//
//   import { test as base } from '@playwright/test';
//   export const test = base.extend<object, { mailbeacon: RunningSandbox }>(mailbeaconFixtures());
//
// This checkout does not depend on @playwright/test, so the example runs under Vitest with `playwright-core` and
// the small stand-in for `test.extend` below, which calls the fixture as Playwright does (`fixture({}, use)`).
import { afterAll, beforeAll, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { mailbeaconFixtures, type RunningSandbox } from 'mailbeacon/testing/playwright';

export { expect } from 'vitest';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

type Fixtures = { mailbeacon: RunningSandbox; page: Page };

function extend(fixtures: ReturnType<typeof mailbeaconFixtures>) {
  const [setup] = fixtures.mailbeacon;
  let mailbeacon: RunningSandbox | undefined;
  let browser: Browser | undefined;
  let release = () => {};
  let finished: Promise<void> = Promise.resolve();
  beforeAll(async () => {
    await new Promise<void>((ready, failed) => {
      finished = setup(
        {},
        (value) => {
          mailbeacon = value;
          ready();
          return new Promise<void>((resolve) => (release = resolve));
        },
        {},
      );
      finished.catch(failed);
    });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    release();
    await finished;
  });
  return (name: string, body: (fixtures: Fixtures) => Promise<void>) =>
    it(name, async () => {
      // A headless browser names itself in its user agent, and tracking counts that as a scanner.
      const context = await browser!.newContext({
        userAgent:
          'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
      });
      try {
        await body({ mailbeacon: mailbeacon!, page: await context.newPage() });
      } finally {
        await context.close();
      }
    });
}

export const test = extend(mailbeaconFixtures());
