// The one definition of what the figures count: its predicate (the UI, the store's per-mail counts) and its SQL (the
// summary, the search filters) must give every hit the same role, for every source, class and scope.
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  countedSql,
  machineSql,
  parseSource,
  roleOf,
  storedSource,
  type CountScope,
} from '../../src-main/model/counting.js';
import type { Classification, TrackingSource } from '../../src-main/model/tracking.js';

const SOURCES: TrackingSource[] = ['recipient', 'simulated', 'preview'];
const CLASSES: Classification[] = ['human', 'proxy', 'scanner', 'expired'];
const SCOPES: CountScope[] = ['with-simulated', 'recipients'];

describe('what the figures count', () => {
  it('gives each source and class its role, as docs/TRACKING.md tabulates it', () => {
    const table = SCOPES.map((scope) =>
      SOURCES.map((source) => CLASSES.map((classification) => roleOf({ source, classification }, scope))),
    );
    expect(table).toEqual([
      [
        ['counted', 'machine', 'machine', 'expired'],
        ['counted', 'machine', 'machine', 'expired'],
        ['preview', 'preview', 'preview', 'expired'],
      ],
      [
        ['counted', 'machine', 'machine', 'expired'],
        ['excluded', 'excluded', 'excluded', 'expired'],
        ['preview', 'preview', 'preview', 'expired'],
      ],
    ]);
  });

  it('says the same in SQL as in the predicate', () => {
    const db = new BetterSqlite3(':memory:');
    db.exec('CREATE TABLE events (source TEXT, classification TEXT)');
    const insert = db.prepare('INSERT INTO events VALUES (?, ?)');
    for (const s of SOURCES) for (const c of CLASSES) insert.run(s, c);
    for (const scope of SCOPES) {
      const rows = (sql: string) =>
        db.prepare(`SELECT source, classification FROM events e WHERE ${sql} ORDER BY rowid`).all() as {
          source: TrackingSource;
          classification: Classification;
        }[];
      const expected = (role: string) =>
        SOURCES.flatMap((source) => CLASSES.map((classification) => ({ source, classification }))).filter(
          (h) => roleOf(h, scope) === role,
        );
      expect(rows(countedSql(scope, 'e.'))).toEqual(expected('counted'));
      expect(rows(machineSql(scope))).toEqual(expected('machine'));
    }
    db.close();
  });

  it('reads the old name of the preview, and nothing unknown', () => {
    expect(parseSource('sandbox')).toBe('preview');
    expect(parseSource(' Simulated ')).toBe('simulated');
    expect(parseSource('martian')).toBeUndefined();
    expect(storedSource('sandbox')).toBe('preview');
    expect(storedSource('')).toBe('recipient');
  });
});
