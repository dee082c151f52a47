import type { Database, Statement } from 'better-sqlite3';
import { ALL_INBOXES, oneInbox, scopeSql, type InboxScope } from '../../model/inbox.js';
import { settingsFromJson, type InboxSettings } from '../../model/inbox-settings.js';
import type { InboxRow, InboxStore, MovedMail } from '../contract.js';
import type { SqliteMessageStore } from './messages.js';

/**
 * The `inboxes` table and what moves whole inboxes: listing them with their counts, creating, renaming, emptying
 * and deleting one, moving mails between inboxes. A mail's own inbox is written with the mail (message-writes.ts), which creates the inbox's row.
 * Whole-inbox changes go through `MessageStore.delete` so its running count stays right.
 */
export class SqliteInboxStore implements InboxStore {
  readonly #db: Database;
  readonly #messages: SqliteMessageStore;
  readonly #list: Statement;
  readonly #get: Statement;
  readonly #create: Statement;
  readonly #settings: Statement;
  readonly #saveSettings: Statement;
  readonly #allSettings: Statement;

  constructor(db: Database, messages: SqliteMessageStore) {
    this.#db = db;
    this.#messages = messages;
    // Each inbox's counts come from its slice of the (inbox, seq, read) index, its newest mail from that slice's end.
    this.#list = db.prepare(`SELECT name, created_ms AS createdMs, total, unread,
        (SELECT created_ms FROM messages WHERE seq = last) AS lastMs
      FROM (SELECT i.name, i.created_ms, count(m.seq) AS total, coalesce(sum(m.read = 0), 0) AS unread,
          max(m.seq) AS last
        FROM inboxes i LEFT JOIN messages m INDEXED BY messages_inbox ON m.inbox = i.name
        GROUP BY i.name)
      ORDER BY name`);
    this.#get = db.prepare('SELECT name FROM inboxes WHERE name = ?').pluck();
    this.#create = db.prepare('INSERT OR IGNORE INTO inboxes (name, created_ms) VALUES (?, ?)');
    this.#settings = db.prepare('SELECT settings_json FROM inboxes WHERE name = ?').pluck();
    this.#saveSettings = db.prepare('UPDATE inboxes SET settings_json = ? WHERE name = ?');
    this.#allSettings = db.prepare('SELECT name, settings_json AS json FROM inboxes');
  }

  async settings(name: string): Promise<InboxSettings | undefined> {
    const json = this.#settings.get(name) as string | undefined;
    return json === undefined ? undefined : settingsFromJson(json);
  }

  async saveSettings(name: string, settings: InboxSettings): Promise<boolean> {
    return this.#saveSettings.run(JSON.stringify(settings), name).changes > 0;
  }

  async allSettings(): Promise<Map<string, InboxSettings>> {
    const rows = this.#allSettings.all() as { name: string; json: string }[];
    return new Map(rows.map((row) => [row.name, settingsFromJson(row.json)]));
  }

  async list(): Promise<InboxRow[]> {
    return this.#list.all() as InboxRow[];
  }

  async exists(name: string): Promise<boolean> {
    return this.#get.get(name) !== undefined;
  }

  /** Creates an inbox (nothing when it exists); true when it is new. */
  async create(name: string, nowMs: number): Promise<boolean> {
    return this.#create.run(name, nowMs).changes > 0;
  }

  /**
   * Moves every mail, event and outbox entry of `from` to `to`, in one transaction: 'missing' when `from` does not
   * exist, 'taken' when `to` does.
   */
  async rename(from: string, to: string): Promise<'renamed' | 'missing' | 'taken'> {
    return this.#db.transaction(() => {
      if (this.#get.get(to) !== undefined) return 'taken';
      const moved = this.#db.prepare('UPDATE inboxes SET name = ? WHERE name = ?').run(to, from).changes > 0;
      if (!moved) return 'missing';
      for (const table of ['messages', 'events', 'relay_outbox'])
        this.#db.prepare(`UPDATE ${table} SET inbox = ? WHERE inbox = ?`).run(to, from);
      return 'renamed';
    })();
  }

  /** Deletes an inbox's mails, their events and outbox entries in one transaction; returns the mails' ids. */
  async empty(name: string): Promise<string[]> {
    return this.#db.transaction(() => this.#emptyRows(name))();
  }

  /** Deletes an inbox with everything in it, in one transaction; undefined when it does not exist. */
  async delete(name: string): Promise<string[] | undefined> {
    return this.#db.transaction(() => {
      if (this.#get.get(name) === undefined) return undefined;
      const ids = this.#emptyRows(name);
      this.#db.prepare('DELETE FROM inboxes WHERE name = ?').run(name);
      return ids;
    })();
  }

  /**
   * Moves mails within `scope` into `to` with their events and outbox entries, in one transaction, so an event
   * never names an inbox its mail has left. Undefined when `to` does not exist. The running count stays: the
   * mails are still stored.
   */
  async moveMessages(
    ids: string[],
    to: string,
    scope: InboxScope = ALL_INBOXES,
  ): Promise<MovedMail[] | undefined> {
    const inScope = scopeSql(scope, 'inbox');
    const and = inScope ? ` AND ${inScope.where}` : '';
    const list = JSON.stringify([...new Set(ids)]);
    return this.#db.transaction(() => {
      if (this.#get.get(to) === undefined) return undefined;
      const moved = this.#db
        .prepare(
          `SELECT id, inbox AS "from" FROM messages
           WHERE id IN (SELECT value FROM json_each(?)) AND inbox != ?${and} ORDER BY seq`,
        )
        .all(list, to, ...(inScope?.params ?? [])) as MovedMail[];
      if (moved.length === 0) return moved;
      const movedIds = JSON.stringify(moved.map((m) => m.id));
      this.#db
        .prepare('UPDATE messages SET inbox = ? WHERE id IN (SELECT value FROM json_each(?))')
        .run(to, movedIds);
      for (const table of ['events', 'relay_outbox'])
        this.#db
          .prepare(`UPDATE ${table} SET inbox = ? WHERE message_id IN (SELECT value FROM json_each(?))`)
          .run(to, movedIds);
      return moved;
    })();
  }

  #emptyRows(name: string): string[] {
    try {
      const ids = this.#messages.deleteNow('all', oneInbox(name));
      this.#db.prepare('DELETE FROM events WHERE inbox = ?').run(name);
      this.#db.prepare('DELETE FROM relay_outbox WHERE inbox = ?').run(name);
      return ids;
    } catch (err) {
      this.#messages.recount();
      throw err;
    }
  }
}
