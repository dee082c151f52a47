// The typed client's inbox methods against a real sandbox: list, create, rename, move, empty, delete, settings.
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailbeaconError } from '../../src-main/client/index.js';
import { startSandbox, type RunningSandbox } from '../../src-main/testing/index.js';

let mb: RunningSandbox;

beforeAll(async () => {
  mb = await startSandbox();
});

afterAll(async () => {
  await mb?.stop();
});

async function sendInto(inbox: string, subject: string): Promise<void> {
  const transport = nodemailer.createTransport({
    ...mb.smtp,
    secure: false,
    auth: { user: inbox, pass: 'any' },
  });
  try {
    await transport.sendMail({ from: 'app@example.org', to: 'u@example.org', subject, text: 'hi' });
  } finally {
    transport.close();
  }
}

/** The error a call fails with (the test fails when it does not). */
async function failure(call: Promise<unknown>): Promise<MailbeaconError> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MailbeaconError);
  return err as MailbeaconError;
}

const summary = async (name: string) => (await mb.client.inboxes()).find((i) => i.Name === name);

describe('MailbeaconClient inboxes', () => {
  it('creates, lists, renames, empties and deletes an inbox', async () => {
    await mb.client.createInbox('orders');
    await mb.client.createInbox('orders'); // exists already: nothing
    expect(await summary('orders')).toMatchObject({ Name: 'orders', Total: 0, Unread: 0, Closed: false });

    await sendInto('orders', 'Order 1');
    await sendInto('orders', 'Order 2');
    await mb.client.waitForMail({ query: 'inbox:orders subject:"Order 2"' });
    expect(await summary('orders')).toMatchObject({ Total: 2, Unread: 2 });

    await mb.client.renameInbox('orders', 'sales');
    expect(await summary('orders')).toBeUndefined();
    expect(await summary('sales')).toMatchObject({ Total: 2 });
    expect((await mb.client.search('inbox:sales')).messages.map((m) => m.Inbox)).toEqual(['sales', 'sales']);

    await mb.client.createInbox('archive');
    const [first] = (await mb.client.search('inbox:sales')).messages;
    expect(await mb.client.moveMessages([first!.ID], 'archive')).toBe(1);
    expect(await summary('sales')).toMatchObject({ Total: 1 });
    expect(await summary('archive')).toMatchObject({ Total: 1 });
    expect(await mb.client.moveMessages([first!.ID], 'sales')).toBe(1);
    expect((await failure(mb.client.moveMessages([first!.ID], 'nowhere'))).status).toBe(404);

    await mb.client.emptyInbox('sales');
    expect(await summary('sales')).toMatchObject({ Total: 0 });

    await mb.client.deleteInbox('sales');
    expect(await summary('sales')).toBeUndefined();
  });

  it('reads and changes an inbox settings, null putting one back to the flag', async () => {
    await mb.client.createInbox('news');
    const before = await mb.client.inboxSettings('news');
    expect(before.Inbox).toBe('news');
    expect(before.Settings).toMatchObject({ MaxMessages: null, Tracking: null, TagRules: [] });

    const changed = await mb.client.setInboxSettings('news', {
      MaxMessages: 5,
      Tracking: false,
      TagRules: [{ Tag: 'digest', Query: 'subject:digest' }],
    });
    expect(changed.Settings).toMatchObject({
      MaxMessages: 5,
      Tracking: false,
      TagRules: [{ Tag: 'digest', Query: 'subject:digest' }],
    });
    expect((await mb.client.inboxSettings('news')).Settings).toEqual(changed.Settings);

    const reset = await mb.client.setInboxSettings('news', { MaxMessages: null });
    expect(reset.Settings).toMatchObject({ MaxMessages: null, Tracking: false });
  });

  it("fails with the server's status and message", async () => {
    expect((await failure(mb.client.renameInbox('nowhere', 'x'))).status).toBe(404);
    expect((await failure(mb.client.deleteInbox('nowhere'))).status).toBe(404);
    expect((await failure(mb.client.inboxSettings('bad name!'))).status).toBe(400);
    await mb.client.createInbox('a1');
    await mb.client.createInbox('b1');
    const taken = await failure(mb.client.renameInbox('a1', 'b1'));
    expect(taken.status).toBe(409);
    expect(taken.serverMessage).toContain('b1');
    const bad = await failure(mb.client.setInboxSettings('a1', { MaxAge: 'soon' }));
    expect(bad.status).toBe(400);
  });
});
