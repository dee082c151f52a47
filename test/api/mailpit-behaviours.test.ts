// Behaviours of Mailpit that test suites written for it rely on, checked against Mailpit's API description and code,
// through the `mailpit-api` client or plain HTTP against a real Sandbox fed over SMTP.
import { createServer } from 'node:net';
import { MailpitClient } from 'mailpit-api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queuedId, smtpTransport, startSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { Upstream } from '../relay/harness.js';
import { hostOf, raw } from './raw.js';

const running: TestSandbox[] = [];
afterAll(async () => {
  await Promise.all(running.splice(0).map((t) => t.stop()));
});

async function start(flags: Record<string, unknown> = {}): Promise<TestSandbox> {
  const t = await startSandbox({ dataDir: ':memory:', ...flags });
  running.push(t);
  return t;
}

async function send(t: TestSandbox, mail: Record<string, unknown>): Promise<string> {
  const transport = smtpTransport(t);
  try {
    return queuedId((await transport.sendMail({ from: 'app@shop.test', ...mail })).response);
  } finally {
    transport.close();
  }
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe.each([
  ['the simple-mail reader', {}],
  ['mailparser (--simple-mail-reader no)', { simpleMailReader: false }],
  ['a prepare worker (--ingest-threads 1)', { ingestThreads: 1 }],
])('recipients only in the envelope, read by %s', (_, flags) => {
  let t: TestSandbox;
  let mailpit: MailpitClient;
  beforeAll(async () => {
    t = await start(flags);
    mailpit = new MailpitClient(t.http);
  });

  it('are listed in Bcc and found by bcc:, and ReturnPath is the envelope sender', async () => {
    const id = await send(t, {
      from: 'Shop <app@shop.test>',
      to: 'Ann <ann@example.test>',
      cc: 'cc@example.test',
      subject: 'Your receipt',
      text: 'Thanks for your order.',
      envelope: {
        from: 'bounces+42@mailer.shop.test',
        to: ['ann@example.test', 'CC@example.test', 'hidden@example.test', 'audit@shop.test'],
      },
    });
    const message = await mailpit.getMessageSummary(id);
    expect(message.Bcc).toEqual([
      { Name: '', Address: 'hidden@example.test' },
      { Name: '', Address: 'audit@shop.test' },
    ]);
    expect(message.To).toEqual([{ Name: 'Ann', Address: 'ann@example.test' }]);
    expect(message.ReturnPath).toBe('bounces+42@mailer.shop.test');

    const listed = await mailpit.searchMessages({ query: 'bcc:hidden@example.test' });
    expect(listed.messages.map((m) => m.ID)).toEqual([id]);
    expect(listed.messages[0]!.Bcc.map((a) => a.Address)).toEqual(['hidden@example.test', 'audit@shop.test']);
    expect((await mailpit.searchMessages({ query: 'bcc:ann@example.test' })).messages_count).toBe(0);
  });

  it('are added to a Bcc header the mail carries; a null sender leaves the From address as ReturnPath', async () => {
    const id = await send(t, {
      raw: [
        'From: App <app@shop.test>',
        'To: ann@example.test',
        'Bcc: Boss <boss@shop.test>',
        'Return-Path: <someone-else@shop.test>',
        'Subject: Kept Bcc',
        'Message-ID: <kept-bcc@shop.test>',
        '',
        'hello',
        '',
      ].join('\r\n'),
      envelope: { from: '<>', to: ['ann@example.test', 'BOSS@shop.test', 'extra@shop.test'] },
    });
    const message = await mailpit.getMessageSummary(id);
    expect(message.Bcc).toEqual([
      { Name: 'Boss', Address: 'boss@shop.test' },
      { Name: '', Address: 'extra@shop.test' },
    ]);
    expect(message.ReturnPath).toBe('app@shop.test');
  });

  it('are listed in Bcc for mail sent through POST /api/v1/send, with the sender as ReturnPath', async () => {
    const { ID } = await mailpit.sendMessage({
      From: { Email: 'sender@shop.test', Name: 'Sender' },
      To: [{ Email: 'to@example.test' }],
      Bcc: ['secret@example.test'],
      Subject: 'Sent through the API',
      Text: 'hi',
    });
    const message = await mailpit.getMessageSummary(ID);
    expect(message.Bcc).toEqual([{ Name: '', Address: 'secret@example.test' }]);
    expect(message.ReturnPath).toBe('sender@shop.test');
    expect((await mailpit.searchMessages({ query: 'bcc:secret' })).messages.map((m) => m.ID)).toEqual([ID]);
  });
});

describe('Mailpit behaviours of the message and search routes', () => {
  let t: TestSandbox;
  let mailpit: MailpitClient;
  beforeAll(async () => {
    t = await start();
    mailpit = new MailpitClient(t.http);
  });
  afterEach(async () => {
    await mailpit.deleteMessages();
  });

  it('answers latest?query= with the newest mail matching the query, and 404 when none does', async () => {
    const alpha1 = await send(t, {
      to: 'a@x.test',
      subject: 'alpha one',
      text: 'first alpha',
      html: '<p>A1</p>',
    });
    const alpha2 = await send(t, {
      to: 'a@x.test',
      subject: 'alpha two',
      text: 'second alpha',
      html: '<p>A2</p>',
    });
    const beta = await send(t, { to: 'b@x.test', subject: 'beta', text: 'only beta' });
    const latest = (q: string, path = '/api/v1/message/latest') =>
      fetch(`${t.http}${path}?query=${encodeURIComponent(q)}`);

    expect(((await (await latest('subject:alpha')).json()) as { ID: string }).ID).toBe(alpha2);
    expect(((await (await latest('first')).json()) as { ID: string }).ID).toBe(alpha1);
    expect(
      ((await (await fetch(`${t.http}/api/v1/message/latest?query=`)).json()) as { ID: string }).ID,
    ).toBe(beta);
    expect(await (await latest('subject:alpha', '/view/latest.txt')).text()).toBe('second alpha');
    expect(await (await latest('first', '/view/latest.html')).text()).toContain('<p>A1</p>');
    expect(await (await latest('to:b@x.test', '/api/v1/message/latest/raw')).text()).toContain('only beta');
    expect(await (await latest('to:b@x.test', '/api/v1/message/latest/headers')).json()).toMatchObject({
      Subject: ['beta'],
    });

    for (const path of ['/api/v1/message/latest', '/view/latest.txt', '/view/latest.html']) {
      expect((await latest('subject:gamma', path)).status, path).toBe(404);
    }
    expect((await latest('nosuchfilter:x')).status).toBe(400);
  });

  it('matches substrings as Mailpit does: inside words, inside CJK sentences, and in attachment names', async () => {
    const invoice = await send(t, { to: 'a@x.test', subject: 'Invoice 1001', text: 'Please pay soon.' });
    const chinese = await send(t, {
      to: 'a@x.test',
      subject: '通知',
      text: '我们今天去北京的天安门广场看升旗仪式。',
    });
    const japanese = await send(t, {
      to: 'a@x.test',
      subject: 'お知らせ',
      html: '<p>日本語の文章の真ん中にある単語を探します</p>',
    });
    const report = await send(t, {
      to: 'a@x.test',
      subject: 'Figures',
      text: 'See attached.',
      attachments: [{ filename: 'quarterly-report-2026.pdf', content: Buffer.from('%PDF-1.4 fake') }],
    });
    const ids = async (query: string) => (await mailpit.searchMessages({ query })).messages.map((m) => m.ID);

    expect(await ids('subject:voice')).toEqual([invoice]);
    expect(await ids('voice')).toEqual([invoice]);
    expect(await ids('VOICE 1001')).toEqual([invoice]);
    expect(await ids('-voice subject:1001')).toEqual([]);
    expect(await ids('天安门广场')).toEqual([chinese]);
    expect(await ids('真ん中')).toEqual([japanese]);
    expect(await ids('report-2026')).toEqual([report]);
    expect(await ids('quarterly-report-2026.pdf')).toEqual([report]);
    expect(await ids('"ase pay so"')).toEqual([invoice]);
    expect(await ids('from:shop.test')).toHaveLength(4);
    // Terms under three characters: the subject, the addresses and the start of the text.
    expect(await ids('10')).toEqual([invoice]);
    expect(await ids('北京')).toEqual([chinese]);
    expect(await ids('subject:知')).toEqual([japanese, chinese]);
    expect(await ids('nothing-like-this')).toEqual([]);
  });

  it('spells header names as Mailpit does (Go canonical MIME keys), sorted', async () => {
    const id = await send(t, {
      to: 'a@x.test',
      subject: 'headers',
      text: 'x',
      headers: { 'x-mailer-THING': 'one', 'X-SPAM_Flag': 'no' },
    });
    const headers = await mailpit.getMessageHeaders(id);
    const names = Object.keys(headers);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(
      expect.arrayContaining(['Message-Id', 'Mime-Version', 'Content-Type', 'X-Mailer-Thing']),
    );
    expect(names).toContain('X-Spam_flag');
    expect(names).not.toContain('Message-ID');
    expect(headers['X-Mailer-Thing']).toEqual(['one']);
  });

  it('answers GET /api/v1/search without a query with a 400, as Mailpit does', async () => {
    for (const path of ['/api/v1/search', '/api/v1/search?query=', '/api/v1/search?query=%20%20']) {
      const res = await fetch(t.http + path);
      expect(res.status, path).toBe(400);
      expect(await res.json()).toEqual({ Error: expect.stringMatching(/query is required/) });
    }
  });

  it('answers a NUL in a query with a 400 in every route that searches', async () => {
    const id = await send(t, { to: 'a@x.test', subject: 'keep', text: 'x' });
    const nul = encodeURIComponent('a\0b');
    const json = { 'Content-Type': 'application/json' };
    const answers = [
      await fetch(`${t.http}/api/v1/search?query=${nul}`),
      await fetch(`${t.http}/api/v1/search?query=${nul}`, { method: 'DELETE' }),
      await fetch(`${t.http}/api/v1/message/latest?query=${nul}`),
      await fetch(`${t.http}/view/latest.txt?query=${nul}`),
      await fetch(`${t.http}/api/v1/wait?query=${nul}&timeout=1`),
      await fetch(`${t.http}/api/v1/messages`, {
        method: 'PUT',
        headers: json,
        body: JSON.stringify({ Search: 'a\0b', Read: true }),
      }),
    ];
    for (const res of answers) {
      expect(res.status, res.url).toBe(400);
      expect(await res.json()).toEqual({ Error: expect.stringMatching(/NUL/) });
    }
    expect((await mailpit.getMessageSummary(id)).ID).toBe(id);
  });
});

describe('request bodies', () => {
  let t: TestSandbox;
  let mailpit: MailpitClient;
  beforeAll(async () => {
    // (chaos: its route's schema is strict, the one that listed a Buffer's methods as unknown keys)
    t = await start({ enableChaos: true });
    mailpit = new MailpitClient(t.http);
  });

  it("reads JSON under curl's default content type from a program, and refuses bytes it cannot read", async () => {
    const keep = await send(t, { to: 'a@x.test', subject: 'keep', text: 'x' });
    const gone = await send(t, { to: 'a@x.test', subject: 'gone', text: 'x' });
    const form = { 'Content-Type': 'application/x-www-form-urlencoded' };

    // curl -X PUT -d '{"IDs":[…],"Read":true}' …/api/v1/messages, as in Mailpit's docs.
    const read = await raw(t.http, '/api/v1/messages', {
      method: 'PUT',
      headers: form,
      body: JSON.stringify({ IDs: [keep], Read: true }),
    });
    expect(read.status).toBe(200);
    expect((await mailpit.getMessageSummary(keep)).ID).toBe(keep);
    expect((await mailpit.listMessages()).messages.find((m) => m.ID === keep)?.Read).toBe(true);
    expect((await mailpit.listMessages()).messages.find((m) => m.ID === gone)?.Read).toBe(false);

    // A delete of one mail sent as text/plain deletes that one, not every mail.
    const deleted = await raw(t.http, '/api/v1/messages', {
      method: 'DELETE',
      headers: { 'Content-Type': 'text/plain' },
      body: JSON.stringify({ IDs: [gone] }),
    });
    expect(deleted.status).toBe(200);
    expect((await mailpit.listMessages()).messages.map((m) => m.ID)).toEqual([keep]);

    const sent = await raw(t.http, '/api/v1/send', {
      method: 'POST',
      headers: form,
      body: JSON.stringify({
        From: { Email: 'a@shop.test' },
        To: [{ Email: 'b@x.test' }],
        Subject: 'by curl',
      }),
    });
    expect(sent.status).toBe(200);
    expect(JSON.parse(sent.body)).toEqual({ ID: expect.any(String) });

    const broken = await raw(t.http, '/api/v1/messages', { method: 'PUT', headers: form, body: '{"IDs": [' });
    expect(broken.status).toBe(400);
    expect(JSON.parse(broken.body)).toEqual({ Error: expect.any(String) });
  });

  it('never lists Buffer methods in a validation error, and reads no JSON from a browser under another type', async () => {
    const own = `http://${hostOf(t.http)}`;
    const before = (await mailpit.listMessages()).total;
    for (const [path, method, headers, body] of [
      ['/api/v1/messages', 'DELETE', { 'Content-Type': 'text/plain', Origin: own }, '{"IDs":["x"]}'],
      ['/api/v1/messages', 'PUT', { 'Content-Type': 'application/x-www-form-urlencoded' }, 'IDs=x&Read=true'],
      ['/api/v1/chaos', 'PUT', { 'Content-Type': 'text/plain' }, 'Sender=1'],
      [
        '/api/v1/tags',
        'PUT',
        { 'Content-Type': 'text/plain', 'Sec-Fetch-Site': 'same-origin' },
        '{"IDs":[]}',
      ],
    ] as const) {
      const res = await raw(t.http, path, { method, headers, body });
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(res.body).not.toMatch(/readBig|writeUInt|Unrecognized keys/);
      expect(JSON.parse(res.body)).toEqual({ Error: expect.stringMatching(/must be JSON/) });
    }
    expect((await mailpit.listMessages()).total).toBe(before);
  });
});

describe('release answers with the upstream outcome', () => {
  const upstreams: Upstream[] = [];
  afterAll(async () => {
    await Promise.all(upstreams.map((u) => u.close()));
  });

  async function withUpstream(up?: Upstream) {
    if (up) {
      await up.listen();
      upstreams.push(up);
    }
    const url = up ? up.url : `smtp://127.0.0.1:${await closedPort()}`;
    const t = await start({ relay: url, relayRetries: '1m' });
    const mailpit = new MailpitClient(t.http);
    const id = await send(t, { to: 'dev@x.test', subject: 'release me', text: 'hi' });
    const entries = async () =>
      ((await (await fetch(`${t.http}/api/v1/relay`)).json()) as { entries: { status: string }[] }).entries;
    return { t, mailpit, id, entries };
  }

  it('is "ok" once the upstream took the mail', async () => {
    const up = new Upstream();
    const { mailpit, id, entries } = await withUpstream(up);
    expect(await mailpit.releaseMessage(id, { To: ['someone@inbox.test'] })).toBe('ok');
    expect(up.arrivals.map((a) => a.to)).toEqual([['someone@inbox.test']]);
    expect((await entries())[0]).toMatchObject({ status: 'sent' });
  });

  it("is the upstream's error when it refuses the mail, and the entry is not retried", async () => {
    const up = new Upstream();
    up.answer = () => Object.assign(new Error('5.1.1 mailbox unavailable'), { responseCode: 550 });
    const { mailpit, id, entries } = await withUpstream(up);
    await expect(mailpit.releaseMessage(id, { To: ['nobody@inbox.test'] })).rejects.toThrow(
      /400 .*SMTP error: 550 5\.1\.1 mailbox unavailable/,
    );
    expect((await entries())[0]).toMatchObject({ status: 'dead' });
  });

  it('is an error when the upstream cannot be reached', async () => {
    const { t, id, entries } = await withUpstream();
    const res = await fetch(`${t.http}/api/v1/message/${id}/release`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ To: ['someone@inbox.test'] }),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-mailbeacon-relay-entry')).toMatch(/^\d+$/);
    expect(await res.json()).toEqual({ Error: expect.stringMatching(/SMTP error: .*ECONNREFUSED/) });
    expect((await entries())[0]).toMatchObject({ status: 'dead' });
  });

  it('says the mail is queued when the upstream is slow, and leaves it to the outbox', async () => {
    const up = new Upstream();
    up.stall = true;
    const { t, id, entries } = await withUpstream(up);
    const res = await fetch(`${t.http}/api/v1/message/${id}/release`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ To: ['someone@inbox.test'] }),
    });
    expect(res.status).toBe(202);
    expect(await res.text()).toMatch(/^queued: .*stays in the outbox/);
    expect((await entries())[0]).toMatchObject({ status: 'sending' });
  }, 20_000);
});
