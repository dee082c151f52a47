import type { Database, Statement } from 'better-sqlite3';
import type { Address } from '../model/message.js';
import { createPrivateFile } from './data-dir.js';
import type { MessageRow } from './message-rows.js';
import { addressKey } from '../search/match.js';
import { ADDRESS_FIELD_BITS } from './search-sql.js';

/**
 * The full-text index of the mails lives in a database of its own, attached to every connection as `search`, and is
 * filled behind the commits that store the mails rather than inside them. Writing it in the mail's own transaction
 * was a large share of what ingest cost, and neither batching the entries nor writing them into another file from
 * the same thread made it cheaper (docs/SMTP-BENCH.md). In its own file it can
 * be written from another thread (the one that runs the WAL checkpoints) without ever holding the lock the mails'
 * commits need.
 *
 * A search first waits until every stored mail is indexed (`MessageStore.searchReady`). Mails deleted after they
 * were indexed keep their entry until the indexer purges it (everything below the oldest stored mail, as retention
 * deletes them), but no query can return them: every query looks its matches up in `messages`, and ids are never
 * reused (AUTOINCREMENT).
 */

/** The index's file beside the database's, like SQLite's own `-wal` and `-shm`. */
export const searchPathOf = (dbPath: string): string =>
  dbPath === ':memory:' ? ':memory:' : `${dbPath}-search`;

/**
 * Bumped when the index's schema changes: an index of another version is dropped and built again from the mails.
 * 2: trigrams (substrings, as Mailpit matches them) instead of words; file names of parts in `body`.
 * 3: the addresses of each mail by field, and the distinct addresses' own trigrams (`from:`, `to:` and the others).
 */
const SEARCH_VERSION = 3;

/** Page cache for the index on a connection, in KiB. */
const SEARCH_CACHE_KIB = 2_000;

/** Mails indexed per transaction: the indexer keeps up with a busy SMTP run in batches far smaller than this. */
const BATCH = 256;

/** Attaches the search database to a connection, creating its schema if needed (`create`: only the owner does). */
export function attachSearch(db: Database, dbPath: string, create: boolean): void {
  if (create && dbPath !== ':memory:') createPrivateFile(searchPathOf(dbPath));
  db.prepare('ATTACH DATABASE ? AS search').run(searchPathOf(dbPath));
  // SQLite's default page cache here would be 16 MB for this database too, on every connection.
  db.pragma(`search.cache_size = -${SEARCH_CACHE_KIB}`);
  if (!create) return;
  if (dbPath !== ':memory:') {
    db.pragma('search.journal_mode = WAL');
    db.pragma('search.synchronous = NORMAL');
  }
  if (db.pragma('search.user_version', { simple: true }) === SEARCH_VERSION) return;
  db.transaction(() => {
    db.exec(`
      DROP TABLE IF EXISTS search.messages_fts;
      DROP TABLE IF EXISTS search.search_state;
      DROP TABLE IF EXISTS search.addresses;
      DROP TABLE IF EXISTS search.addresses_fts;
      DROP TABLE IF EXISTS search.message_addresses;
      -- Every sequence of three characters is a term, so any part of a word (or of a sentence without spaces, as
      -- Chinese and Japanese write) of three or more characters is found by a lookup; see search-sql.ts.
      CREATE VIRTUAL TABLE search.messages_fts USING fts5 (
        subject, addresses, body,
        content = '', contentless_delete = 1, tokenize = 'trigram remove_diacritics 1'
      );
      -- Every mail up to indexed_seq is in the index.
      CREATE TABLE search.search_state (
        id           INTEGER PRIMARY KEY CHECK (id = 1),
        indexed_seq  INTEGER NOT NULL
      );
      INSERT INTO search.search_state (id, indexed_seq) VALUES (1, 0);
      -- Each address once, as an address filter matches it ("name <address>", lower case), and its trigrams: a
      -- filter finds the few addresses that hold its term, then their mails, where the mails' own index would read
      -- the postings of trigrams every mail's addresses share ("bil", "est").
      CREATE TABLE search.addresses (
        id    INTEGER PRIMARY KEY,
        text  TEXT NOT NULL UNIQUE
      );
      CREATE VIRTUAL TABLE search.addresses_fts USING fts5 (text, content = '', tokenize = 'trigram');
      -- Which mails carry an address, in which fields (ADDRESS_FIELD_BITS).
      CREATE TABLE search.message_addresses (
        address  INTEGER NOT NULL,
        seq      INTEGER NOT NULL,
        fields   INTEGER NOT NULL,
        PRIMARY KEY (address, seq)
      ) WITHOUT ROWID;
      -- Retention purges by mail.
      CREATE INDEX search.message_addresses_seq ON message_addresses (seq);
    `);
    db.pragma(`search.user_version = ${SEARCH_VERSION}`);
  })();
}

/** The addresses of a mail as the index holds them: names and addresses, envelope recipients too. */
export function addressText(addresses: (Address | null | undefined)[], envelopeTo: string[]): string {
  const out: string[] = [];
  for (const a of addresses) if (a) out.push(`${a.Name} ${a.Address}`);
  return out.concat(envelopeTo).join(' ');
}

/** A stored mail's address columns, as read for the address index. */
type AddressColumns = Pick<MessageRow, 'from_json' | 'to_json' | 'cc_json' | 'bcc_json' | 'reply_to_json'>;

/** A stored mail with no entry yet, as read back for the index. */
type Unindexed = Pick<
  MessageRow,
  'seq' | 'subject' | 'from_json' | 'to_json' | 'cc_json' | 'bcc_json' | 'reply_to_json'
> & { envelope_to: string; raw: Buffer };

/** A JSON column as a list: an array as it is, one value (the sender) as a list of one, anything else as none. */
function listOf<T>(json: string | null): T[] {
  if (!json) return [];
  try {
    const value = JSON.parse(json) as unknown;
    return Array.isArray(value) ? (value as T[]) : value ? [value as T] : [];
  } catch {
    return [];
  }
}

/**
 * Reads the text a stored mail is found by (its text part, else its HTML's visible text). Reading mail is ingest's
 * job, so whoever builds the store hands this in (see ingest/service.ts and workers/checkpoint.ts).
 */
export type MailTextReader = (raw: Buffer) => Promise<string>;

/** A stored mail's entry in the index, as the thread that stored it hands it over: it has read the text already. */
export interface SearchEntry {
  seq: number;
  subject: string;
  addresses: string;
  body: string;
}

/**
 * Puts stored mails into the full-text index, in order, on any connection that has `search` attached: the thread
 * that runs the checkpoints, or the main thread when no other can. Entries come handed over by the thread that
 * stored the mails, after their commit (`add`); mails stored without one (before a restart, by another path, or
 * handed to a thread that died) are read back from the store and parsed. Two indexers at once are safe: each writes
 * only the mails past what the index holds when it commits.
 */
export class SearchIndexer {
  readonly #db: Database;
  readonly #state: Statement;
  readonly #unindexed: Statement;
  readonly #insert: Statement;
  readonly #setState: Statement;
  readonly #oldest: Statement;
  readonly #purge: Statement;
  readonly #last: Statement;
  readonly #addressesOf: Statement;
  readonly #addressId: Statement;
  readonly #addAddress: Statement;
  readonly #addAddressText: Statement;
  readonly #linkAddress: Statement;
  readonly #purgeAddresses: Statement;
  #purgedBelow = 0;
  /** Entries handed over and not yet written, in the order of their mails. */
  #handed: SearchEntry[] = [];
  /** The run in progress: runs go one after the other. */
  #running: Promise<number> | undefined;

  readonly #readText: MailTextReader;

  constructor(db: Database, readText: MailTextReader) {
    this.#db = db;
    this.#readText = readText;
    this.#state = db.prepare('SELECT indexed_seq FROM search.search_state WHERE id = 1').pluck();
    this.#unindexed = db.prepare(`
      SELECT m.seq, m.subject, m.from_json, m.to_json, m.cc_json, m.bcc_json, m.reply_to_json, m.envelope_to, d.raw
      FROM main.messages m JOIN main.message_data d ON d.seq = m.seq
      WHERE m.seq > ? AND m.seq < ? ORDER BY m.seq LIMIT ?`);
    this.#insert = db.prepare(
      'INSERT INTO search.messages_fts (rowid, subject, addresses, body) VALUES (?, ?, ?, ?)',
    );
    this.#setState = db.prepare('UPDATE search.search_state SET indexed_seq = ? WHERE id = 1');
    this.#oldest = db.prepare('SELECT min(seq) FROM main.messages').pluck();
    this.#purge = db.prepare('DELETE FROM search.messages_fts WHERE rowid < ?');
    this.#last = db.prepare('SELECT max(seq) FROM main.messages').pluck();
    this.#addressesOf = db.prepare(
      'SELECT from_json, to_json, cc_json, bcc_json, reply_to_json FROM main.messages WHERE seq = ?',
    );
    this.#addressId = db.prepare('SELECT id FROM search.addresses WHERE text = ?').pluck();
    this.#addAddress = db.prepare('INSERT INTO search.addresses (text) VALUES (?)');
    this.#addAddressText = db.prepare('INSERT INTO search.addresses_fts (rowid, text) VALUES (?, ?)');
    this.#linkAddress = db.prepare(
      `INSERT INTO search.message_addresses (address, seq, fields) VALUES (?, ?, ?)
       ON CONFLICT DO UPDATE SET fields = fields | excluded.fields`,
    );
    this.#purgeAddresses = db.prepare('DELETE FROM search.message_addresses WHERE seq < ?');
  }

  /** The last mail (by seq) the index holds, and every one before it. */
  indexedSeq(): number {
    return (this.#state.get() as number | undefined) ?? 0;
  }

  /** Entries handed over and not yet written. */
  get handed(): number {
    return this.#handed.length;
  }

  /** Takes the entries of mails just committed, in their order, for the next run. */
  add(entries: SearchEntry[]): void {
    for (const entry of entries) this.#handed.push(entry);
  }

  /**
   * Indexes the next mails: the entries handed over, or first the stored mails before them that have none; when none
   * are handed over, the stored mails below `storedBelow`. Resolves with how many it wrote (0: nothing was left).
   */
  indexSome(storedBelow: number): Promise<number> {
    const next = () => this.#indexNext(storedBelow);
    const run = (this.#running ?? Promise.resolve(0)).then(next, next);
    this.#running = run;
    return run;
  }

  /** Indexes until nothing is left (see indexSome); by default every stored mail. */
  async catchUp(storedBelow = Number.MAX_SAFE_INTEGER): Promise<void> {
    while ((await this.indexSome(storedBelow)) > 0);
  }

  /** The newest stored mail now (0 when there is none). */
  lastStored(): number {
    return (this.#last.get() as number | null) ?? 0;
  }

  async #indexNext(storedBelow: number): Promise<number> {
    this.#purgeDeleted();
    const done = this.indexedSeq();
    let skip = 0;
    while (skip < this.#handed.length && this.#handed[skip]!.seq <= done) skip++;
    if (skip) this.#handed = this.#handed.slice(skip);
    const next = this.#handed[0]?.seq;
    // Stored mails with no entry: before the first one handed over, or below `storedBelow`.
    const below = next ?? storedBelow;
    if (below > done + 1) {
      const rows = this.#unindexed.all(done, below, BATCH) as Unindexed[];
      if (rows.length > 0) return this.#write(await Promise.all(rows.map((row) => this.#entryOf(row))));
    }
    if (next === undefined) return 0;
    // The handed entries up to the first gap in their seqs: a mail in it was stored without one, and is read back
    // from the store in the next run before the entries after it.
    let run = 1;
    while (run < this.#handed.length && this.#handed[run]!.seq === this.#handed[run - 1]!.seq + 1) run++;
    const entries = this.#handed.slice(0, run);
    this.#handed = this.#handed.slice(run);
    return this.#write(entries);
  }

  /** Writes entries (in seq order) past what the index holds, and moves its mark to the last of them. */
  #write(entries: SearchEntry[]): number {
    this.#db.transaction(() => {
      const done = this.indexedSeq();
      for (const e of entries) {
        if (e.seq <= done) continue;
        this.#insert.run(e.seq, e.subject, e.addresses, e.body);
        this.#indexAddresses(e.seq);
      }
      this.#setState.run(Math.max(done, entries[entries.length - 1]!.seq));
    })();
    return entries.length;
  }

  /** Links a stored mail to its addresses, field by field (a mail deleted meanwhile has none to link). */
  #indexAddresses(seq: number): void {
    const row = this.#addressesOf.get(seq) as AddressColumns | undefined;
    if (!row) return;
    const fields = new Map<string, number>();
    const add = (json: string | null, bit: number) => {
      for (const a of listOf<Address>(json)) {
        if (typeof a !== 'object' || typeof a.Address !== 'string') continue;
        const key = addressKey({ Name: typeof a.Name === 'string' ? a.Name : '', Address: a.Address });
        fields.set(key, (fields.get(key) ?? 0) | bit);
      }
    };
    add(row.from_json, ADDRESS_FIELD_BITS.from);
    add(row.to_json, ADDRESS_FIELD_BITS.to);
    add(row.cc_json, ADDRESS_FIELD_BITS.cc);
    add(row.bcc_json, ADDRESS_FIELD_BITS.bcc);
    add(row.reply_to_json, ADDRESS_FIELD_BITS['reply-to']);
    for (const [text, bits] of fields) {
      let id = this.#addressId.get(text) as number | undefined;
      if (id === undefined) {
        id = Number(this.#addAddress.run(text).lastInsertRowid);
        this.#addAddressText.run(id, text);
      }
      this.#linkAddress.run(id, seq, bits);
    }
  }

  /** Drops the entries of mails that retention (or a delete of everything) removed: all below the oldest one kept. */
  #purgeDeleted(): void {
    const oldest = this.#oldest.get() as number | null;
    if (oldest === null || oldest <= this.#purgedBelow) return;
    this.#purge.run(oldest);
    this.#purgeAddresses.run(oldest);
    this.#purgedBelow = oldest;
  }

  /** The entry of a stored mail read back from the store (parsing it is asynchronous, so it is done before writing). */
  async #entryOf(row: Unindexed): Promise<SearchEntry> {
    return {
      seq: row.seq,
      subject: row.subject,
      addresses: addressText(
        [row.from_json, row.to_json, row.cc_json, row.bcc_json, row.reply_to_json].flatMap(listOf<Address>),
        listOf<string>(row.envelope_to),
      ),
      body: await this.#readText(row.raw).catch(() => ''),
    };
  }
}
