import { afterEach, describe, expect, it } from 'vitest';
import { mintToken } from '../../src-main/hub/jwt.js';
import { SUBSCRIPTIONS_SELECTOR, subscriptionTopic } from '../../src-main/hub/subscriptions.js';
import { Client, SUBSCRIBER_KEY, startHub, subscribeUrl, waitFor, type TestHub } from './helpers.js';

let h: TestHub | undefined;
const clients: Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await h?.close();
  h = undefined;
});

const open = async (url: string, token?: string) => {
  const c = new Client(url, token ? { token } : {});
  clients.push(c);
  return c.open();
};

describe('active subscriptions', () => {
  it('publishes private subscription events when a subscription starts and ends', async () => {
    h = await startHub({ anonymous: true });
    const admin = await mintToken(SUBSCRIBER_KEY, { subscribe: [SUBSCRIPTIONS_SELECTOR] });
    const watcher = await open(subscribeUrl(h.hubUrl, [SUBSCRIPTIONS_SELECTOR]), admin);
    const snooper = await open(subscribeUrl(h.hubUrl, [SUBSCRIPTIONS_SELECTOR]));

    const token = await mintToken(SUBSCRIBER_KEY, { subscribe: ['books/{id}'], payload: { user: 'kevin' } });
    const subscriber = await open(subscribeUrl(h.hubUrl, ['books/{id}']), token);
    const created = JSON.parse((await watcher.waitFor((r) => r.data.includes('books/{id}'))).data) as Record<
      string,
      unknown
    >;
    expect(created).toMatchObject({
      type: 'Subscription',
      topic: 'books/{id}',
      active: true,
      payload: { user: 'kevin' },
    });
    expect(String(created.subscriber)).toMatch(/^urn:uuid:/);
    expect(created.id).toBe(subscriptionTopic('books/{id}', String(created.subscriber)));
    expect(created.id).toContain('/.well-known/mercure/subscriptions/books%2F%7Bid%7D/urn%3Auuid%3A');

    subscriber.close();
    const ended = await watcher.waitFor((r) => r.data.includes('"active":false'));
    expect(JSON.parse(ended.data)).toMatchObject({
      topic: 'books/{id}',
      active: false,
      subscriber: created.subscriber,
    });

    // Subscription events are private: an anonymous subscriber to the same selector sees none of them.
    h.hub.publish({ topics: ['/.well-known/mercure/subscriptions/marker/x'], data: 'marker' });
    await snooper.waitFor((r) => r.data === 'marker');
    expect(snooper.received.map((r) => r.data)).toEqual(['marker']);
  });

  it('serves the subscriptions API to authorized subscribers only', async () => {
    h = await startHub({ anonymous: true });
    const base = `${h.hubUrl}/subscriptions`;
    const admin = await mintToken(SUBSCRIBER_KEY, { subscribe: [SUBSCRIPTIONS_SELECTOR] });
    const watcher = await open(subscribeUrl(h.hubUrl, [SUBSCRIPTIONS_SELECTOR]), admin);
    const token = await mintToken(SUBSCRIBER_KEY, { subscribe: ['books/1'], payload: { n: 1 } });
    await open(subscribeUrl(h.hubUrl, ['books/1', 'books/{id}']), token);
    // The hub announces a new subscription one selector per turn: the last event is ours only after both.
    await watcher.waitFor((r) => r.data.includes('"topic":"books/{id}"'));
    await watcher.waitFor((r) => r.data.includes('"topic":"books/1"'));
    const lastId = h.hub.publish({ topics: ['books/1'], data: 'x' });

    const auth = { Authorization: `Bearer ${admin}` };
    const all = await fetch(base, { headers: auth });
    expect(all.status).toBe(200);
    expect(all.headers.get('content-type')).toBe('application/ld+json');
    const doc = (await all.json()) as { subscriptions: { topic: string; subscriber: string; id: string }[] };
    expect(doc).toMatchObject({
      '@context': 'https://mercure.rocks/',
      id: '/.well-known/mercure/subscriptions',
      type: 'Subscriptions',
      lastEventID: lastId,
    });
    expect(doc.subscriptions.map((s) => s.topic).sort()).toEqual([
      SUBSCRIPTIONS_SELECTOR,
      'books/1',
      'books/{id}',
    ]);

    const byTopic = (await (
      await fetch(`${base}/${encodeURIComponent('books/{id}')}`, { headers: auth })
    ).json()) as {
      subscriptions: unknown[];
    };
    expect(byTopic.subscriptions).toHaveLength(1);

    const one = doc.subscriptions.find((s) => s.topic === 'books/1')!;
    const single = await fetch(`${h.base}${one.id}`, { headers: auth });
    expect(await single.json()).toMatchObject({
      '@context': 'https://mercure.rocks/',
      id: one.id,
      type: 'Subscription',
      topic: 'books/1',
      active: true,
      payload: { n: 1 },
      lastEventID: lastId,
    });

    expect((await fetch(`${base}/nope/urn%3Auuid%3Anope`, { headers: auth })).status).toBe(404);
    expect((await fetch(base)).status).toBe(401);
    const narrow = await mintToken(SUBSCRIBER_KEY, { subscribe: ['books/1'] });
    expect((await fetch(base, { headers: { Authorization: `Bearer ${narrow}` } })).status).toBe(403);
  });

  it('forgets a subscriber once its stream closes', async () => {
    h = await startHub({ anonymous: true });
    const c = await open(subscribeUrl(h.hubUrl, ['x']));
    expect(h.hub.subscriberCount).toBe(1);
    c.close();
    await waitFor('the subscriber to be gone', () => (h!.hub.subscriberCount === 0 ? true : undefined));
  });
});
