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
  readonly #row: string;
  readonly #returning: string;

  /**
   * `bind` writes a row's values into `params` from index `at`, in the order of the placeholders. `values` gives a
   * column an SQL expression in place of its `?` (its own placeholders bound in turn); with `returning`, `runReturning`
   * hands back those columns of the inserted rows.
   */
  constructor(
    db: Database,
    table: string,
    columns: string[],
    bind: (row: T, params: unknown[], at: number) => void,
    options: { values?: Record<string, string>; returning?: string } = {},
  ) {
    this.#db = db;
    this.#sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES `;
    const values = columns.map((c) => options.values?.[c] ?? '?');
    this.#row = `(${values.join(', ')})`;
    this.#width = values.join('').split('?').length - 1;
    this.#returning = options.returning ? ` RETURNING ${options.returning}` : '';
    this.#bind = bind;
  }

  /** Inserts the rows in order; `inserted(first, count, lastRowid)` is told each chunk's place and last rowid. */
  run(rows: readonly T[], inserted?: (first: number, count: number, lastRowid: number) => void): void {
    this.#each(rows, (chunk, params, first, size) => {
      const last = Number(this.#statement(chunk).run(params).lastInsertRowid);
      inserted?.(first, size, last);
    });
  }

  /**
   * Inserts the rows in order, still one statement per chunk; `returned(first, rows)` is given each chunk's place and
   * its `returning` columns (in no set order: SQLite does not promise one).
   */
  runReturning<R>(rows: readonly T[], returned: (first: number, inserted: R[]) => void): void {
    this.#each(rows, (chunk, params, first) => {
      returned(first, this.#statement(chunk).all(params) as R[]);
    });
  }

  #each(
    rows: readonly T[],
    insert: (chunk: number, params: unknown[], first: number, size: number) => void,
  ): void {
    let done = 0;
    for (let c = 0; done < rows.length;) {
      const size = CHUNKS[c]!;
      if (rows.length - done < size) {
        c++;
        continue;
      }
      const params: unknown[] = new Array(size * this.#width);
      for (let i = 0; i < size; i++) this.#bind(rows[done + i]!, params, i * this.#width);
      insert(c, params, done, size);
      done += size;
    }
  }

  #statement(chunk: number): Statement {
    let statement = this.#statements[chunk];
    if (!statement) {
      const rows = new Array<string>(CHUNKS[chunk]!).fill(this.#row).join(', ');
      statement = this.#db.prepare(this.#sql + rows + this.#returning);
      this.#statements[chunk] = statement;
    }
    return statement;
  }
}
