import type { Database, Statement } from 'better-sqlite3';

/** Rows per statement, largest first: a batch of n rows takes at most n/64 + 6 statement runs. */
const CHUNKS = [64, 32, 16, 8, 4, 2, 1] as const;

/**
 * Multi-row INSERTs: one statement run per chunk of rows instead of one per row, which is most of what a small row
 * costs besides SQLite's own work. Statements are prepared on first use. Run it inside a transaction: the rows of
 * one statement then get consecutive rowids, so each one follows from the last.
 */
export class MultiRowInsert<T> {
  readonly #db: Database;
  readonly #sql: string;
  readonly #width: number;
  readonly #bind: (row: T, params: unknown[], at: number) => void;
  readonly #statements: (Statement | undefined)[] = [];

  /** `bind` writes a row's values into `params` from index `at`, in the order of `columns`. */
  constructor(
    db: Database,
    table: string,
    columns: string[],
    bind: (row: T, params: unknown[], at: number) => void,
  ) {
    this.#db = db;
    this.#sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES `;
    this.#width = columns.length;
    this.#bind = bind;
  }

  /** Inserts the rows in order; `inserted(first, count, lastRowid)` is told each chunk's place and last rowid. */
  run(rows: readonly T[], inserted?: (first: number, count: number, lastRowid: number) => void): void {
    let done = 0;
    for (let c = 0; done < rows.length;) {
      const size = CHUNKS[c]!;
      if (rows.length - done < size) {
        c++;
        continue;
      }
      const params: unknown[] = new Array(size * this.#width);
      for (let i = 0; i < size; i++) this.#bind(rows[done + i]!, params, i * this.#width);
      const last = Number(this.#statement(c).run(params).lastInsertRowid);
      inserted?.(done, size, last);
      done += size;
    }
  }

  #statement(chunk: number): Statement {
    let statement = this.#statements[chunk];
    if (!statement) {
      const row = `(${new Array<string>(this.#width).fill('?').join(', ')})`;
      statement = this.#db.prepare(this.#sql + new Array<string>(CHUNKS[chunk]!).fill(row).join(', '));
      this.#statements[chunk] = statement;
    }
    return statement;
  }
}
