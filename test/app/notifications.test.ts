import { describe, expect, it } from 'vitest';
import type { TrackingEvent } from '../../src-main/wire/types.js';
import { listing } from '../fixtures/summaries.js';
import { EventBus } from '../../src-main/events/bus.js';
import {
  DEFAULT_NOTIFICATION_PREFS,
  MailNotifier,
  parseNotificationPrefs,
  type MailNotice,
  type NotificationPrefs,
} from '../../src-main/app/notifications.js';

const message = (id: string, subject: string) =>
  listing(id, {
    messageId: `${id}@acme.test`,
    from: { Name: 'Acme Shop', Address: 'shop@acme.test' },
    to: [{ Name: '', Address: 'ann@example.org' }],
    subject,
    createdMs: Date.parse('2026-11-23T10:00:00Z'),
    size: 1000,
    snippet: '',
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

function notifier(prefs: NotificationPrefs = DEFAULT_NOTIFICATION_PREFS, inboxes?: string[]) {
  const bus = new EventBus();
  const shown: MailNotice[] = [];
  const current = { prefs };
  const n = new MailNotifier({
    bus,
    prefs: () => current.prefs,
    show: (notice) => shown.push(notice),
    ...(inboxes && { inboxes: () => inboxes }),
  });
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

  it('names the inbox before the subject once there is more than one, for new mail, opens and clicks', () => {
    const { bus, shown } = notifier(DEFAULT_NOTIFICATION_PREFS, ['default', 'shop']);
    bus.emit('message.created', { ...message('m1', 'Welcome to Shop'), inbox: 'shop' });
    bus.emit('message.created', message('m2', 'Plain'));
    bus.emit('tracking.event', hit('m1', 'open'));
    bus.emit('tracking.event', hit('m1', 'click'));
    expect(shown.map((n) => n.body)).toEqual([
      'shop: Welcome to Shop',
      'default: Plain',
      'shop: Welcome to Shop',
      'shop: Welcome to Shop\nhttps://acme.test/start',
    ]);
  });

  it('leaves a lone default inbox unnamed, and names it as soon as a second inbox gets mail', () => {
    const { bus, shown } = notifier(DEFAULT_NOTIFICATION_PREFS, ['default']);
    bus.emit('message.created', message('m1', 'Welcome'));
    bus.emit('message.created', { ...message('m2', 'Order 12'), inbox: 'shop' });
    bus.emit('message.created', message('m3', 'Again'));
    expect(shown.map((n) => n.body)).toEqual(['Welcome', 'shop: Order 12', 'default: Again']);
  });

  it('names the inbox a mail was moved to in its later notices', () => {
    const { bus, shown } = notifier(DEFAULT_NOTIFICATION_PREFS, ['default', 'shop']);
    const mail = { ...message('m1', 'Welcome'), inbox: 'shop' };
    bus.emit('message.created', mail);
    bus.emit('message.moved', [{ message: { ...mail, inbox: 'billing' }, from: 'shop' }]);
    bus.emit('tracking.event', hit('m1', 'open'));
    expect(shown.map((n) => n.body)).toEqual(['shop: Welcome', 'billing: Welcome']);
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
