import { afterEach, describe, expect, it } from 'vitest';
import {
  TOPIC_EVENTS,
  TOPIC_MESSAGES,
  messageEventsTopic,
  messageTopic,
  type EventUpdate,
  type MessageUpdate,
  type RelayEntry,
  type TrackingEvent,
} from '../../src-main/wire/types.js';
import { EventBus } from '../../src-main/events/bus.js';
import { AppPublisher, MAX_PER_MESSAGE_TOPICS } from '../../src-main/hub/app-publisher.js';
import { Client, startHub, subscribeUrl, type TestHub } from './helpers.js';
import { listing, summary } from '../fixtures/summaries.js';

const trackingEvent = (messageId: string): TrackingEvent => ({
  id: 7,
  kind: 'click',
  url: 'https://example.com/pricing',
  metadata: { message_id: messageId },
  remote_ip: '127.0.0.1',
  ua: 'Mozilla/5.0',
  ts: '1730000000000000000',
  time: '2024-10-27T03:33:20.000Z',
  token_id: 'b6f8c1de-0000-4000-8000-000000000000',
  message_id: messageId,
  classification: 'human',
  method: 'GET',
  source: 'recipient',
  inbox: 'default',
});

let h: TestHub | undefined;
let publisher: AppPublisher | undefined;
const clients: Client[] = [];
afterEach(async () => {
  publisher?.stop();
  for (const c of clients.splice(0)) c.close();
  await h?.close();
  h = publisher = undefined;
});

async function setup() {
  h = await startHub({ anonymous: true });
  const bus = new EventBus();
  publisher = new AppPublisher({ bus, hub: h.hub });
  publisher.start();
  const token = await h.hub.mintSubscriberToken(['*']);
  const open = async (topics: string[], withToken = true) => {
    const c = new Client(subscribeUrl(h!.hubUrl, topics), withToken ? { token } : {});
    clients.push(c);
    return c.open();
  };
  return { bus, open, hub: h.hub };
}

describe('AppPublisher', () => {
  it('publishes message changes on the collection topic and the message topic', async () => {
    const { bus, open } = await setup();
    const all = await open([TOPIC_MESSAGES]);
    const one = await open([messageTopic('m1')]);
    const template = await open(['urn:mailbeacon:messages/{id}']);

    bus.emit('message.created', listing('m1'));
    bus.emit('message.created', listing('m2'));
    bus.emit('message.read', ['m1'], true);
    const entry: RelayEntry = {
      id: 1,
      messageId: 'm1',
      inbox: 'default',
      subject: 'Hello',
      recipients: ['bob@example.com'],
      status: 'sent',
      reason: 'rule',
      attempts: [{ at: '2026-01-01T00:00:01.000Z', ok: true, reply: '250 OK' }],
      nextAttemptAt: null,
      createdAt: '2026-01-01T00:00:00.000Z',
    };
    bus.emit('relay.status', entry);
    bus.emit('message.deleted', ['m1']);
    bus.emit('message.deleted', 'all');

    await all.waitFor((r) => r.data.includes('"ids":"all"'));
    const updates = all.received.map((r) => JSON.parse(r.data) as MessageUpdate);
    expect(updates.map((u) => u.type)).toEqual(['created', 'created', 'read', 'relay', 'deleted', 'deleted']);
    expect(updates[0]).toEqual({ type: 'created', message: summary('m1') });
    expect(updates[2]).toEqual({ type: 'read', ids: ['m1'], read: true });
    expect(updates[3]).toEqual({ type: 'relay', entry });
    expect(updates[4]).toEqual({ type: 'deleted', ids: ['m1'] });

    await one.waitFor((r) => r.data.includes('"deleted"'));
    expect(one.received.map((r) => (JSON.parse(r.data) as MessageUpdate).type)).toEqual([
      'created',
      'read',
      'relay',
      'deleted',
    ]);
    await template.waitFor((r) => r.data.includes('"deleted"'));
    expect(template.received.map((r) => (JSON.parse(r.data) as MessageUpdate).type)).toEqual([
      'created',
      'created',
      'read',
      'relay',
      'deleted',
    ]);
  });

  it('publishes tracking events on the events topics', async () => {
    const { bus, open } = await setup();
    const all = await open([TOPIC_EVENTS]);
    const perMessage = await open([messageEventsTopic('m9')]);
    bus.emit('tracking.event', trackingEvent('m9'));
    const got = JSON.parse((await all.waitFor(() => true)).data) as EventUpdate;
    expect(got).toEqual({ type: 'event', event: trackingEvent('m9') });
    expect(JSON.parse((await perMessage.waitFor(() => true)).data)).toEqual(got);
  });

  it('makes the updates private by default', async () => {
    const { bus, open, hub } = await setup();
    const anonymous = await open([TOPIC_MESSAGES, TOPIC_EVENTS], false);
    bus.emit('message.created', listing('m1'));
    bus.emit('tracking.event', trackingEvent('m1'));
    hub.publish({ topics: [TOPIC_MESSAGES], data: 'public marker' });
    await anonymous.waitFor((r) => r.data === 'public marker');
    expect(anonymous.received.map((r) => r.data)).toEqual(['public marker']);
  });

  it('announces bulk changes on the collection topic only, and stops listening on stop()', async () => {
    const { bus, open } = await setup();
    const all = await open([TOPIC_MESSAGES]);
    const one = await open([messageTopic('m0'), TOPIC_EVENTS]);
    const many = Array.from({ length: MAX_PER_MESSAGE_TOPICS + 1 }, (_, i) => `m${i}`);
    bus.emit('message.read', many, true);
    bus.emit('message.read', ['m0'], false);
    await all.waitFor((r) => r.data.includes('"read":false'));
    expect(all.received).toHaveLength(2);
    publisher!.stop();
    bus.emit('tracking.event', trackingEvent('m0'));
    bus.emit('message.created', listing('m0'));
    h!.hub.publish({ topics: [TOPIC_EVENTS], data: 'marker' });
    await one.waitFor((r) => r.data === 'marker');
    expect(one.received.map((r) => r.data.slice(0, 20))).toEqual(['{"type":"read","ids"', 'marker']);
    expect(bus.listenerCount('message.created')).toBe(0);
  });
});
