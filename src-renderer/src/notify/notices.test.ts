import { describe, expect, it } from 'vitest';
import type { MessageSummary, TrackingEvent } from '../../../src-main/wire/types';
import { NoticeRules } from './notices';

const mail = {
  ID: 'm1',
  Subject: 'Welcome',
  From: { Name: 'Acme', Address: 'hi@acme.test' },
} as MessageSummary;
let nextId = 1;
const event = (kind: TrackingEvent['kind'], extra: Partial<TrackingEvent> = {}): TrackingEvent =>
  ({
    id: nextId++,
    kind,
    url: 'https://example.com/start',
    metadata: { recipient: 'ann@example.org' },
    message_id: 'm1',
    classification: 'human',
    ...extra,
  }) as TrackingEvent;

describe('browser notification rules', () => {
  it('announces new mail, then the first open, click and unsubscribe of each mail only', () => {
    const rules = new NoticeRules();
    expect(rules.noticeFor({ type: 'created', message: mail })).toEqual({
      title: 'New mail from Acme',
      body: 'Welcome',
      messageId: 'm1',
    });
    expect(rules.noticeFor({ type: 'event', event: event('open') })?.title).toBe(
      'ann@example.org opened a mail',
    );
    expect(rules.noticeFor({ type: 'event', event: event('open') })).toBeNull();
    const click = rules.noticeFor({ type: 'event', event: event('click') });
    expect(click).toEqual({
      title: 'ann@example.org clicked a link',
      body: 'Welcome\nhttps://example.com/start',
      messageId: 'm1',
    });
    expect(rules.noticeFor({ type: 'event', event: event('click') })).toBeNull();
    expect(rules.noticeFor({ type: 'event', event: event('unsub') })?.title).toBe(
      'ann@example.org unsubscribed',
    );
    expect(rules.noticeFor({ type: 'read', ids: ['m1'], read: true })).toBeNull();
  });

  it('does not count scanners and expired tokens as a first', () => {
    const rules = new NoticeRules();
    expect(
      rules.noticeFor({ type: 'event', event: event('open', { classification: 'scanner' }) }),
    ).toBeNull();
    expect(
      rules.noticeFor({ type: 'event', event: event('click', { classification: 'expired' }) }),
    ).toBeNull();
    expect(rules.noticeFor({ type: 'event', event: event('open') })?.title).toContain('opened');
  });
});
