// Inboxes on the hub, through the real HTTP listener: a closed inbox's updates reach only its credentials, an
// inbox's URL and its subscriber token reach only that inbox.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventSource } from 'eventsource';
import { TOPIC_MESSAGES, type MessageUpdate } from '../../src-main/wire/types.js';
import { getJson, smtpTransport, startSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { subscribeUrl, waitFor } from './helpers.js';

let t: TestSandbox;
const streams: EventSource[] = [];

beforeAll(async () => {
  t = await startSandbox({ inboxAuth: ['vault=vu:vp'], hubAnonymous: true });
});

afterAll(async () => {
  for (const s of streams) s.close();
  await t?.stop();
});

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

/** A subscriber of the mail topic at `base`, with a JWT in the query and Basic credentials when given. */
async function subscriber(base: string, token: string, authorization?: string) {
  const subjects: string[] = [];
  let opened = false;
  const es = new EventSource(
    subscribeUrl(`${base}/.well-known/mercure`, [TOPIC_MESSAGES], { authorization: token }),
    {
      fetch: (input, init) =>
        fetch(input, {
          ...init,
          headers: {
            ...(init.headers as Record<string, string>),
            ...(authorization ? { Authorization: authorization } : {}),
          },
        }),
    },
  );
  streams.push(es);
  es.addEventListener('open', () => (opened = true));
  es.addEventListener('message', (e) => {
    const u = JSON.parse(e.data as string) as MessageUpdate;
    if (u.type === 'created') subjects.push(u.message.Subject);
  });
  await waitFor('the stream to open', () => (opened ? true : undefined));
  return subjects;
}

const send = (subject: string, auth?: { user: string; pass: string }) =>
  smtpTransport(t, auth ? { auth } : {}).sendMail({ from: 'a@x.test', to: 'b@y.test', subject, text: 'hi' });

describe('inboxes on the hub', () => {
  it('sends each subscriber the updates of the inboxes it may see, and nothing of a closed inbox to others', async () => {
    const all = (await getJson<{ token: string }>(`${t.http}/api/v1/hub/token`)).token;
    const shopToken = await getJson<{ token: string; selectors: string[] }>(
      `${t.http}/inbox/default/api/v1/hub/token?subscribe=*`,
    );
    expect(shopToken.selectors).toEqual(['urn:mailbeacon:inbox:default']);

    const anonymous = await subscriber(t.http, all);
    const vaultOwner = await subscriber(t.http, all, basic('vu', 'vp'));
    const vaultPage = await subscriber(`${t.http}/inbox/vault`, all, basic('vu', 'vp'));
    const defaultOnly = await subscriber(t.http, shopToken.token);

    // The closed inbox's mail goes first: whoever got the later ones would have got it before them.
    await send('Secret', { user: 'vu', pass: 'vp' });
    await send('Shop mail', { user: 'shop', pass: 'any' });
    await send('Plain mail');

    await waitFor('the open mails', () => (anonymous.length === 2 ? true : undefined));
    await waitFor('every mail', () => (vaultOwner.length === 3 ? true : undefined));
    await waitFor('the vault mail', () => (vaultPage.length === 1 ? true : undefined));
    await waitFor('the default mail', () => (defaultOnly.length === 1 ? true : undefined));
    // A last mail into the vault: the inbox page gets it, so it would have got the open ones before it too.
    await send('Secret 2', { user: 'vu', pass: 'vp' });
    await waitFor('the second vault mail', () => (vaultPage.length === 2 ? true : undefined));
    await send('Plain mail 2');
    await waitFor('the second default mail', () => (defaultOnly.length === 2 ? true : undefined));

    expect(anonymous).toEqual(['Shop mail', 'Plain mail', 'Plain mail 2']);
    expect(vaultOwner.slice(0, 3)).toEqual(['Secret', 'Shop mail', 'Plain mail']);
    expect(vaultPage).toEqual(['Secret', 'Secret 2']);
    expect(defaultOnly).toEqual(['Plain mail', 'Plain mail 2']);
  });

  it('refuses the closed inbox hub URL without its credentials', async () => {
    const res = await fetch(`${t.http}/inbox/vault/.well-known/mercure?topic=${TOPIC_MESSAGES}`);
    expect(res.status).toBe(401);
    await res.body?.cancel();
  });
});
