import type { App } from 'electron';
import type { Logger } from '../logger.js';

/**
 * How long quitting waits for the sandbox to stop. A mail already accepted commits in milliseconds and open
 * connections are closed, so a stop that takes longer is stuck on something; the user asked to quit and gets to.
 */
export const STOP_DEADLINE_MS = 10_000;

export type StopOutcome = 'stopped' | 'deadline' | 'failed';

/** Awaits `stop()`, but no longer than `deadlineMs`. Never rejects. */
export async function stopWithin(
  stop: () => Promise<void>,
  deadlineMs: number,
  logger: Logger,
): Promise<StopOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<StopOutcome>((resolve) => {
    timer = setTimeout(() => resolve('deadline'), deadlineMs);
  });
  const stopped = Promise.resolve()
    .then(stop)
    .then(
      (): StopOutcome => 'stopped',
      (err: Error): StopOutcome => {
        logger.error(`stopping the sandbox failed: ${err.message}`);
        return 'failed';
      },
    );
  const outcome = await Promise.race([stopped, deadline]);
  clearTimeout(timer);
  if (outcome === 'deadline')
    logger.warn(`the sandbox did not stop within ${deadlineMs} ms; quitting anyway`);
  return outcome;
}

export interface QuitSequenceOptions {
  stop: () => Promise<void>;
  deadlineMs?: number;
  logger: Logger;
  /** Called once the sandbox has stopped (or the deadline passed), just before the app quits. */
  onStopped?(outcome: StopOutcome): void;
}

/**
 * Holds the first quit (menu, tray, Cmd+Q, last window on some platforms, system shutdown) until the sandbox has
 * stopped, so no mail that got its 250 reply is lost, then lets the quit through. Quits asked for while stopping
 * wait for the same stop.
 */
export function installQuitSequence(
  app: Pick<App, 'on' | 'quit'>,
  { stop, deadlineMs = STOP_DEADLINE_MS, logger, onStopped }: QuitSequenceOptions,
): { readonly state: 'running' | 'stopping' | 'stopped' } {
  const sequence = { state: 'running' as 'running' | 'stopping' | 'stopped' };
  app.on('before-quit', (event) => {
    if (sequence.state === 'stopped') return;
    event.preventDefault();
    if (sequence.state === 'stopping') return;
    sequence.state = 'stopping';
    void stopWithin(stop, deadlineMs, logger).then((outcome) => {
      sequence.state = 'stopped';
      onStopped?.(outcome);
      app.quit();
    });
  });
  return sequence;
}
