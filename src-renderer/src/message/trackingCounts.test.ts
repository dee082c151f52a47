import { describe, expect, it } from 'vitest';
import type { TrackingEvent } from '../../../src-main/api/types';
import { countsFromEvents, liveCounts } from './trackingCounts';

const ev = (kind: TrackingEvent['kind'], token: string) => ({ kind, token_id: token }) as TrackingEvent;

describe('live tracking counts of the open mail', () => {
  it('counts every hit and distinct tokens as unique', () => {
    const events = [
      ev('open', 'p'),
      ev('open', 'p'),
      ev('click', 'l1'),
      ev('click', 'l1'),
      ev('click', 'l2'),
    ];
    expect(countsFromEvents(events)).toEqual({
      opens: 2,
      uniqueOpens: 1,
      clicks: 3,
      uniqueClicks: 2,
      unsubscribed: false,
    });
    expect(countsFromEvents([ev('unsub', 'u')]).unsubscribed).toBe(true);
  });

  it('never shows less than the mail said when it was loaded', () => {
    const snapshot = { opens: 10, uniqueOpens: 1, clicks: 0, uniqueClicks: 0, unsubscribed: true };
    expect(liveCounts(snapshot, [ev('click', 'l1')])).toEqual({
      opens: 10,
      uniqueOpens: 1,
      clicks: 1,
      uniqueClicks: 1,
      unsubscribed: true,
    });
    expect(liveCounts(snapshot, undefined)).toBe(snapshot);
  });
});
