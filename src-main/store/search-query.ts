// Mailpit's search syntax, parsed once into filters that become one SQL condition over `messages m` (searches) or are
// checked against a mail about to be stored (tag rules, see `matchesMail`):
//   plain words and "quoted phrases" (substrings of the subject, addresses, text and file names; every term must match);
//   from: to: cc: bcc: reply-to: addressed: subject: message-id: (substrings of the field);
//   tag: is:read is:unread is:tagged has:attachment has:inline larger: smaller: (k/m/g units) before: after:;
//   Mailbeacon's is:opened is:clicked is:unsubscribed (counted hits, model/counting.ts), is:machine-opened
//   is:machine-clicked (proxies, scanners), source: (recipient, simulated, preview: whose hits those count) and
//   is:relayed; any term negated with a leading '!' or '-'.
// A `word:` at the start of a term that is no known filter is a 400 naming the known ones, never a silent empty
// result; URLs (`http://…`, `mailto:…`) and times (`10:30`) are searched as text.

import type { Address, MessageListing } from '../model/message.js';
import { countedSql, machineSql, parseSource, TRACKING_SOURCES } from '../model/counting.js';
import type { TrackingSource } from '../model/tracking.js';

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

type AddressField = 'from' | 'to' | 'cc' | 'bcc' | 'reply-to' | 'addressed';
type IsValue =
  | 'read'
  | 'unread'
  | 'tagged'
  | 'opened'
  | 'clicked'
  | 'unsubscribed'
  | 'machine-opened'
  | 'machine-clicked'
  | 'relayed';

/** One term of a query. */
export type Filter = { negated: boolean } & (
  | { kind: 'text'; value: string }
  | { kind: 'address'; field: AddressField; value: string }
  | { kind: 'subject'; value: string }
  | { kind: 'message-id'; value: string }
  | { kind: 'tag'; value: string }
  | { kind: 'is'; value: IsValue }
  | { kind: 'source'; value: TrackingSource }
  | { kind: 'has'; value: 'attachment' | 'inline' }
  | { kind: 'size'; op: 'larger' | 'smaller'; bytes: number }
  | { kind: 'date'; op: 'before' | 'after'; ms: number }
);

const ADDRESS_FIELDS: AddressField[] = ['from', 'to', 'cc', 'bcc', 'reply-to', 'addressed'];
const IS_VALUES: IsValue[] = [
  'read',
  'unread',
  'tagged',
  'opened',
  'clicked',
  'unsubscribed',
  'machine-opened',
  'machine-clicked',
  'relayed',
];
const HAS_VALUES = ['attachment', 'attachments', 'inline'];

/** Every filter prefix, as a 400 for an unknown one lists them. */
export const SEARCH_PREFIXES = [
  ...ADDRESS_FIELDS,
  'subject',
  'message-id',
  'tag',
  'is',
  'source',
  'has',
  'larger',
  'smaller',
  'before',
  'after',
] as const;
const KNOWN = new Set<string>(SEARCH_PREFIXES);

/** Prefixes searched as text: link schemes a user pastes, never meant as filters. */
const URI_SCHEMES = new Set(['http', 'https', 'mailto', 'tel', 'ftp', 'cid', 'data', 'urn', 'file']);

interface Term {
  negated: boolean;
  /** As written; filters are matched case-insensitively. */
  key: string;
  value: string;
}

/**
 * Splits a query into terms, honouring double quotes (`subject:"big sale"`, `"exact phrase"`). A prefix is
 * `[a-z-]+:` at the start of a term; anything else (`10:30`, `Re:`) stays part of the value.
 */
export function tokenize(query: string): Term[] {
  const terms: Term[] = [];
  const re = /([!-]?)(?:([A-Za-z][A-Za-z-]*):)?(?:"([^"]*)"?|(\S+))?/g;
  for (const m of query.matchAll(re)) {
    const value = (m[3] ?? m[4] ?? '').trim();
    const key = m[2] ?? '';
    if (!value && !key) continue;
    terms.push({ negated: m[1] !== '', key, value });
  }
  return terms;
}

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

function parseSize(value: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?$/i.exec(value);
  return m ? Math.round(Number(m[1]) * SIZE_UNITS[m[2]!.toLowerCase()]!) : null;
}

function parseDate(value: string): number | null {
  // A date alone is the start of that day, local time, like a time without a zone.
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00` : value);
  return Number.isNaN(ms) ? null : ms;
}

/** The filters of a query; an unknown prefix or a bad value is an Error with `statusCode` 400. */
export function parseQuery(query: string): Filter[] {
  // SQLite ends a string at a NUL: the full-text index would read the term as unterminated.
  if (query.includes('\0')) throw badQuery('a query cannot contain a NUL character');
  const filters: Filter[] = [];
  for (const { negated, key: written, value } of tokenize(query)) {
    const raw = written ? `${written}:${value}` : value;
    const key = written.toLowerCase();
    if (key && !KNOWN.has(key)) {
      // `http://x`, `mailto:a@b`, `Re:` and capitalised words (`RE:hello`) are text; a lowercase word directly
      // followed by a value is a mistyped filter.
      if (URI_SCHEMES.has(key) || !value || value.startsWith('//') || written !== key) {
        filters.push({ kind: 'text', value: raw, negated });
        continue;
      }
      throw badQuery(
        `unknown filter "${key}:"; known filters: ${SEARCH_PREFIXES.map((p) => `${p}:`).join(' ')}`,
      );
    }
    if (!key) {
      if (value) filters.push({ kind: 'text', value, negated });
      continue;
    }
    if (!value) continue; // `from:` with nothing after it, as Mailpit ignores it
    if ((ADDRESS_FIELDS as string[]).includes(key)) {
      filters.push({ kind: 'address', field: key as AddressField, value, negated });
    } else if (key === 'subject') {
      filters.push({ kind: 'subject', value, negated });
    } else if (key === 'message-id') {
      filters.push({ kind: 'message-id', value: value.replace(/^<|>$/g, ''), negated });
    } else if (key === 'tag') {
      filters.push({ kind: 'tag', value, negated });
    } else if (key === 'is') {
      const v = value.toLowerCase() as IsValue;
      if (!IS_VALUES.includes(v)) throw badQuery(`unknown is:${value} (known: ${IS_VALUES.join(', ')})`);
      filters.push({ kind: 'is', value: v, negated });
    } else if (key === 'source') {
      const v = parseSource(value);
      if (!v) throw badQuery(`unknown source:${value} (known: ${TRACKING_SOURCES.join(', ')})`);
      filters.push({ kind: 'source', value: v, negated });
    } else if (key === 'has') {
      const v = value.toLowerCase();
      if (!HAS_VALUES.includes(v)) throw badQuery(`unknown has:${value} (known: attachment, inline)`);
      filters.push({ kind: 'has', value: v === 'inline' ? 'inline' : 'attachment', negated });
    } else if (key === 'larger' || key === 'smaller') {
      const bytes = parseSize(value);
      if (bytes === null) throw badQuery(`${key}: needs a size such as 10k or 2m, not "${value}"`);
      filters.push({ kind: 'size', op: key, bytes, negated });
    } else {
      const op = key as 'before' | 'after';
      const ms = parseDate(value);
      if (ms === null)
        throw badQuery(`${key}: needs a date such as 2026-01-31 or 2026-01-31T10:30, not "${value}"`);
      filters.push({ kind: 'date', op, ms, negated });
    }
  }
  return filters;
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

/** An address as address filters match it, in the index and in memory: a substring of `name <address>`. */
export const addressKey = (a: Address): string => `${a.Name} <${a.Address}>`.toLowerCase();

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

/** A mail about to be stored, as tag rules see it. */
export interface MailCandidate extends Pick<
  MessageListing,
  | 'from'
  | 'to'
  | 'cc'
  | 'bcc'
  | 'replyTo'
  | 'subject'
  | 'messageId'
  | 'tags'
  | 'size'
  | 'attachments'
  | 'createdMs'
> {
  /** Inline parts. */
  inline: number;
  /** The text a plain word is looked for in: subject, addresses and body. */
  text: string;
}

const has = (haystack: string, needle: string) => haystack.toLowerCase().includes(needle.toLowerCase());
const hasAddress = (list: (Address | null)[], needle: string) =>
  list.some((a) => !!a && addressKey(a).includes(needle.toLowerCase()));

/**
 * Whether a mail not yet stored matches filters (tag rules on ingest). Words and fields match as substrings, as in
 * the index; a new mail is unread and has no tracking events or relay yet.
 */
export function matchesMail(filters: Filter[], mail: MailCandidate): boolean {
  return filters.every((f) => {
    let hit: boolean;
    switch (f.kind) {
      case 'text':
        hit = has(mail.text, f.value);
        break;
      case 'address': {
        const lists: Record<AddressField, (Address | null)[]> = {
          from: [mail.from],
          to: mail.to,
          cc: mail.cc,
          bcc: mail.bcc,
          'reply-to': mail.replyTo,
          addressed: [mail.from, ...mail.to, ...mail.cc, ...mail.bcc, ...mail.replyTo],
        };
        hit = hasAddress(lists[f.field], f.value);
        break;
      }
      case 'subject':
        hit = has(mail.subject, f.value);
        break;
      case 'message-id':
        hit = has(mail.messageId, f.value);
        break;
      case 'tag':
        hit = mail.tags.some((t) => t.toLowerCase() === f.value.toLowerCase());
        break;
      case 'is':
        hit = f.value === 'unread' || (f.value === 'tagged' && mail.tags.length > 0);
        break;
      case 'has':
        hit = f.value === 'attachment' ? mail.attachments > 0 : mail.inline > 0;
        break;
      case 'size':
        hit = f.op === 'larger' ? mail.size >= f.bytes : mail.size < f.bytes;
        break;
      case 'date':
        hit = f.op === 'before' ? mail.createdMs < f.ms : mail.createdMs >= f.ms;
        break;
      case 'source':
        return true; // only scopes tracking filters, which a new mail matches none of
    }
    return hit !== f.negated;
  });
}

function badQuery(message: string): Error {
  return Object.assign(new Error(`bad search query: ${message}`), { statusCode: 400 });
}
