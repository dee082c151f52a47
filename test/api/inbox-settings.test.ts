// An inbox's settings through the real HTTP listener: GET and PUT (partial, null back to the flag), every refusal,
// a closed inbox, rename and delete, and a restart on the same data directory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, tempDir, type TestSandbox } from '../helpers/sandbox.js';

interface Wire {
  MaxMessages: number | null;
  MaxAge: string | null;
  Tracking: boolean | null;
  Relay: { Mode: string; Matching: string | null; To: string | null };
  Webhook: { URL: string | null; Secret: string | null };
  TagRules: { Tag: string; Query: string }[];
}
interface Answer {
  Inbox: string;
  Settings: Wire;
  Defaults: Wire;
}

const NONE: Wire = {
  MaxMessages: null,
  MaxAge: null,
  Tracking: null,
  Relay: { Mode: 'default', Matching: null, To: null },
  Webhook: { URL: null, Secret: null },
  TagRules: [],
};

const basic = (user: string, pass: string) => ({
  Authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`,
});

async function call(
  url: string,
  method = 'GET',
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { status: res.status, json };
}

describe('inbox settings routes', () => {
  let t: TestSandbox;
  const url = (inbox: string) => `${t.http}/api/v1/inboxes/${inbox}/settings`;

  beforeAll(async () => {
    t = await startSandbox({
      maxMessages: '500',
      maxAge: '7d',
      tag: ['billing=subject:invoice'],
      inboxAuth: ['vault=vault-user:s3cret'],
    });
    for (const name of ['shop', 'other']) {
      const res = await call(`${t.http}/api/v1/inboxes`, 'POST', { Name: name });
      expect(res.status).toBe(201);
    }
  });
  afterAll(() => t.stop());

  it('answers an inbox without settings with nulls, beside the flags they fall back to', async () => {
    const { status, json } = await call(url('shop'));
    expect(status).toBe(200);
    expect(json).toEqual({
      Inbox: 'shop',
      Settings: NONE,
      Defaults: {
        MaxMessages: 500,
        MaxAge: '7d',
        Tracking: true,
        Relay: { Mode: 'off', Matching: null, To: null },
        Webhook: { URL: null, Secret: null },
        TagRules: [{ Tag: 'billing', Query: 'subject:invoice' }],
      },
    });
  });

  it('stores what a PUT gives and answers as GET does', async () => {
    const full: Wire = {
      MaxMessages: 3,
      MaxAge: '12h',
      Tracking: false,
      Relay: { Mode: 'matching', Matching: '@shop\\.test$', To: 'qa@example.org' },
      Webhook: { URL: 'https://hooks.example.org/shop', Secret: 'whsec_c2hvcC1zZWNyZXQ=' },
      TagRules: [{ Tag: 'orders', Query: 'subject:order' }],
    };
    const put = await call(url('shop'), 'PUT', full);
    expect(put.status).toBe(200);
    expect((put.json as Answer).Settings).toEqual(full);
    expect(((await call(url('shop'))).json as Answer).Settings).toEqual(full);
    // Another inbox keeps its own.
    expect(((await call(url('other'))).json as Answer).Settings).toEqual(NONE);
  });

  it('changes only the fields a PUT names, and null puts one back to the flag', async () => {
    await call(url('other'), 'PUT', {
      MaxMessages: 10,
      Tracking: false,
      TagRules: [{ Tag: 'a', Query: 'b' }],
    });
    const partial = await call(url('other'), 'PUT', { MaxAge: '90m', Relay: { To: 'x@example.org' } });
    expect((partial.json as Answer).Settings).toEqual({
      ...NONE,
      MaxMessages: 10,
      MaxAge: '90m',
      Tracking: false,
      Relay: { Mode: 'default', Matching: null, To: 'x@example.org' },
      TagRules: [{ Tag: 'a', Query: 'b' }],
    });
    const reset = await call(url('other'), 'PUT', {
      MaxMessages: null,
      Tracking: null,
      TagRules: null,
      Relay: null,
    });
    expect((reset.json as Answer).Settings).toEqual({ ...NONE, MaxAge: '90m' });
    // An age written in another unit comes back in the largest whole one.
    expect(((await call(url('other'), 'PUT', { MaxAge: '1.5h' })).json as Answer).Settings.MaxAge).toBe(
      '90m',
    );
    expect(((await call(url('other'), 'PUT', { MaxAge: null })).json as Answer).Settings).toEqual(NONE);
  });

  it.each([
    ['a negative count', { MaxMessages: -1 }, /MaxMessages/],
    ['a fractional count', { MaxMessages: 1.5 }, /MaxMessages/],
    ['a count as text', { MaxMessages: '3' }, /MaxMessages/],
    ['a bad age', { MaxAge: 'soon' }, /"soon" is not an age/],
    ['an age without unit', { MaxAge: '10' }, /not an age/],
    ['tracking as text', { Tracking: 'no' }, /Tracking/],
    ['an unknown relay mode', { Relay: { Mode: 'some' } }, /Relay\.Mode/],
    [
      'a bad regular expression',
      { Relay: { Mode: 'matching', Matching: '([a-z' } },
      /bad regular expression/,
    ],
    ['a redirect that is no address', { Relay: { To: 'nobody' } }, /Relay\.To/],
    ['a webhook URL of another scheme', { Webhook: { URL: 'ftp://example.org/x' } }, /http or https/],
    ['a webhook URL that is no URL', { Webhook: { URL: 'hooks' } }, /http or https/],
    ['a webhook secret of another form', { Webhook: { Secret: 'hunter2' } }, /whsec_/],
    ['a tag rule with a bad query', { TagRules: [{ Tag: 'x', Query: 'before:someday' }] }, /bad query/],
    ['a tag rule with an empty query', { TagRules: [{ Tag: 'x', Query: '' }] }, /bad query/],
    ['an empty tag', { TagRules: [{ Tag: '', Query: 'a' }] }, /TagRules\.0\.Tag/],
    ['a tag with =', { TagRules: [{ Tag: 'a=b', Query: 'a' }] }, /a tag is letters/],
    ['an unknown field', { MaxMails: 3 }, /MaxMails/],
    ['a body that is no object', [1, 2], /body/],
  ])('refuses %s with a 400 that says why', async (_what, body, message) => {
    const before = (await call(url('shop'))).json as Answer;
    const { status, json } = await call(url('shop'), 'PUT', body);
    expect(status).toBe(400);
    expect((json as { Error: string }).Error).toMatch(message);
    // Nothing of a refused PUT is kept.
    expect(((await call(url('shop'))).json as Answer).Settings).toEqual(before.Settings);
  });

  it('refuses a body that is not JSON, and a bad inbox name, with a 400', async () => {
    const res = await fetch(url('shop'), {
      method: 'PUT',
      headers: { 'Content-Type': 'text/plain' },
      body: 'x',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { Error: string }).Error).toMatch(/must be JSON/);
    const bad = await call(`${t.http}/api/v1/inboxes/${encodeURIComponent('a b')}/settings`);
    expect(bad.status).toBe(400);
    expect((bad.json as { Error: string }).Error).toMatch(/bad inbox name/);
  });

  it('answers an unknown inbox with a 404 in the error shape, for GET and PUT', async () => {
    for (const method of ['GET', 'PUT']) {
      const res = await call(url('nowhere'), method, method === 'PUT' ? { Tracking: false } : undefined);
      expect(res.status).toBe(404);
      expect(res.json).toEqual({ Error: 'inbox not found: nowhere' });
    }
    // A PUT does not create it.
    expect((await call(url('nowhere'))).status).toBe(404);
  });

  it('answers a closed inbox with a 401 without its credentials, and its settings with them', async () => {
    for (const method of ['GET', 'PUT']) {
      const body = method === 'PUT' ? { Tracking: false } : undefined;
      const res = await call(url('vault'), method, body);
      expect(res.status).toBe(401);
      expect((res.json as { Error: string }).Error).toMatch(/closed/);
      const scoped = await call(`${t.http}/inbox/vault/api/v1/inboxes/vault/settings`, method, body);
      expect(scoped.status).toBe(401);
    }
    expect((await call(url('vault'), 'GET', undefined, basic('vault-user', 's3cret'))).json).toMatchObject({
      Settings: NONE, // the refused PUTs changed nothing
    });
    const own = basic('vault-user', 's3cret');
    const scoped = `${t.http}/inbox/vault/api/v1/inboxes/vault/settings`;
    const put = await call(scoped, 'PUT', { MaxMessages: 7 }, own);
    expect(put.status).toBe(200);
    expect((put.json as Answer).Settings).toEqual({ ...NONE, MaxMessages: 7 });
    expect(((await call(url('vault'), 'GET', undefined, own)).json as Answer).Settings.MaxMessages).toBe(7);
    // Under another inbox's prefix, this inbox is not there.
    expect(
      (await call(`${t.http}/inbox/shop/api/v1/inboxes/vault/settings`, 'GET', undefined, own)).status,
    ).toBe(404);
    expect((await call(`${t.http}/inbox/shop/api/v1/inboxes/other/settings`)).status).toBe(404);
  });

  it('answers under /inbox/NAME/ as at the root', async () => {
    const res = await call(`${t.http}/inbox/shop/api/v1/inboxes/shop/settings`);
    expect(res.status).toBe(200);
    expect((res.json as Answer).Settings.MaxMessages).toBe(3);
  });

  it('keeps the settings when the inbox is renamed and drops them with it', async () => {
    await call(`${t.http}/api/v1/inboxes`, 'POST', { Name: 'temp' });
    await call(url('temp'), 'PUT', { MaxMessages: 42, Tracking: true });
    expect((await call(`${t.http}/api/v1/inboxes/temp`, 'PUT', { Name: 'renamed' })).status).toBe(200);
    expect((await call(url('temp'))).status).toBe(404);
    expect(((await call(url('renamed'))).json as Answer).Settings).toEqual({
      ...NONE,
      MaxMessages: 42,
      Tracking: true,
    });
    expect((await call(`${t.http}/api/v1/inboxes/renamed`, 'DELETE')).status).toBe(200);
    // Made again, the inbox starts without settings.
    await call(`${t.http}/api/v1/inboxes`, 'POST', { Name: 'renamed' });
    expect(((await call(url('renamed'))).json as Answer).Settings).toEqual(NONE);
    expect(t.sandbox.db.prepare("SELECT settings_json FROM inboxes WHERE name = 'temp'").all()).toEqual([]);
  });
});

describe('inbox settings across a restart', () => {
  it('are there again after a restart on the same data directory', async () => {
    const dir = tempDir();
    try {
      const first = await startSandbox({ dataDir: dir.dir });
      await call(`${first.http}/api/v1/inboxes`, 'POST', { Name: 'kept' });
      const saved = await call(`${first.http}/api/v1/inboxes/kept/settings`, 'PUT', {
        MaxAge: '2d',
        Tracking: false,
        TagRules: [{ Tag: 'vip', Query: 'from:boss@example.org' }],
      });
      expect(saved.status).toBe(200);
      await first.stop();
      const second = await startSandbox({ dataDir: dir.dir });
      try {
        const { json } = await call(`${second.http}/api/v1/inboxes/kept/settings`);
        expect((json as Answer).Settings).toEqual({
          ...NONE,
          MaxAge: '2d',
          Tracking: false,
          TagRules: [{ Tag: 'vip', Query: 'from:boss@example.org' }],
        });
        expect(second.sandbox.inboxSettings.get('kept').tracking).toBe(false);
      } finally {
        await second.stop();
      }
    } finally {
      dir.remove();
    }
  });
});
