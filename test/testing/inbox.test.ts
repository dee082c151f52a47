// mb.inbox(): test files that share one sandbox each take an inbox, and see only their own mail. Two scopes run
// concurrently here, as two files would.
import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import type { InboxHandle } from '../../src-main/testing/index.js';
import { useSandbox } from '../../src-main/testing/vitest.js';

const mb = useSandbox();

async function signUp(inbox: InboxHandle, to: string, subject: string): Promise<void> {
  // As the app under test would: its SMTP settings are the inbox's.
  const transport = nodemailer.createTransport({ ...inbox.smtp, secure: false });
  try {
    await transport.sendMail({ from: 'app@example.org', to, subject, text: 'Welcome aboard' });
  } finally {
    transport.close();
  }
}

describe.concurrent('two test files sharing one sandbox', () => {
  for (const name of ['signup', 'password-reset']) {
    it(`${name} sees its own mail only`, async () => {
      const inbox = await mb.inbox(name);
      expect(inbox.smtp.auth.user).toBe(name);
      for (let i = 0; i < 5; i++) await signUp(inbox, `user${i}@example.org`, `${name} ${i}`);
      const mail = await inbox.client.waitForMail({ query: `subject:"${name} 4"` });
      expect(mail.Subject).toBe(`${name} 4`);
      const page = await inbox.client.list();
      expect(page.messages.map((m) => m.Subject).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `${name} ${i}`));
      expect(page.messages.every((m) => m.Inbox === name)).toBe(true);
      // Clearing its inbox leaves the other file's mail alone.
      await inbox.client.delete('all');
      expect((await inbox.client.list()).total).toBe(0);
    });
  }

  it('leaves each inbox and the whole sandbox in view of the unscoped client', async () => {
    const other = await mb.inbox('unrelated');
    await signUp(other, 'x@example.org', 'unrelated mail');
    await mb.client.waitForMail({ query: 'inbox:unrelated' });
    const names = (await mb.client.inboxes()).map((i) => i.Name);
    expect(names).toEqual(expect.arrayContaining(['signup', 'password-reset', 'unrelated', 'default']));
  });
});
