import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { Logger } from '../logger.js';
import type { CheckpointTask, HandOff } from '../store/checkpointer.js';
import { spawnWorker } from '../threads/spawn.js';
import type { InjectorSettings } from './injector-settings.js';
import type { MailToPrepare, PreparedMail } from './prepare.js';

export interface PrepareWorkerData {
  tracking: InjectorSettings;
  /** One worker also checkpoints the database, which spares a thread of its own (see store/checkpointer.ts). */
  checkpoint?: CheckpointTask;
}

export interface PrepareJob {
  seq: number;
  mail: MailToPrepare;
  trackingBase: string;
}

export type PrepareReply =
  | { seq: number; prepared: PreparedMail }
  | { seq: number; error: string }
  /** The checkpoints this worker runs went wrong. */
  | { warning: string };

/** The main thread's messages: a mail to prepare, or the word to close the database and end. */
export type PrepareRequest = PrepareJob | { stop: true };

interface Pending {
  mail: MailToPrepare;
  resolve: (prepared: PreparedMail) => void;
  reject: (err: Error) => void;
}

interface Thread {
  worker: Worker;
  pending: Map<number, Pending>;
  checkpoints: boolean;
}

export interface PreparePoolOptions {
  /** Worker threads to run; 0 prepares every mail on the calling thread. */
  size: number;
  data: PrepareWorkerData;
  /** Reads the public tracking base per mail: it is known only once the tracking listener is up. */
  trackingBase: () => string;
  /** The same work on the calling thread: used when no worker can run, and for the mails of a worker that died. */
  inline: (mail: MailToPrepare) => Promise<PreparedMail>;
  /**
   * Checkpoints (and the search index) for the first worker to run, a fresh task for each worker that takes them on;
   * `onCheckpointsLost` is called if no worker can run them any more.
   */
  checkpoint?: () => HandOff | undefined;
  onCheckpointsLost?: (reason: string) => void;
  logger: Logger;
}

/** A worker that dies this many times is not restarted again; its mails are prepared on the main thread. */
const MAX_RESTARTS = 5;

/**
 * One worker per core beyond the first two, at most four. The main thread keeps SMTP and the commits, and the
 * application sending the mails needs a core too: on two cores a worker only competes with both, and under
 * `serve`'s --optimize-for-size its small young generation costs more CPU than it moves (docs/SMTP-BENCH.md).
 */
export const defaultPrepareThreads = (): number => Math.max(0, Math.min(4, availableParallelism() - 2));

/** Structured cloning turns Buffers into plain Uint8Arrays; the store wants Buffers over the same memory. */
const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

function revive(prepared: PreparedMail): PreparedMail {
  for (const part of prepared.fields.parts) part.content = asBuffer(part.content);
  if (prepared.tracked) prepared.tracked = asBuffer(prepared.tracked);
  if (prepared.trackedPatch) prepared.trackedPatch = asBuffer(prepared.trackedPatch);
  return prepared;
}

/**
 * Prepares mails (parse and inject) on worker threads, so the main thread is left with SMTP, the commits and the
 * HTTP servers. Each mail goes to the thread with the fewest mails in hand. Should a worker die, its mails are
 * prepared on the main thread and the worker is restarted; nothing is lost and no caller sees the difference.
 */
export class PreparePool {
  readonly #options: PreparePoolOptions;
  readonly #threads: Thread[] = [];
  readonly #inHand = new Set<Promise<PreparedMail>>();
  #seq = 0;
  #restarts = 0;
  #closed = false;

  constructor(options: PreparePoolOptions) {
    this.#options = options;
    for (let i = 0; i < options.size; i++) this.#spawn(i === 0 && !!options.checkpoint);
  }

  /** Whether a worker runs the database checkpoints. */
  get checkpoints(): boolean {
    return this.#threads.some((thread) => thread.checkpoints);
  }

  get threads(): number {
    return this.#threads.length;
  }

  prepare(mail: MailToPrepare): Promise<PreparedMail> {
    const thread = this.#idlest();
    if (!thread) return this.#options.inline(mail);
    const prepared = new Promise<PreparedMail>((resolve, reject) => {
      const seq = ++this.#seq;
      thread.pending.set(seq, { mail, resolve, reject });
      thread.worker.postMessage({
        seq,
        mail,
        trackingBase: this.#options.trackingBase(),
      } satisfies PrepareJob);
    });
    this.#inHand.add(prepared);
    const settled = () => this.#inHand.delete(prepared);
    prepared.then(settled, settled);
    return prepared;
  }

  /** Lets the mails in hand finish, then stops the workers. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled(this.#inHand);
    await Promise.all(
      this.#threads.splice(0).map(async ({ worker }) => {
        const exited = new Promise((resolve) => worker.once('exit', resolve));
        worker.postMessage({ stop: true } satisfies PrepareRequest);
        await exited;
      }),
    );
  }

  #idlest(): Thread | undefined {
    let best: Thread | undefined;
    for (const thread of this.#threads) if (!best || thread.pending.size < best.pending.size) best = thread;
    return best;
  }

  #spawn(checkpoints: boolean): void {
    let worker: Worker;
    try {
      const handOff = checkpoints ? this.#options.checkpoint?.() : undefined;
      worker = spawnWorker('ingest-worker', {
        workerData: { ...this.#options.data, checkpoint: handOff?.task } satisfies PrepareWorkerData,
        transferList: handOff?.transferList,
      });
    } catch (err) {
      const reason = (err as Error).message;
      this.#options.logger.warn(`mails are prepared on the main thread: ${reason}`);
      if (checkpoints) this.#options.onCheckpointsLost?.(reason);
      return;
    }
    worker.unref();
    const thread: Thread = { worker, pending: new Map(), checkpoints };
    this.#threads.push(thread);
    worker.on('message', (reply: PrepareReply) => {
      if ('warning' in reply) return this.#options.logger.warn(reply.warning);
      const pending = thread.pending.get(reply.seq);
      if (!pending) return;
      thread.pending.delete(reply.seq);
      if ('error' in reply) pending.reject(new Error(reply.error));
      else pending.resolve(revive(reply.prepared));
    });
    worker.on('error', (err) => this.#options.logger.warn(`a prepare worker failed: ${err.message}`));
    worker.on('exit', () => this.#lost(thread));
  }

  /** A worker is gone: its mails are prepared here instead, and a new worker takes its place. */
  #lost(thread: Thread): void {
    const index = this.#threads.indexOf(thread);
    if (index < 0) return;
    this.#threads.splice(index, 1);
    for (const { mail, resolve, reject } of thread.pending.values()) {
      this.#options.inline(mail).then(resolve, reject);
    }
    thread.pending.clear();
    if (this.#closed) return;
    if (++this.#restarts > MAX_RESTARTS) {
      this.#options.logger.warn(
        'prepare workers keep dying: mails are prepared on the main thread from now on',
      );
      if (thread.checkpoints) this.#options.onCheckpointsLost?.('the worker running them keeps dying');
      return;
    }
    this.#spawn(thread.checkpoints);
  }
}
