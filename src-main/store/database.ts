import BetterSqlite3, { type Database } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS } from './migrations.js';
import { attachSearch } from './search-index.js';

export interface OpenDatabaseOptions {
  /** A file path, or ':memory:'. */
  path: string;
  /** Path to a better_sqlite3.node built for another ABI (the Electron build); Node's own build otherwise. */
  nativeBinding?: string;
}

/** Opens (creating if needed) the database in WAL mode, brings its schema up to date and attaches the search index. */
export function openDatabase({ path, nativeBinding }: OpenDatabaseOptions): Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
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
    migrate(db);
    attachSearch(db, path, true);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
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
