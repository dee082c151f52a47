// Every writer of a turn (mails, tracking hits, hub history) shares one transaction; one that fails rolls back alone.
import BetterSqlite3 from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CommitQueue, type QueuedWrite } from '../../src-main/store/sqlite/commit-queue.js';
import { tempDir } from '../helpers/sandbox.js';

const temps: { remove: () => void }[] = [];
afterEach(() => temps.splice(0).forEach((t) => t.remove()));

function open() {
  const temp = tempDir();
  temps.push(temp);
  const path = join(temp.dir, 'queue.db');
  const db = new BetterSqlite3(path);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE rows (writer TEXT NOT NULL)');
  return { db, path };
}

/** A writer that inserts a row, records what it was told, and optionally fails after inserting. */
function writer(db: BetterSqlite3.Database, name: string, fail = false, during?: () => void) {
  const told: (string | undefined)[] = [];
  const write: QueuedWrite = {
    write: () => {
      db.prepare('INSERT INTO rows (writer) VALUES (?)').run(name);
      during?.();
      if (fail) throw new Error(`${name} failed`);
    },
    done: (err) => told.push(err?.message),
  };
  return { write, told };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
/** The queue commits after the next turn's I/O: two turns from now. */
const committed = () => nextTurn().then(nextTurn);
const rows = (db: BetterSqlite3.Database) =>
  db.prepare('SELECT writer FROM rows ORDER BY rowid').pluck().all();

describe('CommitQueue', () => {
  it('writes everything queued in a turn in one transaction, after the next turn', async () => {
    const { db, path } = open();
    const other = new BetterSqlite3(path, { readonly: true });
    try {
      const seenByOthers: unknown[] = [];
      const a = writer(db, 'a');
      const b = writer(db, 'b', false, () => seenByOthers.push(...rows(other)));
      const queue = new CommitQueue(db);
      queue.enqueue(a.write);
      queue.enqueue(b.write);
      expect(rows(db)).toEqual([]);
      await nextTurn();
      // A writer queued in the next turn still joins the same commit.
      const c = writer(db, 'c');
      queue.enqueue(c.write);
      expect(rows(db)).toEqual([]);
      await nextTurn();
      expect(rows(db)).toEqual(['a', 'b', 'c']);
      // While b wrote, a's row was not committed yet: both were one transaction.
      expect(seenByOthers).toEqual([]);
      expect([a.told, b.told, c.told]).toEqual([[undefined], [undefined], [undefined]]);
    } finally {
      other.close();
      db.close();
    }
  });

  it('rolls back only the writer that fails, and tells it why', async () => {
    const { db } = open();
    try {
      const a = writer(db, 'a');
      const b = writer(db, 'b', true);
      const c = writer(db, 'c');
      const queue = new CommitQueue(db);
      for (const w of [a, b, c]) queue.enqueue(w.write);
      queue.flush();
      expect(rows(db)).toEqual(['a', 'c']);
      expect([a.told, b.told, c.told]).toEqual([[undefined], ['b failed'], [undefined]]);
      await committed(); // the scheduled flush finds nothing left
      expect(a.told).toEqual([undefined]);
    } finally {
      db.close();
    }
  });

  it('tells every writer when the database closed before their turn came', async () => {
    const { db } = open();
    const a = writer(db, 'a');
    new CommitQueue(db).enqueue(a.write);
    db.close();
    await committed();
    expect(a.told).toEqual(['[db] the database is closed']);
  });
});
