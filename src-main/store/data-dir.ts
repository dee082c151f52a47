import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The data directory holds every caught mail and the keys: only its owner may enter it. */
export const DATA_DIR_MODE = 0o700;
/** Every file in it: the database and its -wal/-shm (SQLite gives those the database's mode), keys, logins. */
export const DATA_FILE_MODE = 0o600;

const octal = (mode: number) => (mode & 0o777).toString(8).padStart(4, '0');

/**
 * Creates the data directory 0700, and tightens a directory or files left readable by other users (an older
 * Mailbeacon created them 0755 and 0644), telling `report` which ones it changed.
 */
export function secureDataDir(dataDir: string, report: (message: string) => void): void {
  mkdirSync(dataDir, { recursive: true, mode: DATA_DIR_MODE });
  const dirMode = lstatSync(dataDir).mode;
  if (dirMode & 0o077) {
    chmodSync(dataDir, DATA_DIR_MODE);
    report(`${dataDir} was open to other users (mode ${octal(dirMode)}); set it to ${octal(DATA_DIR_MODE)}`);
  }
  const tightened: string[] = [];
  for (const name of readdirSync(dataDir)) {
    const path = join(dataDir, name);
    // Symbolic links are left alone: their target may be anywhere, and chmod would follow them.
    const stat = lstatSync(path, { throwIfNoEntry: false });
    if (!stat?.isFile() || !(stat.mode & 0o077)) continue;
    chmodSync(path, DATA_FILE_MODE);
    tightened.push(`${name} (${octal(stat.mode)})`);
  }
  if (tightened.length) {
    report(
      `files in ${dataDir} were readable by other users; set to ${octal(DATA_FILE_MODE)}: ${tightened.join(', ')}`,
    );
  }
}

/**
 * Creates `path` empty with mode 0600 when it does not exist, so that the program that fills it next (SQLite)
 * opens a private file instead of creating one with the process's default mode.
 */
export function createPrivateFile(path: string): void {
  closeSync(openSync(path, 'a', DATA_FILE_MODE));
}
