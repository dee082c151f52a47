import { describe, expect, it } from 'vitest';
import type { TrackingEvent } from '../../../src-main/wire/types';
import { eventQueryString, matchesEventFilter } from './eventFilter';
import { bucketSize, eventSeries, percent } from './eventSeries';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const ev = (over: Partial<TrackingEvent>): TrackingEvent => ({
  id: 1,
  kind: 'open',
  url: '',
  metadata: {},
  remote_ip: '127.0.0.1',
  ua: 'Firefox',
  ts: '0',
  time: '2026-11-23T11:30:00Z',
  token_id: 't',
  message_id: 'm',
  classification: 'human',
  method: 'GET',
  source: 'recipient',
  inbox: 'default',
  ...over,
});

describe('event filters', () => {
  it('builds the API query from the filter', () => {
    const q = new URLSearchParams(
      eventQueryString(
        { kind: 'click', classification: 'human', source: 'recipient', range: 'hour' },
        NOW,
        50,
      ),
    );
    expect(q.get('kind')).toBe('click');
    expect(q.get('classification')).toBe('human');
    expect(q.get('source')).toBe('recipient');
    expect(q.get('since')).toBe('2026-11-23T11:00:00.000Z');
    expect(q.get('limit')).toBe('50');
    const all = new URLSearchParams(
      eventQueryString({ kind: '', classification: '', source: '', range: 'all' }, NOW),
    );
    expect(all.has('kind') || all.has('since') || all.has('classification') || all.has('source')).toBe(false);
  });

  it('decides whether a live event belongs in the list on screen', () => {
    const f = { kind: 'open', classification: 'human', source: 'recipient', range: 'hour' } as const;
    expect(matchesEventFilter(ev({}), f, NOW)).toBe(true);
    expect(matchesEventFilter(ev({ kind: 'click' }), f, NOW)).toBe(false);
    expect(matchesEventFilter(ev({ classification: 'proxy' }), f, NOW)).toBe(false);
    expect(matchesEventFilter(ev({ source: 'preview' }), f, NOW)).toBe(false);
    expect(matchesEventFilter(ev({ time: '2026-11-23T10:59:59Z' }), f, NOW)).toBe(false);
    expect(matchesEventFilter(ev({ time: 'garbage' }), f, NOW)).toBe(false);
    expect(
      matchesEventFilter(
        ev({ time: '2020-01-01T00:00:00Z' }),
        { kind: '', classification: '', source: '', range: 'all' },
        NOW,
      ),
    ).toBe(true);
  });
});

describe('event series for the chart', () => {
  it('counts human opens and clicks per bucket, machine hits apart, and fills empty buckets', () => {
    const events = [
      ev({ time: '2026-11-23T10:05:00Z' }),
      ev({ time: '2026-11-23T10:55:00Z', kind: 'click' }),
      ev({ time: '2026-11-23T10:56:00Z', classification: 'proxy' }),
      ev({ time: '2026-11-23T12:10:00Z', kind: 'unsub' }),
    ];
    const points = eventSeries(events, 3_600_000);
    expect(points.map((p) => new Date(p.t).toISOString())).toEqual([
      '2026-11-23T10:00:00.000Z',
      '2026-11-23T11:00:00.000Z',
      '2026-11-23T12:00:00.000Z',
    ]);
    expect(points[0]).toMatchObject({ opens: 1, clicks: 1, machine: 1, unsubs: 0 });
    expect(points[1]).toMatchObject({ opens: 0, clicks: 0, machine: 0 });
    expect(points[2]).toMatchObject({ unsubs: 1 });
    expect(eventSeries([], 60_000)).toEqual([]);
  });

  it('widens buckets for "all time" so the chart stays readable', () => {
    const events = [ev({ time: '2026-01-01T00:00:00Z' }), ev({ time: '2026-11-01T00:00:00Z' })];
    const size = bucketSize('all', events);
    expect((Date.parse('2026-11-01') - Date.parse('2026-01-01')) / size).toBeLessThanOrEqual(200);
    expect(bucketSize('day', events)).toBe(3_600_000);
  });

  it('prints rates without dividing by zero', () => {
    expect(percent(1, 3)).toBe('33 %');
    expect(percent(0, 0)).toBe('0 %');
  });
});
