import type { ReactNode } from 'react';
import type { TrackingEvent } from '../../../src-main/api/types';
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

/** One event as a timeline row; `linkNumber` ties a click to the Tracking tab's table. */
export function EventRow({
  event: e,
  linkNumber,
  subject,
}: {
  event: TrackingEvent;
  linkNumber?: number;
  subject?: ReactNode;
}) {
  return (
    <tr className={`event event-${e.kind}`} data-testid="event-row" data-kind={e.kind}>
      <td className="num" title={fullTime(e.time)}>
        {clockTime(e.time)}
      </td>
      <td>
        <span className={`kind kind-${e.kind}`}>{KIND_LABEL[e.kind] ?? e.kind}</span>
      </td>
      {subject !== undefined && <td className="event-subject">{subject}</td>}
      <td className="event-url">
        {linkNumber !== undefined && <span className="link-no">#{linkNumber}</span>}{' '}
        {e.kind === 'open' ? '' : e.url}
        {e.method && e.method !== 'GET' && <span className="muted"> · {e.method}</span>}
      </td>
      <td>
        <span className={`class class-${e.classification}`}>{e.classification}</span>
      </td>
      <td>
        <span className={`source source-${e.source ?? 'recipient'}`} data-testid="event-source">
          {e.source ?? 'recipient'}
        </span>
      </td>
      <td className="mono">{e.remote_ip}</td>
      <td className="event-ua" title={e.ua}>
        {e.ua || '—'}
      </td>
    </tr>
  );
}

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
        <th title="recipient: from outside; sandbox: Mailbeacon's preview or a simulation">Source</th>
        <th>Address</th>
        <th>User agent</th>
      </tr>
    </thead>
  );
}
