// Moving mails between inboxes through the real listeners: the mail, its events and its outbox entries change
// inbox in one go, both inboxes' counts follow, each inbox's hub subscribers see the mail leave or arrive, and
// neither the mails nor the destination can be an inbox the caller may not open.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventSource } from 'eventsource';
import {
  TOPIC_MESSAGES,
  type EventsResponse,
  type InboxSummary,
  type MessageTracking,
  type MessageUpdate,
} from '../../src-main/wire/types.js';
import { getJson, queuedId, smtpTransport, startSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { subscribeUrl, waitFor } from '../hub/helpers.js';

let t: TestSandbox;
const streams: EventSource[] = [];

beforeAll(async () => {
  t = await startSandbox({ inboxAuth: ['vault=vu:vp'], hubAnonymous: true });
});

afterAll(async () => {
  for (const s of streams) s.close();
  await t?.stop();
});

const basic = (user: string, pass: string) => ({
  Authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`,
});

async function send(subject: string, user: string, pass = 'any'): Promise<string> {
  const transport = smtpTransport(t, { auth: { user, pass } });
  try {
    const info = await transport.sendMail({
      from: 'app@example.org',
      to: 'ann@example.org',
      subject,
      html: '<html><body><p>Hello</p><a href="https://example.org/start">Start</a></body></html>',
    });
    return queuedId(info.response);
  } finally {
    transport.close();
  }
}

function move(base: string, to: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${base}/api/v1/inboxes/${to}/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

const counts = async (headers: Record<string, string> = {}) =>
  Object.fromEntries(
    (await getJson<{ Inboxes: InboxSummary[] }>(`${t.http}/api/v1/inboxes`, { headers })).Inboxes.map((i) => [
      i.Name,
      { Total: i.Total, Unread: i.Unread },
    ]),
  );

/** The inbox a mail is in, as the unscoped list shows it to this caller. */
const inboxOf = async (id: string, headers: Record<string, string> = {}) =>
  (
    await getJson<{ messages: { ID: string; Inbox: string }[] }>(`${t.http}/api/v1/messages`, { headers })
  ).messages.find((m) => m.ID === id)?.Inbox;

/** What a subscriber of one inbox's page hears about mails: `created ID` and `deleted ID…`. */
async function listen(base: string): Promise<string[]> {
  const heard: string[] = [];
  let opened = false;
  const token = (await getJson<{ token: string }>(`${t.http}/api/v1/hub/token`)).token;
  const es = new EventSource(
    subscribeUrl(`${base}/.well-known/mercure`, [TOPIC_MESSAGES], { authorization: token }),
  );
  streams.push(es);
  es.addEventListener('open', () => (opened = true));
  es.addEventListener('message', (e) => {
    const u = JSON.parse(e.data as string) as MessageUpdate;
    if (u.type === 'created') heard.push(`created ${u.message.ID} ${u.message.Inbox}`);
    if (u.type === 'deleted') heard.push(`deleted ${String(u.ids)}`);
  });
  await waitFor('the stream to open', () => (opened ? true : undefined));
  return heard;
}

describe('moving mails to another inbox', () => {
  it('moves the mail with its events, both inboxes count it where it is now, and both hear of it', async () => {
    const id = await send('Welcome to Shop', 'shop');
    await send('Stays in shop', 'shop');
    await send('Invoice', 'billing');
    // An open and a click recorded while the mail is in shop.
    const tracking = await getJson<MessageTracking>(`${t.http}/api/v1/message/${id}/tracking`);
    await fetch(tracking.pixel!.url);
    await fetch(tracking.links[0]!.trackedUrl, { redirect: 'manual' });
    const shopEvents = () => getJson<EventsResponse>(`${t.http}/inbox/shop/api/v1/events`);
    expect((await shopEvents()).events.map((e) => e.message_id)).toEqual([id, id]);
    expect(await counts()).toMatchObject({ shop: { Total: 2, Unread: 2 }, billing: { Total: 1, Unread: 1 } });

    const shopHears = await listen(`${t.http}/inbox/shop`);
    const billingHears = await listen(`${t.http}/inbox/billing`);

    const res = await move(t.http, 'billing', { IDs: [id, 'no-such-mail'] });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ Moved: 1 });

    expect(await counts()).toMatchObject({ shop: { Total: 1, Unread: 1 }, billing: { Total: 2, Unread: 2 } });
    expect((await fetch(`${t.http}/inbox/shop/api/v1/message/${id}`)).status).toBe(404);
    const summary = await getJson<{ ID: string; Subject: string }>(
      `${t.http}/inbox/billing/api/v1/message/${id}`,
    );
    expect(summary.Subject).toBe('Welcome to Shop');
    // The events went with the mail.
    expect((await shopEvents()).events).toEqual([]);
    const billingEvents = await getJson<EventsResponse>(`${t.http}/inbox/billing/api/v1/events`);
    expect(billingEvents.events.map((e) => e.message_id)).toEqual([id, id]);
    const search = await getJson<{ messages: { ID: string }[] }>(
      `${t.http}/api/v1/search?query=inbox:billing`,
    );
    expect(search.messages.map((m) => m.ID)).toContain(id);

    await waitFor('shop to hear the mail leave', () => (shopHears.length ? true : undefined));
    await waitFor('billing to hear the mail arrive', () => (billingHears.length ? true : undefined));
    expect(shopHears).toEqual([`deleted ${id}`]);
    expect(billingHears).toEqual([`created ${id} billing`]);

    // Moving it again where it is moves nothing.
    expect(await (await move(t.http, 'billing', { IDs: [id] })).json()).toEqual({ Moved: 0 });
  });

  it('moves only the mails of the inbox whose page asks, into any inbox its caller may open', async () => {
    const shopId = await send('From shop', 'shop');
    const otherId = await send('From other', 'other');
    const res = await move(`${t.http}/inbox/shop`, 'billing', { IDs: [shopId, otherId] });
    expect(await res.json()).toEqual({ Moved: 1 });
    expect(await inboxOf(otherId)).toBe('other');
    expect(await inboxOf(shopId)).toBe('billing');
  });

  it('refuses a closed inbox to whoever may not open it, and moves none of its mail for them', async () => {
    const openId = await send('Open mail', 'shop');
    const secretId = await send('Secret', 'vu', 'vp');
    // Into the vault without its credentials: the same 404 as an unknown inbox, and nothing moves.
    const refused = await move(t.http, 'vault', { IDs: [openId] });
    expect(refused.status).toBe(404);
    expect(await refused.json()).toEqual({ Error: 'inbox not found: vault' });
    expect(await inboxOf(openId)).toBe('shop');
    // Out of the vault without its credentials: its mail is not the caller's to move.
    expect(await (await move(t.http, 'shop', { IDs: [secretId] })).json()).toEqual({ Moved: 0 });
    expect((await counts(basic('vu', 'vp'))).vault).toEqual({ Total: 1, Unread: 1 });
    // With them, both ways.
    expect(await (await move(t.http, 'vault', { IDs: [openId] }, basic('vu', 'vp'))).json()).toEqual({
      Moved: 1,
    });
    expect((await counts(basic('vu', 'vp'))).vault).toEqual({ Total: 2, Unread: 2 });
    expect((await counts()).vault).toBeUndefined();
  });

  it('answers 404 for an unknown inbox, 400 for a bad name or body', async () => {
    const id = await send('Any', 'shop');
    expect((await move(t.http, 'nowhere', { IDs: [id] })).status).toBe(404);
    expect((await move(t.http, 'bad%20name', { IDs: [id] })).status).toBe(400);
    for (const body of [{}, { IDs: [] }, { IDs: 'x' }, { IDs: [1] }, [id]])
      expect((await move(t.http, 'billing', body)).status).toBe(400);
    const bad = await move(t.http, 'billing', { IDs: 'x' });
    expect(Object.keys((await bad.json()) as object)).toEqual(['Error']);
    expect(await inboxOf(id)).toBe('shop');
  });
});
