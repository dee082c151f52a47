// The `mailpit-api` client with an inbox's base URL (`http://host:port/inbox/NAME`), as a Mailpit test suite would
// use it unchanged: it sees, searches, reads, marks and deletes that inbox's mail alone while another inbox fills.
import { MailpitClient } from 'mailpit-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, queuedId, smtpTransport, startSandbox, type TestSandbox } from '../helpers/sandbox.js';

async function send(t: TestSandbox, user: string, subject: string, text = 'hello'): Promise<string> {
  const transport = smtpTransport(t, { auth: { user, pass: 'any' } });
  try {
    return queuedId(
      (await transport.sendMail({ from: 'app@shop.test', to: 'ann@example.org', subject, text })).response,
    );
  } finally {
    transport.close();
  }
}

describe('mailpit-api at an inbox base URL', () => {
  let t: TestSandbox;
  let shop: MailpitClient;
  let shopIds: string[];
  let otherId: string;

  beforeAll(async () => {
    t = await startSandbox();
    shopIds = [
      await send(t, 'shop', 'Order confirmed'),
      await send(t, 'shop', 'Invoice 1001', 'summer sale'),
    ];
    otherId = await send(t, 'blog', 'Invoice from the blog', 'summer sale');
    shop = new MailpitClient(`${t.http}/inbox/shop`);
  });
  afterAll(() => t.stop());

  it('lists, searches and reads the inbox alone', async () => {
    const list = await shop.listMessages();
    expect(list).toMatchObject({ total: 2, unread: 2, messages_count: 2 });
    expect(list.messages.map((m) => m.ID)).toEqual([...shopIds].reverse());
    expect((await shop.searchMessages({ query: 'sale' })).messages.map((m) => m.Subject)).toEqual([
      'Invoice 1001',
    ]);
    expect((await shop.getMessageSummary('latest')).ID).toBe(shopIds[1]);
    expect(await shop.getMessageSource(shopIds[0])).toMatch(/^Subject: Order confirmed\r$/m);
    await expect(shop.getMessageSummary(otherId)).rejects.toThrow();
    expect((await shop.getInfo()).Messages).toBe(2);
  });

  it('marks and deletes within the inbox only', async () => {
    await shop.setReadStatus({ Read: true });
    expect((await shop.listMessages()).unread).toBe(0);
    const blog = await getJson<{ unread: number }>(`${t.http}/inbox/blog/api/v1/messages`);
    expect(blog.unread).toBe(1);
    await shop.deleteMessagesBySearch({ query: 'subject:invoice' });
    expect((await shop.listMessages()).messages.map((m) => m.Subject)).toEqual(['Order confirmed']);
    await shop.deleteMessages();
    expect((await shop.listMessages()).total).toBe(0);
    expect((await getJson<{ total: number }>(`${t.http}/inbox/blog/api/v1/messages`)).total).toBe(1);
  });

  it('sends into the inbox and waits for its own mail', async () => {
    const sent = await shop.sendMessage({
      From: { Email: 'app@shop.test' },
      To: [{ Email: 'eve@example.org' }],
      Subject: 'Sent through the inbox API',
      Text: 'body',
    });
    expect((await shop.getMessageSummary(sent.ID)).Subject).toBe('Sent through the inbox API');
    const waiting = shop.waitForMessage(
      { query: 'subject:"arrives later"' },
      { timeout: 10_000, interval: 100 },
    );
    // The same subject in another inbox is not what this inbox waits for.
    const elsewhere = await send(t, 'blog', 'arrives later');
    const mine = await send(t, 'shop', 'arrives later');
    const got = await waiting;
    expect(got.ID).toBe(mine);
    expect(got.ID).not.toBe(elsewhere);
  });
});
