import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { Logger } from '../logger.js';
import type { CheckpointTask, HandOff } from '../store/sqlite/checkpointer.js';
import type { SpawnWorker } from '../threads/spawn.js';
import type { InjectorSettings } from './injector-settings.js';
import type { MailToPrepare, PreparedMail, ReadingSettings } from './prepare.js';

export interface PrepareWorkerData {
  tracking: InjectorSettings;
  reading: ReadingSettings;
  /** One worker also checkpoints the database, which spares a thread of its own (see store/sqlite/checkpointer.ts). */
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
  /** Started for large mails only, when the pool has no workers of its own; it ends once idle. */
  spare: boolean;
}

export interface PreparePoolOptions {
  /** Starts a prepare worker (workers/ingest.ts). */
  spawn: SpawnWorker;
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
  /**
   * Mails of at least this many bytes are prepared on a worker even when `size` is 0 (one is started for them and
   * ends when idle): parsing a mail of megabytes would hold the main thread's SMTP and HTTP servers for seconds.
   */
  largeMailBytes?: number;
  logger: Logger;
}

/** The default of `largeMailBytes`: from about this size, reading a mail holds the main thread noticeably. */
export const LARGE_MAIL_BYTES = 512 * 1024;
/** A spare worker without a mail to prepare for this long ends (a large mail rarely comes alone). */
const SPARE_IDLE_MS = 30_000;

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
  if (prepared.manifestJson) prepared.manifestJson = asBuffer(prepared.manifestJson);
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
  #spare: Thread | undefined;
  #spareIdle: NodeJS.Timeout | undefined;

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

  /** Whether a spare worker (see `largeMailBytes`) is running now. */
  get spareRunning(): boolean {
    return this.#spare !== undefined;
  }

  prepare(mail: MailToPrepare): Promise<PreparedMail> {
    const large = mail.raw.length >= (this.#options.largeMailBytes ?? LARGE_MAIL_BYTES);
    const thread = this.#idlest() ?? (large ? this.#spareThread() : undefined);
    if (!thread) return this.#options.inline(mail);
    if (thread.spare) clearTimeout(this.#spareIdle);
    const prepared = new Promise<PreparedMail>((resolve, reject) => {
      const seq = ++this.#seq;
      thread.pending.set(seq, { mail, resolve, reject });
      // A large mail caught over SMTP is in shared memory (smtp/mail-bytes.ts): posting it copies nothing.
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
    clearTimeout(this.#spareIdle);
    await Promise.allSettled(this.#inHand);
    const spare = this.#spare;
    this.#spare = undefined;
    await Promise.all(
      [...this.#threads.splice(0), ...(spare ? [spare] : [])].map(async ({ worker }) => {
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

  /** The spare worker for large mails, started now if need be; undefined when none can run. */
  #spareThread(): Thread | undefined {
    if (this.#spare || this.#closed || this.#restarts > MAX_RESTARTS) return this.#spare;
    this.#spare = this.#start(false, true);
    return this.#spare;
  }

  #spawn(checkpoints: boolean): void {
    const thread = this.#start(checkpoints, false);
    if (thread) this.#threads.push(thread);
  }

  #start(checkpoints: boolean, spare: boolean): Thread | undefined {
    let worker: Worker;
    try {
      const handOff = checkpoints ? this.#options.checkpoint?.() : undefined;
      worker = this.#options.spawn({
        workerData: { ...this.#options.data, checkpoint: handOff?.task } satisfies PrepareWorkerData,
        transferList: handOff?.transferList,
      });
    } catch (err) {
      const reason = (err as Error).message;
      this.#options.logger.warn(`mails are prepared on the main thread: ${reason}`);
      if (checkpoints) this.#options.onCheckpointsLost?.(reason);
      if (spare) this.#restarts = MAX_RESTARTS + 1;
      return undefined;
    }
    worker.unref();
    const thread: Thread = { worker, pending: new Map(), checkpoints, spare };
    worker.on('message', (reply: PrepareReply) => {
      if ('warning' in reply) return this.#options.logger.warn(reply.warning);
      const pending = thread.pending.get(reply.seq);
      if (!pending) return;
      thread.pending.delete(reply.seq);
      if ('error' in reply) pending.reject(new Error(reply.error));
      else pending.resolve(revive(reply.prepared));
      if (spare && thread.pending.size === 0) this.#endWhenIdle(thread);
    });
    worker.on('error', (err) => this.#options.logger.warn(`a prepare worker failed: ${err.message}`));
    worker.on('exit', () => (spare ? this.#spareGone(thread) : this.#lost(thread)));
    return thread;
  }

  #endWhenIdle(thread: Thread): void {
    clearTimeout(this.#spareIdle);
    this.#spareIdle = setTimeout(() => {
      if (this.#spare !== thread || thread.pending.size > 0) return;
      this.#spare = undefined;
      thread.worker.postMessage({ stop: true } satisfies PrepareRequest);
    }, SPARE_IDLE_MS);
    this.#spareIdle.unref();
  }

  /** The spare worker ended: when idle, as it should; otherwise its mails are prepared here instead. */
  #spareGone(thread: Thread): void {
    if (this.#spare === thread) this.#spare = undefined;
    if (thread.pending.size === 0) return;
    this.#restarts++;
    for (const { mail, resolve, reject } of thread.pending.values()) {
      this.#options.inline(mail).then(resolve, reject);
    }
    thread.pending.clear();
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
