// The Events page's filters, as API query parameters and as a test for events that arrive live.
import type {
  Classification,
  CountScope,
  TokenKind,
  TrackingEvent,
  TrackingSource,
} from '../../../src-main/wire/types';

export type TimeRange = 'hour' | 'day' | 'week' | 'all';

/** '' = all. */
export interface EventFilter {
  kind: TokenKind | '';
  classification: Classification | '';
  source: TrackingSource | '';
  range: TimeRange;
}

/**
 * By default every event is listed (the preview's and machines' marked as not counted); what the figures count is
 * the one definition (roleOf), not this filter.
 */
export const DEFAULT_EVENT_FILTER: EventFilter = {
  kind: '',
  classification: '',
  source: '',
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

/** The summary route's query: the one definition under the scope, over the filter's time range. */
export function summaryQueryString(filter: EventFilter, scope: CountScope, now: number): string {
  const params = new URLSearchParams();
  if (scope === 'recipients') params.set('simulated', 'no');
  const since = rangeStart(filter.range, now);
  if (since !== null) params.set('since', new Date(since).toISOString());
  return params.toString();
}

/** What the figures count, in words. */
export function scopeLabel(scope: CountScope): string {
  return scope === 'recipients' ? 'people · real recipients only' : 'people · recipients and simulated';
}
