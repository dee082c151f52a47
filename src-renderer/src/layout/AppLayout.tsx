import { useEffect, useState } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';
import { useInfo, useRelay } from '../api/resources';
import { CopyButton } from '../shared/CopyButton';
import { ActivityIcon, GearIcon, InboxIcon, KeyboardIcon, SendIcon } from '../shared/icons';
import { BrowserNotifications } from '../notify/BrowserNotifications';
import { LiveIndicator, LiveBanner } from './LiveIndicator';
import { ShortcutsHelp } from './ShortcutsHelp';
import { ChaosBadge } from './ChaosBadge';
import { TagFilter } from './TagFilter';
import { InboxSwitcher } from '../inboxes/InboxSwitcher';
import { CURRENT_INBOX } from '../inboxes/inboxBase';
import { isTypingTarget } from './keyboard';

export function AppLayout() {
  const info = useInfo();
  const relay = useRelay();
  const [help, setHelp] = useState(false);
  const { pathname } = useLocation();
  const inboxActive = pathname === '/' || pathname.startsWith('/message/');

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === '?' && !isTypingTarget(e.target)) {
        e.preventDefault();
        setHelp((h) => !h);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const failing = relay.data?.entries.filter((e) => e.status === 'failed' || e.status === 'dead').length ?? 0;
  const smtp = info.data?.Listeners?.smtp;

  return (
    <div className="app">
      <nav className="sidebar" aria-label="Main">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            ◉
          </span>
          <span className="nav-label">Mailbeacon</span>
        </div>
        <NavLink
          to="/"
          className={() => navClass(inboxActive)}
          title={info.data ? `Inbox: ${info.data.Unread} unread of ${info.data.Messages}` : 'Inbox'}
        >
          <InboxIcon size={16} />
          <span className="nav-label">Inbox</span>
          {info.data && (
            <span className="nav-count">
              {info.data.Unread > 0 ? (
                <strong>{info.data.Unread.toLocaleString('en')}</strong>
              ) : (
                info.data.Messages.toLocaleString('en')
              )}
            </span>
          )}
        </NavLink>
        <NavLink to="/events" className={({ isActive }) => navClass(isActive)} title="Events">
          <ActivityIcon size={16} />
          <span className="nav-label">Events</span>
        </NavLink>
        <NavLink
          to="/relay"
          className={({ isActive }) => navClass(isActive)}
          title={failing > 0 ? `Relay: ${failing} failed` : 'Relay'}
        >
          <SendIcon size={16} />
          <span className="nav-label">Relay</span>
          {failing > 0 && <span className="nav-count nav-alert">{failing}!</span>}
        </NavLink>
        <NavLink to="/settings" className={({ isActive }) => navClass(isActive)} title="Settings">
          <GearIcon size={16} />
          <span className="nav-label">Settings</span>
        </NavLink>
        <InboxSwitcher />
        <TagFilter />
        <div className="sidebar-foot">
          <div className="sidebar-wide">
            <div className="sidebar-label">SMTP</div>
            {smtp ? (
              <div className="sidebar-smtp">
                <code>{smtp}</code>
                <CopyButton text={smtp} />
              </div>
            ) : (
              <div className="muted">{info.isError ? 'unknown' : '…'}</div>
            )}
            {smtp && CURRENT_INBOX !== undefined && (
              <div className="sidebar-smtp" title="The SMTP user name that sends mail into this inbox">
                <span className="muted">user</span> <code>{CURRENT_INBOX}</code>
              </div>
            )}
          </div>
          <LiveIndicator />
          <div className="sidebar-tools">
            <button
              type="button"
              className="btn btn-small btn-ghost btn-icon-text"
              onClick={() => setHelp(true)}
              title="Shortcuts (?)"
            >
              <KeyboardIcon size={16} />
              <span className="nav-label">Shortcuts</span>
            </button>
          </div>
        </div>
      </nav>
      <main className="content">
        <LiveBanner />
        <ChaosBadge />
        <Outlet />
      </main>
      {help && <ShortcutsHelp onClose={() => setHelp(false)} />}
      <BrowserNotifications />
    </div>
  );
}

function navClass(isActive: boolean): string {
  return isActive ? 'nav-item active' : 'nav-item';
}
