import { describe, expect, it } from 'vitest';
import { emptyCounts, type TrackingCounts, type TrackingEvent } from '../../../src-main/wire/types';
import { countsFromEvents, liveCounts } from './trackingCounts';

const ev = (kind: TrackingEvent['kind'], token: string, over: Partial<TrackingEvent> = {}): TrackingEvent =>
  ({
    kind,
    token_id: token,
    classification: 'human',
    source: 'recipient',
    remote_ip: '198.51.100.1',
    ua: 'Firefox',
    ...over,
  }) as TrackingEvent;

describe('live tracking counts of the open mail', () => {
  it('counts people from recipients and simulated recipients, real recipients apart, machine and preview beside', () => {
    const events = [
      ev('open', 'p'),
      ev('open', 'p'),
      ev('open', 'p', { remote_ip: '198.51.100.2' }),
      ev('open', 'p', { classification: 'proxy', ua: 'Mozilla/5.0' }),
      ev('open', 'p', { source: 'preview' }),
      ev('open', 'p', { source: 'simulated', remote_ip: '203.0.113.25' }),
      ev('open', 'p', { source: 'simulated', classification: 'proxy', remote_ip: '17.58.63.10' }),
      ev('click', 'l1'),
      ev('click', 'l1'),
      ev('click', 'l2'),
      ev('click', 'l2', { classification: 'scanner' }),
      ev('click', 'l2', { classification: 'expired' }),
      ev('unsub', 'u', { source: 'preview' }),
      ev('unsub', 'u', { source: 'simulated' }),
    ];
    expect(countsFromEvents(events)).toEqual({
      opens: 4,
      uniqueOpens: 3,
      clicks: 3,
      uniqueClicks: 2,
      unsubscribed: true,
      machine: { opens: 2, clicks: 1 },
      recipients: {
        opens: 3,
        uniqueOpens: 2,
        clicks: 3,
        uniqueClicks: 2,
        unsubscribed: false,
        machine: { opens: 1, clicks: 1 },
      },
      preview: { opens: 1, clicks: 0, unsubscribed: true },
    });
    expect(countsFromEvents([ev('unsub', 'u')]).unsubscribed).toBe(true);
  });

  it('never shows less than the mail said when it was loaded', () => {
    const zero = emptyCounts().recipients;
    const snapshot: TrackingCounts = {
      opens: 10,
      uniqueOpens: 1,
      clicks: 0,
      uniqueClicks: 0,
      unsubscribed: true,
      machine: { opens: 4, clicks: 0 },
      recipients: {
        ...zero,
        opens: 10,
        uniqueOpens: 1,
        unsubscribed: true,
        machine: { opens: 4, clicks: 0 },
      },
      preview: { opens: 1, clicks: 0, unsubscribed: false },
    };
    expect(liveCounts(snapshot, [ev('click', 'l1')])).toEqual({
      ...snapshot,
      clicks: 1,
      uniqueClicks: 1,
      recipients: { ...snapshot.recipients, clicks: 1, uniqueClicks: 1 },
    });
    expect(liveCounts(snapshot, undefined)).toBe(snapshot);
  });
});
