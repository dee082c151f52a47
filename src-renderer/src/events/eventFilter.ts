// The Events page's filters, as API query parameters and as a test for events that arrive live.
import type { Classification, TokenKind, TrackingEvent } from '../../../src-main/api/types';

export type TimeRange = 'hour' | 'day' | 'week' | 'all';

export interface EventFilter {
  kind: TokenKind | '';
  classification: Classification | '';
  range: TimeRange;
}

export const DEFAULT_EVENT_FILTER: EventFilter = { kind: '', classification: '', range: 'day' };

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
  const since = rangeStart(filter.range, now);
  if (since !== null) {
    const t = Date.parse(event.time);
    if (Number.isNaN(t) || t < since) return false;
  }
  return true;
}
