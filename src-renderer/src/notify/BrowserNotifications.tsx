import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { useLive } from '../live/LiveProvider';
import {
  NoticeRules,
  notificationsEnabled,
  notificationsSupported,
  storeNotificationsChoice,
} from './notices';

/** Listens to live updates and shows browser notifications while they are turned on (Settings). */
export function BrowserNotifications() {
  const live = useLive();
  const navigate = useNavigate();
  useEffect(() => {
    if (!notificationsSupported()) return;
    const rules = new NoticeRules();
    return live.subscribe((update) => {
      // The rules see every update, so "first" stays true even for updates that arrived while notices were off.
      const notice = rules.noticeFor(update);
      if (!notice || !notificationsEnabled()) return;
      const n = new Notification(notice.title, {
        body: notice.body,
        tag: `${notice.messageId}:${notice.title}`,
      });
      n.onclick = () => {
        window.focus();
        navigate(`/message/${encodeURIComponent(notice.messageId)}`);
        n.close();
      };
    });
  }, [live, navigate]);
  return null;
}

/** Settings: a toggle that asks the browser's permission the first time it is turned on. */
export function NotificationToggle() {
  const [on, setOn] = useState(notificationsEnabled);
  const [denied, setDenied] = useState(
    () => notificationsSupported() && Notification.permission === 'denied',
  );
  if (!notificationsSupported())
    return (
      <p className="muted">
        {typeof Notification === 'undefined'
          ? 'This browser has no notifications.'
          : 'The desktop app shows its own notifications.'}
      </p>
    );
  const toggle = async () => {
    if (on) {
      storeNotificationsChoice(false);
      setOn(false);
      return;
    }
    const permission =
      Notification.permission === 'default'
        ? await Notification.requestPermission()
        : Notification.permission;
    setDenied(permission === 'denied');
    if (permission !== 'granted') return;
    storeNotificationsChoice(true);
    setOn(true);
  };
  return (
    <div className="notify-setting">
      <label className="toggle">
        <input
          type="checkbox"
          checked={on}
          onChange={() => void toggle()}
          data-testid="notifications-toggle"
        />
        Notify me of new mail and of each mail's first open, first click and unsubscribe
      </label>
      {denied && (
        <p className="muted small">
          The browser blocks notifications for this page; allow them in its site settings, then turn this on.
        </p>
      )}
    </div>
  );
}
