import { describe, expect, it } from 'vitest';
import type { TrackingEvent } from '../../src-main/wire/types.js';
import type { MessageListing } from '../../src-main/model/message.js';
import { EventBus } from '../../src-main/events/bus.js';
import {
  DEFAULT_NOTIFICATION_PREFS,
  MailNotifier,
  parseNotificationPrefs,
  type MailNotice,
  type NotificationPrefs,
} from '../../src-main/app/notifications.js';

const message = (id: string, subject: string): MessageListing => ({
  id,
  messageId: `${id}@acme.test`,
  read: false,
  from: { Name: 'Acme Shop', Address: 'shop@acme.test' },
  to: [{ Name: '', Address: 'ann@example.org' }],
  cc: [],
  bcc: [],
  replyTo: [],
  subject,
  createdMs: Date.parse('2026-11-23T10:00:00Z'),
  username: '',
  inbox: 'default',
  tags: [],
  size: 1000,
  attachments: 0,
  snippet: '',
  tracking: {
    opens: 0,
    uniqueOpens: 0,
    clicks: 0,
    uniqueClicks: 0,
    unsubscribed: false,
    machine: { opens: 0, clicks: 0 },
    recipients: {
      opens: 0,
      uniqueOpens: 0,
      clicks: 0,
      uniqueClicks: 0,
      unsubscribed: false,
      machine: { opens: 0, clicks: 0 },
    },
    preview: { opens: 0, clicks: 0, unsubscribed: false },
  },
});

let nextEventId = 1;
const hit = (
  messageId: string,
  kind: TrackingEvent['kind'],
  classification: TrackingEvent['classification'] = 'human',
): TrackingEvent => ({
  id: nextEventId++,
  kind,
  url: kind === 'click' ? 'https://acme.test/start' : '',
  metadata: { message_id: messageId, recipient: 'ann@example.org' },
  remote_ip: '127.0.0.1',
  ua: 'Firefox',
  ts: '1763892000000000000',
  time: '2026-11-23T10:00:00Z',
  token_id: `token-${nextEventId}`,
  message_id: messageId,
  classification,
  method: 'GET',
  source: 'recipient',
  inbox: 'default',
});

function notifier(prefs: NotificationPrefs = DEFAULT_NOTIFICATION_PREFS) {
  const bus = new EventBus();
  const shown: MailNotice[] = [];
  const current = { prefs };
  const n = new MailNotifier({ bus, prefs: () => current.prefs, show: (notice) => shown.push(notice) });
  n.start();
  return { bus, shown, current, notifier: n };
}

describe('mail notifications', () => {
  it('announces each new mail with sender and subject', () => {
    const { bus, shown } = notifier();
    bus.emit('message.created', message('m1', 'Welcome to Acme'));
    bus.emit('message.created', message('m2', '   '));
    expect(shown).toEqual([
      { title: 'New mail from Acme Shop', body: 'Welcome to Acme', messageId: 'm1' },
      { title: 'New mail from Acme Shop', body: '(no subject)', messageId: 'm2' },
    ]);
  });

  it('announces only the first open and the first click of a mail', () => {
    const { bus, shown } = notifier();
    bus.emit('message.created', message('m1', 'Welcome'));
    shown.length = 0;
    bus.emit('tracking.event', hit('m1', 'open'));
    bus.emit('tracking.event', hit('m1', 'open'));
    bus.emit('tracking.event', hit('m1', 'click'));
    bus.emit('tracking.event', hit('m1', 'click'));
    expect(shown).toEqual([
      { title: 'ann@example.org opened a mail', body: 'Welcome', messageId: 'm1' },
      { title: 'ann@example.org clicked a link', body: 'Welcome\nhttps://acme.test/start', messageId: 'm1' },
    ]);
  });

  it('does not count link scanners, expired tokens or unsubscribes as a first open or click', () => {
    const { bus, shown } = notifier();
    bus.emit('tracking.event', hit('m1', 'click', 'scanner'));
    bus.emit('tracking.event', hit('m1', 'open', 'expired'));
    bus.emit('tracking.event', hit('m1', 'unsub'));
    expect(shown).toEqual([]);
    bus.emit('tracking.event', hit('m1', 'click', 'human'));
    bus.emit('tracking.event', hit('m1', 'open', 'proxy'));
    expect(shown.map((n) => n.title)).toEqual([
      'ann@example.org clicked a link',
      'ann@example.org opened a mail',
    ]);
  });

  it('honours each preference on its own, read at the moment of the event', () => {
    const { bus, shown, current } = notifier({ newMail: false, firstOpen: true, firstClick: false });
    bus.emit('message.created', message('m1', 'Welcome'));
    bus.emit('tracking.event', hit('m1', 'click'));
    bus.emit('tracking.event', hit('m1', 'open'));
    expect(shown.map((n) => n.title)).toEqual(['ann@example.org opened a mail']);
    current.prefs = { newMail: true, firstOpen: false, firstClick: false };
    bus.emit('message.created', message('m2', 'Invoice'));
    bus.emit('tracking.event', hit('m2', 'open'));
    expect(shown.map((n) => n.title)).toEqual(['ann@example.org opened a mail', 'New mail from Acme Shop']);
  });

  it('stops listening on stop()', () => {
    const { bus, shown, notifier: n } = notifier();
    n.stop();
    bus.emit('message.created', message('m1', 'Welcome'));
    expect(shown).toEqual([]);
    expect(bus.listenerCount('message.created')).toBe(0);
  });

  it('accepts exactly three booleans as preferences', () => {
    expect(parseNotificationPrefs({ newMail: false, firstOpen: true, firstClick: true })).toEqual({
      newMail: false,
      firstOpen: true,
      firstClick: true,
    });
    expect(parseNotificationPrefs({ newMail: false, firstOpen: true })).toBeNull();
    expect(
      parseNotificationPrefs({ newMail: false, firstOpen: true, firstClick: true, extra: 1 }),
    ).toBeNull();
    expect(parseNotificationPrefs('all')).toBeNull();
  });
});
