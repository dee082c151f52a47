// A closed inbox (--inbox-auth) through the real listeners: its SMTP AUTH needs its credentials, its API needs them
// (401), and nobody else sees its mail, counts or events in the unscoped views or search; --ui-auth sees all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, queuedId, smtpTransport, startSandbox, type TestSandbox } from '../helpers/sandbox.js';

interface Page {
  total: number;
  unread: number;
  messages_count: number;
  messages: { ID: string; Subject: string; Inbox: string }[];
}

const basic = (user: string, pass: string) => ({
  Authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`,
});

async function send(t: TestSandbox, subject: string, auth?: { user: string; pass: string }): Promise<string> {
  const transport = smtpTransport(t, auth ? { auth } : {});
  try {
    const info = await transport.sendMail({
      from: 'a@example.org',
      to: 'b@example.org',
      subject,
      text: 'secret plans',
    });
    return queuedId(info.response);
  } finally {
    transport.close();
  }
}

describe('a closed inbox without --ui-auth', () => {
  let t: TestSandbox;
  let secretId: string;
  beforeAll(async () => {
    t = await startSandbox({ inboxAuth: ['vault=vault-user:s3cret'] });
    secretId = await send(t, 'Vault mail', { user: 'vault-user', pass: 's3cret' });
    await send(t, 'Open mail', { user: 'public', pass: 'x' });
  });
  afterAll(() => t.stop());

  it('takes SMTP AUTH into it only with its credentials, with the same 535 whatever was wrong', async () => {
    const refusal = /535 5\.7\.8 Authentication credentials invalid/;
    await expect(send(t, 'x', { user: 'vault-user', pass: 'wrong' })).rejects.toThrow(refusal);
    await expect(send(t, 'x', { user: 'vault', pass: 's3cret' })).rejects.toThrow(refusal);
  });

  it('hides its mail, counts and search hits from the unscoped API', async () => {
    const all = await getJson<Page>(`${t.http}/api/v1/messages`);
    expect(all.messages.map((m) => m.Subject)).toEqual(['Open mail']);
    expect(all).toMatchObject({ total: 1, unread: 1 });
    const search = await getJson<Page>(`${t.http}/api/v1/search?query=plans`);
    expect(search.messages.map((m) => m.Subject)).toEqual(['Open mail']);
    expect((await getJson<Page>(`${t.http}/api/v1/search?query=inbox:vault`)).messages_count).toBe(0);
    expect((await fetch(`${t.http}/api/v1/message/${secretId}`)).status).toBe(404);
    expect((await fetch(`${t.http}/api/v1/message/${secretId}/raw`)).status).toBe(404);
    expect((await fetch(`${t.http}/view/${secretId}.txt`)).status).toBe(404);
    const info = await getJson<{ Messages: number; Unread: number }>(`${t.http}/api/v1/info`);
    expect(info).toMatchObject({ Messages: 1, Unread: 1 });
    const inboxes = await getJson<{ Inboxes: { Name: string }[] }>(`${t.http}/api/v1/inboxes`);
    expect(inboxes.Inboxes.map((i) => i.Name)).not.toContain('vault');
    // A delete of "everything" and a read flag for all leave it alone.
    await fetch(`${t.http}/api/v1/messages`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: '{"Read":true}',
    });
    const vault = await getJson<Page>(`${t.http}/inbox/vault/api/v1/messages`, {
      headers: basic('vault-user', 's3cret'),
    });
    expect(vault).toMatchObject({ total: 1, unread: 1 });
  });

  it('answers its API with 401 without its credentials, and with them serves its mail alone', async () => {
    expect((await fetch(`${t.http}/inbox/vault/api/v1/messages`)).status).toBe(401);
    expect(
      (await fetch(`${t.http}/inbox/vault/api/v1/messages`, { headers: basic('vault-user', 'nope') })).status,
    ).toBe(401);
    // A wrong password says nothing of whether the inbox exists.
    expect(
      (await fetch(`${t.http}/inbox/nothing-here/api/v1/messages`, { headers: basic('vault-user', 'nope') }))
        .status,
    ).toBe(401);
    const vault = await getJson<Page>(`${t.http}/inbox/vault/api/v1/messages`, {
      headers: basic('vault-user', 's3cret'),
    });
    expect(vault.messages.map((m) => [m.Subject, m.Inbox])).toEqual([['Vault mail', 'vault']]);
    const latest = await getJson<{ ID: string }>(`${t.http}/inbox/vault/api/v1/message/latest`, {
      headers: basic('vault-user', 's3cret'),
    });
    expect(latest.ID).toBe(secretId);
    // With its credentials the unscoped views include it too.
    const all = await getJson<Page>(`${t.http}/api/v1/messages`, { headers: basic('vault-user', 's3cret') });
    expect(all.messages.map((m) => m.Subject).sort()).toEqual(['Open mail', 'Vault mail']);
  });

  it('keeps another inbox from reaching its mail by id', async () => {
    expect((await fetch(`${t.http}/inbox/public/api/v1/message/${secretId}`)).status).toBe(404);
    const del = await fetch(`${t.http}/inbox/public/api/v1/messages`, {
      method: 'DELETE',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ IDs: [secretId] }),
    });
    expect(del.status).toBe(200);
    const vault = await getJson<Page>(`${t.http}/inbox/vault/api/v1/messages`, {
      headers: basic('vault-user', 's3cret'),
    });
    expect(vault.total).toBe(1);
  });
});

describe('a closed inbox with --ui-auth', () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startSandbox({ uiAuth: 'admin:root', inboxAuth: ['vault=vault-user:s3cret'] });
    await send(t, 'Vault mail', { user: 'vault-user', pass: 's3cret' });
    await send(t, 'Open mail');
  });
  afterAll(() => t.stop());

  it('shows the administrator every inbox, and the inbox its own mail only', async () => {
    const admin = await getJson<Page>(`${t.http}/api/v1/messages`, { headers: basic('admin', 'root') });
    expect(admin.messages.map((m) => m.Subject).sort()).toEqual(['Open mail', 'Vault mail']);
    const inboxes = await getJson<{ Inboxes: { Name: string; Closed: boolean }[] }>(
      `${t.http}/api/v1/inboxes`,
      {
        headers: basic('admin', 'root'),
      },
    );
    expect(inboxes.Inboxes.find((i) => i.Name === 'vault')).toMatchObject({ Closed: true });
    // The inbox's credentials open its own /inbox/NAME/ and nothing else.
    expect(
      (await fetch(`${t.http}/api/v1/messages`, { headers: basic('vault-user', 's3cret') })).status,
    ).toBe(401);
    const own = await getJson<Page>(`${t.http}/inbox/vault/api/v1/messages`, {
      headers: basic('vault-user', 's3cret'),
    });
    expect(own.messages.map((m) => m.Subject)).toEqual(['Vault mail']);
    expect(
      (await fetch(`${t.http}/inbox/default/api/v1/messages`, { headers: basic('vault-user', 's3cret') }))
        .status,
    ).toBe(401);
  });
});
