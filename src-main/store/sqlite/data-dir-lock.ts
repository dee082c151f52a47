import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Held by the process that serves a data directory, with its pid inside. */
export const LOCK_FILE = 'mailbeacon.lock';

/** Attempts to replace a stale lock: another process starting at the same moment may win the race. */
const TAKEOVER_ATTEMPTS = 3;

/** Whether a process with this pid exists (EPERM: it exists, under another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holderOf(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One process per data directory: two would both relay the same mail and both deliver its webhooks. The lock is a
 * file created exclusively with the pid of its holder, kept for the life of the sandbox; a lock whose process is
 * gone (a crash, a kill -9) is stale and taken over.
 */
export class DataDirLock {
  readonly file: string;
  #held = false;

  private constructor(file: string) {
    this.file = file;
  }

  /** Takes the lock of `dataDir`, or throws a `[db]` error naming the process that holds it. */
  static acquire(dataDir: string): DataDirLock {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const lock = new DataDirLock(join(dataDir, LOCK_FILE));
    for (let attempt = 0; attempt < TAKEOVER_ATTEMPTS; attempt++) {
      let fd: number;
      try {
        fd = openSync(lock.file, 'wx', 0o600);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new Error(`[db] cannot create the lock file ${lock.file}: ${(err as Error).message}`);
        }
        const pid = holderOf(lock.file);
        // The pid is written right after the file is created: an empty file may be a start in progress.
        if (pid === undefined && attempt === 0) continue;
        if (pid !== undefined && alive(pid)) {
          throw new Error(
            `[db] the data directory ${dataDir} is in use by another Mailbeacon (pid ${pid}); stop it or choose another --data-dir (if no Mailbeacon is running, delete ${lock.file})`,
          );
        }
        try {
          unlinkSync(lock.file);
        } catch {
          // Another process removed it first; the next attempt finds out who holds it now.
        }
        continue;
      }
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      lock.#held = true;
      return lock;
    }
    throw new Error(
      `[db] could not take the lock ${lock.file} of ${dataDir}: another process keeps replacing it`,
    );
  }

  /** Gives the lock up, if this process still holds it. Idempotent. */
  release(): void {
    if (!this.#held) return;
    this.#held = false;
    try {
      if (holderOf(this.file) === process.pid) unlinkSync(this.file);
    } catch {
      // Already gone: nothing to give up.
    }
  }
}
