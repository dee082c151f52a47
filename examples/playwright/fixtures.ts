// The fixture file of a Playwright project: the test function, extended with a Mailbeacon sandbox per worker.
import { test as base } from '@playwright/test';
import { mailbeaconFixtures, type RunningSandbox } from 'mailbeacon/testing/playwright';

export { expect } from '@playwright/test';

export const test = base.extend<object, { mailbeacon: RunningSandbox }>(mailbeaconFixtures());
