// The search box holds Mailpit's query syntax; the chips are shortcuts that add or remove one term of it.
import type { CountScope } from '../../../src-main/wire/types';

export type ChipId = 'unread' | 'opened' | 'clicked' | 'not-opened';

export interface Chip {
  id: ChipId;
  label: string;
  term: string;
  /** Chips that cannot hold at the same time: turning one on turns these off. */
  excludes: ChipId[];
}

export const CHIPS: Chip[] = [
  { id: 'unread', label: 'Unread', term: 'is:unread', excludes: [] },
  { id: 'opened', label: 'Opened', term: 'is:opened', excludes: ['not-opened'] },
  { id: 'clicked', label: 'Clicked', term: 'is:clicked', excludes: [] },
  { id: 'not-opened', label: 'Not opened', term: '-is:opened', excludes: ['opened'] },
];

/** Splits a query into terms, keeping "quoted phrases" (and a negated -"phrase") whole. */
export function tokenize(query: string): string[] {
  return query.match(/-?[\w:.@+-]*"[^"]*"?|\S+/g) ?? [];
}

/** The chips whose term appears in the query, so typing `is:unread` lights the chip up. */
export function activeChips(query: string): Set<ChipId> {
  const terms = new Set(tokenize(query).map((t) => t.toLowerCase()));
  return new Set(CHIPS.filter((c) => terms.has(c.term)).map((c) => c.id));
}

/** Adds or removes a chip's term, leaving the rest of what the user typed as it was. */
export function toggleChip(query: string, id: ChipId): string {
  const chip = CHIPS.find((c) => c.id === id);
  if (!chip) return query;
  const on = activeChips(query).has(id);
  const drop = new Set(on ? [chip.term] : chip.excludes.map((x) => CHIPS.find((c) => c.id === x)!.term));
  const kept = tokenize(query).filter((t) => !drop.has(t.toLowerCase()));
  if (!on) kept.push(chip.term);
  return kept.join(' ');
}

const TRACKING_TERM = /^[-!]?is:(opened|clicked|unsubscribed|machine-opened|machine-clicked)$/i;

/**
 * The query as sent: with "Real recipients only" on, its tracking filters (`is:opened` …) count real recipients
 * alone, as every other figure does then, unless the query names a `source:` itself.
 */
export function scopedQuery(query: string, scope: CountScope): string {
  if (scope !== 'recipients') return query;
  const terms = tokenize(query);
  if (!terms.some((t) => TRACKING_TERM.test(t)) || terms.some((t) => /^[-!]?source:/i.test(t))) return query;
  return `${query.trim()} source:recipient`;
}

/** The API call for a query: the plain list when empty, the search otherwise. */
export function listPath(
  query: string,
  start: number,
  limit: number,
  scope: CountScope = 'with-simulated',
): string {
  const q = scopedQuery(query, scope).trim();
  if (!q) return `messages?start=${start}&limit=${limit}`;
  return `search?query=${encodeURIComponent(q)}&start=${start}&limit=${limit}`;
}
