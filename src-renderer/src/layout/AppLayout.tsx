import { useEffect, useState } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';
import { useInfo, useRelay } from '../api/resources';
import { CopyButton } from '../shared/CopyButton';
import { LiveIndicator, LiveBanner } from './LiveIndicator';
import { ShortcutsHelp } from './ShortcutsHelp';
import { ChaosBadge } from './ChaosBadge';
import { TagFilter } from './TagFilter';
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
          Mailbeacon
        </div>
        <NavLink to="/" className={() => navClass(inboxActive)}>
          <span>Inbox</span>
          {info.data && (
            <span className="nav-count" title={`${info.data.Unread} unread of ${info.data.Messages}`}>
              {info.data.Unread > 0 ? (
                <strong>{info.data.Unread.toLocaleString('en')}</strong>
              ) : (
                info.data.Messages.toLocaleString('en')
              )}
            </span>
          )}
        </NavLink>
        <NavLink to="/events" className={({ isActive }) => navClass(isActive)}>
          <span>Events</span>
        </NavLink>
        <NavLink to="/relay" className={({ isActive }) => navClass(isActive)}>
          <span>Relay</span>
          {failing > 0 && (
            <span className="nav-count nav-alert" title={`${failing} failed`}>
              {failing}!
            </span>
          )}
        </NavLink>
        <NavLink to="/settings" className={({ isActive }) => navClass(isActive)}>
          <span>Settings</span>
        </NavLink>
        <TagFilter />
        <div className="sidebar-foot">
          <div className="sidebar-label">SMTP</div>
          {smtp ? (
            <div className="sidebar-smtp">
              <code>{smtp}</code>
              <CopyButton text={smtp} />
            </div>
          ) : (
            <div className="muted">{info.isError ? 'unknown' : '…'}</div>
          )}
          <LiveIndicator />
          <div className="sidebar-tools">
            <button
              type="button"
              className="btn btn-small btn-ghost"
              onClick={() => setHelp(true)}
              title="Shortcuts (?)"
            >
              ? Shortcuts
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
    </div>
  );
}

function navClass(isActive: boolean): string {
  return isActive ? 'nav-item active' : 'nav-item';
}
