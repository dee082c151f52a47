import { Worker } from 'node:worker_threads';
import type { Database } from 'better-sqlite3';
import type { Logger } from '../logger.js';

/** How often the WAL is folded back into the database file. */
const CHECKPOINT_INTERVAL_MS = 500;

/**
 * Under a sustained burst the worker's passive checkpoints cannot catch up with the writer and the WAL keeps
 * growing; past this many pages (about 40 MB) the main thread checkpoints itself, as a safety net.
 */
const SAFETY_AUTOCHECKPOINT_PAGES = 10_000;

/** After a checkpoint resets the WAL, the file is truncated back to this size. */
const JOURNAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * The worker: its own connection to the same file, checkpointing on a timer. PASSIVE never waits for readers or
 * writers, so the main thread's commits are never held up by it.
 */
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path, workerData.nativeBinding ? { nativeBinding: workerData.nativeBinding } : {});
db.pragma('busy_timeout = 0');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (err) { parentPort.postMessage(String(err && err.message)); }
}, workerData.intervalMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); process.exit(0); });
`;

/**
 * Moves WAL checkpoints off the main thread. SQLite's automatic checkpoint runs inside whichever commit crosses
 * the threshold, which can stall the event loop (every SMTP session and tracking hit) for a hundred milliseconds;
 * a worker thread with its own connection does that work instead. Falls back to automatic checkpoints if the
 * worker cannot start.
 */
export class WalCheckpointer {
  readonly #db: Database;
  readonly #logger: Logger;
  #worker?: Worker;

  constructor(db: Database, logger: Logger) {
    this.#db = db;
    this.#logger = logger;
  }

  start(options: { path: string; nativeBinding?: string; betterSqlite3Module: string }): void {
    if (options.path === ':memory:') return;
    try {
      this.#worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          path: options.path,
          nativeBinding: options.nativeBinding,
          module: options.betterSqlite3Module,
          intervalMs: CHECKPOINT_INTERVAL_MS,
        },
      });
      this.#worker.unref();
      this.#worker.on('message', (message: string) => this.#logger.warn(`checkpoint: ${message}`));
      this.#worker.on('error', (err) => this.#fallBack(err.message));
      this.#db.pragma(`wal_autocheckpoint = ${SAFETY_AUTOCHECKPOINT_PAGES}`);
      this.#db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT_BYTES}`);
    } catch (err) {
      this.#fallBack((err as Error).message);
    }
  }

  #fallBack(reason: string): void {
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
