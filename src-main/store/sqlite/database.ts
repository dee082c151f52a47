import BetterSqlite3, { type Database } from 'better-sqlite3';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { createPrivateFile, DATA_DIR_MODE } from '../data-dir.js';
import { MIGRATIONS } from './migrations.js';
import { attachSearch, searchPathOf } from '../search-index.js';

/** The SQLite engine's handle, for the tests that look at rows directly. */
export type SqliteDatabase = Database;

export interface OpenDatabaseOptions {
  /** A file path, or ':memory:'. */
  path: string;
  /** Path to a better_sqlite3.node built for another ABI (the Electron build); Node's own build otherwise. */
  nativeBinding?: string;
  /** Told when the search index was unreadable and is built again from the stored mails. */
  warn?: (message: string) => void;
  /** Told whether the files' integrity is checked at this start, and why. */
  info?: (message: string) => void;
}

/**
 * Written beside the database when it is closed cleanly (`closeDatabase`): the database file's size and time of
 * last change then. A start that finds it, matching the file, skips reading the whole file for damage (tens of
 * seconds for a mailbox of gigabytes); any other start (after a crash, a kill, a file copied or restored in place)
 * checks it all before it writes. It is removed before the first write, so a crash after that leaves none.
 */
export const closedMarkerOf = (dbPath: string): string => `${dbPath}-closed`;

interface ClosedMarker {
  size: number;
  mtimeMs: number;
}

/** Whether the database was last closed cleanly by `closeDatabase` and has not changed since; removes the marker. */
function takeClosedMarker(path: string): boolean {
  const marker = closedMarkerOf(path);
  let clean = false;
  try {
    const saved = JSON.parse(readFileSync(marker, 'utf8')) as Partial<ClosedMarker>;
    const now = statSync(path);
    clean =
      saved.size === now.size &&
      saved.mtimeMs === now.mtimeMs &&
      // A write-ahead log with content means a connection wrote after the close.
      !(existsSync(`${path}-wal`) && statSync(`${path}-wal`).size > 0);
  } catch {
    // No marker (a crash, a first start, a data directory from elsewhere) or an unreadable one: check the file.
  }
  rmSync(marker, { force: true });
  return clean;
}

/** The first 16 bytes of every SQLite database file. */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** SQLite's codes for a file that is not a database, or a damaged one (SQLITE_CORRUPT_VTAB…). */
const isDamage = (err: unknown): boolean =>
  /^SQLITE_(NOTADB|CORRUPT)/.test(String((err as { code?: string }).code));

/**
 * A file that exists and does not start like a SQLite database. An empty file is fine: SQLite treats it as a new
 * database (what a `touch` or an interrupted first start leaves behind).
 */
function assertSqliteFile(path: string): void {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return; // not there yet: created below
  }
  if (size === 0) return;
  const head = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (!head.equals(SQLITE_HEADER)) {
    throw new Error(
      `[db] ${path} is not a database (it does not start with the SQLite header); move it away or choose another --data-dir`,
    );
  }
}

/** `PRAGMA quick_check` on one schema: the problems it found, or none. */
function quickCheck(db: Database, schema: string): string[] {
  const rows = db.pragma(`${schema}.quick_check`, { simple: false }) as { quick_check: string }[];
  return rows.map((r) => r.quick_check).filter((line) => line !== 'ok');
}

/** Opens (creating if needed) the database in WAL mode, brings its schema up to date and attaches the search index. */
export function openDatabase({ path, nativeBinding, warn, info }: OpenDatabaseOptions): Database {
  let check = false;
  if (path !== ':memory:') {
    mkdirSync(dirname(path), { recursive: true, mode: DATA_DIR_MODE });
    assertSqliteFile(path);
    const existing = statSync(path, { throwIfNoEntry: false });
    if (existing && existing.size > 0) {
      check = !takeClosedMarker(path);
      info?.(
        check
          ? `checking ${path} for damage (it was not closed cleanly by its last user); a large file takes a while`
          : `${path} was closed cleanly: its integrity check is skipped`,
      );
    }
    createPrivateFile(path);
  }
  const db = new BetterSqlite3(path, nativeBinding ? { nativeBinding } : {});
  try {
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a commit survives a process crash (the case we promise) without an fsync per mail;
    // only a power loss can lose the last transactions.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // better-sqlite3's default page cache is large; a smaller one keeps search and ingest into a large mailbox nearly
    // as fast (the OS caches the file) and the process smaller (docs/SMTP-BENCH.md).
    db.pragma('cache_size = -4000');
    db.pragma('temp_store = MEMORY');
    // A damaged file is reported now, naming it, rather than as a 500 on the first request that reads the page. Its
    // header and schema are read at every start (the pragmas, the migrations); its pages only when it may have been
    // damaged since a clean close (see closedMarkerOf).
    const problems = check ? quickCheck(db, 'main') : [];
    if (problems.length > 0) {
      throw new Error(
        `[db] ${path} is damaged (${problems.slice(0, 3).join('; ')}); restore it from a copy, or move it away to start with an empty one`,
      );
    }
    migrate(db);
    openSearch(db, path, check, warn);
  } catch (err) {
    db.close();
    if (path !== ':memory:' && isDamage(err)) {
      throw new Error(
        `[db] ${path} is not a usable database (${(err as Error).message}); move it away or choose another --data-dir`,
      );
    }
    throw err;
  }
  return db;
}

/**
 * Attaches the search index; one that is unreadable or damaged is deleted and built again from the stored mails
 * (everything in it can be rebuilt, so it is never a reason not to start).
 */
function openSearch(db: Database, path: string, check: boolean, warn?: (message: string) => void): void {
  try {
    attachSearch(db, path, true);
    const problems = check ? quickCheck(db, 'search') : [];
    if (problems.length === 0) return;
    throw Object.assign(new Error(problems.slice(0, 3).join('; ')), { code: 'SQLITE_CORRUPT' });
  } catch (err) {
    if (path === ':memory:' || !isDamage(err)) throw err;
    const file = searchPathOf(path);
    warn?.(
      `[db] the search index ${file} is unreadable (${(err as Error).message}); building it again from the stored mails`,
    );
    try {
      db.exec('DETACH DATABASE search');
    } catch {
      // Not attached: the ATTACH itself failed.
    }
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
    attachSearch(db, path, true);
  }
}

/**
 * Closes the database and, when that left it whole in its file (no other connection holds a write-ahead log), writes
 * the marker that lets the next start skip reading it all for damage (see closedMarkerOf).
 */
export function closeDatabase(db: Database): void {
  const path = db.name;
  db.close();
  if (path === ':memory:' || path === '') return;
  try {
    if (existsSync(`${path}-wal`) && statSync(`${path}-wal`).size > 0) return;
    const { size, mtimeMs } = statSync(path);
    writeFileSync(closedMarkerOf(path), JSON.stringify({ size, mtimeMs } satisfies ClosedMarker), {
      mode: 0o600,
    });
  } catch {
    // Without the marker the next start checks the whole file: slower, never wrong.
  }
}

export function migrate(db: Database, migrations = MIGRATIONS): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new Error(
      `[db] the database is at schema version ${current}, newer than this Mailbeacon (${migrations.length}); upgrade Mailbeacon or use another --data-dir`,
    );
  }
  if (current === migrations.length) return;
  db.transaction(() => {
    for (let version = current; version < migrations.length; version++) migrations[version]!(db);
    db.pragma(`user_version = ${migrations.length}`);
  })();
}
