import type { MessageSummary } from '../../../src-main/wire/types';
import { addressList, displayName } from '../format/address';
import { fullTime, relativeTime } from '../format/time';
import { TagChips } from '../shared/TagChips';
import { TrackingBadges } from '../shared/TrackingBadges';
import { PaperclipIcon } from '../shared/icons';

/** Fixed row height: three lines of text; fixed so the virtual list never needs to measure 100,000 rows. */
export const ROW_HEIGHT = 76;

export function MessageRow({
  message: m,
  selected,
  cursor,
  checked,
  fresh = false,
  onOpen,
  onToggleCheck,
}: {
  message: MessageSummary;
  fresh?: boolean;
  selected: boolean;
  cursor: boolean;
  checked: boolean;
  onOpen: () => void;
  onToggleCheck: () => void;
}) {
  const classes = [
    'row',
    m.Read ? 'row-read' : 'row-unread',
    selected && 'row-selected',
    cursor && 'row-cursor',
    fresh && 'row-fresh',
  ]
    .filter(Boolean)
    .join(' ');
  const recipients = [...(m.To ?? []), ...(m.Cc ?? []), ...(m.Bcc ?? [])];
  const to = recipients.length
    ? `${displayName(recipients[0])}${recipients.length > 1 ? ` +${recipients.length - 1}` : ''}`
    : '';
  return (
    <div
      className={classes}
      role="option"
      aria-selected={selected}
      data-id={m.ID}
      data-testid="message-row"
      onClick={onOpen}
    >
      <label className="row-check" onClick={(e) => e.stopPropagation()}>
        <input type="checkbox" checked={checked} onChange={onToggleCheck} aria-label="Select" />
      </label>
      <div className="row-main">
        <div className="row-line">
          {!m.Read && <span className="unread-dot" title="Unread" />}
          <span className="row-from" title={m.From?.Address}>
            {displayName(m.From)}
          </span>
          {to && (
            <span className="row-to" title={`To ${addressList([...(m.To ?? []), ...(m.Cc ?? [])])}`}>
              → {to}
            </span>
          )}
          <span className="row-time" title={fullTime(m.Created)}>
            {relativeTime(m.Created)}
          </span>
        </div>
        <div className="row-line">
          <span className="row-subject" title={m.Subject || undefined}>
            {m.Subject || '(no subject)'}
          </span>
          <TagChips tags={m.Tags} />
          {m.Attachments > 0 && (
            <span className="row-attach" title={`${m.Attachments} attachment${m.Attachments > 1 ? 's' : ''}`}>
              <PaperclipIcon />
            </span>
          )}
        </div>
        <div className="row-line">
          <span className="row-snippet" title={m.Snippet || undefined}>
            {m.Snippet}
          </span>
          <TrackingBadges counts={m.Tracking} />
        </div>
      </div>
    </div>
  );
}
