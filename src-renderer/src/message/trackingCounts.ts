// The open mail's counts, kept live from its event timeline. Refetching the mail itself would mark it read again
// (the API's GET does, as Mailpit's does), undoing a "mark unread" the user just made.
import type { TrackingCounts, TrackingEvent } from '../../../src-main/api/types';

/**
 * Counts as the server defines them (TrackingCounts): a recipient's human hits, "unique" being distinct token and
 * client (address + user agent); machine and sandbox hits beside them.
 */
export function countsFromEvents(events: TrackingEvent[]): TrackingCounts {
  const people = events.filter(
    (e) => e.classification === 'human' && (e.source ?? 'recipient') === 'recipient',
  );
  const machine = events.filter(
    (e) =>
      (e.source ?? 'recipient') === 'recipient' &&
      (e.classification === 'proxy' || e.classification === 'scanner'),
  );
  const sandbox = events.filter((e) => e.source === 'sandbox' && e.classification !== 'expired');
  const opens = people.filter((e) => e.kind === 'open');
  const clicks = people.filter((e) => e.kind === 'click');
  const unique = (list: TrackingEvent[]) =>
    new Set(list.map((e) => `${e.token_id} ${e.remote_ip} ${e.ua}`)).size;
  return {
    opens: opens.length,
    uniqueOpens: unique(opens),
    clicks: clicks.length,
    uniqueClicks: unique(clicks),
    unsubscribed: people.some((e) => e.kind === 'unsub'),
    machine: {
      opens: machine.filter((e) => e.kind === 'open').length,
      clicks: machine.filter((e) => e.kind === 'click').length,
    },
    sandbox: {
      opens: sandbox.filter((e) => e.kind === 'open').length,
      clicks: sandbox.filter((e) => e.kind === 'click').length,
      unsubscribed: sandbox.some((e) => e.kind === 'unsub'),
    },
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
    machine: {
      opens: Math.max(snapshot.machine?.opens ?? 0, fromEvents.machine.opens),
      clicks: Math.max(snapshot.machine?.clicks ?? 0, fromEvents.machine.clicks),
    },
    sandbox: {
      opens: Math.max(snapshot.sandbox?.opens ?? 0, fromEvents.sandbox.opens),
      clicks: Math.max(snapshot.sandbox?.clicks ?? 0, fromEvents.sandbox.clicks),
      unsubscribed: (snapshot.sandbox?.unsubscribed ?? false) || fromEvents.sandbox.unsubscribed,
    },
  };
}
