// The Events page's filters, as API query parameters and as a test for events that arrive live.
import type { Classification, TokenKind, TrackingEvent, TrackingSource } from '../../../src-main/api/types';

export type TimeRange = 'hour' | 'day' | 'week' | 'all';

/** '' = all. */
export interface EventFilter {
  kind: TokenKind | '';
  classification: Classification | '';
  source: TrackingSource | '';
  range: TimeRange;
}

/** By default a recipient's people: machine hits and Mailbeacon's own (sandbox) hits are one choice away. */
export const DEFAULT_EVENT_FILTER: EventFilter = {
  kind: '',
  classification: 'human',
  source: 'recipient',
  range: 'day',
};

const RANGE_MS: Record<Exclude<TimeRange, 'all'>, number> = {
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
};

/** Oldest time the filter admits, or null for all time. */
export function rangeStart(range: TimeRange, now: number): number | null {
  return range === 'all' ? null : now - RANGE_MS[range];
}

/** The newest this many events are listed and charted; older ones are reached by narrowing the filter. */
export const EVENTS_PAGE_LIMIT = 500;

export function eventQueryString(filter: EventFilter, now: number, limit = EVENTS_PAGE_LIMIT): string {
  const params = new URLSearchParams();
  if (filter.kind) params.set('kind', filter.kind);
  if (filter.classification) params.set('classification', filter.classification);
  if (filter.source) params.set('source', filter.source);
  const since = rangeStart(filter.range, now);
  if (since !== null) params.set('since', new Date(since).toISOString());
  params.set('limit', String(limit));
  return params.toString();
}

export function matchesEventFilter(
  event: TrackingEvent,
  filter: EventFilter,
  now: number = Date.now(),
): boolean {
  if (filter.kind && event.kind !== filter.kind) return false;
  if (filter.classification && event.classification !== filter.classification) return false;
  if (filter.source && (event.source ?? 'recipient') !== filter.source) return false;
  const since = rangeStart(filter.range, now);
  if (since !== null) {
    const t = Date.parse(event.time);
    if (Number.isNaN(t) || t < since) return false;
  }
  return true;
}

/** The summary route's query for the same filter ('all' lifts what '' leaves open). */
export function summaryQueryString(filter: EventFilter, now: number): string {
  const params = new URLSearchParams();
  params.set('classification', filter.classification || 'all');
  params.set('source', filter.source || 'all');
  const since = rangeStart(filter.range, now);
  if (since !== null) params.set('since', new Date(since).toISOString());
  return params.toString();
}

/** What a figure under this filter counts, in words: "human hits from recipients". */
export function filterLabel(filter: EventFilter): string {
  const who = filter.classification ? `${filter.classification} hits` : 'all hits';
  const from =
    filter.source === 'recipient'
      ? ' from recipients'
      : filter.source === 'sandbox'
        ? ' from Mailbeacon (preview, simulations)'
        : '';
  return who + from;
}
