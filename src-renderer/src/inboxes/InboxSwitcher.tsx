// The sidebar's inboxes: each with its unread count (or total), and "All inboxes" for whoever may see them all.
// Switching loads the page under the inbox's own prefix, so every request, link and hub update is scoped by the server.
import type { InboxSummary } from '../../../src-main/wire/types';
import { CURRENT_INBOX, inboxPrefix } from './inboxBase';
import { useInboxes } from './useInboxes';

function count(unread: number, total: number) {
  return (
    <span className="nav-count">
      {unread > 0 ? <strong>{unread.toLocaleString('en')}</strong> : total.toLocaleString('en')}
    </span>
  );
}

const title = (name: string, unread: number, total: number, closed = false) =>
  `${name}${closed ? ' (closed)' : ''}: ${unread.toLocaleString('en')} unread of ${total.toLocaleString('en')}`;

export function InboxSwitcher() {
  const inboxes = useInboxes();
  const list = inboxes.data?.inboxes ?? [];
  // One inbox and no inbox page: the switcher would only repeat the Inbox entry above it.
  if (CURRENT_INBOX === undefined && list.length < 2) return null;
  if (!inboxes.data) return null;
  const sum = (f: (i: InboxSummary) => number) => list.reduce((n, i) => n + f(i), 0);
  const unread = sum((i) => i.Unread);
  const total = sum((i) => i.Total);
  return (
    <div className="tag-filter inbox-switcher" data-testid="inbox-switcher">
      <div className="sidebar-label inbox-switcher-head">
        Inboxes
        <a
          className="inbox-settings-link"
          href="#/inbox-settings"
          title={CURRENT_INBOX === undefined ? 'Inbox settings' : `Settings of ${CURRENT_INBOX}`}
          aria-label="Inbox settings"
        >
          ⚙
        </a>
      </div>
      {inboxes.data.all && (
        <a
          href="/"
          className={CURRENT_INBOX === undefined ? 'nav-item tag-item active' : 'nav-item tag-item'}
          aria-current={CURRENT_INBOX === undefined ? 'page' : undefined}
          title={title('All inboxes', unread, total)}
        >
          <span className="tag-name">All inboxes</span>
          {count(unread, total)}
        </a>
      )}
      {list.map((i) => {
        const active = i.Name === CURRENT_INBOX;
        return (
          <a
            key={i.Name}
            href={`${inboxPrefix(i.Name)}/`}
            className={active ? 'nav-item tag-item active' : 'nav-item tag-item'}
            aria-current={active ? 'page' : undefined}
            title={title(i.Name, i.Unread, i.Total, i.Closed)}
          >
            <span className="tag-name">{i.Name}</span>
            {count(i.Unread, i.Total)}
          </a>
        );
      })}
    </div>
  );
}
