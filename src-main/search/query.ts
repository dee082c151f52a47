// Mailpit's search syntax, parsed once into filters that the store turns into SQL (store/search-sql.ts) and tag rules
// check against a mail about to be stored (search/match.ts):
//   plain words and "quoted phrases" (substrings of the subject, addresses, text and file names; every term must match);
//   from: to: cc: bcc: reply-to: addressed: subject: message-id: (substrings of the field);
//   tag: inbox: is:read is:unread is:tagged has:attachment has:inline larger: smaller: (k/m/g units) before: after:;
//   Mailbeacon's is:opened is:clicked is:unsubscribed (counted hits, model/counting.ts), is:machine-opened
//   is:machine-clicked (proxies, scanners), source: (recipient, simulated, preview: whose hits those count) and
//   is:relayed; any term negated with a leading '!' or '-'.
// A `word:` at the start of a term that is no known filter is a 400 naming the known ones, never a silent empty
// result; URLs (`http://…`, `mailto:…`) and times (`10:30`) are searched as text.

import { parseSource, TRACKING_SOURCES } from '../model/counting.js';
import type { TrackingSource } from '../model/tracking.js';

export type AddressField = 'from' | 'to' | 'cc' | 'bcc' | 'reply-to' | 'addressed';
export type IsValue =
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
  | { kind: 'inbox'; value: string }
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
  'inbox',
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
    } else if (key === 'inbox') {
      filters.push({ kind: 'inbox', value, negated });
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

function badQuery(message: string): Error {
  return Object.assign(new Error(`bad search query: ${message}`), { statusCode: 400 });
}
