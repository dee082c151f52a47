// Mailpit's search syntax, turned into one SQL condition over `messages m`:
//   plain words and "quoted phrases" (full-text, every term must match); from: to: cc: bcc: subject: (words or
//   word prefixes of the field, found through the full-text index) and message-id: (substring); is:read is:unread has:attachment (and has:attachments), before: after: (received date),
//   tag:, and Mailbeacon's is:opened is:clicked is:unsubscribed; any term negated with a leading '-'.

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
}

interface Term {
  negated: boolean;
  key: string;
  value: string;
}

/** Splits a query into terms, honouring double quotes (`subject:"big sale"`, `"exact phrase"`). */
export function tokenize(query: string): Term[] {
  const terms: Term[] = [];
  const re = /(-?)(?:([a-z-]+):)?(?:"([^"]*)"?|(\S+))/gi;
  for (const m of query.matchAll(re)) {
    const value = (m[3] ?? m[4] ?? '').trim();
    const key = (m[2] ?? '').toLowerCase();
    if (!value && !key) continue;
    terms.push({ negated: m[1] === '-', key, value });
  }
  return terms;
}

/** A term for FTS5: quoted so operators in user input are literals, with prefix matching on the last word. */
function ftsPhrase(value: string): string {
  return `"${value.replaceAll('"', '""')}"*`;
}

/** Fields whose words are in a column of the full-text index: the index narrows, LIKE confirms. */
const FTS_COLUMN: Record<string, string> = {
  from: 'addresses',
  to: 'addresses',
  cc: 'addresses',
  bcc: 'addresses',
  subject: 'subject',
};

const escapeLike = (value: string) => `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function parseDate(value: string): number | null {
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00` : value);
  return Number.isNaN(ms) ? null : ms;
}

const TRACKING_KIND: Record<string, string> = { opened: 'open', clicked: 'click', unsubscribed: 'unsub' };

/** Builds the condition; an unparseable term (a bad date) is an Error with `statusCode` 400. */
export function buildSearch(query: string): SqlSearch {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const narrow: SqlCondition = { where: '', params: [] };
  const fts: string[] = [];
  const ftsNot: string[] = [];

  for (const { negated, key, value } of tokenize(query)) {
    const not = negated ? 'NOT ' : '';
    const column = {
      from: 'm.from_json',
      to: 'm.to_json',
      cc: 'm.cc_json',
      bcc: 'm.bcc_json',
      subject: 'm.subject',
      'message-id': 'm.message_id',
      tag: 'm.tags_json',
    }[key];
    if (column) {
      if (!value) continue;
      const like = escapeLike(key === 'message-id' ? value.replace(/^<|>$/g, '') : value);
      const ftsColumn = FTS_COLUMN[key];
      if (ftsColumn && !negated && /[\p{L}\p{N}]/u.test(value)) {
        // Narrow to the mails whose indexed names, addresses or subject hold these words (as words or word
        // prefixes), then confirm the field with LIKE; scanning every row costs tens of milliseconds per
        // 100,000 mails, the index lookup a fraction of one.
        clauses.push(`m.seq IN (SELECT rowid FROM search.messages_fts WHERE messages_fts MATCH ?)`);
        params.push(`${ftsColumn} : ${ftsPhrase(value)}`);
      }
      clauses.push(`${not}(${column} LIKE ? ESCAPE '\\')`);
      params.push(like);
    } else if (key === 'is') {
      const v = value.toLowerCase();
      if (v === 'read' || v === 'unread') clauses.push(`${not}(m.read = ${v === 'read' ? 1 : 0})`);
      else if (TRACKING_KIND[v]) {
        clauses.push(`${not}EXISTS (SELECT 1 FROM events e WHERE e.message_id = m.id AND e.kind = ?)`);
        params.push(TRACKING_KIND[v]);
      } else throw badQuery(`unknown is:${value}`);
    } else if (key === 'has') {
      if (!/^attachments?$/i.test(value)) throw badQuery(`unknown has:${value}`);
      clauses.push(`${not}(m.attachments > 0)`);
    } else if (key === 'before' || key === 'after') {
      const ms = parseDate(value);
      if (ms === null) throw badQuery(`${key}: needs a date such as 2026-01-31, not "${value}"`);
      clauses.push(`${not}(m.created_ms ${key === 'before' ? '<' : '>='} ?)`);
      params.push(ms);
      if (key === 'before' && !negated) {
        // Every mail received before `ms` has a seq at most the largest of theirs (an index-only look-up).
        narrow.where += `${narrow.where ? ' AND ' : ''}m.seq <= (SELECT coalesce(max(seq), 0) FROM messages INDEXED BY messages_created WHERE created_ms < ?)`;
        narrow.params.push(ms);
      }
    } else {
      // Unknown prefixes are searched as text, like Mailpit does; a quoted value is one phrase.
      const text = key ? `${key}:${value}` : value;
      if (!/[\p{L}\p{N}]/u.test(text)) continue;
      (negated ? ftsNot : fts).push(ftsPhrase(text));
    }
  }

  if (fts.length) {
    clauses.push(`m.seq IN (SELECT rowid FROM search.messages_fts WHERE messages_fts MATCH ?)`);
    params.push(fts.join(' '));
  }
  for (const phrase of ftsNot) {
    clauses.push(`m.seq NOT IN (SELECT rowid FROM search.messages_fts WHERE messages_fts MATCH ?)`);
    params.push(phrase);
  }
  return {
    where: clauses.length ? clauses.join(' AND ') : '1',
    params,
    narrow: narrow.where ? narrow : null,
  };
}

function badQuery(message: string): Error {
  return Object.assign(new Error(`bad search query: ${message}`), { statusCode: 400 });
}
