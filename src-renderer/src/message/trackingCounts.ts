// The open mail's counts, kept live from its event timeline. Refetching the mail itself would mark it read again
// (the API's GET does, as Mailpit's does), undoing a "mark unread" the user just made.
import {
  roleOf,
  type CountScope,
  type HitCounts,
  type TrackingCounts,
  type TrackingEvent,
} from '../../../src-main/wire/types';

/** A mail's figures under one scope, by the one definition the server uses too (roleOf). */
function hitCounts(events: TrackingEvent[], scope: CountScope): HitCounts {
  const role = (e: TrackingEvent) =>
    roleOf({ source: e.source ?? 'recipient', classification: e.classification }, scope);
  const counted = events.filter((e) => role(e) === 'counted');
  const machine = events.filter((e) => role(e) === 'machine');
  const opens = counted.filter((e) => e.kind === 'open');
  const clicks = counted.filter((e) => e.kind === 'click');
  const unique = (list: TrackingEvent[]) =>
    new Set(list.map((e) => `${e.token_id} ${e.remote_ip} ${e.ua}`)).size;
  return {
    opens: opens.length,
    uniqueOpens: unique(opens),
    clicks: clicks.length,
    uniqueClicks: unique(clicks),
    unsubscribed: counted.some((e) => e.kind === 'unsub'),
    machine: {
      opens: machine.filter((e) => e.kind === 'open').length,
      clicks: machine.filter((e) => e.kind === 'click').length,
    },
  };
}

/** Counts as the server defines them (TrackingCounts), from a mail's events. */
export function countsFromEvents(events: TrackingEvent[]): TrackingCounts {
  const preview = events.filter(
    (e) => roleOf({ source: e.source ?? 'recipient', classification: e.classification }) === 'preview',
  );
  return {
    ...hitCounts(events, 'with-simulated'),
    recipients: hitCounts(events, 'recipients'),
    preview: {
      opens: preview.filter((e) => e.kind === 'open').length,
      clicks: preview.filter((e) => e.kind === 'click').length,
      unsubscribed: preview.some((e) => e.kind === 'unsub'),
    },
  };
}

function larger(a: HitCounts | undefined, b: HitCounts): HitCounts {
  if (!a) return b;
  return {
    opens: Math.max(a.opens, b.opens),
    uniqueOpens: Math.max(a.uniqueOpens, b.uniqueOpens),
    clicks: Math.max(a.clicks, b.clicks),
    uniqueClicks: Math.max(a.uniqueClicks, b.uniqueClicks),
    unsubscribed: a.unsubscribed || b.unsubscribed,
    machine: {
      opens: Math.max(a.machine?.opens ?? 0, b.machine.opens),
      clicks: Math.max(a.machine?.clicks ?? 0, b.machine.clicks),
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
    ...larger(snapshot, fromEvents),
    recipients: larger(snapshot.recipients, fromEvents.recipients),
    preview: {
      opens: Math.max(snapshot.preview?.opens ?? 0, fromEvents.preview.opens),
      clicks: Math.max(snapshot.preview?.clicks ?? 0, fromEvents.preview.clicks),
      unsubscribed: (snapshot.preview?.unsubscribed ?? false) || fromEvents.preview.unsubscribed,
    },
  };
}
