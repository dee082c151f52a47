// Every module that runs in a worker thread is in this folder. The sandbox hands each part the spawner of its
// entry, so no part starts code of another part (the store's checkpoints read mails with ingest's parser).
import { spawnWorker, type SpawnWorker } from '../threads/spawn.js';

/** Each entry by the name of its bundle in out/main and its source, relative to src-main/. */
export const WORKER_ENTRIES = {
  'ingest-worker': 'workers/ingest.ts',
  'checkpoint-worker': 'workers/checkpoint.ts',
  'tracking-worker': 'workers/tracking.ts',
  'checks-worker': 'workers/checks.ts',
} as const;

export type WorkerName = keyof typeof WORKER_ENTRIES;

/** Starts workers on one entry; the part given it says when. */
export function spawner(name: WorkerName): SpawnWorker {
  return (options) => spawnWorker({ name, source: WORKER_ENTRIES[name] }, options);
}
