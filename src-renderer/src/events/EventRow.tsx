import type { ReactNode } from 'react';
import { roleOf, type HitRole, type TrackingEvent } from '../../../src-main/wire/types';
import { useCountScope } from '../shared/countScope';
import { clockTime, fullTime } from '../format/time';
import { ClickIcon, EyeIcon, UnsubIcon } from '../shared/icons';

const KIND_LABEL = {
  open: (
    <>
      <EyeIcon /> open
    </>
  ),
  click: (
    <>
      <ClickIcon /> click
    </>
  ),
  unsub: (
    <>
      <UnsubIcon /> unsub
    </>
  ),
} as const;

/**
 * One event as a timeline row; `linkNumber` ties a click to the Tracking tab's table; `showInbox` names the hit's
 * inbox beside its mail, for a list that spans several.
 */
export function EventRow({
  event: e,
  linkNumber,
  subject,
  showInbox,
}: {
  event: TrackingEvent;
  linkNumber?: number;
  subject?: ReactNode;
  showInbox?: boolean;
}) {
  const scope = useCountScope();
  const source = e.source ?? 'recipient';
  const role = roleOf({ source, classification: e.classification }, scope);
  return (
    <tr
      className={`event event-${e.kind} event-${role}`}
      data-testid="event-row"
      data-kind={e.kind}
      data-role={role}
      title={ROLE_HELP[role]}
    >
      <td className="num" title={fullTime(e.time)}>
        {clockTime(e.time)}
      </td>
      <td>
        <span className={`kind kind-${e.kind}`}>{KIND_LABEL[e.kind] ?? e.kind}</span>
      </td>
      {subject !== undefined && (
        <td className="event-subject">
          {showInbox && e.inbox && (
            <span
              className="badge badge-zero event-inbox"
              data-testid="event-inbox"
              title={`Inbox: ${e.inbox}`}
            >
              {e.inbox}
            </span>
          )}{' '}
          {subject}
        </td>
      )}
      <td className="event-url">
        {linkNumber !== undefined && <span className="link-no">#{linkNumber}</span>}{' '}
        {e.kind === 'open' ? '' : e.url}
        {e.method && e.method !== 'GET' && <span className="muted"> · {e.method}</span>}
      </td>
      <td>
        <span className={`class class-${e.classification}`}>{e.classification}</span>
      </td>
      <td>
        <span className={`source source-${source}`} data-testid="event-source">
          {source === 'preview' ? 'preview · yours' : source}
        </span>
        {role !== 'counted' && <span className="muted small"> · {ROLE_LABEL[role]}</span>}
      </td>
      <td className="mono">{e.remote_ip}</td>
      <td className="event-ua" title={e.ua}>
        {e.ua || '—'}
      </td>
    </tr>
  );
}

const ROLE_LABEL: Record<HitRole, string> = {
  counted: 'counted',
  machine: 'beside',
  excluded: 'not counted',
  preview: 'not counted',
  expired: 'not counted',
};

const ROLE_HELP: Record<HitRole, string> = {
  counted: 'Counted: a person, from a recipient or a simulated recipient',
  machine: 'Counted beside the figures: an image proxy or a link scanner',
  excluded: 'Not counted: a simulated hit, while only real recipients are counted',
  preview: "Not counted: your own reading in Mailbeacon's preview",
  expired: 'Not counted: the link had expired',
};

/** The column headers of EventRow's table. */
export function EventHead({ withSubject }: { withSubject?: boolean }) {
  return (
    <thead>
      <tr>
        <th className="num">Time</th>
        <th>Kind</th>
        {withSubject && <th>Mail</th>}
        <th>Link</th>
        <th title="Who most likely made the hit: a person, an image proxy, a link scanner, or an expired link">
          Class
        </th>
        <th title="recipient: from outside Mailbeacon; simulated: made by Mailbeacon in a recipient's place; preview: your own reading in Mailbeacon">
          Source
        </th>
        <th>Address</th>
        <th>User agent</th>
      </tr>
    </thead>
  );
}
