// Tracking events carry their mail's inbox, through the real listeners: the events list, the hub's tracking
// updates and the long-poll wait.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventSource } from 'eventsource';
import { TOPIC_EVENTS, type EventUpdate } from '../../src-main/wire/types.js';
import type { EventsResponse, MessageTracking, TrackingEvent } from '../../src-main/wire/schemas.js';
import { getJson, queuedId, smtpTransport, startSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { subscribeUrl, waitFor } from '../hub/helpers.js';

const OUTLOOK = 'Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 10.0; Microsoft Outlook 16.0.5443; ms-office)';

let t: TestSandbox;
let stream: EventSource | undefined;

beforeAll(async () => {
  t = await startSandbox({ hubAnonymous: true });
});

afterAll(async () => {
  stream?.close();
  await t?.stop();
});

/** A tracked mail into `inbox` (its SMTP user name); its id and tracked URLs. */
async function send(inbox: string, subject: string) {
  const info = await smtpTransport(t, { auth: { user: inbox, pass: 'any' } }).sendMail({
    from: 'a@x.test',
    to: 'b@y.test',
    subject,
    html: '<html><body><p>Hi <a href="https://example.com/offer">offer</a></p></body></html>',
  });
  const id = queuedId(info.response);
  const manifest = await getJson<MessageTracking>(`${t.http}/api/v1/message/${id}/tracking`);
  return { id, pixel: manifest.pixel!.url, link: manifest.links[0]!.trackedUrl };
}

/** The first event `/api/v1/wait` answers with for this kind and mail. */
const waitFor1 = (kind: string, message: string) =>
  getJson<TrackingEvent>(`${t.http}/api/v1/wait?kind=${kind}&message=${message}&timeout=10`);

describe('tracking events of several inboxes', () => {
  it('name their inbox in the events list, the hub and wait', async () => {
    const token = (await getJson<{ token: string }>(`${t.http}/api/v1/hub/token`)).token;
    const updates: TrackingEvent[] = [];
    let opened = false;
    stream = new EventSource(
      subscribeUrl(`${t.http}/.well-known/mercure`, [TOPIC_EVENTS], { authorization: token }),
    );
    stream.addEventListener('open', () => (opened = true));
    stream.addEventListener('message', (e) => {
      const u = JSON.parse(e.data as string) as EventUpdate;
      if (u.type === 'event') updates.push(u.event);
    });
    await waitFor('the stream to open', () => (opened ? true : undefined));

    const shop = await send('shop', 'Shop offer');
    const blog = await send('blog', 'Blog digest');

    const shopOpen = waitFor1('open', shop.id);
    const blogClick = waitFor1('click', blog.id);
    // The waits listen before the hits are made: a hit is announced once.
    await new Promise((r) => setTimeout(r, 200));
    await (await fetch(shop.pixel, { headers: { 'User-Agent': OUTLOOK } })).arrayBuffer();
    await (await fetch(blog.link, { headers: { 'User-Agent': OUTLOOK }, redirect: 'manual' })).arrayBuffer();

    expect(await shopOpen).toMatchObject({ kind: 'open', message_id: shop.id, inbox: 'shop' });
    expect(await blogClick).toMatchObject({ kind: 'click', message_id: blog.id, inbox: 'blog' });

    const listed = await getJson<EventsResponse>(`${t.http}/api/v1/events`);
    const inboxOf = (e: TrackingEvent) => [e.message_id, e.kind, e.inbox];
    expect(listed.events.map(inboxOf).sort()).toEqual(
      [
        [shop.id, 'open', 'shop'],
        [blog.id, 'click', 'blog'],
      ].sort(),
    );
    // An inbox's own list has its hits alone, each naming it.
    const blogOnly = await getJson<EventsResponse>(`${t.http}/inbox/blog/api/v1/events`);
    expect(blogOnly.events.map(inboxOf)).toEqual([[blog.id, 'click', 'blog']]);

    await waitFor('both hub updates', () => (updates.length >= 2 ? true : undefined));
    expect(updates.map(inboxOf).sort()).toEqual(listed.events.map(inboxOf).sort());
  });
});
