import { createRequire } from 'node:module';
import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import type { Database } from 'better-sqlite3';
import type { Logger } from '../../logger.js';
import type { SpawnWorker } from '../../threads/spawn.js';
import { SearchIndexer, attachSearch, type MailTextReader, type SearchEntry } from '../search-index.js';

/** How often the WAL is folded back into the database file. */
const CHECKPOINT_INTERVAL_MS = 500;

/** How often the thread looks for mails to put into the full-text index; a search waits at most about this long. */
const INDEX_INTERVAL_MS = 20;

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
  /** Where the entries of newly stored mails arrive, for the full-text index (see search-index.ts). */
  search: MessagePort;
}

/** A task for a thread, and what must be transferred to it with it. */
export interface HandOff {
  task: CheckpointTask;
  transferList: MessagePort[];
}

/**
 * Runs in a worker thread: its own connection to the same file, checkpointing on a timer, and filling the full-text
 * index (see search-index.ts) behind the main thread's commits. PASSIVE never waits for readers or writers, and the
 * index is a database of its own, so the main thread's commits are never held up by either. Returns what closes the
 * connection.
 */
export function runCheckpoints(
  task: CheckpointTask,
  readText: MailTextReader,
  report: (message: string) => void,
): () => void {
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

  attachSearch(db, task.path, false);
  // It reads little besides the new mails, written moments before.
  db.pragma('cache_size = -2000');
  const indexer = new SearchIndexer(db, readText);
  task.search.on('message', (entries: SearchEntry[]) => indexer.add(entries));
  let indexing = false;
  let lastProblem = '';
  // First whatever was stored before this thread started and is not indexed yet (a restart…), then the entries
  // handed over (and the mails before them that have none).
  let storedBelow = indexer.lastStored() + 1;
  const indexTimer = setInterval(() => {
    if (indexing || !db.open) return;
    indexing = true;
    indexer.catchUp(storedBelow).then(
      () => {
        indexing = false;
        storedBelow = 0;
        lastProblem = '';
      },
      (err: Error) => {
        indexing = false;
        // The main thread holds the index's lock for a moment (SQLITE_BUSY): the next round goes on.
        if ((err as { code?: string }).code === 'SQLITE_BUSY' || err.message === lastProblem) return;
        lastProblem = err.message;
        report(`search index: ${err.message}`);
      },
    );
  }, INDEX_INTERVAL_MS);
  return () => {
    clearInterval(timer);
    clearInterval(indexTimer);
    task.search.close();
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
  readonly #task: Omit<CheckpointTask, 'search'> | undefined;
  readonly #indexOn?: (port: MessagePort | undefined) => void;
  readonly #spawn: SpawnWorker;
  #worker?: Worker;

  /** `indexOn` hears where the entries of new mails go: the thread that runs the checkpoints fills the index too. */
  constructor(
    db: Database,
    logger: Logger,
    options: {
      path: string;
      nativeBinding?: string;
      indexOn?: (port: MessagePort | undefined) => void;
      /** Starts the checkpoint thread (workers/checkpoint.ts), when no prepare worker runs them. */
      spawn: SpawnWorker;
    },
  ) {
    this.#db = db;
    this.#logger = logger;
    this.#indexOn = options.indexOn;
    this.#spawn = options.spawn;
    this.#task =
      options.path === ':memory:'
        ? undefined
        : {
            path: options.path,
            nativeBinding: options.nativeBinding,
            betterSqlite3Module: createRequire(import.meta.url).resolve('better-sqlite3'),
            intervalMs: CHECKPOINT_INTERVAL_MS,
          };
  }

  /** Whether another thread can run the checkpoints (only for a database file). */
  get possible(): boolean {
    return this.#task !== undefined;
  }

  /**
   * The task for the thread that is to run the checkpoints and fill the search index, with a channel of its own for
   * the entries of new mails, which go to it from now on. Undefined for a database in memory.
   */
  handOff(): HandOff | undefined {
    if (!this.#task) return undefined;
    const { port1, port2 } = new MessageChannel();
    port1.unref();
    this.#indexOn?.(port1);
    return { task: { ...this.#task, search: port2 }, transferList: [port2] };
  }

  /** Another thread runs the checkpoints (it was handed a task); this connection keeps only the safety net. */
  delegated(): void {
    if (!this.#task) return;
    this.#db.pragma(`wal_autocheckpoint = ${SAFETY_AUTOCHECKPOINT_PAGES}`);
    this.#db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT_BYTES}`);
  }

  /** Runs the checkpoints on a thread of its own. */
  start(): void {
    if (!this.#task || this.#worker) return;
    try {
      const { task, transferList } = this.handOff()!;
      this.#worker = this.#spawn({ workerData: task, transferList });
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
    this.#indexOn?.(undefined);
    if (this.#db.open) this.#db.pragma('wal_autocheckpoint = 1000');
  }

  async stop(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    // Held while it stops: an unreferenced thread would let the process exit mid-stop (a failed start exited 0).
    worker.ref();
    worker.postMessage('stop');
    await exited;
  }
}
