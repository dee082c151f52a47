// The open mail's counts, kept live from its event timeline. Refetching the mail itself would mark it read again
// (the API's GET does, as Mailpit's does), undoing a "mark unread" the user just made.
import type { TrackingCounts, TrackingEvent } from '../../../src-main/api/types';

/** Counts as the server defines them: every hit counts, "unique" is distinct token ids (each link has its own). */
export function countsFromEvents(events: TrackingEvent[]): TrackingCounts {
  const opens = events.filter((e) => e.kind === 'open');
  const clicks = events.filter((e) => e.kind === 'click');
  return {
    opens: opens.length,
    uniqueOpens: new Set(opens.map((e) => e.token_id)).size,
    clicks: clicks.length,
    uniqueClicks: new Set(clicks.map((e) => e.token_id)).size,
    unsubscribed: events.some((e) => e.kind === 'unsub'),
  };
}

/** The larger of the mail's own counts and the timeline's, since the timeline may be one page of a long history. */
export function liveCounts(
  snapshot: TrackingCounts | undefined,
  events: TrackingEvent[] | undefined,
): TrackingCounts | undefined {
  if (!events) return snapshot;
  const fromEvents = countsFromEvents(events);
  if (!snapshot) return fromEvents;
  return {
    opens: Math.max(snapshot.opens, fromEvents.opens),
    uniqueOpens: Math.max(snapshot.uniqueOpens, fromEvents.uniqueOpens),
    clicks: Math.max(snapshot.clicks, fromEvents.clicks),
    uniqueClicks: Math.max(snapshot.uniqueClicks, fromEvents.uniqueClicks),
    unsubscribed: snapshot.unsubscribed || fromEvents.unsubscribed,
  };
}
