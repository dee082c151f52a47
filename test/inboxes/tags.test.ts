// Tags per scope through the real listeners: the tag list, the counts in /api/v1/info and the tag list of a page
// show only the caller's inboxes; renaming and deleting a tag touch only the caller's mails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, queuedId, smtpTransport, startSandbox, type TestSandbox } from '../helpers/sandbox.js';

const basic = (user: string, pass: string) => ({
  Authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`,
});

async function send(t: TestSandbox, user: string, pass: string, tags: string): Promise<string> {
  const transport = smtpTransport(t, { auth: { user, pass } });
  try {
    const info = await transport.sendMail({
      from: 'a@example.org',
      to: 'b@example.org',
      subject: `${user} mail`,
      text: 'hi',
      headers: { 'X-Tags': tags },
    });
    return queuedId(info.response);
  } finally {
    transport.close();
  }
}

const tagsOf = (t: TestSandbox, path: string, headers: Record<string, string> = {}) =>
  getJson<string[]>(`${t.http}${path}/api/v1/tags`, { headers });

const infoTags = async (t: TestSandbox, path: string, headers: Record<string, string> = {}) =>
  (await getJson<{ Tags: Record<string, number> }>(`${t.http}${path}/api/v1/info`, { headers })).Tags;

const pageTags = async (t: TestSandbox, path: string, headers: Record<string, string> = {}) =>
  (await getJson<{ tags: string[] }>(`${t.http}${path}/api/v1/messages`, { headers })).tags;

async function mailTags(t: TestSandbox, id: string, headers: Record<string, string> = {}): Promise<string[]> {
  return (await getJson<{ Tags: string[] }>(`${t.http}/api/v1/message/${id}`, { headers })).Tags;
}

const VAULT = basic('vu', 'vp');

describe('tags of a closed inbox without --ui-auth', () => {
  let t: TestSandbox;
  let vault: string;
  let shop: string;
  let blog: string;
  beforeAll(async () => {
    t = await startSandbox({ inboxAuth: ['vault=vu:vp'] });
    vault = await send(t, 'vu', 'vp', 'classified, promo');
    shop = await send(t, 'shop', 'x', 'promo');
    blog = await send(t, 'blog', 'x', 'promo, news');
  }, 60_000);
  afterAll(() => t?.stop());

  it('are invisible to an anonymous caller and to another inbox, visible to the owner', async () => {
    expect(await tagsOf(t, '')).toEqual(['news', 'promo']);
    expect(await infoTags(t, '')).toEqual({ news: 1, promo: 2 });
    expect(await pageTags(t, '')).toEqual(['news', 'promo']);
    expect(await tagsOf(t, '/inbox/shop')).toEqual(['promo']);
    expect(await infoTags(t, '/inbox/shop')).toEqual({ promo: 1 });
    expect(await pageTags(t, '/inbox/blog')).toEqual(['news', 'promo']);

    expect(await tagsOf(t, '/inbox/vault', VAULT)).toEqual(['classified', 'promo']);
    expect(await infoTags(t, '/inbox/vault', VAULT)).toEqual({ classified: 1, promo: 1 });
    // Its credentials on the unscoped view open it there too.
    expect(await tagsOf(t, '', VAULT)).toEqual(['classified', 'news', 'promo']);
  });

  it('renames and deletes a tag on the mails of the caller’s scope alone', async () => {
    let res = await fetch(`${t.http}/inbox/shop/api/v1/tags/promo`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ Name: 'sale' }),
    });
    expect(res.status).toBe(200);
    expect(await mailTags(t, shop)).toEqual(['sale']);
    expect(await mailTags(t, blog)).toEqual(['news', 'promo']);
    expect(await mailTags(t, vault, VAULT)).toEqual(['classified', 'promo']);

    // An anonymous caller's unscoped delete reaches every open inbox, never the closed one.
    res = await fetch(`${t.http}/api/v1/tags/promo`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(await mailTags(t, blog)).toEqual(['news']);
    expect(await mailTags(t, vault, VAULT)).toEqual(['classified', 'promo']);

    res = await fetch(`${t.http}/api/v1/tags/classified`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ Name: 'leaked' }),
    });
    expect(res.status).toBe(200);
    expect(await mailTags(t, vault, VAULT)).toEqual(['classified', 'promo']);
  });
});

describe('tags of a closed inbox with --ui-auth', () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startSandbox({ inboxAuth: ['vault=vu:vp'], uiAuth: 'admin:pw' });
    await send(t, 'vu', 'vp', 'classified');
    await send(t, 'shop', 'x', 'promo');
  }, 60_000);
  afterAll(() => t?.stop());

  it('are visible to the administrator everywhere and to the owner in its inbox alone', async () => {
    const admin = basic('admin', 'pw');
    expect(await tagsOf(t, '', admin)).toEqual(['classified', 'promo']);
    expect(await infoTags(t, '', admin)).toEqual({ classified: 1, promo: 1 });
    expect(await tagsOf(t, '/inbox/vault', admin)).toEqual(['classified']);
    expect(await tagsOf(t, '/inbox/shop', admin)).toEqual(['promo']);
    expect(await tagsOf(t, '/inbox/vault', VAULT)).toEqual(['classified']);
  });
});
