// The `mailpit-api` client, unchanged, against a running sandbox: every search filter, tags, chaos and /view.
import { MailpitClient } from 'mailpit-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smtpTransport, startSandbox, type TestSandbox } from '../helpers/sandbox.js';

const PIXEL = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

let t: TestSandbox;
let mailpit: MailpitClient;
const ids: Record<string, string> = {};

async function send(name: string, mail: Record<string, unknown>, auth?: { user: string; pass: string }) {
  const info = await smtpTransport(t, auth ? { auth } : {}).sendMail(mail);
  ids[name] = /queued as (\S+)/.exec(info.response)![1]!;
}

/** The names (see `ids`) of the mails a query finds, sorted. */
async function found(query: string): Promise<string[]> {
  const { messages } = await mailpit.searchMessages({ query });
  const byId = Object.fromEntries(Object.entries(ids).map(([k, v]) => [v, k]));
  return messages.map((m) => byId[m.ID]!).sort();
}

beforeAll(async () => {
  t = await startSandbox({
    tag: ['billing=subject:invoice', 'shop=from:shop.test'],
    tagsPlusAddresses: true,
    tagsUsername: true,
    enableChaos: true,
    noTrack: true,
  });
  mailpit = new MailpitClient(t.http);
  await send('invoice', {
    from: 'Ann <ann@shop.test>',
    to: 'cleo@example.test',
    replyTo: 'replies@shop.test',
    subject: 'Invoice 42',
    text: 'Your invoice is ready.',
    headers: { 'X-Tags': 'vip, urgent' },
  });
  await send('news', {
    from: 'bob@other.test',
    to: 'dan+newsletter@example.test',
    cc: 'cleo@example.test',
    subject: 'Weekly news',
    html: '<p>Hello <img src="cid:logo@news"></p>',
    attachments: [
      { filename: 'logo.png', content: PIXEL, cid: 'logo@news' },
      { filename: 'report.bin', content: Buffer.alloc(20_000, 7) },
    ],
  });
  await send(
    'reset',
    {
      // A Bcc header as an app that keeps it writes it (nodemailer drops it from the header otherwise).
      envelope: { from: 'app@service.test', to: ['eve@example.test', 'audit@example.test'] },
      raw: [
        'From: app@service.test',
        'To: eve@example.test',
        'Bcc: audit@example.test',
        'Subject: Password reset',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Visit http://x.test/reset before 10:30 today.',
        '',
      ].join('\r\n'),
    },
    { user: 'app-user', pass: 'any' },
  );
  await send('plain', {
    from: 'zed@plain.test',
    to: 'frank@example.test',
    subject: 'Plain',
    text: 'nothing',
  });
}, 60_000);

afterAll(() => t?.stop());

describe('search through the mailpit-api client', () => {
  it('filters by address fields, including reply-to and addressed', async () => {
    expect(await found('from:ann')).toEqual(['invoice']);
    expect(await found('to:dan')).toEqual(['news']);
    expect(await found('cc:cleo')).toEqual(['news']);
    expect(await found('bcc:audit')).toEqual(['reset']);
    expect(await found('reply-to:replies')).toEqual(['invoice']);
    // To, Cc, Bcc, Reply-To and From
    expect(await found('addressed:cleo')).toEqual(['invoice', 'news']);
    expect(await found('addressed:audit')).toEqual(['reset']);
    expect(await found('addressed:zed')).toEqual(['plain']);
  });

  it('filters by subject, size, attachments, inline parts, tags and state', async () => {
    expect(await found('subject:invoice')).toEqual(['invoice']);
    expect(await found('larger:10k')).toEqual(['news']);
    expect(await found('smaller:10k')).toEqual(['invoice', 'plain', 'reset']);
    expect(await found('larger:1m')).toEqual([]);
    expect(await found('has:attachment')).toEqual(['news']);
    expect(await found('has:inline')).toEqual(['news']);
    expect(await found('is:tagged')).toEqual(['invoice', 'news', 'reset']);
    expect(await found('is:unread')).toHaveLength(4);
    expect(await found('is:read')).toEqual([]);
    // A mail the relay delivered, and one it gave up on.
    const relayed = t.sandbox.db.prepare(
      `INSERT INTO relay_outbox (message_id, recipients_json, reason, status, relay_id, created_ms, updated_ms)
       VALUES (?, '[]', 'rule', ?, ?, 0, 0)`,
    );
    relayed.run(ids.news, 'sent', 'r1');
    relayed.run(ids.plain, 'dead', 'r2');
    expect(await found('is:relayed')).toEqual(['news']);
    expect(await found('!is:relayed')).toEqual(['invoice', 'plain', 'reset']);
  });

  it('negates any term with ! or -', async () => {
    expect(await found('!is:tagged')).toEqual(['plain']);
    expect(await found('-has:inline')).toEqual(['invoice', 'plain', 'reset']);
    expect(await found('!subject:invoice -from:bob')).toEqual(['plain', 'reset']);
    expect(await found('!"password reset"')).toEqual(['invoice', 'news', 'plain']);
  });

  it('searches dates and times, phrases, URLs and times of day as text', async () => {
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    expect(await found(`before:${tomorrow}`)).toHaveLength(4);
    expect(await found('after:2020-01-01T10:30')).toHaveLength(4);
    expect(await found('after:2999-01-01')).toEqual([]);
    expect(await found('"invoice is ready"')).toEqual(['invoice']);
    expect(await found('http://x.test/reset')).toEqual(['reset']);
    expect(await found('10:30')).toEqual(['reset']);
  });

  it('answers an unknown filter with a 400 that names the known ones', async () => {
    const err = await mailpit.searchMessages({ query: 'colour:red' }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect(String(err)).toMatch(/400/);
    expect(String(err)).toMatch(/colour:.*from:.*addressed:.*larger:/s);
    await expect(mailpit.searchMessages({ query: 'has:wings' })).rejects.toThrow(/400/);
    await expect(mailpit.searchMessages({ query: 'larger:huge' })).rejects.toThrow(/400/);
    // A filter with nothing after it is no search term: a bulk delete by it must not delete everything.
    const res = await fetch(`${t.http}/api/v1/search?query=${encodeURIComponent('from:')}`, {
      method: 'DELETE',
    });
    expect(res.status).toBe(400);
    expect((await mailpit.listMessages()).messages_count).toBe(4);
  });
});

describe('tags', () => {
  it('tags mails on ingest from X-Tags, plus-addresses, the AUTH user and --tag rules', async () => {
    const tags = await mailpit.getTags();
    expect(tags).toEqual(
      expect.arrayContaining(['app-user', 'billing', 'newsletter', 'shop', 'urgent', 'vip']),
    );
    expect(await found('tag:billing')).toEqual(['invoice']);
    expect(await found('tag:shop')).toEqual(['invoice']);
    expect(await found('tag:newsletter')).toEqual(['news']);
    expect(await found('tag:app-user')).toEqual(['reset']);
    expect((await mailpit.getMessageSummary(ids.invoice)).Tags).toEqual(['billing', 'shop', 'urgent', 'vip']);
  });

  it('sets, renames and deletes tags, counts them in info and tells the hub', async () => {
    await mailpit.setTags({ IDs: [ids.plain!], Tags: ['Later!', 'later'] });
    expect((await mailpit.getMessageSummary(ids.plain)).Tags).toEqual(['Later']);
    await mailpit.renameTag('Later', 'Done');
    expect(await found('tag:done')).toEqual(['plain']);
    await mailpit.setTags({ IDs: [ids.news!], Tags: ['Done'] });
    expect((await mailpit.getInfo()).Tags).toMatchObject({ Done: 2, vip: 1 });
    await mailpit.deleteTag('vip');
    expect(await found('tag:vip')).toEqual([]);
    expect((await mailpit.getMessageSummary(ids.invoice)).Tags).toEqual(['billing', 'shop', 'urgent']);
    await mailpit.setTags({ IDs: [ids.plain!] });
    expect(await found('tag:done')).toEqual(['news']);
    expect(await mailpit.getTags()).not.toContain('vip');

    // Each change was published on the messages topic.
    t.sandbox.storage.commits.flush();
    const published = t.sandbox.db
      .prepare(`SELECT data FROM hub_history WHERE data LIKE '%"type":"tags"%'`)
      .pluck()
      .all() as string[];
    expect(published.map((d) => (JSON.parse(d) as { ids: string[] }).ids)).toContainEqual([ids.invoice]);
  });
});

describe('chaos', () => {
  it('answers RCPT with the configured code while a trigger is at 100%, and resets', async () => {
    expect(await mailpit.getChaosTriggers()).toEqual({
      Authentication: { ErrorCode: 451, Probability: 0 },
      Recipient: { ErrorCode: 451, Probability: 0 },
      Sender: { ErrorCode: 451, Probability: 0 },
    });
    const set = await mailpit.setChaosTriggers({ Recipient: { ErrorCode: 550, Probability: 100 } });
    expect(set.Recipient).toEqual({ ErrorCode: 550, Probability: 100 });
    const refused = await smtpTransport(t)
      .sendMail({ from: 'a@b.test', to: 'c@d.test', subject: 'x', text: 'x' })
      .catch((e: { responseCode?: number; command?: string }) => e);
    expect(refused).toMatchObject({ responseCode: 550, command: 'RCPT TO' });
    expect((await mailpit.getInfo()).Messages).toBe(4);

    await mailpit.setChaosTriggers({ Sender: { ErrorCode: 451, Probability: 100 } });
    const later = await smtpTransport(t)
      .sendMail({ from: 'a@b.test', to: 'c@d.test', subject: 'x', text: 'x' })
      .catch((e: { responseCode?: number }) => e);
    expect(later).toMatchObject({ responseCode: 451 });

    expect((await mailpit.setChaosTriggers()).Sender.Probability).toBe(0);
    await send('after-chaos', { from: 'a@b.test', to: 'c@d.test', subject: 'after', text: 'x' });
    await expect(mailpit.setChaosTriggers({ Sender: { ErrorCode: 250, Probability: 5 } })).rejects.toThrow(
      /400/,
    );
    await expect(mailpit.setChaosTriggers({ Sender: { ErrorCode: 451, Probability: 101 } })).rejects.toThrow(
      /400/,
    );
  });
});

describe('/view routes', () => {
  it('renders the HTML part with inline images from the API under a CSP, and the text part', async () => {
    const html = await mailpit.renderMessageHTML(ids.news);
    expect(html).toContain(`/api/v1/message/${ids.news}/part/`);
    expect(html).not.toContain('cid:logo@news');
    const res = await fetch(`${t.http}/view/${ids.news}.html`);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'.*sandbox/);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);

    const embedded = await mailpit.renderMessageHTML(ids.news, 1);
    expect(embedded).toMatch(/<script nonce="[^"]+">/);

    expect(await mailpit.renderMessageText(ids.reset)).toContain('http://x.test/reset');
    expect(await mailpit.renderMessageText()).toContain('x'); // latest
    const text = await fetch(`${t.http}/view/latest.txt`);
    expect(text.headers.get('content-type')).toMatch(/^text\/plain/);
    await expect(mailpit.renderMessageHTML(ids.plain)).rejects.toThrow(/404/);
    await expect(mailpit.renderMessageText('nope')).rejects.toThrow(/404/);
  });
});

describe('the send API', () => {
  it('adds the Tags it is given to those ingest gave the mail', async () => {
    const { ID } = await mailpit.sendMessage({
      From: { Email: 'orders@shop.test' },
      To: [{ Email: 'ann@example.test' }],
      Subject: 'Sent through the API',
      Text: 'hi',
      Tags: ['api'],
    });
    expect((await mailpit.getMessageSummary(ID)).Tags).toEqual(['api', 'shop']);
  });
});

describe('without --enable-chaos', () => {
  it('answers the chaos routes with 400, as Mailpit does', async () => {
    const plain = await startSandbox({ dataDir: ':memory:' });
    try {
      const client = new MailpitClient(plain.http);
      await expect(client.getChaosTriggers()).rejects.toThrow(/400.*--enable-chaos/s);
      await expect(client.setChaosTriggers({})).rejects.toThrow(/400/);
      expect((await client.getInfo()).Tags).toEqual({});
    } finally {
      await plain.stop();
    }
  });
});
