import { describe, expect, it } from 'vitest';
import { installQuitSequence, stopWithin, type StopOutcome } from '../../src-main/app/quit.js';
import { recordingLogger, StandInApp } from './stand-ins.js';

/** A promise with its resolver, so a test decides when "stop" finishes. */
function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Resolves once the quit sequence reports its outcome. */
function installed(app: StandInApp, stop: () => Promise<void>, deadlineMs = 10_000) {
  const { logger, lines } = recordingLogger();
  let report!: (outcome: StopOutcome) => void;
  const outcome = new Promise<StopOutcome>((r) => (report = r));
  const sequence = installQuitSequence(app as never, { stop, deadlineMs, logger, onStopped: report });
  return { sequence, outcome, lines };
}

describe('quit sequence', () => {
  it('holds the quit until stop() has resolved, then quits', async () => {
    const app = new StandInApp();
    const stop = deferred();
    let stopCalls = 0;
    const { sequence, outcome } = installed(app, () => {
      stopCalls++;
      return stop.promise;
    });

    app.quit();
    expect(app.quitEvents[0]!.defaultPrevented).toBe(true);
    expect(sequence.state).toBe('stopping');
    // Another quit while stopping waits for the same stop.
    app.quit();
    expect(app.quitEvents[1]!.defaultPrevented).toBe(true);
    await Promise.resolve();
    expect(stopCalls).toBe(1);
    expect(app.quitEvents).toHaveLength(2);

    stop.resolve();
    expect(await outcome).toBe('stopped');
    expect(app.quitEvents).toHaveLength(3);
    expect(app.quitEvents[2]!.defaultPrevented).toBe(false);
    expect(sequence.state).toBe('stopped');
  });

  it('quits at the deadline when stop() hangs', async () => {
    const app = new StandInApp();
    const { outcome, lines } = installed(app, () => new Promise<void>(() => undefined), 50);
    app.quit();
    expect(await outcome).toBe('deadline');
    expect(app.quitEvents.at(-1)!.defaultPrevented).toBe(false);
    expect(lines.some((l) => l.level === 'warn' && l.message.includes('within 50 ms'))).toBe(true);
  });

  it('still quits when stop() fails, and says why', async () => {
    const app = new StandInApp();
    const { outcome, lines } = installed(app, async () => {
      throw new Error('[db] disk full');
    });
    app.quit();
    expect(await outcome).toBe('failed');
    expect(app.quitEvents.at(-1)!.defaultPrevented).toBe(false);
    expect(lines.some((l) => l.level === 'error' && l.message.includes('[db] disk full'))).toBe(true);
  });

  it('stopWithin reports a prompt stop as stopped', async () => {
    const { logger } = recordingLogger();
    expect(await stopWithin(async () => undefined, 10_000, logger)).toBe('stopped');
  });
});
