import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import type {
  Classification,
  CountScope,
  EventsResponse,
  TokenKind,
  TrackingSource,
  TrackingSummary,
} from '../../../src-main/wire/types';
import { setCountScope, sourceLabel, useCountScope } from '../shared/countScope';
import { api } from '../api/client';
import { queryKeys } from '../api/queryKeys';
import { ErrorNotice } from '../shared/ErrorNotice';
import { EventHead, EventRow } from './EventRow';
import {
  DEFAULT_EVENT_FILTER,
  eventQueryString,
  EVENTS_PAGE_LIMIT,
  scopeLabel,
  summaryQueryString,
  type EventFilter,
  type TimeRange,
} from './eventFilter';
import { bucketSize, eventSeries, percent } from './eventSeries';
import { EventsOverTime, PerMailChart } from './EventsChart';
import { Loading } from '../shared/Loading';
import { CURRENT_INBOX } from '../inboxes/inboxBase';
import { useInboxes } from '../inboxes/useInboxes';

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
  { value: '', label: 'all classes' },
  { value: 'human', label: 'people (human)' },
  { value: 'proxy', label: 'image proxies' },
  { value: 'scanner', label: 'link scanners' },
  { value: 'expired', label: 'expired links' },
];
const SOURCES: { value: TrackingSource | ''; label: string }[] = [
  { value: '', label: 'all sources' },
  { value: 'recipient', label: 'recipients' },
  { value: 'simulated', label: 'simulated recipients' },
  { value: 'preview', label: 'your preview (not counted)' },
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
  // `sandbox` is the old name of `preview`, in links saved before the two were told apart.
  const value = raw === 'all' ? '' : raw === 'sandbox' ? 'preview' : raw;
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

function loadSummary(filter: EventFilter, scope: CountScope, signal: AbortSignal): Promise<TrackingSummary> {
  return api.get<TrackingSummary>(
    `tracking/summary?${summaryQueryString(filter, scope, Date.now())}&mails=${PER_MAIL_COUNT}`,
    signal,
  );
}

/** A rate's detail: how many mails, and whose hits made them ("1 opened · simulated"). */
function rateDetail(
  n: number,
  verb: string,
  by: { recipient: number; simulated: number },
  scope: CountScope,
): string {
  const whose = scope === 'recipients' ? 'real recipients' : sourceLabel(by.recipient, by.simulated);
  return `${n} ${verb}${whose ? ` · ${whose}` : ''}`;
}

export function EventsPage() {
  const [params, setParams] = useSearchParams();
  const filter = filterFromParams(params);
  const events = useQuery({
    queryKey: queryKeys.events(filter),
    queryFn: ({ signal }) => loadEvents(filter, signal),
  });
  const scope = useCountScope();
  const stats = useQuery({
    queryKey: queryKeys.statsFor(filter, scope),
    queryFn: ({ signal }) => loadSummary(filter, scope, signal),
  });
  const counted = scopeLabel(scope);
  // An inbox's own page lists its hits alone; the unscoped one names each hit's inbox once there are several.
  const inboxes = useInboxes();
  const showInbox = CURRENT_INBOX === undefined && (inboxes.data?.inboxes.length ?? 0) > 1;

  const size = useMemo(
    () => bucketSize(filter.range, events.data?.events ?? []),
    [filter.range, events.data],
  );
  const points = useMemo(
    () => eventSeries(events.data?.events ?? [], size, scope),
    [events.data, size, scope],
  );
  const s = stats.data;
  const nothingCounted = s !== undefined && s.opened + s.clicked + s.unsubscribed === 0;
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
      {s && (
        <div className="stat-cards" data-testid="rate-cards" title={`Counting ${counted}`}>
          <Stat label="mails" value={s.mails.toLocaleString('en')} detail="caught" testId="mails" />
          <Stat
            label="open rate"
            value={percent(s.opened, s.withPixel)}
            detail={rateDetail(
              s.opened,
              'opened',
              { recipient: s.bySource.recipient.opened, simulated: s.bySource.simulated.opened },
              scope,
            )}
            small={`of ${s.withPixel} mail${s.withPixel === 1 ? '' : 's'} with a pixel`}
            testId="open-rate"
            count={s.opened}
          />
          <Stat
            label="click rate"
            value={percent(s.clicked, s.withLinks)}
            detail={rateDetail(
              s.clicked,
              'clicked',
              { recipient: s.bySource.recipient.clicked, simulated: s.bySource.simulated.clicked },
              scope,
            )}
            small={`of ${s.withLinks} mail${s.withLinks === 1 ? '' : 's'} with a tracked link`}
            testId="click-rate"
            count={s.clicked}
          />
          <Stat
            label="unsubscribe rate"
            value={percent(s.unsubscribed, s.mails)}
            detail={rateDetail(
              s.unsubscribed,
              'unsubscribed',
              { recipient: s.bySource.recipient.unsubscribed, simulated: s.bySource.simulated.unsubscribed },
              scope,
            )}
            small={`of ${s.mails} mail${s.mails === 1 ? '' : 's'} caught`}
            testId="unsub-rate"
            count={s.unsubscribed}
          />
          <Stat
            label="not counted"
            value={(s.machine + s.preview + s.excluded).toLocaleString('en')}
            detail={
              `${s.machine} proxy/scanner · ${s.preview} your preview` +
              (scope === 'recipients' ? ` · ${s.excluded} simulated` : '')
            }
            small="hits beside the figures"
            testId="beside"
          />
        </div>
      )}
      <label className="filters" data-testid="scope-switch">
        <input
          type="checkbox"
          checked={scope === 'recipients'}
          onChange={(e) => setCountScope(e.target.checked ? 'recipients' : 'with-simulated')}
        />{' '}
        Real recipients only <span className="muted small">(leave out simulated recipients' hits)</span>
      </label>
      {s && nothingCounted && <NothingCounted preview={s.preview} excluded={s.excluded} scope={scope} />}
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
        <section
          className="panel chart-panel"
          data-testid="chart-over-time"
          data-opens={sum(points, 'opens')}
          data-clicks={sum(points, 'clicks')}
          data-unsubs={sum(points, 'unsubs')}
          data-machine={sum(points, 'machine')}
        >
          <div className="panel-title">Over time · {counted}</div>
          {points.length > 0 ? (
            <EventsOverTime points={points} size={size} />
          ) : stats.data ? (
            <p className="muted chart-empty">No counted events in this range.</p>
          ) : (
            <Loading className="muted chart-empty" />
          )}
        </section>
        <section
          className="panel chart-panel"
          data-testid="chart-per-mail"
          data-opens={sum(s?.perMail ?? [], 'opens')}
          data-clicks={sum(s?.perMail ?? [], 'clicks')}
        >
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
          ) : stats.data ? (
            <p className="muted chart-empty">No mail has counted events in this range.</p>
          ) : (
            <Loading className="muted chart-empty" />
          )}
        </section>
      </div>
      {events.isError && <ErrorNotice error={events.error} onRetry={() => void events.refetch()} />}
      {events.isPending && <Loading className="muted" />}
      {events.data &&
        (events.data.events.length === 0 ? (
          <div className="empty" data-testid="events-empty">
            <div className="empty-title">No events match this filter</div>
            <div className="muted">
              Hits show up here live. Simulate (a mail's Simulate menu), a mail client reading over POP3
              (serve --pop3) and the test suite's <code>click()</code> make counted ones; your own reading in
              the Preview is listed too, marked as yours and never counted.
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
                  showInbox={showInbox}
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
  small,
  testId,
  count,
}: {
  label: string;
  value: string;
  detail?: string;
  small?: string;
  testId?: string;
  count?: number;
}) {
  return (
    <div className="stat" data-testid={testId} data-count={count}>
      <div className="stat-value">{value}</div>
      <div className="stat-label">{label}</div>
      {detail && <div className="muted small">{detail}</div>}
      {small && <div className="muted small">{small}</div>}
    </div>
  );
}

/** With no counted events: what would produce them, and what is there but not counted. */
function NothingCounted({
  preview,
  excluded,
  scope,
}: {
  preview: number;
  excluded: number;
  scope: CountScope;
}) {
  return (
    <div className="empty" data-testid="nothing-counted">
      <div className="empty-title">
        Nothing counted yet{scope === 'recipients' ? ' from real recipients' : ''}
      </div>
      <div className="muted">
        Counted opens and clicks come from a mail's Simulate menu, a mail client reading the mail over POP3
        (serve --pop3) or from its own relay, or the test suite's <code>click()</code>.{' '}
        {preview > 0 &&
          `${preview} preview hit${preview === 1 ? ' is' : 's are'} hidden from the figures: your own reading in Mailbeacon. `}
        {excluded > 0 &&
          `${excluded} simulated hit${excluded === 1 ? ' is' : 's are'} left out by "Real recipients only".`}
      </div>
    </div>
  );
}

/** A chart's total of one series, for its data attributes (what the bars add up to). */
function sum<K extends string>(rows: Record<K, number>[], key: K): number {
  return rows.reduce((n, r) => n + r[key], 0);
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
