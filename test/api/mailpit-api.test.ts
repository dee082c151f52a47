// Mailpit compatibility: the `mailpit-api` npm client, used exactly as a test suite written for Mailpit uses it, against
// a real Sandbox fed over SMTP.
import { MailpitClient } from 'mailpit-api';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queuedId, smtpTransport, startSandbox, type TestSandbox } from '../helpers/sandbox.js';

interface Seed {
  from: string;
  to: string;
  subject: string;
  text: string;
  attachment?: boolean;
}

/** A small mailbox whose every search below has a known answer. Sent in this order, so the last is the newest. */
const SEEDS: Seed[] = [
  {
    from: 'Shop <orders@shop.test>',
    to: 'ann@example.org',
    subject: 'Order confirmed',
    text: 'Your parcel ships soon.',
  },
  {
    from: 'Billing <billing@shop.test>',
    to: 'bob@example.org',
    subject: 'Invoice 1001',
    text: 'Please find the invoice attached.',
    attachment: true,
  },
  {
    from: 'news@letters.test',
    to: 'ann@example.org',
    subject: 'Weekly digest',
    text: 'Big summer sale starts now.',
  },
  {
    from: 'Shop <orders@shop.test>',
    to: 'carol@example.org',
    subject: 'Order shipped',
    text: 'The parcel is on its way.',
  },
  {
    from: 'Billing <billing@shop.test>',
    to: 'ann@example.org',
    subject: 'Invoice 1002',
    text: 'A summer sale invoice.',
    attachment: true,
  },
  {
    from: 'security@bank.test',
    to: 'dave@example.org',
    subject: 'Password reset',
    text: 'Click to reset your password.',
  },
  {
    from: 'news@letters.test',
    to: 'bob@example.org',
    subject: 'Monthly digest',
    text: 'Nothing on sale this month.',
  },
];

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

async function seed(t: TestSandbox, seeds = SEEDS): Promise<string[]> {
  const transport = smtpTransport(t);
  const ids: string[] = [];
  try {
    for (const s of seeds) {
      const info = await transport.sendMail({
        ...s,
        headers: { 'X-Seed': s.subject },
        attachments: s.attachment
          ? [{ filename: `${s.subject}.pdf`, content: Buffer.from('%PDF-1.4 fake') }]
          : [],
      });
      ids.push(queuedId(info.response));
    }
  } finally {
    transport.close();
  }
  return ids;
}

describe('Mailpit API compatibility (mailpit-api client)', () => {
  let t: TestSandbox;
  let mailpit: MailpitClient;
  let ids: string[];

  beforeAll(async () => {
    t = await startSandbox();
    mailpit = new MailpitClient(t.http);
  });
  afterAll(() => t.stop());
  beforeEach(async () => {
    await mailpit.deleteMessages();
    ids = await seed(t);
  });

  const subjects = (r: { messages: { Subject: string }[] }) => r.messages.map((m) => m.Subject).sort();

  it('lists newest first, with Mailpit counts and start/limit paging', async () => {
    const all = await mailpit.listMessages();
    expect(all).toMatchObject({ total: 7, unread: 7, count: 7, messages_count: 7, start: 0 });
    expect(all.messages.map((m) => m.ID)).toEqual([...ids].reverse());

    const pages = [
      await mailpit.listMessages(0, 3),
      await mailpit.listMessages(3, 3),
      await mailpit.listMessages(6, 3),
    ];
    expect(pages.map((p) => p.count)).toEqual([3, 3, 1]);
    expect(pages.map((p) => p.start)).toEqual([0, 3, 6]);
    expect(pages.flatMap((p) => p.messages.map((m) => m.ID))).toEqual([...ids].reverse());
    expect((await mailpit.listMessages(50, 10)).messages).toEqual([]);
  });

  it('reads the latest message, its headers and its source', async () => {
    const latest = await mailpit.getMessageSummary('latest');
    expect(latest.ID).toBe(ids.at(-1));
    expect(latest.Subject).toBe('Monthly digest');
    expect(latest.From).toEqual({ Name: '', Address: 'news@letters.test' });
    expect(latest.To).toEqual([{ Name: '', Address: 'bob@example.org' }]);
    expect(latest.Text.trim()).toBe('Nothing on sale this month.');

    const invoice = await mailpit.getMessageSummary(ids[1]);
    expect(invoice.Attachments.map((a) => a.FileName)).toEqual(['Invoice 1001.pdf']);
    const pdf = await mailpit.getMessageAttachment(ids[1]!, invoice.Attachments[0]!.PartID);
    expect(await pdf.text()).toBe('%PDF-1.4 fake');

    const headers = await mailpit.getMessageHeaders(ids[1]);
    expect(headers['X-Seed']).toEqual(['Invoice 1001']);
    expect(headers.Subject).toEqual(['Invoice 1001']);

    const source = await mailpit.getMessageSource(ids[1]);
    expect(source).toMatch(/^Subject: Invoice 1001\r$/m);
    expect(source).toBe(await (await fetch(`${t.http}/api/v1/message/${ids[1]}/raw`)).text());

    // Reading a message changes nothing (a GET never does); the UI marks it read with PUT /api/v1/messages.
    expect((await mailpit.listMessages()).unread).toBe(7);
  });

  it.each([
    ['sale', ['Invoice 1002', 'Monthly digest', 'Weekly digest']],
    ['summer sale', ['Invoice 1002', 'Weekly digest']],
    ['"summer sale starts"', ['Weekly digest']],
    ['from:billing@shop.test', ['Invoice 1001', 'Invoice 1002']],
    ['from:shop.test', ['Invoice 1001', 'Invoice 1002', 'Order confirmed', 'Order shipped']],
    ['to:ann@example.org', ['Invoice 1002', 'Order confirmed', 'Weekly digest']],
    ['subject:digest', ['Monthly digest', 'Weekly digest']],
    ['subject:"Order shipped"', ['Order shipped']],
    ['has:attachment', ['Invoice 1001', 'Invoice 1002']],
    ['sale -invoice', ['Monthly digest', 'Weekly digest']],
    ['from:shop.test -subject:invoice', ['Order confirmed', 'Order shipped']],
    ['to:ann@example.org has:attachment', ['Invoice 1002']],
    [`after:${day(-1)} subject:password`, ['Password reset']],
    [`before:${day(-1)}`, []],
    [`before:${day(2)} subject:password`, ['Password reset']],
    ['nothing-matches-this', []],
  ])('searches %s', async (query, expected) => {
    const result = await mailpit.searchMessages({ query });
    expect(subjects(result)).toEqual(expected);
    expect(result.messages_count).toBe(expected.length);
    expect(result.total).toBe(7);
  });

  it('searches is:read and is:unread, and sets read status by IDs', async () => {
    await mailpit.setReadStatus({ IDs: [ids[0]!, ids[2]!], Read: true });
    expect(subjects(await mailpit.searchMessages({ query: 'is:read' }))).toEqual([
      'Order confirmed',
      'Weekly digest',
    ]);
    expect((await mailpit.searchMessages({ query: 'is:unread' })).messages_count).toBe(5);
    expect((await mailpit.searchMessages({ query: 'is:unread from:news@letters.test' })).messages_count).toBe(
      1,
    );

    await mailpit.setReadStatus({ IDs: [ids[0]!], Read: false });
    expect(subjects(await mailpit.searchMessages({ query: 'is:read' }))).toEqual(['Weekly digest']);
    await mailpit.setReadStatus({ Read: true });
    expect((await mailpit.listMessages()).unread).toBe(0);
    await mailpit.setReadStatus();
    expect((await mailpit.listMessages()).unread).toBe(7);
  });

  it('sets read status by search, touching only the matching messages', async () => {
    await mailpit.setReadStatus({ Search: 'from:billing@shop.test', Read: true });
    const read = await mailpit.searchMessages({ query: 'is:read' });
    expect(subjects(read)).toEqual(['Invoice 1001', 'Invoice 1002']);
  });

  it('deletes by IDs and by search', async () => {
    await mailpit.deleteMessages({ IDs: [ids[0]!, ids[1]!] });
    const left = await mailpit.listMessages();
    expect(left.total).toBe(5);
    expect(left.messages.map((m) => m.ID)).not.toContain(ids[0]);
    expect((await fetch(`${t.http}/api/v1/message/${ids[0]}`)).status).toBe(404);

    await mailpit.deleteMessagesBySearch({ query: 'subject:digest' });
    expect(subjects(await mailpit.listMessages())).toEqual([
      'Invoice 1002',
      'Order shipped',
      'Password reset',
    ]);

    await mailpit.deleteMessages();
    expect((await mailpit.listMessages()).total).toBe(0);
  });

  it('sends through the send API and waits for a message that arrives later', async () => {
    const sent = await mailpit.sendMessage({
      From: { Email: 'app@acme.test', Name: 'Acme' },
      To: [{ Email: 'eve@example.org', Name: 'Eve' }],
      Subject: 'Sent through the API',
      Text: 'plain body',
      HTML: '<p>html body</p>',
      Tags: ['api'],
      Attachments: [{ Filename: 'note.txt', Content: Buffer.from('a note').toString('base64') }],
    });
    const msg = await mailpit.getMessageSummary(sent.ID);
    expect(msg).toMatchObject({
      Subject: 'Sent through the API',
      From: { Name: 'Acme', Address: 'app@acme.test' },
      To: [{ Name: 'Eve', Address: 'eve@example.org' }],
      Tags: ['api'],
    });
    expect(msg.Text.trim()).toBe('plain body');
    expect(msg.Attachments.map((a) => a.FileName)).toEqual(['note.txt']);

    const waiting = mailpit.waitForMessage(
      { query: 'subject:"arrives later"' },
      { timeout: 10_000, interval: 100 },
    );
    const transport = smtpTransport(t);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await transport.sendMail({
      from: 'a@acme.test',
      to: 'b@example.org',
      subject: 'It arrives later',
      text: 'x',
    });
    transport.close();
    expect((await waiting).Subject).toBe('It arrives later');
  });

  it('answers getInfo and getConfiguration in Mailpit shapes', async () => {
    const info = await mailpit.getInfo();
    expect(info.Messages).toBe(7);
    expect(info.Unread).toBe(7);
    expect(typeof info.Version).toBe('string');
    expect(info.RuntimeStats.SMTPAccepted).toBeGreaterThanOrEqual(7);
    const config = await mailpit.getConfiguration();
    expect(config.MessageRelay).toMatchObject({ Enabled: false });
    expect(typeof config.SpamAssassin).toBe('boolean');
  });
});

describe('bad input to the API', () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startSandbox({ dataDir: ':memory:' });
    await seed(t, SEEDS.slice(0, 2));
  });
  afterAll(() => t.stop());

  const GARBAGE_QUERIES = [
    'before:not-a-date',
    'after:2026-13-45',
    'is:whatever',
    'has:nothing',
    '"unterminated phrase',
    '""""""',
    '-',
    '--',
    '- -',
    'from:',
    '-from:',
    'subject:%_\\',
    '*',
    '^',
    'NEAR(a b)',
    'a OR b AND NOT c',
    '(a',
    'a)',
    'col:value',
    'body:* OR *',
    "'; DROP TABLE messages; --",
    '\u0000',
    '\uFFFD',
    '日本語 メール',
    'x'.repeat(1990),
    'a '.repeat(900),
    '"a" '.repeat(400),
  ];

  it.each(GARBAGE_QUERIES.map((q) => [q.length > 40 ? `${q.slice(0, 20)}… (${q.length} chars)` : q, q]))(
    'search %j is answered without a 5xx',
    async (_label, query) => {
      for (const path of ['/api/v1/search', '/api/v1/search?start=0&limit=5']) {
        const sep = path.includes('?') ? '&' : '?';
        const res = await fetch(`${t.http}${path}${sep}query=${encodeURIComponent(query)}`);
        expect(res.status, `${path} ${query}`).toBeLessThan(500);
        if (res.ok) expect(await res.json()).toHaveProperty('messages');
      }
    },
  );

  it.each([
    ['GET', '/api/v1/search?query=%ff%fe%c0'],
    ['GET', '/api/v1/search?query=%ed%a0%80'],
    ['GET', '/api/v1/search?query=%'],
    ['GET', '/api/v1/search?query=%zz'],
    ['GET', '/api/v1/messages?start=-1'],
    ['GET', '/api/v1/messages?limit=abc'],
    ['GET', '/api/v1/messages?limit=0'],
    ['GET', '/api/v1/messages?limit=99999999999999999999'],
    ['GET', '/api/v1/messages?start=1e309'],
    ['GET', `/api/v1/search?query=${'x'.repeat(5000)}`],
    ['GET', '/api/v1/search?query=a&query=b'],
    ['GET', '/api/v1/message/latest/raw?version=bogus'],
    ['GET', '/api/v1/message/%ff%fe/raw'],
    ['GET', `/api/v1/message/${'x'.repeat(300)}`],
    ['GET', '/api/v1/message/nope/part/1'],
    ['GET', '/api/v1/message/latest/part/..%2F..%2Fetc%2Fpasswd'],
    ['DELETE', '/api/v1/search'],
    ['DELETE', '/api/v1/search?query='],
    ['DELETE', '/api/v1/search?query=before:nonsense'],
  ])('%s %s is answered without a 5xx', async (method, path) => {
    const res = await fetch(`${t.http}${path}`, { method });
    expect(res.status).toBeLessThan(500);
    // Bad paging, ids and versions are the client's error; a query that is only odd bytes may just find nothing.
    if (!path.startsWith('/api/v1/search?query=%')) expect(res.status).toBeGreaterThanOrEqual(400);
  });

  it.each([
    ['PUT', '/api/v1/messages', 'not json', 'application/json'],
    ['PUT', '/api/v1/messages', '{"IDs": "not-a-list"}', 'application/json'],
    ['PUT', '/api/v1/messages', '{"Read": "yes"}', 'application/json'],
    ['DELETE', '/api/v1/messages', '{"IDs": [1, 2]}', 'application/json'],
    ['POST', '/api/v1/send', '{}', 'application/json'],
    ['POST', '/api/v1/send', '{"From": {"Email": "x"}}', 'application/json'],
    ['POST', '/api/v1/send', '[]', 'application/json'],
    ['PUT', '/api/v1/tags', '{"IDs": null}', 'application/json'],
  ])('%s %s with body %s is a 4xx, never a 5xx', async (method, path, body, type) => {
    const res = await fetch(`${t.http}${path}`, { method, body, headers: { 'content-type': type } });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it('still has its mail after all of that', async () => {
    const res = await fetch(`${t.http}/api/v1/messages`);
    expect(((await res.json()) as { total: number }).total).toBe(2);
  });
});

describe('the OpenAPI document', () => {
  let t: TestSandbox;
  beforeAll(async () => {
    t = await startSandbox({ dataDir: ':memory:' });
  });
  afterAll(() => t.stop());

  /** The Mailpit v1 routes and the tracking additions of DESIGN §6, in OpenAPI path syntax. */
  const MAILPIT_ROUTES: [string, string][] = [
    ['get', '/api/v1/messages'],
    ['put', '/api/v1/messages'],
    ['delete', '/api/v1/messages'],
    ['get', '/api/v1/search'],
    ['delete', '/api/v1/search'],
    ['get', '/api/v1/message/{id}'],
    ['get', '/api/v1/message/{id}/headers'],
    ['get', '/api/v1/message/{id}/raw'],
    ['get', '/api/v1/message/{id}/part/{partId}'],
    ['post', '/api/v1/send'],
    ['get', '/api/v1/info'],
    ['get', '/api/v1/webui'],
    ['get', '/api/v1/tags'],
    ['put', '/api/v1/tags'],
    ['get', '/api/v1/openapi.json'],
    ['post', '/api/v1/message/{id}/release'],
    ['get', '/api/v1/message/{id}/tracking'],
    ['get', '/api/v1/message/{id}/events'],
    ['get', '/api/v1/events'],
    ['post', '/api/v1/tracking/mint'],
    ['get', '/api/v1/wait'],
  ];

  it('lists every route, each with a summary and its path parameters, and only routes that exist', async () => {
    const doc = (await (await fetch(`${t.http}/api/v1/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { summary?: string; parameters?: { name: string }[] }>>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    for (const [method, path] of MAILPIT_ROUTES) {
      expect(doc.paths[path]?.[method], `${method.toUpperCase()} ${path}`).toBeDefined();
    }
    for (const [path, methods] of Object.entries(doc.paths)) {
      expect(path).toMatch(/^\/(?:api\/|$)/);
      for (const [method, op] of Object.entries(methods)) {
        expect(op.summary, `${method} ${path}`).toBeTruthy();
        const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        expect((op.parameters ?? []).map((p) => p.name)).toEqual(params);
        // A documented route answers something other than "no such route".
        const url = `${t.http}${path.replace(/\{\w+\}/g, 'latest')}`;
        if (method === 'get' && path !== '/' && !path.includes('wait')) {
          const res = await fetch(url);
          const body = res.status === 404 ? await res.text() : '';
          expect(body, `GET ${path}`).not.toMatch(/Route .* not found/);
        }
      }
    }
  });
});

describe('--max-messages', () => {
  let t: TestSandbox;
  afterEach(() => t?.stop());

  it('prunes the oldest mails beyond the limit', async () => {
    t = await startSandbox({ dataDir: ':memory:', maxMessages: '3' });
    const ids = await seed(t, SEEDS.slice(0, 5));
    const mailpit = new MailpitClient(t.http);
    const list = await mailpit.listMessages();
    expect(list.total).toBe(3);
    expect(list.messages.map((m) => m.ID)).toEqual(ids.slice(2).reverse());
    expect((await fetch(`${t.http}/api/v1/message/${ids[0]}/raw`)).status).toBe(404);
    expect((await mailpit.getInfo()).Messages).toBe(3);
    expect((await mailpit.searchMessages({ query: 'subject:"Order confirmed"' })).messages_count).toBe(0);
  });
});
