import type { MessagePort } from 'node:worker_threads';
import type { Database } from 'better-sqlite3';
import { SearchIndexer, type MailTextReader, type SearchEntry } from '../search-index.js';
import { ALL_INBOXES, scopeSql, type InboxScope } from '../../model/inbox.js';
import { buildSearch, type SqlCondition } from '../search-sql.js';

/** A search's condition within an inbox scope. */
function scoped(search: SqlCondition, scope: InboxScope): SqlCondition {
  const inScope = scopeSql(scope, 'm.inbox');
  return inScope
    ? { where: `${inScope.where} AND ${search.where}`, params: [...inScope.params, ...search.params] }
    : search;
}

/** How long a search waits for the indexing thread before it indexes what is missing itself. */
const SEARCH_WAIT_MS = 1_000;
/**
 * Entries for the indexing thread go to it at most this often: one message per commit cost a wake-up of that thread
 * (a system call and a lock) per commit. It writes them every 20 ms anyway, and a search sends what is waiting first.
 */
const POST_INTERVAL_MS = 10;
/** Entries of new mails kept for the next search, at most, when this thread fills the index. */
const MAX_HANDED = 1_000;

/**
 * The mails' way into the full-text index (search-index.ts), filled behind the commits by the checkpoint thread or,
 * without one, by this thread when a search needs it; and the searches that match single mails or ids.
 */
export class SearchHandoff {
  readonly #db: Database;
  /** Fills the full-text index when no other thread does (see search-index.ts). */
  readonly #indexer: SearchIndexer;
  /** Where the entries of new mails go when another thread fills the index. */
  #searchPort: MessagePort | undefined;
  /** Entries waiting for the next message to the indexing thread. */
  #toPost: SearchEntry[] = [];
  #postTimer: NodeJS.Timeout | undefined;

  constructor(db: Database, readText: MailTextReader) {
    this.#db = db;
    this.#indexer = new SearchIndexer(db, readText);
  }

  /**
   * The thread that fills the full-text index from now on (the one that runs the checkpoints), through this port;
   * undefined: this thread fills it, when a search needs it.
   */
  indexOn(port: MessagePort | undefined): void {
    // Entries still waiting go to whoever fills the index now.
    const waiting = this.#toPost;
    this.#toPost = [];
    clearTimeout(this.#postTimer);
    this.#postTimer = undefined;
    this.#searchPort = port;
    this.handToSearch(waiting);
  }

  /** The entries of mails just committed, for the full-text index (see search-index.ts). */
  handToSearch(entries: SearchEntry[]): void {
    if (entries.length === 0) return;
    if (this.#searchPort) {
      for (const entry of entries) this.#toPost.push(entry);
      this.#postTimer ??= setTimeout(this.#postEntries, POST_INTERVAL_MS).unref();
      return;
    }
    this.#indexer.add(entries);
    // Kept for the next search, but not without bound.
    if (this.#indexer.handed >= MAX_HANDED) void this.#indexer.catchUp(0).catch(() => {});
  }

  readonly #postEntries = (): void => {
    clearTimeout(this.#postTimer);
    this.#postTimer = undefined;
    if (!this.#toPost.length) return;
    this.#searchPort?.postMessage(this.#toPost);
    this.#toPost = [];
  };

  /**
   * Resolves once every mail stored so far is in the full-text index, so that a search (`page` with a query,
   * `matches`, `idsMatching`) finds it. The index is filled behind the commits, on another thread when one does it
   * (a few milliseconds behind under load); if that thread falls behind by more than a moment (a large mailbox
   * indexed for the first time, a thread that died), this thread does what is missing.
   */
  async searchReady(): Promise<void> {
    if (!this.#searchPort) return this.#indexer.catchUp();
    this.#postEntries();
    const target = this.#indexer.lastStored();
    const deadline = Date.now() + SEARCH_WAIT_MS;
    while (this.#indexer.indexedSeq() < target) {
      if (Date.now() > deadline) return this.#indexer.catchUp();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** Whether one mail matches a search query (without running the search over the whole mailbox). */
  matches(id: string, query: string): boolean {
    const { where, params } = buildSearch(query);
    return (
      this.#db
        .prepare(`SELECT 1 FROM messages m WHERE m.id = ? AND (${where})`)
        .pluck()
        .get(id, ...params) === 1
    );
  }

  /** The newest mail matching a search query (Mailpit's `latest?query=`), undefined when none does. */
  latestMatching(query: string, scope: InboxScope = ALL_INBOXES): string | undefined {
    const search = buildSearch(query);
    const { narrow } = search;
    const { where, params } = scoped(search, scope);
    return this.#db
      .prepare(
        `SELECT m.id FROM messages m WHERE ${where}${narrow ? ` AND ${narrow.where}` : ''} ORDER BY m.seq DESC LIMIT 1`,
      )
      .pluck()
      .get(...params, ...(narrow?.params ?? [])) as string | undefined;
  }

  /** Ids of every mail matching a search query (for `DELETE /api/v1/search`). */
  idsMatching(query: string, scope: InboxScope = ALL_INBOXES): string[] {
    const { where, params } = scoped(buildSearch(query), scope);
    return this.#db
      .prepare(`SELECT m.id FROM messages m WHERE ${where}`)
      .pluck()
      .all(...params) as string[];
  }
}
