// POP3's user name is the inbox, through the real listener and Python's poplib: an open inbox opens with POP3's
// own password, a closed one with its own credentials only, and a session deletes within its inbox alone.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, smtpTransport, startSandbox, type TestSandbox } from '../helpers/sandbox.js';

const run = promisify(execFile);
const CLIENT = join(import.meta.dirname, 'client.py');
const POP3_PASS = 'pop-secret';

let t: TestSandbox;

async function poplib(steps: (string | number)[][]): Promise<Record<string, unknown>[]> {
  const [host, port] = t.sandbox.addresses.pop3!.split(/:(?=\d+$)/);
  const { stdout } = await run('python3', [CLIENT, host!, port!, JSON.stringify(steps)], { timeout: 60_000 });
  return JSON.parse(stdout) as Record<string, unknown>[];
}

const send = (subject: string, auth?: { user: string; pass: string }) =>
  smtpTransport(t, auth ? { auth } : {}).sendMail({ from: 'a@x.test', to: 'b@y.test', subject, text: 'hi' });

beforeAll(async () => {
  t = await startSandbox({ pop3: '127.0.0.1:0', pop3Auth: `dev:${POP3_PASS}`, inboxAuth: ['vault=vu:vp'] });
  await send('Shop 1', { user: 'shop', pass: 'x' });
  await send('Shop 2', { user: 'shop', pass: 'x' });
  await send('Secret', { user: 'vu', pass: 'vp' });
  await send('Plain');
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

describe('POP3 per inbox', () => {
  it('lists an open inbox to its name with POP3 password, and every open inbox to POP3 own user', async () => {
    const shop = await poplib([['login', 'shop', POP3_PASS], ['stat'], ['quit']]);
    expect(shop[2]).toEqual({ stat: [2, expect.any(Number)] });
    const all = await poplib([['login', 'dev', POP3_PASS], ['stat'], ['quit']]);
    // Shop 1, Shop 2, Plain: the closed inbox's mail is not among them.
    expect(all[2]).toEqual({ stat: [3, expect.any(Number)] });
  });

  it('opens a closed inbox with its own credentials only, and never with POP3 password', async () => {
    const own = await poplib([['login', 'vault', 'vp'], ['stat'], ['quit']]);
    expect(own[2]).toEqual({ stat: [1, expect.any(Number)] });
    const byUser = await poplib([['login', 'vu', 'vp'], ['stat'], ['quit']]);
    expect(byUser[2]).toEqual({ stat: [1, expect.any(Number)] });
    const wrong = await poplib([['login', 'vault', POP3_PASS], ['quit']]);
    expect(wrong[1]).toEqual({ error: expect.stringContaining('invalid credentials') });
    const guess = await poplib([['login', 'shop', 'nope'], ['quit']]);
    expect(guess[1]).toEqual({ error: expect.stringContaining('invalid credentials') });
  });

  it('deletes within the inbox of the session', async () => {
    const done = await poplib([['login', 'shop', POP3_PASS], ['dele', 1], ['dele', 2], ['quit']]);
    expect(done.at(-1)).toEqual({ quit: expect.stringMatching(/^\+OK/) });
    const left = await getJson<{ messages: { Subject: string; Inbox: string }[] }>(
      `${t.http}/api/v1/messages`,
    );
    expect(left.messages.map((m) => m.Subject).sort()).toEqual(['Plain']);
  });
});
