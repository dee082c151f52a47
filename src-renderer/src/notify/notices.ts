// Which live updates deserve a browser notification: a caught mail, and the first open, the first click and the
// unsubscribe of each mail, as the desktop app notifies them. Hits classified as scanners (link checkers) or expired
// tokens are not a person reading the mail, so they never count as a first.
import type { MessageSummary } from '../../../src-main/wire/types';
import type { HubUpdate } from '../live/applyUpdate';

export interface BrowserNotice {
  title: string;
  body: string;
  /** The mail it is about: a click on the notice opens it. */
  messageId: string;
}

/** Mails remembered for their subject and their firsts; the oldest are forgotten beyond this. */
const REMEMBERED = 2_000;

export class NoticeRules {
  private readonly subjects = new Map<string, string>();
  private readonly seen = new Set<string>();

  /** The notice an update calls for, or null. */
  noticeFor(update: HubUpdate): BrowserNotice | null {
    if (update.type === 'created') return this.created(update.message);
    if (update.type !== 'event') return null;
    const e = update.event;
    if (e.classification === 'scanner' || e.classification === 'expired') return null;
    const key = `${e.message_id}\n${e.kind}`;
    if (this.seen.has(key)) return null;
    this.remember(this.seen, key);
    const who = e.metadata.recipient || 'A recipient';
    const subject = subjectLine(this.subjects.get(e.message_id) ?? e.metadata.subject ?? '');
    switch (e.kind) {
      case 'open':
        return { title: `${who} opened a mail`, body: subject, messageId: e.message_id };
      case 'click':
        return { title: `${who} clicked a link`, body: `${subject}\n${e.url}`, messageId: e.message_id };
      case 'unsub':
        return { title: `${who} unsubscribed`, body: subject, messageId: e.message_id };
      default:
        return null;
    }
  }

  private created(m: MessageSummary): BrowserNotice {
    this.subjects.delete(m.ID);
    this.subjects.set(m.ID, m.Subject);
    if (this.subjects.size > REMEMBERED) this.subjects.delete(this.subjects.keys().next().value as string);
    const from = m.From ? m.From.Name || m.From.Address : 'unknown sender';
    return { title: `New mail from ${from}`, body: subjectLine(m.Subject), messageId: m.ID };
  }

  private remember(set: Set<string>, key: string): void {
    set.add(key);
    if (set.size > REMEMBERED) set.delete(set.values().next().value as string);
  }
}

function subjectLine(subject: string): string {
  return subject.trim() || '(no subject)';
}

const STORAGE_KEY = 'mailbeacon.notifications';

/** The desktop app notifies from its main process; the page only does it in a plain browser. */
export function inDesktopApp(): boolean {
  return typeof window !== 'undefined' && 'mailbeacon' in window;
}

export function notificationsSupported(): boolean {
  return typeof Notification !== 'undefined' && !inDesktopApp();
}

/** Off until the user turns them on, and only while the browser still grants the permission. */
export function notificationsEnabled(): boolean {
  try {
    return (
      notificationsSupported() &&
      localStorage.getItem(STORAGE_KEY) === 'on' &&
      Notification.permission === 'granted'
    );
  } catch {
    return false;
  }
}

export function storeNotificationsChoice(on: boolean): void {
  try {
    if (on) localStorage.setItem(STORAGE_KEY, 'on');
    else localStorage.removeItem(STORAGE_KEY);
  } catch {
    // Storage disabled: the choice lasts for this page only.
  }
}
