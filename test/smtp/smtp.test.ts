import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message, MessagesSummary } from '../../src-main/wire/types.js';
import { getJson, queuedId, smtpTransport, startSandbox, type TestSandbox } from '../helpers/sandbox.js';

const run = promisify(execFile);

/** Sends raw SMTP lines one by one and collects each reply (multi-line replies joined). */
async function smtpDialogue(port: number, lines: string[]): Promise<string[]> {
  const socket = connect(port, '127.0.0.1');
  socket.setEncoding('utf8');
  let buffer = '';
  const waiters: ((reply: string) => void)[] = [];
  socket.on('data', (d: string) => {
    buffer += d;
    for (;;) {
      const m = /^(?:\d{3}-[^\n]*\n)*\d{3} [^\n]*\n/.exec(buffer);
      if (!m) break;
      buffer = buffer.slice(m[0].length);
      waiters.shift()?.(m[0].trim());
    }
  });
  const next = () =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no SMTP reply within 10 s')), 10_000);
      waiters.push((r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
  const replies = [await next()];
  for (const line of lines) {
    socket.write(`${line}\r\n`);
    replies.push(await next());
  }
  socket.destroy();
  return replies;
}

describe('SMTP capture', () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startSandbox({ maxMessageSize: '200KB', maxRecipients: '5' });
  });
  afterAll(() => t.stop());

  it('stores a mail from nodemailer and answers 250 with the stored id', async () => {
    const transport = smtpTransport(t);
    const info = await transport.sendMail({
      from: 'Acme <shop@acme.test>',
      to: 'Ann <ann@example.org>',
      cc: 'bob@example.org',
      subject: 'Welcome to Acme ✓',
      text: 'Hi Ann, thanks for joining.',
      html: '<p>Hi Ann, <a href="https://acme.test/start">start here</a></p>',
      attachments: [{ filename: 'invoice.txt', content: 'total: 12 EUR' }],
    });
    transport.close();
    const id = queuedId(info.response);
    expect(info.response).toMatch(/^250 /);

    const msg = await getJson<Message>(`${t.http}/api/v1/message/${id}`);
    expect(msg.Subject).toBe('Welcome to Acme ✓');
    expect(msg.From).toEqual({ Name: 'Acme', Address: 'shop@acme.test' });
    expect(msg.To).toEqual([{ Name: 'Ann', Address: 'ann@example.org' }]);
    expect(msg.Cc).toEqual([{ Name: '', Address: 'bob@example.org' }]);
    expect(msg.Text.trim()).toBe('Hi Ann, thanks for joining.');
    expect(msg.HTML).toContain('start here');
    expect(msg.Attachments).toHaveLength(1);
    expect(msg.Attachments[0]).toMatchObject({
      FileName: 'invoice.txt',
      ContentType: 'text/plain',
      Size: 13,
    });

    const part = await fetch(`${t.http}/api/v1/message/${id}/part/${msg.Attachments[0]!.PartID}`);
    expect(await part.text()).toBe('total: 12 EUR');

    const list = await getJson<MessagesSummary>(`${t.http}/api/v1/messages`);
    expect(list.messages.find((m) => m.ID === id)).toMatchObject({
      Subject: 'Welcome to Acme ✓',
      Attachments: 1,
      // Reading it over the API (a GET) changed nothing.
      Read: false,
    });
  });

  it('accepts a mail from swaks with AUTH, without TLS', async () => {
    const { stdout } = await run('swaks', [
      '--server',
      `127.0.0.1:${t.smtpPort}`,
      '--to',
      'carol@example.org',
      '--from',
      'app@acme.test',
      '--auth',
      'PLAIN',
      '--auth-user',
      'anyone',
      '--auth-password',
      'anything',
      '--header',
      'Subject: from swaks',
      '--body',
      'swaks body',
    ]);
    const id = queuedId(stdout);
    const msg = await getJson<Message>(`${t.http}/api/v1/message/${id}`);
    expect(msg.Subject).toBe('from swaks');
    expect(msg.Username).toBe('anyone');
  });

  it('refuses an oversize mail with 552 and keeps the connection usable', async () => {
    const big = 'x'.repeat(76) + '\r\n';
    const body = big.repeat(Math.ceil((250 * 1024) / big.length));
    const replies = await smtpDialogue(t.smtpPort, [
      'EHLO test',
      'MAIL FROM:<a@acme.test>',
      'RCPT TO:<b@example.org>',
      'DATA',
      `Subject: too big\r\n\r\n${body}.`,
      'MAIL FROM:<a@acme.test>',
      'RCPT TO:<b@example.org>',
      'DATA',
      'Subject: small one\r\n\r\nfits\r\n.',
      'QUIT',
    ]);
    expect(replies[5]).toMatch(/^552 /);
    expect(replies[6]).toMatch(/^250 /);
    expect(replies[9]).toMatch(/^250 .*queued as/);
  });

  it('refuses recipients beyond the limit with 452', async () => {
    const rcpts = Array.from({ length: 6 }, (_, i) => `RCPT TO:<r${i}@example.org>`);
    const replies = await smtpDialogue(t.smtpPort, [
      'EHLO test',
      'MAIL FROM:<a@acme.test>',
      ...rcpts,
      'QUIT',
    ]);
    expect(replies.slice(3, 8).every((r) => r.startsWith('250'))).toBe(true);
    expect(replies[8]).toMatch(/^452 /);
  });

  it('answers bad commands with 5xx and stays up', async () => {
    const replies = await smtpDialogue(t.smtpPort, [
      'EHLO test',
      'FOO bar',
      'RCPT TO:<x@y>',
      'MAIL FROM:<not an address',
      'NOOP',
      'QUIT',
    ]);
    expect(replies[2]).toMatch(/^5\d\d /);
    expect(replies[3]).toMatch(/^503 /);
    expect(replies[4]).toMatch(/^501 /);
    expect(replies[5]).toMatch(/^250 /);
    const info = await fetch(`${t.http}/api/v1/info`);
    expect(info.status).toBe(200);
  });

  it('advertises SMTPUTF8, 8BITMIME, PIPELINING and optional AUTH, and no STARTTLS by default', async () => {
    const [, ehlo, starttls] = await smtpDialogue(t.smtpPort, ['EHLO test', 'STARTTLS', 'QUIT']);
    for (const ext of ['SMTPUTF8', '8BITMIME', 'PIPELINING', 'AUTH PLAIN LOGIN']) expect(ehlo).toContain(ext);
    expect(ehlo).not.toContain('STARTTLS');
    expect(starttls).toMatch(/^5\d\d /);
  });
});

describe('SMTP with --smtp-auth', () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startSandbox({ dataDir: ':memory:', smtpAuth: 'app:s3cret' });
  });
  afterAll(() => t.stop());

  it('requires and checks credentials', async () => {
    const replies = await smtpDialogue(t.smtpPort, ['EHLO test', 'MAIL FROM:<a@acme.test>', 'QUIT']);
    expect(replies[2]).toMatch(/^530 /);
    const wrong = smtpTransport(t, { auth: { user: 'app', pass: 'nope' } });
    await expect(wrong.sendMail({ from: 'a@acme.test', to: 'b@example.org', text: 'x' })).rejects.toThrow(
      /535/,
    );
    wrong.close();
    const right = smtpTransport(t, { auth: { user: 'app', pass: 's3cret' } });
    const info = await right.sendMail({
      from: 'a@acme.test',
      to: 'b@example.org',
      subject: 'authed',
      text: 'x',
    });
    right.close();
    expect(info.response).toMatch(/^250 /);
  });
});

describe('SMTP connection limit', () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startSandbox({ dataDir: ':memory:', maxConnections: '2' });
  });
  afterAll(() => t.stop());

  it('answers 421 beyond --max-connections and serves the others', async () => {
    const greeting = (socket: ReturnType<typeof connect>) =>
      new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no greeting')), 10_000);
        socket.once('data', (d: Buffer) => {
          clearTimeout(timer);
          resolve(d.toString());
        });
      });
    const sockets = [0, 1, 2].map(() => connect(t.smtpPort, '127.0.0.1'));
    try {
      const first = await greeting(sockets[0]!);
      const second = await greeting(sockets[1]!);
      const third = await greeting(sockets[2]!);
      expect(first).toMatch(/^220 /);
      expect(second).toMatch(/^220 /);
      expect(third).toMatch(/^421 /);
    } finally {
      for (const s of sockets) s.destroy();
    }
  });
});
