import { startSandbox, type RunningSandbox, type SandboxStartOptions } from './index.js';

/** The shape of a worker-scoped fixture in `@playwright/test`'s `test.extend` (kept structural: no dependency). */
export type WorkerFixture<T> = [
  (args: object, use: (value: T) => Promise<void>, workerInfo: unknown) => Promise<void>,
  { scope: 'worker' },
];

/**
 * Fixtures for `@playwright/test`: `test.extend<object, { mailbeacon: RunningSandbox }>(mailbeaconFixtures())`
 * gives every test a `mailbeacon` argument, one in-process sandbox per worker.
 */
export function mailbeaconFixtures(options: SandboxStartOptions = {}): {
  mailbeacon: WorkerFixture<RunningSandbox>;
} {
  return {
    mailbeacon: [
      // Playwright reads which fixtures a fixture needs from its first parameter, which must be a destructuring.
      // eslint-disable-next-line no-empty-pattern
      async ({}, use) => {
        const sandbox = await startSandbox(options);
        try {
          await use(sandbox);
        } finally {
          await sandbox.stop();
        }
      },
      { scope: 'worker' },
    ],
  };
}

export type { RunningSandbox } from './index.js';
