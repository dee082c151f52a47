import { afterAll, beforeAll } from 'vitest';
import { startSandbox, type RunningSandbox, type SandboxStartOptions } from './index.js';

/**
 * Starts a sandbox before the tests of the file (or `describe` block) and stops it after them. The returned object's
 * fields are usable inside tests and hooks, once `beforeAll` has run.
 */
export function useSandbox(options: SandboxStartOptions = {}): RunningSandbox {
  let running: RunningSandbox | undefined;
  beforeAll(async () => {
    running = await startSandbox(options);
  });
  afterAll(async () => {
    await running?.stop();
  });
  const current = (): RunningSandbox => {
    if (!running)
      throw new Error('useSandbox(): the sandbox starts in beforeAll; use it inside a test or hook');
    return running;
  };
  return {
    get sandbox() {
      return current().sandbox;
    },
    get smtp() {
      return current().smtp;
    },
    get http() {
      return current().http;
    },
    get tracking() {
      return current().tracking;
    },
    get trackingUrl() {
      return current().trackingUrl;
    },
    get client() {
      return current().client;
    },
    inbox: (name, credentials) => current().inbox(name, credentials),
    stop: () => current().stop(),
  };
}
