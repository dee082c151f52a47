import type { Worker } from 'node:worker_threads';
import type { Logger } from '../logger.js';
import type { SpawnWorker } from '../threads/spawn.js';
import { CheckRefused } from './limits.js';
import { runCheck, type CheckReply, type CheckTask } from './tasks.js';

/** How long each kind of check may take before its worker is killed; the caps make most refusals quicker. */
export const CHECK_TIME_LIMITS_MS: Record<CheckTask['kind'], number> = {
  'html-check': 20_000,
  links: 15_000,
  'spam-report': 5_000,
};

/** Loading a worker's code (tsx compiles the sources when run from them) may take this long on a busy machine. */
const WORKER_START_MS = 60_000;

export interface CheckRunnerOptions {
  /** Starts a check worker (workers/checks.ts). */
  spawn: SpawnWorker;
  logger: Logger;
  /** Workers at most (each runs one check at a time); checks beyond wait in line. */
  workers?: number;
  /** Checks waiting at most; beyond, a check is refused with 503 at once. */
  queue?: number;
  /** Overrides CHECK_TIME_LIMITS_MS (tests). */
  timeLimitMs?: Partial<Record<CheckTask['kind'], number>>;
  /** A worker without work ends after this long. */
  idleMs?: number;
}

interface Job {
  task: CheckTask;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  /** The worker has loaded its code: a check's time counts from then, not from the thread's start. */
  ready: boolean;
  job?: Job;
  seq: number;
  timer?: NodeJS.Timeout;
  idle?: NodeJS.Timeout;
}

/**
 * Runs the checks' CPU work (reading the mail, caniemail, link extraction, spamd's report) on worker threads, one
 * check per worker at a time, each under a time limit: a check that overruns has its worker terminated, which is
 * the only way to stop JavaScript that is busy. Without a worker (sources missing from a packaged lib) the work
 * runs on the calling thread, bounded by the input caps alone.
 */
export class CheckRunner {
  readonly #options: CheckRunnerOptions;
  readonly #slots: Slot[] = [];
  readonly #waiting: Job[] = [];
  #inline = false;
  #closed = false;

  constructor(options: CheckRunnerOptions) {
    this.#options = options;
  }

  run<T>(task: CheckTask): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('the checks are stopped'));
    if (this.#inline) return runCheck(task) as Promise<T>;
    if (this.#waiting.length >= (this.#options.queue ?? 16))
      return Promise.reject(new CheckRefused('too many checks are waiting; try again shortly', 503));
    return new Promise<T>((resolve, reject) => {
      this.#waiting.push({ task, resolve: resolve as (v: unknown) => void, reject });
      this.#pump();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#waiting.splice(0)) job.reject(new Error('the checks are stopped'));
    await Promise.all(
      this.#slots.splice(0).map((slot) => this.#end(slot, new Error('the checks are stopped'))),
    );
  }

  #pump(): void {
    while (this.#waiting.length > 0) {
      let slot = this.#slots.find((s) => !s.job);
      if (!slot && this.#slots.length < (this.#options.workers ?? 2)) slot = this.#spawn();
      if (this.#inline) {
        for (const job of this.#waiting.splice(0)) runCheck(job.task).then(job.resolve, job.reject);
        return;
      }
      if (!slot) return;
      this.#start(slot, this.#waiting.shift()!);
    }
  }

  #spawn(): Slot | undefined {
    let worker: Worker;
    try {
      worker = this.#options.spawn();
    } catch (err) {
      this.#options.logger.warn(`[checks] no worker thread (${(err as Error).message}); checks run inline`);
      this.#inline = true;
      return undefined;
    }
    const slot: Slot = { worker, seq: 0, ready: false };
    worker.unref();
    worker.on('message', (reply: CheckReply | { ready: true }) => {
      if ('ready' in reply) {
        slot.ready = true;
        if (slot.job) this.#arm(slot, slot.job);
        return;
      }
      const job = slot.job;
      if (!job || reply.seq !== slot.seq) return;
      this.#finish(slot);
      if (reply.error !== undefined) {
        job.reject(reply.status ? new CheckRefused(reply.error, reply.status) : new Error(reply.error));
      } else job.resolve(reply.result);
      this.#pump();
    });
    // A worker that never loads would hold its check with no time limit running.
    setTimeout(() => {
      if (!slot.ready) void this.#end(slot, new Error('the checks worker did not start'));
    }, WORKER_START_MS).unref();
    worker.on('error', (err) => this.#lose(slot, err));
    worker.on('exit', () => this.#lose(slot, new Error('the check stopped unexpectedly')));
    this.#slots.push(slot);
    return slot;
  }

  #start(slot: Slot, job: Job): void {
    clearTimeout(slot.idle);
    slot.job = job;
    slot.seq++;
    slot.worker.postMessage({ seq: slot.seq, task: job.task });
    if (slot.ready) this.#arm(slot, job);
  }

  #arm(slot: Slot, job: Job): void {
    const limit = this.#options.timeLimitMs?.[job.task.kind] ?? CHECK_TIME_LIMITS_MS[job.task.kind];
    slot.timer = setTimeout(() => {
      this.#options.logger.warn(`[checks] ${job.task.kind} overran ${limit / 1000} s; its worker is stopped`);
      void this.#end(
        slot,
        new CheckRefused(`too large to check: the ${job.task.kind} took longer than ${limit / 1000} s`),
      );
      this.#pump();
    }, limit);
    slot.timer.unref();
  }

  #finish(slot: Slot): void {
    clearTimeout(slot.timer);
    slot.job = undefined;
    slot.idle = setTimeout(() => void this.#end(slot), this.#options.idleMs ?? 30_000);
    slot.idle.unref();
  }

  /** The worker is gone (crashed, or out of memory): its check fails, the next one gets a fresh worker. */
  #lose(slot: Slot, err: Error): void {
    if (!this.#slots.includes(slot)) return;
    this.#slots.splice(this.#slots.indexOf(slot), 1);
    clearTimeout(slot.timer);
    clearTimeout(slot.idle);
    slot.job?.reject(err);
    slot.job = undefined;
    this.#pump();
  }

  async #end(slot: Slot, err?: Error): Promise<void> {
    const index = this.#slots.indexOf(slot);
    if (index >= 0) this.#slots.splice(index, 1);
    clearTimeout(slot.timer);
    clearTimeout(slot.idle);
    const job = slot.job;
    slot.job = undefined;
    if (job) job.reject(err ?? new Error('the checks are stopped'));
    await slot.worker.terminate();
  }
}
