import type { Settings } from '../config/schema.js';
import { mailReaders } from '../ingest/service.js';
import type { Logger } from '../logger.js';
import { secureDataDir } from '../store/data-dir.js';
import { DataDirLock } from '../store/sqlite/data-dir-lock.js';
import { openStore, type OpenStore } from '../store/service.js';
import { spawner } from '../workers/index.js';

/**
 * Takes the data directory and opens the store in it. The lock comes first: a second process on the same data would
 * relay and announce the same mail twice. The caller releases it after closing the store.
 */
export function openData(
  settings: Settings,
  deps: { nativeBinding?: string; logger: Logger },
): { lock?: DataDirLock; data: OpenStore } {
  let lock: DataDirLock | undefined;
  if (settings.dataDir !== ':memory:') {
    // Caught mail is personal data: no other local user may read the directory or its files.
    secureDataDir(settings.dataDir, (message) => deps.logger.child('db').warn(message));
    lock = DataDirLock.acquire(settings.dataDir);
  }
  try {
    const readers = mailReaders;
    return {
      lock,
      data: openStore(settings, { ...deps, readers, spawnCheckpoints: spawner('checkpoint-worker') }),
    };
  } catch (err) {
    lock?.release();
    throw err;
  }
}
