// How mail finds its inbox, through the real SMTP listeners: the AUTH user name, `--inbox` rules (first match wins),
// an `--smtp-inbox` listener, else `default`; a user name that cannot be an inbox's is refused with the reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, queuedId, smtpTransport, startSandbox, type TestSandbox } from '../helpers/sandbox.js';

interface Page {
  total: number;
  messages_count: number;
  messages: { ID: string; Subject: string; Inbox: string }[];
}

describe('routing mail to inboxes', () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startSandbox({
      inbox: ['shop=to:@shop.test', 'billing=subject:invoice', 'catchall=to:@shop.test'],
      smtpInbox: ['legacy=127.0.0.1:0'],
    });
  });
  afterAll(() => t.stop());

  async function send(options: {
    to: string;
    subject: string;
    user?: string;
    port?: number;
  }): Promise<string> {
    const transport = smtpTransport(
      { smtpHost: t.smtpHost, smtpPort: options.port ?? t.smtpPort },
      options.user ? { auth: { user: options.user, pass: 'anything' } } : {},
    );
    try {
      const info = await transport.sendMail({
        from: 'app@example.org',
        to: options.to,
        subject: options.subject,
        text: 'hi',
      });
      return queuedId(info.response);
    } finally {
      transport.close();
    }
  }

  const inboxOf = async (id: string) =>
    (await getJson<Page>(`${t.http}/api/v1/messages`)).messages.find((m) => m.ID === id)?.Inbox;

  it('puts mail in the inbox its SMTP user name names, created on its first mail', async () => {
    const id = await send({ to: 'ann@shop.test', subject: 'Welcome', user: 'signup' });
    // The user name wins over a rule the mail would match.
    expect(await inboxOf(id)).toBe('signup');
    const inboxes = await getJson<{ Inboxes: { Name: string; Total: number }[] }>(`${t.http}/api/v1/inboxes`);
    expect(inboxes.Inboxes.find((i) => i.Name === 'signup')).toMatchObject({ Total: 1 });
  });

  it('routes mail without a user name by the first matching rule, else to default', async () => {
    expect(await inboxOf(await send({ to: 'bob@shop.test', subject: 'Your invoice' }))).toBe('shop');
    expect(await inboxOf(await send({ to: 'bob@example.org', subject: 'Your invoice' }))).toBe('billing');
    expect(await inboxOf(await send({ to: 'bob@example.org', subject: 'Hello' }))).toBe('default');
  });

  it('puts every mail of an --smtp-inbox listener in its inbox', async () => {
    const [, port] = t.sandbox.addresses.inboxes!.legacy!.split(/:(?=\d+$)/);
    expect(await inboxOf(await send({ to: 'bob@shop.test', subject: 'Old app', port: Number(port) }))).toBe(
      'legacy',
    );
    expect(
      await inboxOf(await send({ to: 'x@y.test', subject: 'Old app', user: 'signup', port: Number(port) })),
    ).toBe('legacy');
  });

  it('refuses a user name that cannot be an inbox name with a 535 that says why', async () => {
    await expect(send({ to: 'bob@example.org', subject: 'x', user: 'ann@example.org' })).rejects.toThrow(
      /535 5\.7\.8 The user name is the inbox, and an inbox name has only letters, digits/,
    );
    await expect(send({ to: 'bob@example.org', subject: 'x', user: 'a'.repeat(65) })).rejects.toThrow(
      /535 .*at most 64 characters/,
    );
  });

  it('lists and searches one inbox at /inbox/NAME/api/v1 and with inbox:NAME', async () => {
    const shop = await getJson<Page>(`${t.http}/inbox/shop/api/v1/messages`);
    expect(shop.total).toBe(1);
    expect(shop.messages.map((m) => m.Inbox)).toEqual(['shop']);
    const search = await getJson<Page>(
      `${t.http}/api/v1/search?query=${encodeURIComponent('inbox:billing')}`,
    );
    expect(search.messages.map((m) => m.Subject)).toEqual(['Your invoice']);
    const scoped = await getJson<Page>(`${t.http}/inbox/legacy/api/v1/search?query=app`);
    expect(scoped.messages_count).toBe(2);
    expect(scoped.messages.every((m) => m.Inbox === 'legacy')).toBe(true);
  });

  it('answers an unknown inbox with 404 and a bad name with 400, in the API error shape', async () => {
    const unknown = await fetch(`${t.http}/inbox/nope/api/v1/messages`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ Error: 'inbox not found: nope' });
    const bad = await fetch(`${t.http}/inbox/a%20b/api/v1/messages`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { Error: string }).Error).toMatch(/^bad inbox name: /);
  });

  it('creates, renames, empties and deletes an inbox', async () => {
    const json = { 'Content-Type': 'application/json' };
    expect(
      (await fetch(`${t.http}/api/v1/inboxes`, { method: 'POST', headers: json, body: '{"Name":"qa"}' }))
        .status,
    ).toBe(201);
    expect(
      (await fetch(`${t.http}/api/v1/inboxes`, { method: 'POST', headers: json, body: '{"Name":"qa"}' }))
        .status,
    ).toBe(409);
    expect(
      (await fetch(`${t.http}/api/v1/inboxes`, { method: 'POST', headers: json, body: '{"Name":"q a"}' }))
        .status,
    ).toBe(400);
    await send({ to: 'z@example.org', subject: 'To QA', user: 'qa' });
    const renamed = await fetch(`${t.http}/api/v1/inboxes/qa`, {
      method: 'PUT',
      headers: json,
      body: '{"Name":"qa2"}',
    });
    expect(renamed.status).toBe(200);
    expect(
      (await getJson<Page>(`${t.http}/inbox/qa2/api/v1/messages`)).messages.map((m) => m.Subject),
    ).toEqual(['To QA']);
    expect((await fetch(`${t.http}/inbox/qa/api/v1/messages`)).status).toBe(404);
    expect((await fetch(`${t.http}/api/v1/inboxes/qa2/messages`, { method: 'DELETE' })).status).toBe(200);
    expect((await getJson<Page>(`${t.http}/inbox/qa2/api/v1/messages`)).total).toBe(0);
    expect((await fetch(`${t.http}/api/v1/inboxes/qa2`, { method: 'DELETE' })).status).toBe(200);
    expect((await fetch(`${t.http}/api/v1/inboxes/qa2`, { method: 'DELETE' })).status).toBe(404);
  });
});
