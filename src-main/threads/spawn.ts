import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** Starts a worker thread with these options (`workerData`, `transferList`). */
export type SpawnWorker = (options?: WorkerOptions) => Worker;

/**
 * A module that runs in a worker thread: the name of its bundle in out/main (electron.vite.config.ts builds each as
 * an entry of its own) and its source, relative to src-main/. They are listed in workers/index.ts.
 */
export interface WorkerEntry {
  name: string;
  source: string;
}

/** Loads tsx into the worker first, then the TypeScript source of the entry. */
const FROM_SOURCE = `
const { workerData } = require('node:worker_threads');
import(workerData.__tsx)
  .then((tsx) => tsx.register())
  .then(() => import(workerData.__entry))
  .catch((err) => { console.error(err); process.exit(1); });
`;

/** tsx's ESM API, as its package exports it: registering it lets a worker import the TypeScript sources. */
function tsxApiUrl(): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
    exports: Record<string, { import: { default: string } }>;
  };
  return pathToFileURL(join(dirname(manifest), pkg.exports['./esm/api']!.import.default)).href;
}

/** The bundled entry: out/main/<name>.js, beside this module's chunk or one folder up from it. */
function bundledEntry(name: string): string {
  for (const dir of [import.meta.dirname, dirname(import.meta.dirname)]) {
    const file = join(dir, `${name}.js`);
    if (existsSync(file)) return file;
  }
  throw new Error(`the worker bundle ${name}.js was not found beside ${import.meta.dirname}`);
}

/**
 * Starts a worker thread on an entry: the bundled file when this code runs from the build, the
 * TypeScript source through tsx when it runs from the sources (tsx, vitest). Throws when neither can be found, so
 * callers can fall back to doing the work on the main thread.
 */
export function spawnWorker(entry: WorkerEntry, options: WorkerOptions = {}): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(bundledEntry(entry.name), options);
  const source = new URL(`../${entry.source}`, import.meta.url).href;
  return new Worker(FROM_SOURCE, {
    ...options,
    eval: true,
    workerData: { ...(options.workerData as object), __tsx: tsxApiUrl(), __entry: source },
  });
}
