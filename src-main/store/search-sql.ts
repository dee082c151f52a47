// Turns a parsed search query (search/query.ts) into one SQL condition over `messages m`, with the full-text and
// address indexes of the search database (store/search-index.ts).

import { countedSql, machineSql, TRACKING_SOURCES } from '../model/counting.js';
import { parseQuery, type AddressField, type IsValue } from '../search/query.js';

export interface SqlCondition {
  where: string;
  params: unknown[];
}

/** A search: its condition, and conditions implied by it that let a scan in `seq` order start late. */
export interface SqlSearch extends SqlCondition {
  /**
   * Extra clauses that never change which mails match (they follow from `where`), for the newest-first page: a
   * `before:` date is also an upper bound on `seq`, so the page's scan skips every newer mail instead of reading it.
   */
  narrow: SqlCondition | null;
  /** Whether the query has any term at all (a query of blanks matches every mail). */
  hasTerms: boolean;
}

/**
 * A term for the full-text index: quoted so operators in user input are literals. The index holds trigrams, so the
 * phrase matches wherever the term is a substring; whitespace is one space, as in the indexed text.
 */
function ftsPhrase(value: string): string {
  return `"${value.replace(/\s+/g, ' ').replaceAll('"', '""')}"`;
}

/**
 * The index's narrowing for a field filter, which LIKE then confirms on the field: every third trigram of the term
 * and its last one, as terms that must all be there. Fewer look-ups than the whole phrase, whose every trigram would be
 * read, and no positions to compare.
 */
function ftsTrigrams(value: string): string {
  const chars = [...value.replace(/\s+/g, ' ')];
  const grams: string[] = [];
  for (let i = 0; i + 3 <= chars.length; i += 3) grams.push(chars.slice(i, i + 3).join(''));
  if (chars.length % 3) grams.push(chars.slice(-3).join(''));
  return `(${grams.map((g) => `"${g.replaceAll('"', '""')}"`).join(' AND ')})`;
}

/** Trigrams find terms of three characters or more; shorter ones are looked for with LIKE (see SHORT_TERM_COLUMNS). */
const indexable = (value: string) => [...value.replace(/\s+/g, ' ')].length >= 3;

/**
 * Where a term too short for the index is looked for: the subject, the addresses and the start of the text (its
 * snippet), by reading every mail's row (the index cannot narrow it).
 */
const SHORT_TERM_COLUMNS = [
  'm.subject',
  'm.from_json',
  'm.to_json',
  'm.cc_json',
  'm.bcc_json',
  'm.reply_to_json',
  'm.snippet',
];

const escapeLike = (value: string) => `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The bit of each address field in the index's `message_addresses.fields` (store/search-index.ts). */
export const ADDRESS_FIELD_BITS: Record<Exclude<AddressField, 'addressed'>, number> = {
  from: 1,
  to: 2,
  cc: 4,
  bcc: 8,
  'reply-to': 16,
};
const ANY_ADDRESS_FIELD = 31;

const TRACKING_KIND: Partial<Record<IsValue, string>> = {
  opened: 'open',
  clicked: 'click',
  unsubscribed: 'unsub',
  'machine-opened': 'open',
  'machine-clicked': 'click',
};

const FTS_MATCH = 'SELECT rowid FROM search.messages_fts WHERE messages_fts MATCH ?';

/** Builds the condition; an unparseable term is an Error with `statusCode` 400. */
export function buildSearch(query: string): SqlSearch {
  const filters = parseQuery(query);
  const clauses: string[] = [];
  const params: unknown[] = [];
  const narrow: SqlCondition = { where: '', params: [] };
  const fts: string[] = [];
  const ftsNot: string[] = [];
  // Sets of mails the match must be in, intersected into one `m.seq IN (…)`: two such lists on one index would be
  // probed as every pair of their members.
  const sets: SqlCondition[] = [];
  const mailSet = (negated: boolean, sql: string, ...values: unknown[]) => {
    if (!negated) return void sets.push({ where: sql, params: values });
    clauses.push(`m.seq NOT IN (${sql})`);
    params.push(...values);
  };
  const hasWord = (value: string) => /[\p{L}\p{N}]/u.test(value);
  // `source:` says whose hits the tracking filters of the same search count (default: model/counting.ts's).
  const sources = filters.flatMap((f) => (f.kind === 'source' && !f.negated ? [f.value] : []));
  const notSources = new Set(filters.flatMap((f) => (f.kind === 'source' && f.negated ? [f.value] : [])));
  const scope =
    sources.length > 0 || notSources.size > 0
      ? (sources.length > 0 ? sources : TRACKING_SOURCES).filter((s) => !notSources.has(s))
      : undefined;

  for (const f of filters) {
    const not = f.negated ? 'NOT ' : '';
    switch (f.kind) {
      case 'text':
        if (!hasWord(f.value)) break;
        if (indexable(f.value)) {
          (f.negated ? ftsNot : fts).push(ftsPhrase(f.value));
        } else {
          const cols = SHORT_TERM_COLUMNS;
          clauses.push(`${not}(${cols.map((c) => `${c} LIKE ? ESCAPE '\\'`).join(' OR ')})`);
          for (let i = 0; i < cols.length; i++) params.push(escapeLike(f.value));
        }
        break;
      case 'address': {
        // The distinct addresses holding the term (by their trigrams; a shorter term reads them all), then the
        // mails that carry one of them in the field.
        const bits = f.field === 'addressed' ? ANY_ADDRESS_FIELD : ADDRESS_FIELD_BITS[f.field];
        const value = f.value.toLowerCase();
        const addresses = indexable(value)
          ? 'SELECT rowid FROM search.addresses_fts WHERE addresses_fts MATCH ?'
          : 'SELECT id FROM search.addresses WHERE instr(text, ?) > 0';
        mailSet(
          f.negated,
          `SELECT seq FROM search.message_addresses WHERE fields & ${bits} AND address IN (${addresses})`,
          indexable(value) ? ftsPhrase(value) : value,
        );
        break;
      }
      case 'subject': {
        if (!f.negated && hasWord(f.value) && indexable(f.value)) {
          // Narrow to the mails whose indexed subject holds the term, then confirm the field with LIKE: scanning
          // every row would read the whole mailbox.
          fts.push(`subject : ${ftsTrigrams(f.value)}`);
        }
        clauses.push(`${not}(m.subject LIKE ? ESCAPE '\\')`);
        params.push(escapeLike(f.value));
        break;
      }
      case 'message-id':
        clauses.push(`${not}(m.message_id LIKE ? ESCAPE '\\')`);
        params.push(escapeLike(f.value));
        break;
      case 'tag':
        mailSet(f.negated, 'SELECT seq FROM message_tags WHERE tag = ?', f.value);
        break;
      case 'inbox':
        // An index lookup in (inbox, seq, read) when it is the only condition.
        clauses.push(`${not}(m.inbox = ?)`);
        params.push(f.value);
        break;
      case 'is':
        if (f.value === 'read' || f.value === 'unread') {
          clauses.push(`${not}(m.read = ${f.value === 'read' ? 1 : 0})`);
        } else if (f.value === 'tagged') {
          // message_tags holds a row per tag of every tagged mail (see message-tags.ts).
          mailSet(f.negated, 'SELECT seq FROM message_tags');
        } else if (f.value === 'relayed') {
          // The outbox has no index by mail (it would cost every relayed mail's commit): read it once per query.
          clauses.push(`m.id ${not}IN (SELECT message_id FROM relay_outbox WHERE status = 'sent')`);
        } else {
          const rule = f.value.startsWith('machine-') ? machineSql(scope, 'e.') : countedSql(scope, 'e.');
          // The events read once per query, as a set of mails: a look-up per mail read every mail of the mailbox.
          mailSet(
            f.negated,
            `SELECT seq FROM messages WHERE id IN (SELECT e.message_id FROM events e WHERE e.kind = ? AND ${rule})`,
            TRACKING_KIND[f.value],
          );
        }
        break;
      case 'source':
        break; // read above, with the tracking filters it scopes
      case 'has':
        if (f.value === 'attachment') clauses.push(`${not}(m.attachments > 0)`);
        else mailSet(f.negated, 'SELECT seq FROM message_parts WHERE inline = 1');
        break;
      case 'size':
        clauses.push(`${not}(m.size ${f.op === 'larger' ? '>=' : '<'} ?)`);
        params.push(f.bytes);
        break;
      case 'date':
        clauses.push(`${not}(m.created_ms ${f.op === 'before' ? '<' : '>='} ?)`);
        params.push(f.ms);
        if (f.op === 'before' && !f.negated) {
          // Every mail received before `ms` has a seq at most the largest of theirs (an index-only look-up).
          narrow.where += `${narrow.where ? ' AND ' : ''}m.seq <= (SELECT coalesce(max(seq), 0) FROM messages INDEXED BY messages_created WHERE created_ms < ?)`;
          narrow.params.push(f.ms);
        }
        break;
    }
  }

  if (fts.length) mailSet(false, FTS_MATCH, fts.join(' AND '));
  for (const phrase of ftsNot) mailSet(true, FTS_MATCH, phrase);
  if (sets.length) {
    clauses.push(`m.seq IN (${sets.map((set) => set.where).join(' INTERSECT ')})`);
    for (const set of sets) params.push(...set.params);
  }
  return {
    where: clauses.length ? clauses.join(' AND ') : '1',
    params,
    narrow: narrow.where ? narrow : null,
    hasTerms: filters.length > 0,
  };
}
