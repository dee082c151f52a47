import { createRequire } from 'node:module';
import type { Worker } from 'node:worker_threads';
import type { Database } from 'better-sqlite3';
import type { Logger } from '../logger.js';
import { spawnWorker } from '../threads/spawn.js';

/** How often the WAL is folded back into the database file. */
const CHECKPOINT_INTERVAL_MS = 500;

/**
 * Under a sustained burst the worker's passive checkpoints cannot catch up with the writer and the WAL keeps
 * growing; past this many pages (about 40 MB) the main thread checkpoints itself, as a safety net.
 */
const SAFETY_AUTOCHECKPOINT_PAGES = 10_000;

/** After a checkpoint resets the WAL, the file is truncated back to this size. */
const JOURNAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/** What a thread needs to checkpoint the database: plain data, so it can be handed to any worker. */
export interface CheckpointTask {
  path: string;
  nativeBinding?: string;
  /** better-sqlite3's entry, resolved by the main thread (a bundled worker has no node_modules of its own). */
  betterSqlite3Module: string;
  intervalMs: number;
}

/**
 * Runs in a worker thread: its own connection to the same file, checkpointing on a timer. PASSIVE never waits for
 * readers or writers, so the main thread's commits are never held up by it. Returns what closes the connection.
 */
export function runCheckpoints(task: CheckpointTask, report: (message: string) => void): () => void {
  const BetterSqlite3 = createRequire(import.meta.url)(
    task.betterSqlite3Module,
  ) as typeof import('better-sqlite3');
  const db = new BetterSqlite3(task.path, task.nativeBinding ? { nativeBinding: task.nativeBinding } : {});
  db.pragma('busy_timeout = 0');
  const timer = setInterval(() => {
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch (err) {
      report(`checkpoint: ${(err as Error).message}`);
    }
  }, task.intervalMs);
  return () => {
    clearInterval(timer);
    db.close();
  };
}

/**
 * Moves WAL checkpoints off the main thread. SQLite's automatic checkpoint runs inside whichever commit crosses
 * the threshold, which can stall the event loop (every SMTP session and tracking hit) for a hundred milliseconds;
 * another thread with its own connection does that work instead: a prepare worker (see ingest/pool.ts) when there
 * is one, since every thread costs some 17 MB, or else a thread of its own. Falls back to automatic checkpoints on
 * the main thread if no thread can run them.
 */
export class WalCheckpointer {
  readonly #db: Database;
  readonly #logger: Logger;
  readonly task: CheckpointTask | undefined;
  #worker?: Worker;

  constructor(db: Database, logger: Logger, options: { path: string; nativeBinding?: string }) {
    this.#db = db;
    this.#logger = logger;
    this.task =
      options.path === ':memory:'
        ? undefined
        : {
            path: options.path,
            nativeBinding: options.nativeBinding,
            betterSqlite3Module: createRequire(import.meta.url).resolve('better-sqlite3'),
            intervalMs: CHECKPOINT_INTERVAL_MS,
          };
  }

  /** Another thread runs the checkpoints (it was handed `task`); this connection keeps only the safety net. */
  delegated(): void {
    if (!this.task) return;
    this.#db.pragma(`wal_autocheckpoint = ${SAFETY_AUTOCHECKPOINT_PAGES}`);
    this.#db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT_BYTES}`);
  }

  /** Runs the checkpoints on a thread of its own. */
  start(): void {
    if (!this.task || this.#worker) return;
    try {
      this.#worker = spawnWorker('checkpoint-worker', { workerData: this.task });
      this.#worker.unref();
      this.#worker.on('message', (message: string) => this.#logger.warn(message));
      this.#worker.on('error', (err) => this.fallBack(err.message));
      this.delegated();
    } catch (err) {
      this.fallBack((err as Error).message);
    }
  }

  /** No thread runs the checkpoints: SQLite's automatic ones on the main thread take over. */
  fallBack(reason: string): void {
    this.#logger.warn(`checkpoints run on the main thread (${reason})`);
    this.#worker = undefined;
    if (this.#db.open) this.#db.pragma('wal_autocheckpoint = 1000');
  }

  async stop(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage('stop');
    await exited;
  }
}
