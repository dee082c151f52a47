import type { Logger } from '../logger.js';

/** What the sandbox closes on stop, recorded in the order the services started. */
export type Closers = { what: string; close: () => Promise<void> | void }[];

/** Closes each in reverse order of start; one that fails is logged and does not keep the others open. */
export async function closeInReverse(closers: Closers, logger: Logger): Promise<void> {
  for (const { what, close } of [...closers].reverse()) {
    try {
      await close();
    } catch (err) {
      logger.error(`stopping ${what}: ${(err as Error).message}`);
    }
  }
}

/** `opened(what, service)`: records the service to close on stop and hands it back. */
export function recorder(closers: Closers) {
  return <T extends { close: () => Promise<void> | void }>(what: string, service: T): T => {
    closers.push({ what, close: () => service.close() });
    return service;
  };
}
