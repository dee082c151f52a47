import { z } from 'zod';
import { DEFAULT_INBOX } from '../model/inbox.js';
import type { MessageListing } from '../model/message.js';
import type { TrackingEvent } from '../model/tracking.js';
import type { EventBus } from '../events/bus.js';
import type { NotificationPrefs } from '../preload/channels.js';

export type { NotificationPrefs };

export const DEFAULT_NOTIFICATION_PREFS: NotificationPrefs = {
  newMail: true,
  firstOpen: true,
  firstClick: true,
};

export const notificationPrefsSchema = z
  .object({ newMail: z.boolean(), firstOpen: z.boolean(), firstClick: z.boolean() })
  .strict();

/** The preferences, or null when `value` is not exactly three booleans. */
export function parseNotificationPrefs(value: unknown): NotificationPrefs | null {
  const result = notificationPrefsSchema.safeParse(value);
  return result.success ? result.data : null;
}

/**
 * How many mails the notifier remembers (subjects, and which already had their first open or click). Beyond
 * this the oldest are forgotten: a mail that old getting a "first" notice again is harmless, unbounded memory is not.
 */
export const REMEMBERED_MAILS = 5_000;

export interface MailNotice {
  title: string;
  body: string;
  /** The mail the notice is about, so a click on it can show that mail. */
  messageId: string;
}

export interface MailNotifierOptions {
  bus: EventBus;
  prefs(): NotificationPrefs;
  show(notice: MailNotice): void;
  /** The inboxes that exist when the notifier starts; the ones mail arrives in later are added as it comes. */
  inboxes?(): string[];
}

/**
 * Turns sandbox events into desktop notices: one per caught mail, and one for the first open and the first click
 * of each mail. Hits the tracking server classified as scanners (link checkers) or expired tokens are not a person
 * reading the mail, so they never count as "first". Once there is more than one inbox (or the only one is not
 * `default`), each notice names the mail's inbox before its subject: several projects notify at once, and the
 * subject alone does not say whose mail it is; a single default inbox is left unnamed, as the UI leaves it.
 */
export class MailNotifier {
  private readonly subjects = new Map<string, string>();
  private readonly mailInbox = new Map<string, string>();
  private readonly knownInboxes = new Set<string>();
  private readonly seen = new Map<string, true>();
  private readonly onCreated = (message: MessageListing) => this.messageCreated(message);
  private readonly onEvent = (event: TrackingEvent) => this.trackingEvent(event);
  private readonly onMoved = (moves: { message: MessageListing }[]) => {
    for (const { message } of moves)
      if (this.mailInbox.has(message.id) && message.inbox) this.mailInbox.set(message.id, message.inbox);
  };

  constructor(private readonly options: MailNotifierOptions) {}

  start(): void {
    for (const name of this.options.inboxes?.() ?? []) this.knownInboxes.add(name);
    this.options.bus.on('message.created', this.onCreated);
    this.options.bus.on('tracking.event', this.onEvent);
    this.options.bus.on('message.moved', this.onMoved);
  }

  stop(): void {
    this.options.bus.off('message.created', this.onCreated);
    this.options.bus.off('tracking.event', this.onEvent);
    this.options.bus.off('message.moved', this.onMoved);
  }

  private messageCreated(message: MessageListing): void {
    remember(this.subjects, message.id, message.subject);
    const inbox = message.inbox ?? DEFAULT_INBOX;
    this.knownInboxes.add(inbox);
    remember(this.mailInbox, message.id, inbox);
    if (!this.options.prefs().newMail) return;
    const from = message.from ? message.from.Name || message.from.Address : 'unknown sender';
    this.options.show({
      title: `New mail from ${from}`,
      body: this.named(inbox, subjectLine(message.subject)),
      messageId: message.id,
    });
  }

  private trackingEvent(event: TrackingEvent): void {
    if (event.kind === 'unsub' || event.classification === 'scanner' || event.classification === 'expired')
      return;
    const key = `${event.message_id}\n${event.kind}`;
    if (this.seen.has(key)) return;
    remember(this.seen, key, true);
    const prefs = this.options.prefs();
    if (event.kind === 'open' ? !prefs.firstOpen : !prefs.firstClick) return;
    const who = event.metadata.recipient || 'A recipient';
    const subject = this.named(
      this.mailInbox.get(event.message_id),
      subjectLine(this.subjects.get(event.message_id) ?? event.metadata.subject ?? ''),
    );
    this.options.show(
      event.kind === 'open'
        ? { title: `${who} opened a mail`, body: subject, messageId: event.message_id }
        : { title: `${who} clicked a link`, body: `${subject}\n${event.url}`, messageId: event.message_id },
    );
  }

  /** `shop: Welcome` when inboxes need telling apart (see the class), the subject alone otherwise. */
  private named(inbox: string | undefined, subject: string): string {
    if (inbox === undefined) return subject;
    const several = this.knownInboxes.size > 1 || inbox !== DEFAULT_INBOX;
    return several ? `${inbox}: ${subject}` : subject;
  }
}

function subjectLine(subject: string): string {
  return subject.trim() || '(no subject)';
}

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > REMEMBERED_MAILS) map.delete(map.keys().next().value as string);
}
