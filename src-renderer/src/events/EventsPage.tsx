import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import type { Classification, EventsResponse, MessagesSummary, TokenKind } from '../../../src-main/api/types';
import { api } from '../api/client';
import { queryKeys } from '../api/queryKeys';
import { ErrorNotice } from '../shared/ErrorNotice';
import { EventRow } from './EventRow';
import {
  DEFAULT_EVENT_FILTER,
  eventQueryString,
  EVENTS_PAGE_LIMIT,
  type EventFilter,
  type TimeRange,
} from './eventFilter';
import { bucketSize, eventSeries, percent } from './eventSeries';
import { EventsOverTime, PerMailChart } from './EventsChart';

/** Mails in the per-mail chart: the latest ones, which are the ones a developer is testing right now. */
const PER_MAIL_COUNT = 12;

const KINDS: { value: TokenKind | ''; label: string }[] = [
  { value: '', label: 'all kinds' },
  { value: 'open', label: 'opens' },
  { value: 'click', label: 'clicks' },
  { value: 'unsub', label: 'unsubscribes' },
];
const CLASSES: { value: Classification | ''; label: string }[] = [
  { value: '', label: 'all sources' },
  { value: 'human', label: 'human' },
  { value: 'proxy', label: 'proxy' },
  { value: 'scanner', label: 'scanner' },
  { value: 'expired', label: 'expired' },
];
const RANGES: { value: TimeRange; label: string }[] = [
  { value: 'hour', label: 'last hour' },
  { value: 'day', label: 'last 24 h' },
  { value: 'week', label: 'last 7 days' },
  { value: 'all', label: 'all time' },
];

function filterFromParams(p: URLSearchParams): EventFilter {
  const kind = p.get('kind') ?? '';
  const cls = p.get('classification') ?? '';
  const range = p.get('range') ?? DEFAULT_EVENT_FILTER.range;
  return {
    kind: KINDS.some((k) => k.value === kind) ? (kind as EventFilter['kind']) : '',
    classification: CLASSES.some((c) => c.value === cls) ? (cls as EventFilter['classification']) : '',
    range: RANGES.some((r) => r.value === range) ? (range as TimeRange) : DEFAULT_EVENT_FILTER.range,
  };
}

interface Stats {
  total: number;
  opened: number;
  clicked: number;
  unsubscribed: number;
  latest: MessagesSummary['messages'];
}

async function loadStats(signal: AbortSignal): Promise<Stats> {
  const count = (q: string) =>
    api
      .get<MessagesSummary>(`search?query=${encodeURIComponent(q)}&limit=1`, signal)
      .then((r) => r.messages_count);
  const [latest, opened, clicked, unsubscribed] = await Promise.all([
    api.get<MessagesSummary>(`messages?limit=${PER_MAIL_COUNT}`, signal),
    count('is:opened'),
    count('is:clicked'),
    count('is:unsubscribed'),
  ]);
  return { total: latest.total, opened, clicked, unsubscribed, latest: latest.messages };
}

export function EventsPage() {
  const [params, setParams] = useSearchParams();
  const filter = filterFromParams(params);
  const events = useQuery({
    queryKey: queryKeys.events(filter),
    queryFn: ({ signal }) =>
      api.get<EventsResponse>(`events?${eventQueryString(filter, Date.now())}`, signal),
  });
  const stats = useQuery({ queryKey: queryKeys.stats, queryFn: ({ signal }) => loadStats(signal) });

  const size = useMemo(
    () => bucketSize(filter.range, events.data?.events ?? []),
    [filter.range, events.data],
  );
  const points = useMemo(() => eventSeries(events.data?.events ?? [], size), [events.data, size]);
  const subjects = new Map((stats.data?.latest ?? []).map((m) => [m.ID, m.Subject]));

  const set = (key: keyof EventFilter, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
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
        <div className="stat-cards">
          <Stat label="mails" value={stats.data.total.toLocaleString('en')} />
          <Stat
            label="open rate"
            value={percent(stats.data.opened, stats.data.total)}
            detail={`${stats.data.opened} opened`}
          />
          <Stat
            label="click rate"
            value={percent(stats.data.clicked, stats.data.total)}
            detail={`${stats.data.clicked} clicked`}
          />
          <Stat
            label="unsubscribe rate"
            value={percent(stats.data.unsubscribed, stats.data.total)}
            detail={`${stats.data.unsubscribed} unsubscribed`}
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
          aria-label="Source"
          value={filter.classification}
          onChange={(e) => set('classification', e.target.value)}
        >
          {CLASSES.map((c) => (
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
          <div className="panel-title">Over time</div>
          {points.length > 0 ? (
            <EventsOverTime points={points} size={size} />
          ) : (
            <p className="muted chart-empty">No events in this range.</p>
          )}
        </section>
        <section className="panel chart-panel">
          <div className="panel-title">Per mail (latest {PER_MAIL_COUNT})</div>
          {stats.data && stats.data.latest.length > 0 ? (
            <PerMailChart
              data={stats.data.latest.map((m) => ({
                subject: truncate(m.Subject || '(no subject)', 24),
                opens: m.Tracking?.opens ?? 0,
                clicks: m.Tracking?.clicks ?? 0,
              }))}
            />
          ) : (
            <p className="muted chart-empty">No mail yet.</p>
          )}
        </section>
      </div>
      {events.isError && <ErrorNotice error={events.error} onRetry={() => void events.refetch()} />}
      {events.isPending && <p className="muted">Loading…</p>}
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
            <tbody>
              {events.data.events.slice(0, EVENTS_PAGE_LIMIT).map((e) => (
                <EventRow
                  key={e.id}
                  event={e}
                  subject={
                    <Link to={`/message/${encodeURIComponent(e.message_id)}`}>
                      {subjects.get(e.message_id) ?? `mail ${e.message_id.slice(0, 8)}`}
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

function Stat({ label, value, detail }: { label: string; value: string; detail?: string }) {
  return (
    <div className="stat">
      <div className="stat-value">{value}</div>
      <div className="stat-label">{label}</div>
      {detail && <div className="muted small">{detail}</div>}
    </div>
  );
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
