import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import type {
  Classification,
  EventsResponse,
  TokenKind,
  TrackingSource,
  TrackingSummary,
} from '../../../src-main/api/types';
import { api } from '../api/client';
import { queryKeys } from '../api/queryKeys';
import { ErrorNotice } from '../shared/ErrorNotice';
import { EventHead, EventRow } from './EventRow';
import {
  DEFAULT_EVENT_FILTER,
  eventQueryString,
  EVENTS_PAGE_LIMIT,
  filterLabel,
  summaryQueryString,
  type EventFilter,
  type TimeRange,
} from './eventFilter';
import { bucketSize, eventSeries, percent } from './eventSeries';
import { EventsOverTime, PerMailChart } from './EventsChart';
import { Loading } from '../shared/Loading';

/** Mails in the per-mail chart: those with the most events under the filter. */
const PER_MAIL_COUNT = 12;

const KINDS: { value: TokenKind | ''; label: string }[] = [
  { value: '', label: 'all kinds' },
  { value: 'open', label: 'opens' },
  { value: 'click', label: 'clicks' },
  { value: 'unsub', label: 'unsubscribes' },
];
/** In the URL, 'all' stands for '' so that a missing parameter can mean the default. */
const CLASSES: { value: Classification | ''; label: string }[] = [
  { value: 'human', label: 'people (human)' },
  { value: 'proxy', label: 'image proxies' },
  { value: 'scanner', label: 'link scanners' },
  { value: 'expired', label: 'expired links' },
  { value: '', label: 'all classes' },
];
const SOURCES: { value: TrackingSource | ''; label: string }[] = [
  { value: 'recipient', label: 'recipients' },
  { value: 'sandbox', label: 'sandbox (preview, simulations)' },
  { value: '', label: 'recipients and sandbox' },
];
const RANGES: { value: TimeRange; label: string }[] = [
  { value: 'hour', label: 'last hour' },
  { value: 'day', label: 'last 24 h' },
  { value: 'week', label: 'last 7 days' },
  { value: 'all', label: 'all time' },
];

/** A select's value from the URL: missing = the default, 'all' = ''. */
function pick<T extends string>(raw: string | null, options: { value: T | '' }[], fallback: T | ''): T | '' {
  if (raw === null) return fallback;
  const value = raw === 'all' ? '' : raw;
  return options.some((o) => o.value === value) ? (value as T | '') : fallback;
}

function filterFromParams(p: URLSearchParams): EventFilter {
  const range = p.get('range') ?? DEFAULT_EVENT_FILTER.range;
  return {
    kind: pick(p.get('kind'), KINDS, ''),
    classification: pick(p.get('classification'), CLASSES, DEFAULT_EVENT_FILTER.classification),
    source: pick(p.get('source'), SOURCES, DEFAULT_EVENT_FILTER.source),
    range: RANGES.some((r) => r.value === range) ? (range as TimeRange) : DEFAULT_EVENT_FILTER.range,
  };
}

/** The range is relative to the time of each fetch, so a refetch moves the window along. */
function loadEvents(filter: EventFilter, signal: AbortSignal): Promise<EventsResponse> {
  return api.get<EventsResponse>(`events?${eventQueryString(filter, Date.now())}`, signal);
}

function loadSummary(filter: EventFilter, signal: AbortSignal): Promise<TrackingSummary> {
  return api.get<TrackingSummary>(
    `tracking/summary?${summaryQueryString(filter, Date.now())}&mails=${PER_MAIL_COUNT}`,
    signal,
  );
}

export function EventsPage() {
  const [params, setParams] = useSearchParams();
  const filter = filterFromParams(params);
  const events = useQuery({
    queryKey: queryKeys.events(filter),
    queryFn: ({ signal }) => loadEvents(filter, signal),
  });
  const stats = useQuery({
    queryKey: queryKeys.statsFor(filter),
    queryFn: ({ signal }) => loadSummary(filter, signal),
  });
  const counted = filterLabel(filter);

  const size = useMemo(
    () => bucketSize(filter.range, events.data?.events ?? []),
    [filter.range, events.data],
  );
  const points = useMemo(() => eventSeries(events.data?.events ?? [], size), [events.data, size]);
  const subjects = new Map<string, string>([
    ...(stats.data?.perMail ?? []).map((m) => [m.id, m.subject] as const),
    ...Object.entries(events.data?.subjects ?? {}),
  ]);

  const set = (key: keyof EventFilter, value: string) => {
    const next = new URLSearchParams(params);
    const fallback = key === 'kind' ? '' : DEFAULT_EVENT_FILTER[key];
    if (value === fallback) next.delete(key);
    else next.set(key, value || 'all');
    setParams(next, { replace: true });
  };

  return (
    <div className="page" data-testid="events-page">
      <h1 className="page-title">Events</h1>
      {stats.isError && (
        <ErrorNotice
          title="Could not load the rates"
          error={stats.error}
          onRetry={() => void stats.refetch()}
        />
      )}
      {stats.data && (
        <div className="stat-cards" data-testid="rate-cards" title={`Counting ${counted}`}>
          <Stat label="mails" value={stats.data.mails.toLocaleString('en')} detail="caught" />
          <Stat
            label="open rate"
            value={percent(stats.data.opened, stats.data.mails)}
            detail={`${stats.data.opened} opened · ${counted}`}
            testId="open-rate"
          />
          <Stat
            label="click rate"
            value={percent(stats.data.clicked, stats.data.mails)}
            detail={`${stats.data.clicked} clicked · ${counted}`}
            testId="click-rate"
          />
          <Stat
            label="unsubscribe rate"
            value={percent(stats.data.unsubscribed, stats.data.mails)}
            detail={`${stats.data.unsubscribed} unsubscribed · ${counted}`}
          />
          <Stat
            label="not counted as people"
            value={(stats.data.machine + stats.data.sandbox).toLocaleString('en')}
            detail={`${stats.data.machine} proxy/scanner hits · ${stats.data.sandbox} sandbox hits`}
            testId="beside"
          />
        </div>
      )}
      <div className="filters" role="group" aria-label="Filters">
        <select aria-label="Kind" value={filter.kind} onChange={(e) => set('kind', e.target.value)}>
          {KINDS.map((k) => (
            <option key={k.value} value={k.value}>
              {k.label}
            </option>
          ))}
        </select>
        <select
          aria-label="Class"
          value={filter.classification}
          onChange={(e) => set('classification', e.target.value)}
        >
          {CLASSES.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
        <select aria-label="Source" value={filter.source} onChange={(e) => set('source', e.target.value)}>
          {SOURCES.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
        <select aria-label="Time" value={filter.range} onChange={(e) => set('range', e.target.value)}>
          {RANGES.map((r) => (
            <option key={r.value} value={r.value}>
              {r.label}
            </option>
          ))}
        </select>
        {events.data && (
          <span className="muted">
            {events.data.total > events.data.events.length
              ? `newest ${events.data.events.length} of ${events.data.total}`
              : `${events.data.total} event${events.data.total === 1 ? '' : 's'}`}
          </span>
        )}
      </div>
      <div className="charts">
        <section className="panel chart-panel">
          <div className="panel-title">Over time · {counted}</div>
          {points.length > 0 ? (
            <EventsOverTime points={points} size={size} />
          ) : (
            <p className="muted chart-empty">No events in this range.</p>
          )}
        </section>
        <section className="panel chart-panel">
          <div className="panel-title">
            Per mail · the {PER_MAIL_COUNT} with most events · {counted}
          </div>
          {stats.data && stats.data.perMail.length > 0 ? (
            <PerMailChart
              data={stats.data.perMail.map((m) => ({
                subject: truncate(m.subject || '(no subject)', 24),
                opens: m.opens,
                clicks: m.clicks,
                unsubs: m.unsubs,
              }))}
            />
          ) : (
            <p className="muted chart-empty">No mail had such events in this range.</p>
          )}
        </section>
      </div>
      {events.isError && <ErrorNotice error={events.error} onRetry={() => void events.refetch()} />}
      {events.isPending && <Loading className="muted" />}
      {events.data &&
        (events.data.events.length === 0 ? (
          <div className="empty">
            <div className="empty-title">No events</div>
            <div className="muted">
              Open a tracked mail's Preview (an open) or click a link in it (a click); events show up here
              live.
            </div>
          </div>
        ) : (
          <table className="table events-table" data-testid="all-events">
            <EventHead withSubject />
            <tbody>
              {events.data.events.slice(0, EVENTS_PAGE_LIMIT).map((e) => (
                <EventRow
                  key={e.id}
                  event={e}
                  subject={
                    <Link to={`/message/${encodeURIComponent(e.message_id)}`}>
                      {subjects.get(e.message_id) || (e.message_id ? '(no subject)' : '(minted link)')}
                    </Link>
                  }
                />
              ))}
            </tbody>
          </table>
        ))}
    </div>
  );
}

function Stat({
  label,
  value,
  detail,
  testId,
}: {
  label: string;
  value: string;
  detail?: string;
  testId?: string;
}) {
  return (
    <div className="stat" data-testid={testId}>
      <div className="stat-value">{value}</div>
      <div className="stat-label">{label}</div>
      {detail && <div className="muted small">{detail}</div>}
    </div>
  );
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
