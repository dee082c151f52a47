import type { Database, Statement } from 'better-sqlite3';
import { cleanTags, inChunks } from '../message-rows.js';
import { scopeSql, type InboxScope } from '../../model/inbox.js';

/**
 * The mails' tags: `message_tags` (one row per tag and mail, what tag searches and counts read) and the mail row's
 * `tags_json` (what its listing shows), kept equal.
 */
export class MessageTags {
  readonly #db: Database;
  readonly #insert: Statement;
  readonly #clear: Statement;
  readonly #all: Statement;
  readonly #counts: Statement;
  readonly #mailsWith: Statement;
  readonly #setJson: Statement;
  readonly #tagsOf: Statement;

  constructor(db: Database) {
    this.#db = db;
    this.#insert = db.prepare('INSERT OR IGNORE INTO message_tags (tag, seq) VALUES (?, ?)');
    this.#clear = db.prepare('DELETE FROM message_tags WHERE seq = ?');
    this.#all = db.prepare('SELECT tag FROM message_tags GROUP BY tag ORDER BY tag').pluck();
    this.#counts = db.prepare('SELECT tag, count(*) AS n FROM message_tags GROUP BY tag ORDER BY tag');
    this.#mailsWith = db.prepare(
      'SELECT m.seq, m.id, m.tags_json FROM message_tags t JOIN messages m ON m.seq = t.seq WHERE t.tag = ?',
    );
    this.#setJson = db.prepare('UPDATE messages SET tags_json = ? WHERE seq = ?');
    this.#tagsOf = db.prepare('SELECT seq, tags_json FROM messages WHERE id = ?');
  }

  /** Adds the rows of a mail's tags; runs inside the caller's transaction (the insert of the mail). */
  add(seq: number, tags: string[]): void {
    for (const tag of tags) this.#insert.run(tag, seq);
  }

  /** Every tag in use, sorted. */
  tags(): string[] {
    return this.#all.all() as string[];
  }

  /** How many mails carry each tag (Mailpit's `Tags` in `/api/v1/info`). */
  tagCounts(): Record<string, number> {
    const rows = this.#counts.all() as { tag: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.tag, r.n]));
  }

  /** The tags in use on the mails of `scope`, sorted: a closed inbox's tags never show outside it. */
  tagsIn(scope: InboxScope): string[] {
    const where = scopeSql(scope, 'm.inbox');
    if (!where) return this.tags();
    return this.#db
      .prepare(
        `SELECT t.tag FROM messages m JOIN message_tags t ON t.seq = m.seq WHERE ${where.where}
         GROUP BY t.tag ORDER BY t.tag`,
      )
      .pluck()
      .all(...where.params) as string[];
  }

  /** How many mails of `scope` carry each tag. */
  tagCountsIn(scope: InboxScope): Record<string, number> {
    const where = scopeSql(scope, 'm.inbox');
    if (!where) return this.tagCounts();
    const rows = this.#db
      .prepare(
        `SELECT t.tag, count(*) AS n FROM messages m JOIN message_tags t ON t.seq = m.seq WHERE ${where.where}
         GROUP BY t.tag ORDER BY t.tag`,
      )
      .all(...where.params) as { tag: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.tag, r.n]));
  }

  /** Replaces the tags of the given mails (cleaned as Mailpit does); returns the ids whose tags changed. */
  setTags(ids: string[], tags: string[]): string[] {
    const clean = cleanTags(tags);
    const json = JSON.stringify(clean);
    return this.#db.transaction(() =>
      inChunks(ids, (chunk) => {
        const rows = this.#db
          .prepare(
            `UPDATE messages SET tags_json = ? WHERE tags_json != ? AND id IN (${chunk.map(() => '?').join(',')})
             RETURNING seq, id`,
          )
          .all(json, json, ...chunk) as { seq: number; id: string }[];
        for (const { seq } of rows) this.#replace(seq, clean);
        return rows.map((r) => r.id);
      }),
    )();
  }

  /** Adds tags to the given mails' own (cleaned as setTags), in one transaction; returns the ids that changed. */
  addTags(ids: string[], tags: string[]): string[] {
    return this.#db.transaction(() => {
      const changed: string[] = [];
      for (const id of ids) {
        const row = this.#tagsOf.get(id) as { seq: number; tags_json: string } | undefined;
        if (!row) continue;
        const json = JSON.stringify(cleanTags([...(JSON.parse(row.tags_json) as string[]), ...tags]));
        if (json === row.tags_json) continue;
        this.#setJson.run(json, row.seq);
        this.#replace(row.seq, JSON.parse(json) as string[]);
        changed.push(id);
      }
      return changed;
    })();
  }

  /** Renames a tag on every mail that has it (or merges it into another); returns the ids that changed. */
  renameTag(from: string, to: string, scope?: InboxScope): string[] {
    const name = cleanTags([to])[0];
    if (!name) throw Object.assign(new Error('bad request: the new tag name is empty'), { statusCode: 400 });
    return this.#edit(
      from,
      (tags) => tags.map((t) => (t.toLowerCase() === from.toLowerCase() ? name : t)),
      scope,
    );
  }

  /** Removes a tag from every mail that has it (the mails stay); returns the ids that changed. */
  deleteTag(tag: string, scope?: InboxScope): string[] {
    return this.#edit(tag, (tags) => tags.filter((t) => t.toLowerCase() !== tag.toLowerCase()), scope);
  }

  /** Edits the tags of the mails of `scope` (every mail without one) that carry `tag`. */
  #edit(tag: string, edit: (tags: string[]) => string[], scope?: InboxScope): string[] {
    const where = scope && scopeSql(scope, 'm.inbox');
    const mailsWith = where
      ? this.#db.prepare(
          `SELECT m.seq, m.id, m.tags_json FROM message_tags t JOIN messages m ON m.seq = t.seq
           WHERE t.tag = ? AND ${where.where}`,
        )
      : this.#mailsWith;
    return this.#db.transaction(() => {
      const rows = mailsWith.all(tag, ...(where?.params ?? [])) as {
        seq: number;
        id: string;
        tags_json: string;
      }[];
      for (const row of rows) {
        const tags = cleanTags(edit(JSON.parse(row.tags_json) as string[]));
        this.#setJson.run(JSON.stringify(tags), row.seq);
        this.#replace(row.seq, tags);
      }
      return rows.map((r) => r.id);
    })();
  }

  #replace(seq: number, tags: string[]): void {
    this.#clear.run(seq);
    this.add(seq, tags);
  }
}
